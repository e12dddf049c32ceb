"""The ``*_update`` services: corrections validated like creates, versioned, with history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from practice.models import TreatmentSession
from practice.services import (
    RecordChanged,
    SessionCancelled,
    prescription_update,
    record_version,
    session_cancel,
    session_update,
)
from tests.factories import PrescriptionFactory, SessionFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_moving_a_session_keeps_the_row_and_records_the_change() -> None:
    session = SessionFactory.create(date=date(2025, 2, 5))

    moved = session_update(session=session, date=date(2025, 2, 7), price=Decimal("40.00"))

    assert moved.pk == session.pk
    assert TreatmentSession.objects.get().date == date(2025, 2, 7)
    assert [h.date for h in moved.history.order_by("history_id")] == [
        date(2025, 2, 5),
        date(2025, 2, 7),
    ]


def test_a_session_change_is_checked_like_a_recording() -> None:
    session = SessionFactory.create()
    foreign = TherapistFactory.create()

    with pytest.raises(ValidationError) as raised:
        session_update(session=session, therapist=foreign, minutes=0, place="garden")

    assert set(raised.value.message_dict) == {"therapist", "minutes", "place"}


def test_a_session_keeps_its_episode() -> None:
    session = SessionFactory.create()

    with pytest.raises(ValidationError) as raised:
        session_update(session=session, episode=session.episode)

    assert raised.value.message_dict == {"episode": ["cannot be changed"]}


def test_a_cancelled_session_is_not_changed() -> None:
    session = SessionFactory.create(date=date(2025, 2, 5))
    session_cancel(session=session, by=UserFactory.create())

    with pytest.raises(SessionCancelled):
        session_update(session=session, date=date(2025, 2, 7))


def test_cancelling_moves_the_version() -> None:
    session = SessionFactory.create()
    before = record_version(session)

    session_cancel(session=session, by=UserFactory.create())

    assert record_version(TreatmentSession.objects.get()) != before


def test_a_stale_version_is_refused_and_the_current_one_named() -> None:
    prescription = PrescriptionFactory.create(sessions=18)
    stale = record_version(prescription)
    prescription.save()

    with pytest.raises(RecordChanged) as raised:
        prescription_update(prescription=prescription, expected_versions={stale}, sessions=9)

    prescription.refresh_from_db()
    assert prescription.sessions == 18
    assert raised.value.current == record_version(prescription)


def test_a_prescription_prescribes_at_least_one_session_after_a_correction() -> None:
    prescription = PrescriptionFactory.create()

    with pytest.raises(ValidationError):
        prescription_update(prescription=prescription, sessions=0)
