"""Two administrators anonymising one patient at the same moment: one anonymisation, one log
row, the other told it was already done. PostgreSQL only, like the other thread races."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.db import connection

from practice.models import Patient, Practice
from privacy import services
from privacy.models import PrivacyLogEntry
from tests.concurrency.test_concurrent_sessions import in_parallel
from tests.factories import PatientFactory, PracticeFactory, SessionFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite serialises writes to the whole database",
    ),
]

WRITERS = 6


def test_parallel_anonymisations_of_one_patient_anonymise_and_log_once() -> None:
    practice = cast(Practice, PracticeFactory(country="BE"))
    patient = cast(Patient, PatientFactory(practice=practice, last_name="Vandenbroucke"))
    SessionFactory(episode__patient=patient)
    user = cast(User, UserFactory(is_superuser=True, is_staff=True))

    def anonymise(index: int) -> bool:
        return services.patient_anonymise(
            patient_id=patient.pk,
            practice=practice,
            user=user,
            at=datetime(2026, 12, 3, 9, index, tzinfo=UTC),
            ground="lawful_request",
            reference=f"court order {index}",
        ).already

    already = in_parallel(anonymise, WRITERS)

    assert sorted(already) == [False] + [True] * (WRITERS - 1)
    assert PrivacyLogEntry.objects.filter(patient_id=patient.pk).count() == 1
    assert Patient.objects.get(pk=patient.pk).last_name == f"#{patient.pk}"
