"""Which writes and changes send events: warnings that appear or clear, records changed
outside the API, and nothing for a write that was rolled back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from practice import services
from practice.models import Episode, Practice
from reimburse.selectors import practice_warnings
from tests.api.conftest import client_for
from tests.factories import EpisodeFactory, PrescriptionFactory, SessionFactory
from tests.webhooks.conftest import Receiver, subscribe
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 12, 15)
WARNING_DATA = {
    "practice_id",
    "patient_id",
    "patient_external_id",
    "code",
    "severity",
    "params",
    "episode_id",
    "session_id",
    "as_of",
}


def _sent(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.requests]


@pytest.fixture
def superuser_client() -> Client:
    user = User.objects.create_superuser("root", "root@example.org", "secret-pass-123")
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------ warnings


@pytest.fixture
def today_is_as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AS_OF the practice's today: only today's warnings are announced."""
    monkeypatch.setattr("webhooks.events.today", lambda: AS_OF)


def _courante(practice: Practice, sessions: int) -> Episode:
    episode: Episode = EpisodeFactory.create(
        patient__practice=practice, patient__external_id="pms-7", category="courante"
    )
    PrescriptionFactory.create(episode=episode, date=date(2025, 2, 20), sessions=18)
    for week in range(sessions):
        SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))
    return episode


def test_a_warning_that_appears_and_then_clears_sends_both_events(
    practice: Practice,
    receiver: Receiver,
    today_is_as_of: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(practice, receiver.url, "warning.appeared", "warning.cleared")
    episode = _courante(practice, sessions=16)  # 16 of 18: quota_low

    with django_capture_on_commit_callbacks(execute=True):
        practice_warnings(practice=practice, as_of=AS_OF)
    appeared = _sent(receiver)
    assert ("warning.appeared", "quota_low") in {(e["type"], e["data"]["code"]) for e in appeared}
    assert {e["type"] for e in appeared} == {"warning.appeared"}
    quota_low = next(e["data"] for e in appeared if e["data"]["code"] == "quota_low")
    # Ids, codes and dates only: no name, no national id.
    assert set(quota_low) == WARNING_DATA
    assert quota_low["patient_id"] == episode.patient_id
    assert quota_low["patient_external_id"] == "pms-7"
    assert quota_low["episode_id"] == episode.pk
    assert quota_low["as_of"] == "2025-12-15"

    # Read again with nothing changed: nothing new is sent.
    with django_capture_on_commit_callbacks(execute=True):
        practice_warnings(practice=practice, as_of=AS_OF)
    assert len(receiver.requests) == len(appeared)

    # Two more sessions use the quota up: quota_low clears.
    for week in (16, 17):
        SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))
    with django_capture_on_commit_callbacks(execute=True):
        practice_warnings(practice=practice, as_of=AS_OF)
    later = _sent(receiver)[len(appeared) :]
    cleared = [e["data"] for e in later if e["type"] == "warning.cleared"]
    assert "quota_low" in {data["code"] for data in cleared}
    assert all(set(data) == WARNING_DATA for data in cleared)
    assert Delivery.objects.filter(status="delivered").count() == len(receiver.requests)


def test_an_api_write_that_makes_a_warning_appear_announces_it_without_a_read(
    practice: Practice,
    receiver: Receiver,
    today_is_as_of: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api = client_for(practice)
    episode = _courante(practice, sessions=15)
    practice_warnings(practice=practice, as_of=AS_OF)  # stored: 15 of 18, no quota_low
    subscribe(practice, receiver.url)  # every event type

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/sessions", {"episode": episode.pk, "date": "2025-06-16"}, format="json"
        )

    assert response.status_code == 201
    sent = [(e["type"], e["data"].get("code")) for e in _sent(receiver)]
    assert ("warning.appeared", "quota_low") in sent
    assert "record.changed" not in {kind for kind, _code in sent}  # the API's own write


