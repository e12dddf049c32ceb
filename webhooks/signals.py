"""What sends events: writes to a practice's records, and Needs attention lists that change.

Connected in ``WebhooksConfig.ready``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from practice.models import (
    AgreementRequest,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    TreatmentSession,
)
from reimburse.attention.store import attention_stored
from webhooks import events
from webhooks.events import WARNING_TYPES, Event, events_emit, warning_events
from webhooks.models import EventType, Subscription
from webhooks.origin import through_api

logger = logging.getLogger(__name__)

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


# The records whose writes may change a patient's warnings, beyond those above.
PATIENT_RECORDS: tuple[type[Model], ...] = (*RECORDS, Coverage, PriorUse)


def _wanted(practice_id: int) -> set[str]:
    """Return the event types the practice's active subscriptions want (one query)."""
    found: set[str] = set()
    for types in Subscription.objects.filter(practice_id=practice_id, active=True).values_list(
        "event_types", flat=True
    ):
        found.update(types)
    return found


def _subscriptions_of(instance: Model) -> tuple[int, set[str]] | None:
    """Return the record's practice and the event types it wants, or ``None``: one query.

    Every write of a patient's records asks, so a practice without subscriptions pays one
    small indexed query and nothing else.
    """
    chosen = Subscription.objects.filter(active=True)
    if isinstance(instance, (Coverage, PriorUse)):
        chosen = chosen.filter(practice__patients=instance.patient_id)
    else:
        chosen = chosen.filter(practice_id=instance.practice_id)  # type: ignore[attr-defined]
    rows = list(chosen.values_list("practice_id", "event_types"))
    if not rows:
        return None
    return rows[0][0], {kind for _practice, types in rows for kind in types}


def _patient_id(instance: Model) -> int | None:
    if isinstance(instance, Patient):
        return instance.pk
    if isinstance(instance, (Episode, Coverage, PriorUse)):
        return instance.patient_id
    episode_id = getattr(instance, "episode_id", None)
    if episode_id is None:
        return None
    return Episode.objects.filter(pk=episode_id).values_list("patient_id", flat=True).first()


def _written(instance: Model, action: str) -> None:
    subscribed = _subscriptions_of(instance)
    if subscribed is None:
        return
    practice_id, wanted = subscribed
    if type(instance) in RECORDS and EventType.RECORD_CHANGED in wanted and not through_api():
        # The API's client knows its own writes.
        events_emit(
            practice_id=practice_id, events=[record_event(instance, action)], now=timezone.now()
        )
    if wanted & WARNING_TYPES:
        patient_id = _patient_id(instance)
        if patient_id is not None and not (isinstance(instance, Patient) and action == "deleted"):
            # Whoever wrote, the patient's warnings may have changed: compare them once the
            # write is visible, rather than at the next read of Needs attention.
            _check_after_commit(practice_id, patient_id)


# Patients to check per task: one task's worth of re-evaluation (an import writes thousands).
CHECK_CHUNK = 500


class _PendingChecks:
    """The patients one transaction wrote to, checked in a few tasks once it commits.

    An import writes thousands of rows in one transaction, often several per patient: one
    task per patient and practice, in chunks, rather than one per row.
    """

    def __init__(self) -> None:
        self.patients: dict[int, set[int]] = {}  # practice id → patient ids
        self.done = False

    def add(self, practice_id: int, patient_id: int) -> None:
        self.patients.setdefault(practice_id, set()).add(patient_id)

    def __call__(self) -> None:
        self.done = True
        for practice_id, patient_ids in self.patients.items():
            ordered = sorted(patient_ids)
            for start in range(0, len(ordered), CHECK_CHUNK):
                _check_warnings(practice_id, ordered[start : start + CHECK_CHUNK])


def _check_after_commit(practice_id: int, patient_id: int) -> None:
    """Queue a check of the patient once the current transaction commits, with the others."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the write is visible already
        _check_warnings(practice_id, [patient_id])
        return
    pending: _PendingChecks | None = getattr(connection, "_webhooks_pending_checks", None)
    # A transaction (or savepoint) rolled back drops its callbacks: then start another batch.
    registered = pending is not None and any(
        callback is pending for _savepoints, callback, _robust in connection.run_on_commit
    )
    if pending is None or pending.done or not registered:
        pending = _PendingChecks()
        connection._webhooks_pending_checks = pending
        transaction.on_commit(pending)
    pending.add(practice_id, patient_id)


def _check_warnings(practice_id: int, patient_ids: list[int]) -> None:
    from webhooks.tasks import warnings_check

    try:
        warnings_check.enqueue(practice_id=practice_id, patient_ids=patient_ids)
    except Exception:
        # The next read of Needs attention (at the latest the nightly refresh) compares them.
        logger.exception("warnings check of patients %s not queued", patient_ids)


def _saved(
    sender: type[Model], instance: Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:  # fixtures load rows as they are
        _written(instance, "created" if created else "updated")


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    _written(instance, "deleted")


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
    if as_of != events.today():
        return
    if not _wanted(practice.pk) & WARNING_TYPES:
        return
    announced = warning_events(practice_id=practice.pk, as_of=as_of, before=before, after=after)
    if not announced:
        return
    changed = {event.data["patient_id"] for event in announced}
    external_ids = dict(Patient.objects.filter(pk__in=changed).values_list("pk", "external_id"))
    for event in announced:
        event.data["patient_external_id"] = external_ids.get(event.data["patient_id"]) or None
    events_emit(practice_id=practice.pk, events=announced, now=timezone.now())


def connect() -> None:
    for model in PATIENT_RECORDS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"webhooks-saved-{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"webhooks-deleted-{model.__name__}"
        )
    attention_stored.connect(_attention_stored, dispatch_uid="webhooks-attention-stored")
