"""``patient_status_in`` (the quota API's read, plain rows) gives what ``patient_status`` gives."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from practice.models import Practice
from reimburse.services import patient_status, patient_status_in
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def test_a_belgian_patient_reads_alike_from_plain_rows() -> None:
    patient = PatientFactory.create(preferential=True)
    later = EpisodeFactory.create(patient=patient, category="fa", pathology="fa-3")
    first = EpisodeFactory.create(
        patient=patient,
        category="e",
        pathology="e-b",
    )
    AgreementRequestFactory.create(
        episode=first, granted_from=date(2025, 1, 1), granted_until=date(2025, 7, 15)
    )
    PrescriptionFactory.create(episode=first, date=date(2025, 1, 2), sessions=3)
    PrescriptionFactory.create(episode=first, date=date(2025, 1, 3), sessions=9)
    PrescriptionFactory.create(episode=later, date=date(2025, 2, 1), sessions=30)
    for day in (6, 7, 8, 9, 10, 13):
        SessionFactory.create(episode=first, date=date(2025, 1, day))
    SessionFactory.create(episode=later, date=date(2025, 1, 13))  # the same day, recorded later
    SessionFactory.create(episode=later, date=date(2025, 2, 3), minutes=20, place="home")
    SessionFactory.create(
        episode=later,
        date=date(2025, 2, 4),
        cancelled_at=timezone.make_aware(datetime(2025, 2, 3, 9)),
        cancelled_by=UserFactory.create(),
        cancel_reason="ill",
    )
    SessionFactory.create(episode=later, date=date(2025, 7, 20))  # planned

    result = patient_status_in(practice=patient.practice, patient_id=patient.pk, as_of=AS_OF)

    assert result == patient_status(patient=patient, as_of=AS_OF)
    assert result is not None and len(result.sessions) == 9


def test_a_dutch_patient_reads_alike_from_plain_rows() -> None:
    package = InsurerPackageFactory.create(treatments=12, pays_chronic_first_20=True)
    coverage = CoverageFactory.create(
        year=2025, package=package, deductible_remaining=Decimal("120.00")
    )
    CoverageFactory.create(patient=coverage.patient, year=2024, treatments=6)
    episode = EpisodeFactory.create(
        patient=coverage.patient,
        category="chronic",
        condition="cva",
        referral_date=date(2024, 11, 2),
        referral_by="specialist",
    )
    for day in (3, 10, 17, 24):
        SessionFactory.create(episode=episode, date=date(2025, 3, day), price=Decimal("42.50"))
    SessionFactory.create(episode=episode, date=date(2024, 12, 2), price=Decimal("40.00"))

    patient = coverage.patient
    result = patient_status_in(practice=patient.practice, patient_id=patient.pk, as_of=AS_OF)

    assert result == patient_status(patient=patient, as_of=AS_OF)


def test_another_practices_patient_has_no_status() -> None:
    patient = PatientFactory.create()
    other: Practice = PracticeFactory.create(country="BE")

    assert patient_status_in(practice=other, patient_id=patient.pk, as_of=AS_OF) is None


def test_ids_sql_names_any_number_of_rows_in_one_parameter() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from practice.models import Patient
    from reimburse.services import ids_sql

    mine, other = PatientFactory.create_batch(2)
    # Far past SQLite's 999/32,766 parameters and what PostgreSQL parses quickly as a list.
    many = {mine.pk, *range(10**6, 10**6 + 100_000)}

    with CaptureQueriesContext(connection) as queries:
        chosen = set(Patient.objects.filter(pk__in=ids_sql(many, connection.vendor)))
        left = set(Patient.objects.exclude(pk__in=ids_sql(many, connection.vendor)))

    assert chosen == {mine}
    assert left == {other}
    assert len(queries.captured_queries) == 2
