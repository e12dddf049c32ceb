"""The quota API's read (``reimburse.quota``) builds the facts the bridge builds, in fewer steps.

Each scenario stores a patient with every kind of record the bridge reads, and the case of
``patient_quota_case`` must equal the one ``services.practice_cases`` builds for the patient.
"""

from __future__ import annotations

import gc
import threading
import weakref
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.models import ConventionAdherence, Patient, Practice
from reimburse.engine import types as t
from reimburse.models import LoadedTariff
from reimburse.quota import patient_quota_case
from reimburse.services import practice_cases
from tests.api.conftest import client_for
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    PriorUseFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def _bridge_case(patient: Patient) -> t.Case:
    (found,) = practice_cases(
        practice=patient.practice, as_of=AS_OF, patients=Patient.objects.filter(pk=patient.pk)
    )
    return found.case


def _quota_case(patient: Patient) -> t.Case | None:
    return patient_quota_case(practice=patient.practice, patient_id=patient.pk, as_of=AS_OF)


def _belgian_patient(practice: Practice) -> Patient:
    """A Belgian patient with every record the bridge reads, and a neighbour's beside them."""
    therapist = TherapistFactory.create(practice=practice)
    ConventionAdherence.objects.create(
        therapist=therapist,
        adheres=False,
        valid_from=date(2025, 3, 1),
        valid_until=date(2025, 4, 1),
    )
    patient = PatientFactory.create(practice=practice, preferential=True)
    courante = EpisodeFactory.create(patient=patient, category="courante", pathology="co-3-1")
    PrescriptionFactory.create(episode=courante, date=date(2025, 2, 20), sessions=9)
    PrescriptionFactory.create(
        episode=courante, date=date(2025, 1, 10), sessions=9, second_session_motivated=True
    )
    for day, price in ((date(2025, 3, 3), "37.00"), (date(2025, 2, 24), None)):
        SessionFactory.create(
            episode=courante,
            therapist=therapist,
            date=day,
            price=None if price is None else Decimal(price),
        )
    # Two sessions on one day: the recording order decides which is the second.
    SessionFactory.create(episode=courante, date=date(2025, 3, 5), place="home", minutes=45)
    SessionFactory.create(episode=courante, date=date(2025, 3, 5))
    SessionFactory.create(
        episode=courante,
        date=date(2025, 3, 7),
        cancelled_at=timezone.now(),
        cancelled_by=UserFactory.create(),
        cancel_reason="ill",
    )
    fb = EpisodeFactory.create(
        patient=patient,
        category="fb",
        pathology="fb-54",
        notified_on=date(2024, 11, 4),
        prior_sessions={"2024": 12},
        first_session_on=date(2024, 9, 2),
    )
    SessionFactory.create(episode=fb, date=date(2025, 1, 8))
    e = EpisodeFactory.create(patient=patient, category="e", pathology="e-a")
    AgreementRequestFactory.create(
        episode=e,
        status="refusal",
        decision_date=date(2025, 1, 20),
        granted_from=None,
        granted_until=None,
        reason_code="R12",
        reason_text="incomplete",
    )
    AgreementRequestFactory.create(episode=e, decision_date=date(2025, 1, 5))
    AgreementRequestFactory.create(episode=e, status="draft")
    SessionFactory.create(episode=e, date=date(2025, 2, 1))
    PriorUseFactory.create(patient=patient, year=2025, overflow=3, situations=1)
    PriorUseFactory.create(patient=patient, year=2024, overflow=0, situations=2)
    LoadedTariff.objects.create(
        code="567011",
        valid_from=date(2025, 1, 1),
        fee=Decimal("31.10"),
        insurer=Decimal("24.85"),
        insurer_preferential=Decimal("28.60"),
        confidence="official",
        source="https://example.org/tariffs-2025",
        file_name="tariffs-2025.csv",
    )
    # A neighbour with records of their own: none of them is this patient's.
    neighbour = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=neighbour, date=date(2025, 2, 1))
    SessionFactory.create(episode=neighbour, date=date(2025, 2, 3))
    PriorUseFactory.create(patient=neighbour.patient, year=2025, overflow=5)
    return patient


def test_a_belgian_patients_case_is_the_bridges() -> None:
    patient = _belgian_patient(PracticeFactory.create(country="BE"))

    case = _quota_case(patient)

    assert case == _bridge_case(patient)
    assert case is not None
    assert [s.conventioned for s in case.sessions] == [True, True, True, False, True, True]
    assert len(case.tariffs) == 1
    assert [len(e.agreements) for e in case.episodes] == [0, 0, 2]


