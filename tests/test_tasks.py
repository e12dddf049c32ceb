"""The task queue: the same task runs on the immediate backend (tests), the database backend
(the default: a table and ``manage.py db_worker``) and the Redis backend (django-tasks-rq)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus, default_task_backend

from practice.models import Episode, Practice
from reimburse.tasks import attention_refresh
from tests.factories import EpisodeFactory, PracticeFactory, SessionFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 12, 15)
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def practice_with_a_warning() -> Practice:
    """A courante episode with 16 of 18 sessions used: one quota_low warning."""
    practice: Practice = PracticeFactory.create(country="BE")
    episode: Episode = EpisodeFactory.create(patient__practice=practice, category="courante")
    for week in range(16):
        SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))
    return practice


def _expected(practice: Practice) -> dict[str, int]:
    from reimburse.selectors import practice_warnings

    return {str(practice.pk): len(practice_warnings(practice=practice, as_of=AS_OF))}


def test_the_immediate_backend_runs_the_task_when_it_is_enqueued(
    practice_with_a_warning: Practice,
) -> None:
    result = attention_refresh.enqueue(as_of=AS_OF.isoformat())

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == _expected(practice_with_a_warning)
    assert result.return_value[str(practice_with_a_warning.pk)] >= 1


DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# Committed rows: the worker closes and reopens its database connection between tasks.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE)
def test_the_database_backend_stores_the_task_and_the_worker_runs_it(
    practice_with_a_warning: Practice,
) -> None:
    result = attention_refresh.enqueue(as_of=AS_OF.isoformat())
    assert result.status == TaskResultStatus.READY, "queued, not run"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == _expected(practice_with_a_warning)


def _redis_or_skip() -> Any:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}: the Redis backend is tested where it runs")
    return connection


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
    RQ_QUEUES={"default": {"URL": REDIS_URL}},
)
def test_the_redis_backend_queues_the_task_and_an_rq_worker_runs_it(
    practice_with_a_warning: Practice,
) -> None:
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    connection = _redis_or_skip()
    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    try:
        result = attention_refresh.enqueue(as_of=AS_OF.isoformat())
        assert result.status == TaskResultStatus.READY

        # In this process (SimpleWorker does not fork), so it sees the test's transaction.
        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)

        result = default_task_backend.get_result(result.id)
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == _expected(practice_with_a_warning)
    finally:
        queue.empty()
