"""Recording sessions concurrently: one row per external id, and a consistent quota.

Twenty threads, each with its own database connection, start together on a barrier and record
sessions for one patient — first through ``practice.services.session_record``, then through
the API against a live server — or read Needs attention while the others record sessions.
Only PostgreSQL has the row locks and concurrent writers this is about (SQLite serialises
whole-database writes), so the tests run in the PostgreSQL leg of ``.ci/run`` and are
skipped on SQLite.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import pytest
from django.db import connection, connections

from practice.models import Episode, Practice, Therapist, TreatmentSession
from practice.services import session_record
from practice.tokens import api_token_create
from reimburse.models import AttentionSnapshot
from reimburse.selectors import practice_warnings
from reimburse.services import patient_status
from tests.factories import (
    EpisodeFactory,
    PracticeFactory,
    PrescriptionFactory,
    TherapistFactory,
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

WRITERS = 20
FIRST_DAY = date(2025, 3, 3)
AS_OF = date(2025, 12, 15)

R = TypeVar("R")


def in_parallel(task: Callable[[int], R], count: int = WRITERS) -> list[R]:
    """Run ``task(0)`` … ``task(count - 1)`` in threads released together; return the results.

    Each thread uses its own connection (Django's connections are per thread) and closes it
    when done, so the test database can be flushed afterwards.
    """
    barrier = threading.Barrier(count)

    def run(index: int) -> R:
        try:
            barrier.wait(timeout=30)
            return task(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def episode() -> Episode:
    """A courante episode with one prescription for more sessions than the writers record."""
    practice = cast(Practice, PracticeFactory(country="BE"))
    episode = cast(Episode, EpisodeFactory(patient__practice=practice, category="courante"))
    PrescriptionFactory(episode=episode, date=FIRST_DAY - timedelta(days=3), sessions=30)
    return episode


def courante_quota(episode: Episode) -> Any:
    result = patient_status(patient=episode.patient, as_of=AS_OF)
    (quota,) = [q for q in result.quotas if q.episode == str(episode.pk)]
    return quota


def assert_twenty_sessions_counted(episode: Episode) -> None:
    """Twenty rows; the engine numbers them 1–20, 18 at the best rate and 2 from overflow."""
    assert TreatmentSession.objects.filter(episode=episode).count() == WRITERS
    quota = courante_quota(episode)
    assert (quota.counter, quota.limit, quota.used, quota.remaining) == ("courante", 18, 20, 0)
    result = patient_status(patient=episode.patient, as_of=AS_OF)
    assert sorted(o.ordinal or 0 for o in result.sessions) == list(range(1, WRITERS + 1))
    assert Counter(o.status for o in result.sessions) == {"best": 18, "reduced": 2}
    (pool,) = result.pools
    assert pool.used == 2


# ------------------------------------------------------------------------- service level


def test_one_external_id_recorded_by_twenty_writers_at_once_leaves_one_row(
    episode: Episode,
) -> None:
    def record(_: int) -> tuple[int, bool]:
        mine = Episode.objects.select_related("patient__practice").get(pk=episode.pk)
        session, created = session_record(episode=mine, date=FIRST_DAY, external_id="pms-42")
        return session.pk, created

    results = in_parallel(record)

    assert TreatmentSession.objects.filter(episode=episode).count() == 1
    assert len({pk for pk, _ in results}) == 1, "every caller gets the same session back"
    assert [created for _, created in results].count(True) == 1


def test_twenty_different_sessions_recorded_at_once_are_all_kept_and_counted(
    episode: Episode,
) -> None:
    def record(index: int) -> int:
        mine = Episode.objects.select_related("patient__practice").get(pk=episode.pk)
        session, created = session_record(
            episode=mine, date=FIRST_DAY + timedelta(days=index), external_id=f"pms-{index}"
        )
        assert created
        return session.pk

    pks = in_parallel(record)

    assert len(set(pks)) == WRITERS
    assert_twenty_sessions_counted(episode)


# ----------------------------------------------------------------------------- API level


def post_json(url: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def api_key(episode: Episode) -> str:
    admin = cast(
        Therapist,
        TherapistFactory(practice=episode.patient.practice, role=Therapist.Role.ADMINISTRATOR),
    )
    _token, key = api_token_create(
        practice=episode.patient.practice, name="PMS", created_by=admin.user
    )
    return key


def test_one_external_id_posted_twenty_times_at_once_leaves_one_row(
    live_server: Any, episode: Episode, api_key: str
) -> None:
    url = f"{live_server.url}/api/v1/sessions"
    body = {"episode": episode.pk, "date": FIRST_DAY.isoformat(), "external_id": "pms-42"}

    answers = in_parallel(lambda _: post_json(url, api_key, body))

    assert TreatmentSession.objects.filter(episode=episode).count() == 1
    assert sorted(status for status, _ in answers) == [200] * (WRITERS - 1) + [201]
    assert len({answer["id"] for _, answer in answers}) == 1


def test_twenty_different_sessions_posted_at_once_are_all_kept_and_counted(
    live_server: Any, episode: Episode, api_key: str
) -> None:
    url = f"{live_server.url}/api/v1/sessions"

    def post(index: int) -> tuple[int, dict[str, Any]]:
        day = FIRST_DAY + timedelta(days=index)
        body = {"episode": episode.pk, "date": day.isoformat(), "external_id": f"pms-{index}"}
        return post_json(url, api_key, body)

    answers = in_parallel(post)

    assert [status for status, _ in answers] == [201] * WRITERS
    assert len({answer["id"] for _, answer in answers}) == WRITERS
    assert_twenty_sessions_counted(episode)


# ------------------------------------------------------------------ Needs attention snapshots


def test_needs_attention_read_while_sessions_are_recorded_ends_up_current() -> None:
    """Half the threads record a session each (the 15th of 18: quota low) while the other half
    read Needs attention over and over, storing snapshots: afterwards the stored warnings are
    exactly what a computation from scratch gives, every patient's new warning included."""
    practice = cast(Practice, PracticeFactory(country="BE"))
    episodes = []
    for _ in range(WRITERS // 2):
        mine = cast(Episode, EpisodeFactory(patient__practice=practice, category="courante"))
        PrescriptionFactory(episode=mine, date=FIRST_DAY - timedelta(days=3), sessions=18)
        TreatmentSession.objects.bulk_create(
            TreatmentSession(practice=practice, episode=mine, date=FIRST_DAY + timedelta(weeks=w))
            for w in range(14)
        )
        episodes.append(mine)
    assert practice_warnings(practice=practice, as_of=AS_OF) == []  # every snapshot stored

    def work(index: int) -> None:
        if index % 2:
            for _ in range(5):
                practice_warnings(practice=Practice.objects.get(pk=practice.pk), as_of=AS_OF)
        else:
            mine = Episode.objects.select_related("patient__practice").get(
                pk=episodes[index // 2].pk
            )
            session_record(episode=mine, date=AS_OF - timedelta(days=1))

    in_parallel(work)

    shown = practice_warnings(practice=practice, as_of=AS_OF)
    AttentionSnapshot.objects.all().delete()
    assert shown == practice_warnings(practice=practice, as_of=AS_OF)
    assert sorted(row.patient_id for row in shown if row.code == "quota_low") == sorted(
        e.patient_id for e in episodes
    )
