"""A patient with a record of every kind and a change history, in a Belgian practice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from practice.models import Patient, Practice, Therapist
from tests.factories import (
    AgreementAnnexFactory,
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    PriorUseFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

NAME = "Vandenbroucke"
FIRST = "Griet"
INSZ = "85073003328"


@dataclass
class Rich:
    patient: Patient
    deleted_coverage_id: int


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(name="Kine Gent", country="BE")


@pytest.fixture
def clinic_user(practice: Practice) -> User:
    user: User = UserFactory.create(username="clinic-admin", is_staff=True)
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def clinic_client(clinic_user: User) -> Client:
    client = Client()
    client.force_login(clinic_user)
    return client


@pytest.fixture
def rich(practice: Practice) -> Rich:
    patient = PatientFactory.create(
        practice=practice,
        first_name=FIRST,
        last_name=NAME,
        national_id=INSZ,
        birth_date=date(1985, 7, 30),
        external_id="pms-77",
    )
    patient.preferential = True
    patient.save()  # a second history version
    episode = EpisodeFactory.create(
        patient=patient, title=f"Knee of {FIRST} {NAME}", category="e", pathology="e-a"
    )
    PrescriptionFactory.create(
        episode=episode, prescriber="Dr. Peeters", prescriber_number="12345678901"
    )
    for day in (3, 10, 17):
        SessionFactory.create(episode=episode, date=date(2025, 2, day), external_id=f"s-{day}")
    request = AgreementRequestFactory.create(
        episode=episode, decision_id="D-998", notes=f"called {NAME} back"
    )
    AgreementAnnexFactory.create(request=request, title=f"report {NAME}")
    PriorUseFactory.create(patient=patient, year=2025, overflow=2)
    CoverageFactory.create(patient=patient, year=2025)
    gone = CoverageFactory.create(patient=patient, year=2024)
    gone_id = gone.pk
    gone.delete()
    return Rich(patient=patient, deleted_coverage_id=gone_id)
