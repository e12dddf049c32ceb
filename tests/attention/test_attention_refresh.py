"""``manage.py attention_refresh`` stores what the first read of the day would compute."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import QuerySet
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from practice.models import Practice
from reimburse.models import AttentionSnapshot
from reimburse.selectors import practice_warnings
from tests.factories import EpisodeFactory, PatientFactory, PracticeFactory, SessionFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def _practice_with_a_warning() -> Practice:
    """Two patients; one has sessions without a prescription (a warning to store)."""
    practice = PracticeFactory.create(country="BE")
    PatientFactory.create(practice=practice)
    episode = EpisodeFactory.create(patient__practice=practice, title="Back")
    SessionFactory.create(episode=episode, date=date(2025, 6, 2))
    return practice


def _computed() -> QuerySet[AttentionSnapshot]:
    # Writes leave a row per patient too (its version raised), with nothing computed.
    return AttentionSnapshot.objects.exclude(computed_version=None)


def _refresh(*args: str) -> str:
    out = StringIO()
    call_command("attention_refresh", *args, stdout=out)
    return out.getvalue()


def test_refresh_stores_every_patient_so_the_next_read_is_one_query() -> None:
    practice = _practice_with_a_warning()
    printed = _refresh("--as-of", AS_OF.isoformat())

    stored = _computed().filter(patient__practice=practice)
    assert stored.count() == 2
    assert {s.as_of for s in stored} == {AS_OF}
    with CaptureQueriesContext(connection) as queries:
        shown = practice_warnings(practice=practice, as_of=AS_OF)
    assert len(queries.captured_queries) == 1
    assert any(row.code == "prescription_missing" for row in shown)
    assert f"{practice.name} (id {practice.pk}): {len(shown)} warning(s) as of 2025-06-30" in (
        printed
    )


def test_practice_limits_the_refresh_to_the_practices_named() -> None:
    mine, other = _practice_with_a_warning(), _practice_with_a_warning()
    _refresh("--as-of", AS_OF.isoformat(), "--practice", str(mine.pk))
    assert _computed().filter(patient__practice=mine).count() == 2
    assert not _computed().filter(patient__practice=other).exists()


def test_an_unknown_practice_is_an_error_and_nothing_is_computed() -> None:
    mine = _practice_with_a_warning()
    with pytest.raises(CommandError, match="no practice with id 999999"):
        _refresh("--practice", str(mine.pk), "--practice", "999999")
    assert not _computed().exists()


def test_a_day_that_is_not_a_date_is_an_error() -> None:
    with pytest.raises(CommandError, match="not a date: '2025-02-30'; expected YYYY-MM-DD"):
        _refresh("--as-of", "2025-02-30")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_enqueue_puts_one_task_per_practice_on_the_queue_and_computes_nothing() -> None:
    from django_tasks import default_task_backend

    mine, other = _practice_with_a_warning(), _practice_with_a_warning()
    default_task_backend.clear()  # type: ignore[attr-defined]

    printed = _refresh("--as-of", AS_OF.isoformat(), "--enqueue")

    queued = default_task_backend.results  # type: ignore[attr-defined]
    assert sorted(tuple(r.kwargs["practice_ids"]) for r in queued) == [(mine.pk,), (other.pk,)]
    assert {r.kwargs["as_of"] for r in queued} == {AS_OF.isoformat()}
    assert {r.task.name for r in queued} == {"attention_refresh"}
    assert "2 attention_refresh task(s) enqueued for 2025-06-30" in printed
    assert not _computed().exists()


def test_each_enqueued_task_stores_its_own_practice() -> None:
    # The test settings run a task when it is enqueued (the immediate backend).
    mine, other = _practice_with_a_warning(), _practice_with_a_warning()
    _refresh("--as-of", AS_OF.isoformat(), "--enqueue", "--practice", str(other.pk))
    assert _computed().filter(patient__practice=other).count() == 2
    assert not _computed().filter(patient__practice=mine).exists()
