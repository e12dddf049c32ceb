"""What sends events: writes to a practice's records, and Needs attention lists that change.

Connected in ``WebhooksConfig.ready``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from practice.models import (
    AgreementRequest,
    Episode,
    Patient,
    Practice,
    Prescription,
    TreatmentSession,
)
from reimburse.attention.store import attention_stored
from webhooks.events import Event, events_emit, warning_events
from webhooks.models import EventType, Subscription
from webhooks.origin import through_api

# The records a practice's system keeps in sync, by the name the events give them.
RECORDS: dict[type[Model], str] = {
    Patient: "patient",
    Episode: "episode",
    Prescription: "prescription",
    TreatmentSession: "session",
    AgreementRequest: "agreement_request",
}


def record_event(instance: Model, action: str) -> Event:
    """Return the ``record.changed`` event of a write: what it was, so the system re-reads it."""
    updated_at = getattr(instance, "updated_at", None)
    return Event(
        type=EventType.RECORD_CHANGED,
        data={
            "practice_id": instance.practice_id,  # type: ignore[attr-defined]
            "model": RECORDS[type(instance)],
            "id": instance.pk,
            "external_id": getattr(instance, "external_id", "") or None,
            "action": action,
            "updated_at": updated_at.isoformat() if updated_at else None,
        },
    )


def _saved(
    sender: type[Model], instance: Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or through_api():
        return  # fixtures load rows as they are; the API's client knows its own writes
    action = "created" if created else "updated"
    events_emit(
        practice_id=instance.practice_id,  # type: ignore[attr-defined]
        events=[record_event(instance, action)],
        now=timezone.now(),
    )


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if through_api():
        return
    events_emit(
        practice_id=instance.practice_id,  # type: ignore[attr-defined]
        events=[record_event(instance, "deleted")],
        now=timezone.now(),
    )


def today() -> date:
    """Return the practice's today (Europe/Brussels): the day whose warnings are current."""
    return timezone.localdate()


def _attention_stored(
    sender: Any,
    *,
    practice: Practice,
    as_of: date,
    before: dict[int, tuple[date | None, list[dict[str, Any]]]],
    after: list[dict[str, Any]],
    **kwargs: Any,
) -> None:
    # Only today's list is "the patient's current warnings": a list asked for another day (a
    # feed with as_of, a refresh of a past day) is stored but not announced.
    if as_of != today():
        return
    wanted = {EventType.WARNING_APPEARED, EventType.WARNING_CLEARED}
    subscribed = any(
        wanted & set(types)
        for types in Subscription.objects.filter(practice=practice, active=True).values_list(
            "event_types", flat=True
        )
    )
    if not subscribed:
        return
    events = warning_events(practice_id=practice.pk, as_of=as_of, before=before, after=after)
    if not events:
        return
    changed = {event.data["patient_id"] for event in events}
    external_ids = dict(Patient.objects.filter(pk__in=changed).values_list("pk", "external_id"))
    for event in events:
        event.data["patient_external_id"] = external_ids.get(event.data["patient_id"]) or None
    events_emit(practice_id=practice.pk, events=events, now=timezone.now())


def connect() -> None:
    for model in RECORDS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"webhooks-saved-{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"webhooks-deleted-{model.__name__}"
        )
    attention_stored.connect(_attention_stored, dispatch_uid="webhooks-attention-stored")