def test_warnings_computed_for_another_day_than_today_are_not_announced(
    practice: Practice,
    receiver: Receiver,
    today_is_as_of: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(practice, receiver.url, "warning.appeared", "warning.cleared")
    _courante(practice, sessions=16)

    with django_capture_on_commit_callbacks(execute=True):
        practice_warnings(practice=practice, as_of=AS_OF + timedelta(days=30))

    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_a_practice_subscribed_only_to_records_gets_no_warning_events(
    practice: Practice,
    receiver: Receiver,
    today_is_as_of: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _courante(practice, sessions=16)
    subscribe(practice, receiver.url, "record.changed")

    with django_capture_on_commit_callbacks(execute=True):
        practice_warnings(practice=practice, as_of=AS_OF)

    assert receiver.requests == []


# ------------------------------------------------------------------------ record.changed


def test_an_admin_edit_sends_record_changed(
    practice: Practice,
    receiver: Receiver,
    superuser_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    prescription = PrescriptionFactory.create(
        episode__patient__practice=practice, sessions=18, external_id="rx-1"
    )
    subscribe(practice, receiver.url, "record.changed")

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:practice_prescription_change", args=[prescription.pk]),
            {"date": "2025-02-03", "sessions": "9", "prescriber": "", "prescriber_number": ""},
        )

    assert response.status_code == 302
    prescription.refresh_from_db()
    [event] = _sent(receiver)
    assert event["type"] == "record.changed"
    assert event["data"] == {
        "practice_id": practice.pk,
        "model": "prescription",
        "id": prescription.pk,
        "external_id": "rx-1",
        "action": "updated",
        "updated_at": prescription.updated_at.isoformat(),
    }


def test_an_admin_form_that_is_refused_sends_nothing(
    practice: Practice,
    receiver: Receiver,
    superuser_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The admin validates by running the service in a savepoint it rolls back.
    prescription = PrescriptionFactory.create(episode__patient__practice=practice)
    subscribe(practice, receiver.url, "record.changed")

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:practice_prescription_change", args=[prescription.pk]),
            {"date": "2025-02-03", "sessions": "0", "prescriber": "", "prescriber_number": ""},
        )

    assert response.status_code == 200  # the form again, with the service's message
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_api_writes_send_no_record_changed(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    api = client_for(practice)
    subscribe(practice, receiver.url, "record.changed")

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/patients",
            {"first_name": "Jan", "last_name": "Peeters", "birth_date": "1971-09-30"},
            format="json",
        )
        changed = api.patch(
            f"/api/v1/patients/{created.json()['id']}", {"first_name": "Johan"}, format="json"
        )

    assert (created.status_code, changed.status_code) == (201, 200)
    assert receiver.requests == []
    assert not Delivery.objects.exists()
    # The mark ends with the request: the next write in this thread is announced.
    with django_capture_on_commit_callbacks(execute=True):
        services.patient_create(
            practice=practice, first_name="An", last_name="Maes", birth_date=date(1980, 1, 2)
        )
    assert [e["data"]["action"] for e in _sent(receiver)] == ["created"]


def test_the_same_write_outside_the_api_sends_record_changed(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(practice, receiver.url, "record.changed")

    with django_capture_on_commit_callbacks(execute=True):
        patient, _created = services.patient_create(
            practice=practice, first_name="Jan", last_name="Peeters", birth_date=date(1971, 9, 30)
        )

    [event] = _sent(receiver)
    assert event["data"]["model"] == "patient"
    assert (event["data"]["id"], event["data"]["action"]) == (patient.pk, "created")
    assert "Peeters" not in receiver.requests[0].body.decode()


def test_a_rolled_back_write_sends_nothing(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(practice, receiver.url)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.patient_create(
                    practice=practice,
                    first_name="Jan",
                    last_name="Peeters",
                    birth_date=date(1971, 9, 30),
                )
                assert Delivery.objects.count() == 1  # stored with the write …
                raise RuntimeError("the import failed further on")
        except RuntimeError:
            pass

    assert not Delivery.objects.exists()  # … and gone with it
    assert callbacks == []
    assert receiver.requests == []


# ------------------------------------------------------------------------------ coalescing


# Set-up writes come before subscribing: a test's own transaction never commits, so a check
# asked for outside ``django_capture_on_commit_callbacks`` would gather the later writes.


class _Recorder:
    """Stands for the ``warnings_check`` task: records what would be queued."""

    def __init__(self, queued: list[dict[str, Any]]) -> None:
        self.queued = queued

    def enqueue(self, **kwargs: Any) -> None:
        self.queued.append(kwargs)


def _another(practice: Practice, sessions: int = 0) -> Episode:
    """A courante episode of a new patient (``_courante``'s patient has a fixed external id)."""
    episode: Episode = EpisodeFactory.create(patient__practice=practice, category="courante")
    PrescriptionFactory.create(episode=episode, date=date(2025, 2, 20), sessions=18)
    for week in range(sessions):
        SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))
    return episode


def test_one_transaction_writing_many_rows_queues_one_warnings_check(
    practice: Practice,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """An import writes thousands of rows in one transaction: one check for its patients."""
    first, second = _another(practice), _another(practice)
    subscribe(practice, receiver.url, "warning.appeared", "warning.cleared")
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr("webhooks.tasks.warnings_check", _Recorder(queued))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for week in range(6):
            for episode in (first, second):
                day = date(2025, 3, 3) + timedelta(weeks=week)
                SessionFactory.create(episode=episode, date=day)

    assert queued == [
        {
            "practice_id": practice.pk,
            "patient_ids": sorted([first.patient_id, second.patient_id]),
        }
    ]


def test_a_rolled_back_savepoint_leaves_the_checks_of_the_writes_that_stay(
    practice: Practice,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    kept, dropped = _another(practice), _another(practice)
    subscribe(practice, receiver.url, "warning.appeared")
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr("webhooks.tasks.warnings_check", _Recorder(queued))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():  # the first check was asked for in here …
                SessionFactory.create(episode=dropped, date=date(2025, 3, 3))
                raise RuntimeError("a bad row")
        except RuntimeError:
            pass
        SessionFactory.create(episode=kept, date=date(2025, 3, 4))  # … this one stays

    assert queued == [{"practice_id": practice.pk, "patient_ids": [kept.patient_id]}]


def test_two_transactions_queue_a_check_each(
    practice: Practice,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    episode = _another(practice)
    subscribe(practice, receiver.url, "warning.cleared")
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr("webhooks.tasks.warnings_check", _Recorder(queued))

    for week in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory.create(episode=episode, date=date(2025, 3, 3) + timedelta(weeks=week))

    assert queued == [{"practice_id": practice.pk, "patient_ids": [episode.patient_id]}] * 2


def test_a_check_of_many_patients_announces_each_patients_warning(
    practice: Practice,
    receiver: Receiver,
    today_is_as_of: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The coalesced task re-evaluates every patient the transaction wrote to."""
    episodes = [_another(practice, sessions=15) for _ in range(2)]
    practice_warnings(practice=practice, as_of=AS_OF)  # stored: 15 of 18 each, no quota_low
    subscribe(practice, receiver.url, "warning.appeared")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for episode in episodes:
            SessionFactory.create(episode=episode, date=date(2025, 6, 16))

    announced = [e["data"] for e in _sent(receiver) if e["data"]["code"] == "quota_low"]
    assert sorted(data["episode_id"] for data in announced) == sorted(e.pk for e in episodes)
