"""Two practices with a full set of records each: A (Belgian, "Alpha") and B (Dutch, "Bravo").

Every string that identifies one of B's rows contains ``Bravo`` (or is B's patient's BSN), so
a response that leaks any of B's data contains one of ``B_MARKERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.test import Client
from rest_framework.test import APIClient

from practice.models import (
    AgreementRequest,
    ApiToken,
    Coverage,
    Episode,
    ImportJob,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from practice.tokens import api_token_create
from tests.factories import (
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

# A valid INSZ/NISS (BE) and a valid BSN (NL, passes the eleven test).
A_NATIONAL_ID = "85073003328"
B_NATIONAL_ID = "111222333"
B_MARKERS = ("Bravo", B_NATIONAL_ID)
A_MARKERS = ("Alpha", A_NATIONAL_ID)

# The tables whose row counts "changes nothing" compares (history tables included).
COUNTED: tuple[type[models.Model], ...] = (
    Patient,
    Episode,
    Prescription,
    TreatmentSession,
    Coverage,
    AgreementRequest,
    PriorUse,
    ApiToken,
    Patient.history.model,
    Episode.history.model,
    Prescription.history.model,
    TreatmentSession.history.model,
    Coverage.history.model,
    AgreementRequest.history.model,
    PriorUse.history.model,
)


def row_counts() -> dict[str, int]:
    """How many rows each records table (and its history) holds."""
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


@dataclass(frozen=True)
class Side:
    """One practice and one of each of its records, with an API key of its own."""

    practice: Practice
    therapist: Therapist
    administrator: Therapist
    patient: Patient
    episode: Episode
    prescription: Prescription
    session: TreatmentSession
    coverage: Coverage
    agreement_request: AgreementRequest
    prior_use: PriorUse
    token: ApiToken
    key: str
    import_job: ImportJob

    def objects(self) -> dict[type[models.Model], models.Model]:
        """The side's row of each model (the administrator stands for ``Therapist``)."""
        return {
            Practice: self.practice,
            Therapist: self.administrator,
            Patient: self.patient,
            Episode: self.episode,
            Prescription: self.prescription,
            TreatmentSession: self.session,
            Coverage: self.coverage,
            AgreementRequest: self.agreement_request,
            PriorUse: self.prior_use,
            ApiToken: self.token,
            ImportJob: self.import_job,
            User: self.therapist.user,
        }

    def ids_of(self, model: type[models.Model]) -> set[int]:
        """Primary keys of the side's rows of ``model``."""
        rows: dict[type[models.Model], list[models.Model]] = {
            Therapist: [self.therapist, self.administrator],
            User: [self.therapist.user, self.administrator.user],
        }
        found = rows.get(model) or [row for m, row in self.objects().items() if m is model]
        return {int(row.pk) for row in found}


def _user(username: str, last_name: str, *, is_staff: bool = False) -> User:
    user = UserFactory.create(
        username=username, first_name="Test", last_name=last_name, is_staff=is_staff
    )
    user.save()  # the factory hashes the password after its first save
    return user


def build_side(
    *, name: str, country: str, national_id: str, patient_name: str, session_day: date
) -> Side:
    """A practice named ``name`` with a therapist, an administrator and one of every record."""
    practice = PracticeFactory.create(name=f"Kine {name}", country=country)
    lower = name.lower()
    therapist = TherapistFactory.create(
        practice=practice, user=_user(f"{lower}-therapist", f"{name}therapeut")
    )
    administrator = TherapistFactory.create(
        practice=practice,
        role=Therapist.Role.ADMINISTRATOR,
        user=_user(f"{lower}-admin", f"{name}beheerder", is_staff=True),
    )
    patient = PatientFactory.create(
        practice=practice,
        first_name=patient_name,
        last_name=f"{name}patient",
        national_id=national_id,
        external_id=f"{lower}-patient-1",
    )
    episode = EpisodeFactory.create(patient=patient, title=f"{name} back pain")
    prescription = PrescriptionFactory.create(
        episode=episode,
        date=date(session_day.year, 1, 2),
        prescriber=f"Dr. {name}",
        external_id=f"{lower}-prescription-1",
    )
    session = SessionFactory.create(
        episode=episode,
        therapist=therapist,
        date=session_day,
        price=Decimal("40.00") if country == "NL" else None,
        external_id=f"{lower}-session-1",
    )
    coverage = CoverageFactory.create(
        patient=patient, year=session_day.year, insurer=f"{name} Zorg", treatments=9
    )
    agreement_request = AgreementRequestFactory.create(
        episode=episode,
        kind="physiotherapy-common-2-and-more",
        decision_id=f"{name}-decision-1",
        reason_text=f"{name} reason",
        prescription=prescription,
    )
    prior_use = PriorUseFactory.create(patient=patient, year=session_day.year, situations=1)
    token, key = api_token_create(
        practice=practice, name=f"{name} PMS", created_by=administrator.user
    )
    # A checked import waiting for its administrator's confirm (its file is never read here).
    import_job = ImportJob.objects.create(
        user=administrator.user,
        practice=practice,
        kind=ImportJob.Kind.PATIENTS,
        original_name=f"{name} patients.csv",
        file_name=f"{lower}-import.csv",
        file_format="csv",
        status=ImportJob.Status.CHECKED,
        rows_total=1,
        rows_done=1,
        new=1,
    )
    return Side(
        practice=practice,
        therapist=therapist,
        administrator=administrator,
        patient=patient,
        episode=episode,
        prescription=prescription,
        session=session,
        coverage=coverage,
        agreement_request=agreement_request,
        prior_use=prior_use,
        token=token,
        key=key,
        import_job=import_job,
    )


@pytest.fixture
def a(db: None) -> Side:
    return build_side(
        name="Alpha",
        country="BE",
        national_id=A_NATIONAL_ID,
        patient_name="Anke",
        session_day=date(2025, 2, 5),
    )


@pytest.fixture
def b(db: None) -> Side:
    return build_side(
        name="Bravo",
        country="NL",
        national_id=B_NATIONAL_ID,
        patient_name="Quirina",
        session_day=date(2025, 2, 6),
    )


@pytest.fixture
def therapist_client(a: Side, b: Side) -> Client:
    """A's therapist, logged in to the pages."""
    client = Client()
    client.force_login(a.therapist.user)
    return client


@pytest.fixture
def clinic_client(a: Side, b: Side) -> Client:
    """A's clinic administrator, logged in to the admin."""
    client = Client()
    client.force_login(a.administrator.user)
    return client


@pytest.fixture
def api_a(a: Side, b: Side) -> APIClient:
    """An API client holding A's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {a.key}")
    return client


def assert_no_markers(body: bytes | str, markers: tuple[str, ...] = B_MARKERS) -> None:
    """Fail if any identifying string of the other practice is in ``body``."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    leaked = [marker for marker in markers if marker in text]
    assert not leaked, f"leaked {leaked}"
