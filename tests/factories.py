"""factory_boy factories for the practice's records (service tests, API and UI tests)."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from practice.models import (
    AgreementAnnex,
    AgreementRequest,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from reimburse.models import InsurerPackage


class PracticeFactory(factory.django.DjangoModelFactory[Practice]):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    country = "BE"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ann"
    last_name = factory.Sequence(lambda n: f"Peeters{n}")
    # Hashed before the row is saved, so the user can really log in.
    password = factory.django.Password("secret-pass-123")


class TherapistFactory(factory.django.DjangoModelFactory[Therapist]):
    class Meta:
        model = Therapist

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = Therapist.Role.THERAPIST


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    practice = factory.SubFactory(PracticeFactory)
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Janssens{n}")
    birth_date = date(1971, 9, 30)


class EpisodeFactory(factory.django.DjangoModelFactory[Episode]):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    practice = factory.LazyAttribute(lambda o: o.patient.practice)
    title = "Low back pain"
    category = Episode.Category.COURANTE


class PrescriptionFactory(factory.django.DjangoModelFactory[Prescription]):
    class Meta:
        model = Prescription

    episode = factory.SubFactory(EpisodeFactory)
    practice = factory.LazyAttribute(lambda o: o.episode.patient.practice)
    date = date(2025, 2, 3)
    sessions = 18


class SessionFactory(factory.django.DjangoModelFactory[TreatmentSession]):
    class Meta:
        model = TreatmentSession

    episode = factory.SubFactory(EpisodeFactory)
    practice = factory.LazyAttribute(lambda o: o.episode.patient.practice)
    date = date(2025, 2, 5)


class InsurerPackageFactory(factory.django.DjangoModelFactory[InsurerPackage]):
    class Meta:
        model = InsurerPackage

    insurer = "Example Zorg"
    name = factory.Sequence(lambda n: f"Aanvullend {n}")
    year = 2025
    treatments = 9
    source = "https://example.org/package"
    checked_on = date(2025, 1, 1)


class CoverageFactory(factory.django.DjangoModelFactory[Coverage]):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory, practice__country="NL")
    year = 2025


class AgreementRequestFactory(factory.django.DjangoModelFactory[AgreementRequest]):
    """A granted E agreement for 2025 unless told otherwise."""

    class Meta:
        model = AgreementRequest

    episode = factory.SubFactory(EpisodeFactory, category="e", pathology="e-a")
    practice = factory.LazyAttribute(lambda o: o.episode.patient.practice)
    kind = "physiotherapy-e"
    status = "agreement"
    granted_from = date(2025, 1, 1)
    granted_until = date(2025, 12, 31)


class AgreementAnnexFactory(factory.django.DjangoModelFactory[AgreementAnnex]):
    class Meta:
        model = AgreementAnnex

    request = factory.SubFactory(AgreementRequestFactory)
    kind = "medical-report"


class PriorUseFactory(factory.django.DjangoModelFactory[PriorUse]):
    class Meta:
        model = PriorUse

    patient = factory.SubFactory(PatientFactory)
    year = 2025
