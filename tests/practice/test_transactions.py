"""A failed write leaves nothing half-written: each service call is one transaction.

The tests force an error *after* the insert (or update) has reached the database, then check
that neither the row nor its audit-history row survived. They run as transactional tests, so
the service's own ``atomic`` is the outermost transaction, as in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db.models.signals import post_save
from django.utils import timezone

from practice import services
from practice.models import Episode, Patient, Practice, TreatmentSession
from reimburse.services import patient_status
from tests.factories import (
    EpisodeFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2025, 2, 5)


class Boom(RuntimeError):
    """The fault a test injects."""


@pytest.fixture
def episode() -> Episode:
    practice = cast(Practice, PracticeFactory(country="BE"))
    episode = cast(Episode, EpisodeFactory(patient__practice=practice, category="courante"))
    PrescriptionFactory(episode=episode, date=date(2025, 2, 1), sessions=9)
    return episode


@pytest.fixture
def fail_after_save() -> Iterator[Callable[[type[Any]], None]]:
    """Make every save of a model fail right after its row (and history row) is written."""
    senders: list[type[Any]] = []

    def boom(sender: type[Any], **kwargs: Any) -> None:
        raise Boom("injected after the write")

    def arm(model: type[Any]) -> None:
        # Connected after simple-history's receiver, so the history row is written first.
        post_save.connect(boom, sender=model, weak=False, dispatch_uid=f"boom-{model.__name__}")
        senders.append(model)

    yield arm
    for model in senders:
        post_save.disconnect(sender=model, dispatch_uid=f"boom-{model.__name__}")


def history_count(model: type[Any]) -> int:
    return cast(int, model.history.count())


# ------------------------------------------------------------------------------- record


def test_a_session_record_failing_after_the_insert_leaves_no_session(
    episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault comes after ``_create_once`` released its savepoint: only the outer
    transaction of ``session_record`` can take the row back."""
    create_once = services._create_once

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        session, _created = create_once(*args, **kwargs)
        assert TreatmentSession.objects.filter(pk=session.pk).exists()  # the row was written
        raise Boom("injected after the insert")

    monkeypatch.setattr(services, "_create_once", create_then_fail)

    with pytest.raises(Boom):
        services.session_record(episode=episode, date=DAY, external_id="pms-1")

    assert not TreatmentSession.objects.exists()
    assert history_count(TreatmentSession) == 0


def test_a_session_record_failing_in_its_own_save_leaves_no_session_and_no_history(
    episode: Episode, fail_after_save: Callable[[type[Any]], None]
) -> None:
    fail_after_save(TreatmentSession)

    with pytest.raises(Boom):
        services.session_record(episode=episode, date=DAY, external_id="pms-1")

    assert not TreatmentSession.objects.exists()
    assert history_count(TreatmentSession) == 0


def test_after_a_failed_record_the_same_external_id_records_normally(
    episode: Episode, fail_after_save: Callable[[type[Any]], None]
) -> None:
    fail_after_save(TreatmentSession)
    with pytest.raises(Boom):
        services.session_record(episode=episode, date=DAY, external_id="pms-1")
    post_save.disconnect(sender=TreatmentSession, dispatch_uid="boom-TreatmentSession")

    session, created = services.session_record(episode=episode, date=DAY, external_id="pms-1")

    assert created
    assert list(TreatmentSession.objects.values_list("pk", flat=True)) == [session.pk]


def test_a_patient_create_failing_after_the_insert_leaves_no_patient(
    fail_after_save: Callable[[type[Any]], None],
) -> None:
    practice = cast(Practice, PracticeFactory(country="BE"))
    fail_after_save(Patient)

    with pytest.raises(Boom):
        services.patient_create(
            practice=practice, first_name="An", last_name="Peeters", birth_date=date(1985, 7, 30)
        )

    assert not Patient.objects.exists()
    assert history_count(Patient) == 0


def test_an_episode_update_failing_after_the_save_keeps_the_old_values(
    episode: Episode, fail_after_save: Callable[[type[Any]], None]
) -> None:
    before = history_count(Episode)
    fail_after_save(Episode)

    with pytest.raises(Boom):
        services.episode_update(episode=episode, title="Neck pain")

    assert Episode.objects.get(pk=episode.pk).title == "Low back pain"
    assert history_count(Episode) == before


# ------------------------------------------------------------------------------- cancel


def test_a_cancel_failing_after_the_update_leaves_the_session_active(
    episode: Episode, fail_after_save: Callable[[type[Any]], None]
) -> None:
    session = cast(TreatmentSession, SessionFactory(episode=episode, date=DAY))
    user = cast(User, UserFactory())
    before = history_count(TreatmentSession)
    fail_after_save(TreatmentSession)

    with pytest.raises(Boom):
        services.session_cancel(session=session, by=user, reason="patient ill")

    stored = TreatmentSession.objects.get(pk=session.pk)
    assert (stored.cancelled_at, stored.cancelled_by, stored.cancel_reason) == (None, None, "")
    assert history_count(TreatmentSession) == before


def test_a_cancelled_session_stays_with_who_and_when_but_leaves_the_quota(
    episode: Episode,
) -> None:
    kept = cast(TreatmentSession, SessionFactory(episode=episode, date=DAY))
    cancelled = cast(TreatmentSession, SessionFactory(episode=episode, date=DAY + timedelta(1)))
    user = cast(User, UserFactory())
    before = timezone.now()

    services.session_cancel(session=cancelled, by=user, reason="patient ill")

    stored = TreatmentSession.objects.get(pk=cancelled.pk)
    assert stored.cancelled_by == user
    assert stored.cancel_reason == "patient ill"
    assert isinstance(stored.cancelled_at, datetime)
    assert before <= stored.cancelled_at <= timezone.now()
    latest = stored.history.first()
    assert latest is not None and latest.cancelled_by_id == user.pk
    result = patient_status(patient=episode.patient, as_of=date(2025, 12, 15))
    assert [o.id for o in result.sessions] == [str(kept.pk)]
    (quota,) = result.quotas
    assert quota.used == 1


def test_the_database_refuses_a_cancellation_without_its_author(episode: Episode) -> None:
    """Even a write that bypasses the services cannot cancel anonymously."""
    session = cast(TreatmentSession, SessionFactory(episode=episode, date=DAY))

    with pytest.raises(IntegrityError):
        TreatmentSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
