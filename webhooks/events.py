"""Events a practice's system can subscribe to, and how they are queued for delivery.

Each event is stored as one ``Delivery`` per subscription that wants it, in the writer's own
transaction (an outbox): a rolled-back write leaves no delivery, a committed one cannot be
lost between the commit and the queue. The deliveries are handed to the task queue once the
transaction commits; ``manage.py webhooks_retry`` sends whatever the queue did not.

Payloads hold ids, codes and dates, never names or national ids (data minimisation): the
practice's system reads the rest through the API.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, EventType, Subscription

logger = logging.getLogger(__name__)

WARNING_TYPES = frozenset({EventType.WARNING_APPEARED, EventType.WARNING_CLEARED})

# uuid5 namespace of the warning events' ids (see ``warning_event_id``).
WARNING_EVENTS = uuid.UUID("6f1c2b7e-3d54-4f0e-9a51-1f9d3c6b2a10")


def today() -> date:
    """Return the practice's today (Europe/Brussels): the day whose warnings are current."""
    return timezone.localdate()


@dataclass(frozen=True)
class Event:
    type: EventType
    data: dict[str, Any]
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def envelope(event: Event, *, now: datetime) -> dict[str, Any]:
    """Return the JSON body of ``event`` (the Standard Webhooks shape: type, timestamp, data)."""
    return {"type": str(event.type), "timestamp": now.isoformat(), "data": event.data}


def events_emit(*, practice_id: int, events: Iterable[Event], now: datetime) -> int:
    """Store a delivery of each event for every active subscription of the practice wanting it.

    In the caller's transaction; the deliveries go to the task queue after it commits (never,
    if it rolls back). Returns the number of deliveries stored. A delivery whose event id the
    subscription already has (the same warning change seen by two readers) is stored once.
    """
    events = list(events)
    if not events:
        return 0
    subscriptions = Subscription.objects.filter(practice_id=practice_id, active=True).values_list(
        "pk", "event_types"
    )
    rows = [
        Delivery(
            subscription_id=pk,
            event_id=event.id,
            event_type=event.type,
            payload=envelope(event, now=now),
            next_attempt_at=now,
        )
        for pk, wanted in subscriptions
        for event in events
        if event.type in wanted
    ]
    if not rows:
        return 0
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(partial(_enqueue, sorted({row.event_id for row in rows})))
    return len(rows)


def _enqueue(event_ids: list[uuid.UUID]) -> None:
    from webhooks.tasks import webhook_deliver

    pending = Delivery.objects.filter(
        event_id__in=event_ids, status=Delivery.Status.PENDING
    ).values_list("pk", flat=True)
    for pk in pending:
        try:
            webhook_deliver.enqueue(delivery_id=pk)
        except Exception:
            # The delivery is stored: webhooks_retry sends it when the queue is back.
            logger.exception("webhook delivery %s not queued; webhooks_retry will send it", pk)


def warning_key(warning: dict[str, Any]) -> tuple[str, str | None, str | None, str]:
    """Return what makes a stored warning the same warning: code, episode, session, params.

    Parameters are part of it: "2 sessions left" becoming "1 session left" clears the one and
    makes the other appear, so the practice's system always holds the current figures.
    """
    params = json.dumps(warning.get("params") or {}, sort_keys=True)
    return (warning["code"], warning.get("episode"), warning.get("session"), params)


def warning_event_id(
    kind: EventType, patient_id: int, version: int, as_of: date, warning: dict[str, Any]
) -> uuid.UUID:
    """Return the id of a warning change: the same for every reader that computes it.

    Two readers recomputing one patient at the same version for the same day see the same
    change; the unique (subscription, event id) then keeps one delivery.
    """
    parts = (kind, patient_id, version, as_of.isoformat(), *warning_key(warning))
    key = "|".join(str(part) for part in parts)
    return uuid.uuid5(WARNING_EVENTS, key)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def warning_events(
    *,
    practice_id: int,
    as_of: date,
    before: dict[int, tuple[date | None, list[dict[str, Any]]]],
    after: list[dict[str, Any]],
) -> list[Event]:
    """Return the ``warning.appeared``/``warning.cleared`` events between two stored lists.

    ``before`` maps a patient to (the day their stored list was computed for, the list);
    ``after`` holds the snapshots just stored (patient, version read, warnings). A patient
    with no stored list yet is not compared (nothing was ever announced for them), nor one
    whose stored list is for a later day than ``as_of`` (someone asked for the future).
    ``patient_external_id`` is left ``None`` for the caller to fill (one query, for the
    patients that changed).
    """
    events: list[Event] = []
    for snapshot in after:
        patient_id = snapshot["patient"]
        if patient_id not in before:
            continue
        day, old = before[patient_id]
        if day is not None and day > as_of:
            continue
        old_by_key = {warning_key(w): w for w in old or []}
        new_by_key = {warning_key(w): w for w in snapshot["warnings"]}
        changes = [
            *((EventType.WARNING_CLEARED, w) for k, w in old_by_key.items() if k not in new_by_key),
            *(
                (EventType.WARNING_APPEARED, w)
                for k, w in new_by_key.items()
                if k not in old_by_key
            ),
        ]
        for kind, warning in changes:
            data = {
                "practice_id": practice_id,
                "patient_id": patient_id,
                "patient_external_id": None,
                "code": warning["code"],
                "severity": warning.get("severity"),
                "params": warning.get("params") or {},
                "episode_id": _int_or_none(warning.get("episode")),
                "session_id": _int_or_none(warning.get("session")),
                "as_of": as_of.isoformat(),
            }
            event_id = warning_event_id(kind, patient_id, snapshot["version"], as_of, warning)
            events.append(Event(type=kind, data=data, id=event_id))
    return events
