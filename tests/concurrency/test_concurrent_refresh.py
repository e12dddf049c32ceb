"""Two refreshes of one practice's Needs attention at once: the lists stored are the right ones.

Two workers may take the same practice (a task enqueued twice, cron and a deploy script at
the same moment, a page read while the nightly refresh runs). Both compute every list from
scratch and store it in one statement; the rows must come out one per patient, equal to a
computation from scratch, without an ``IntegrityError`` or a deadlock. Only PostgreSQL runs
the two writers concurrently (SQLite serialises writes to the whole database), so the test
runs in the PostgreSQL leg of ``.ci/run`` and is skipped on SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from io import StringIO
from typing import TypeVar

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from practice.models import Patient, Practice
from reimburse.models import AttentionSnapshot
from reimburse.selectors import PatientWarning, practice_warnings
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite serialises writes to the whole database",
    ),
]

AS_OF = date(2025, 12, 15)
ROUNDS = 5

R = TypeVar("R")


def both_at_once(task: Callable[[], R]) -> list[R]:
    """Run ``task`` in two threads released together, each on its own connection."""
    barrier = threading.Barrier(2)

    def run(_: int) -> R:
        try:
            barrier.wait(timeout=30)
            return task()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


@pytest.fixture
def practice() -> Practice:
    """Twelve patients: courante episodes near and past their quota, some without a
    prescription, some with nothing to say."""
    practice: Practice = PracticeFactory.create(country="BE")
    for n in range(12):
        episode = EpisodeFactory.create(patient__practice=practice, category="courante")
        if n % 3:
            PrescriptionFactory.create(episode=episode, date=date(2025, 2, 24), sessions=30)
        for week in range(4 + 2 * n):
            SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))
    PatientFactory.create(practice=practice)  # no records at all
    return practice


def from_scratch(practice: Practice) -> list[PatientWarning]:
    """Compute the practice's list with no stored list, leaving the stored ones as they are."""
    with transaction.atomic():
        AttentionSnapshot.objects.filter(patient__practice=practice).delete()
        rows = practice_warnings(practice=practice, as_of=AS_OF)
        transaction.set_rollback(True)
    return rows


def assert_one_current_list_per_patient(practice: Practice) -> None:
    patients = set(Patient.objects.filter(practice=practice).values_list("pk", flat=True))
    stored = list(
        AttentionSnapshot.objects.filter(patient__practice=practice).values_list(
            "patient_id", "as_of", "version", "computed_version"
        )
    )
    assert sorted(pk for pk, *_ in stored) == sorted(patients), "one row per patient"
    assert all(as_of == AS_OF and version == computed for _, as_of, version, computed in stored)


@pytest.mark.parametrize("how", ["selector", "command"])
def test_two_refreshes_of_one_practice_at_once_store_the_from_scratch_lists(
    practice: Practice, how: str
) -> None:
    expected = from_scratch(practice)
    assert any(row.code == "quota_exhausted" for row in expected)
    assert any(row.code == "prescription_missing" for row in expected)

    def refresh() -> list[PatientWarning] | None:
        if how == "command":
            args = ["--as-of", AS_OF.isoformat(), "--practice", str(practice.pk)]
            call_command("attention_refresh", *args, stdout=StringIO())
            return None
        return practice_warnings(practice=practice, as_of=AS_OF)

    for _ in range(ROUNDS):
        AttentionSnapshot.objects.filter(patient__practice=practice).delete()

        results = both_at_once(refresh)  # an IntegrityError or a deadlock is raised here

        assert_one_current_list_per_patient(practice)
        assert practice_warnings(practice=practice, as_of=AS_OF) == expected
        for shown in results:
            assert shown is None or shown == expected