def test_a_dutch_patients_coverage_and_deductible_are_the_bridges() -> None:
    practice = PracticeFactory.create(country="NL")
    patient = PatientFactory.create(practice=practice, birth_date=date(1960, 5, 1))
    package = InsurerPackageFactory.create(
        insurer="Salland", name="Plus", year=2025, treatments=15, manual_therapy_limit=9
    )
    CoverageFactory.create(
        patient=patient, year=2025, package=package, deductible_remaining=Decimal("385.00")
    )
    CoverageFactory.create(
        patient=patient,
        year=2024,
        insurer="Zorg",
        package_name="Budget",
        budget=Decimal("450.00"),
        used_elsewhere=Decimal("120.50"),
    )
    episode = EpisodeFactory.create(patient=patient, category="chronic", condition="ms")
    for n in range(3):
        SessionFactory.create(
            episode=episode,
            date=date(2025, 1, 6 + n),
            price=Decimal("42.50"),
            kind="manual_therapy" if n else "physiotherapy",
        )

    case = _quota_case(patient)

    assert case == _bridge_case(patient)
    assert case is not None
    assert [c.year for c in case.patient.coverage] == [2025, 2024]
    assert case.patient.deductible_remaining == {2025: Decimal("385.00")}


def test_another_practices_patient_has_no_case() -> None:
    patient = _belgian_patient(PracticeFactory.create(country="BE"))

    assert (
        patient_quota_case(practice=PracticeFactory.create(), patient_id=patient.pk, as_of=AS_OF)
        is None
    )
    assert patient_quota_case(practice=patient.practice, patient_id=0, as_of=AS_OF) is None


def _round_trips(statements: int) -> int:
    """PostgreSQL gets the statements in one query string (``quota._Batch``)."""
    return 1 if connection.vendor == "postgresql" else statements


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [sql for query in queries.captured_queries for sql in query["sql"].split(";\n")]


def test_the_read_asks_one_query_a_table_whatever_the_history() -> None:
    patient = _belgian_patient(PracticeFactory.create(country="BE"))
    _quota_case(patient)  # the statements are compiled on the connection's first read

    with CaptureQueriesContext(connection) as few:
        _quota_case(patient)
    for day in range(1, 28):
        SessionFactory.create(episode=patient.episodes.first(), date=date(2025, 5, day))
    with CaptureQueriesContext(connection) as many:
        _quota_case(patient)

    # The patient, episodes, agreement requests, prescriptions, sessions, coverage, uses at
    # another practice, loaded tariffs and convention periods: each once (on PostgreSQL in
    # one round trip).
    assert len(few.captured_queries) == len(many.captured_queries) == _round_trips(9)
    statements = _statements(many)
    assert len(statements) == len(_statements(few)) == 9
    assert len(set(statements)) == len(statements)


def test_a_patient_of_a_dutch_practice_reads_no_belgian_tables() -> None:
    patient = PatientFactory.create(practice=PracticeFactory.create(country="NL"))
    _quota_case(patient)

    with CaptureQueriesContext(connection) as queries:
        case = _quota_case(patient)

    assert case == _bridge_case(patient)
    assert len(queries.captured_queries) == _round_trips(7)
    statements = _statements(queries)
    assert len(statements) == 7
    assert not any("loadedtariff" in sql or "conventionadherence" in sql for sql in statements)


def test_a_finished_threads_connection_is_not_kept_by_its_compiled_statements() -> None:
    practice = PracticeFactory.create(country="BE")
    seen: list[weakref.ref[Any]] = []

    def read() -> None:  # a thread of a threaded server: its own connection
        seen.append(weakref.ref(connections["default"]))
        patient_quota_case(practice=practice, patient_id=practice.pk, as_of=AS_OF)
        connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    gc.collect()

    assert len(seen) == 1
    assert seen[0]() is None


@pytest.mark.parametrize("as_of", ["", "?as_of=2025-06-30"])
def test_a_patient_id_beyond_any_key_is_not_found_not_an_error(as_of: str) -> None:
    """The compiled reads bind the id as it is: SQLite's driver refuses one past 64 bits."""
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    api.raise_request_exception = False

    response = api.get(f"/api/v1/patients/{2**63}/quota{as_of}")

    assert response.status_code == 404
