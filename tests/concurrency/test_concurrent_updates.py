"""Two corrections based on the same read: with If-Match, exactly one is applied.

Runs on PostgreSQL only, like the other concurrency tests (SQLite serialises whole-database
writes, so there is no race to lose).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection

from practice.models import TreatmentSession
from practice.services import RecordChanged, record_version, session_update
from tests.concurrency.test_concurrent_sessions import in_parallel
from tests.factories import SessionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (set DATABASE_URL=postgres://…)",
    ),
]

WRITERS = 8


def test_of_concurrent_changes_from_one_version_only_one_is_applied() -> None:
    session = SessionFactory.create(date=date(2025, 3, 3))
    read = record_version(session)

    def correct(index: int) -> str:
        row = TreatmentSession.objects.get(pk=session.pk)
        try:
            session_update(
                session=row, expected_versions={read}, date=date(2025, 3, 4) + timedelta(index)
            )
        except RecordChanged:
            return "refused"
        return "applied"

    outcomes = Counter(in_parallel(correct, WRITERS))

    assert outcomes == {"applied": 1, "refused": WRITERS - 1}
    assert session.history.count() == 2
