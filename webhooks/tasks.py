"""The webhook delivery task (django-tasks; run by the worker)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from practice.models import Patient, Practice
from reimburse.attention.store import practice_attention
from webhooks import events
from webhooks.models import Delivery
from webhooks.services import delivery_attempt


@task()
def webhook_deliver(*, delivery_id: int) -> str:
    """Send a delivery if it is due; after a failure, queue the next attempt for its time.

    A backend that cannot run a task later (``supports_defer`` false: the immediate backend)
    leaves the retry to ``manage.py webhooks_retry``. Returns the delivery's status, or
    ``"not due"`` when it was already sent, not yet due or taken by another worker.
    """
    delivery = delivery_attempt(delivery_id=delivery_id, now=timezone.now())
    if delivery is None:
        return "not due"
    retry_at = delivery.next_attempt_at
    pending = delivery.status == Delivery.Status.PENDING
    if pending and retry_at is not None and webhook_deliver.get_backend().supports_defer:
        webhook_deliver.using(run_after=retry_at).enqueue(delivery_id=delivery.pk)
    return str(delivery.status)


@task()
def warnings_check(
    *, practice_id: int, patient_id: int | None = None, patient_ids: list[int] | None = None
) -> int:
    """Bring patients' stored Needs attention lists up to date for today, after writes.

    What a read of the page would do for these patients (``practice_attention``); a change is
    announced as ``warning.appeared``/``warning.cleared`` there. ``patient_ids``: the patients
    one transaction wrote to (``patient_id``: one, as tasks queued before took it). Returns the
    number of their current warnings (0 if the patients or the practice are gone).
    """
    practice = Practice.objects.filter(pk=practice_id).first()
    if practice is None:
        return 0
    chosen = set(patient_ids or ())
    if patient_id is not None:
        chosen.add(patient_id)
    patients = Patient.objects.filter(pk__in=sorted(chosen))
    found = practice_attention(practice=practice, as_of=events.today(), patients=patients)
    return sum(len(attention.warnings) for attention in found)
