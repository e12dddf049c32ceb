"""The webhook delivery task (django-tasks; run by the worker)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

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
