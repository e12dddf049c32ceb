"""Writes of the webhooks app: subscriptions, and the attempts and re-sends of deliveries."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from standardwebhooks import Webhook

from practice.models import Practice
from webhooks import addresses
from webhooks.models import Delivery, EventType, Subscription

logger = logging.getLogger(__name__)

# After a failed attempt, the next one comes after these delays; after the last, the delivery
# has failed (6 attempts over about 14 h 36 min). The receiver may be down for a deploy or a
# night; longer than that, the practice's system re-syncs with ``updated_since``.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
# A worker sending a delivery holds it this long; one that died meanwhile leaves it to the
# next ``webhooks_retry`` after that. Longer than any request may take (WEBHOOKS_TIMEOUT).
LEASE = timedelta(minutes=2)
USER_AGENT = "reimburse-webhooks/1"


def new_secret() -> str:
    """Return a signing secret in the Standard Webhooks form: ``whsec_`` + base64 of 32 bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown or not event_types:
        raise ValidationError(
            {"event_types": ValidationError(_("Choose one or more events."), code="events")}
        )
    return [t for t in EventType.values if t in event_types]  # one order, no repeats


@transaction.atomic
def subscription_create(
    *, practice: Practice, url: str, event_types: list[str], active: bool = True
) -> Subscription:
    """Create a subscription with a new secret; the admin shows the secret on its page."""
    subscription = Subscription(
        practice=practice,
        url=url,
        event_types=_checked_types(event_types),
        active=active,
        secret=new_secret(),
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(
    *, subscription: Subscription, url: str, event_types: list[str], active: bool
) -> Subscription:
    """Change where a subscription points, what it receives and whether it is active."""
    subscription.url = url
    subscription.event_types = _checked_types(event_types)
    subscription.active = active
    subscription.full_clean()
    subscription.save()
    return subscription


def signed_headers(*, secret: str, event_id: str, body: str, now: datetime) -> dict[str, str]:
    """Return the Standard Webhooks headers of a request: id, timestamp and v1 signature.

    The signature is ``v1,`` + base64 of HMAC-SHA256, keyed with the secret's decoded bytes,
    of ``"{id}.{timestamp}.{body}"`` (standardwebhooks, the specification's reference code).
    """
    utc = now.astimezone(UTC)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(int(utc.timestamp())),
        "Webhook-Signature": Webhook(secret).sign(event_id, utc, body),
    }


def delivery_attempt(*, delivery_id: int, now: datetime) -> Delivery | None:
    """Send a due delivery once and store the outcome; ``None`` if it was not due or is taken.

    2xx is delivered; anything else (another status, no answer in ``WEBHOOKS_TIMEOUT``
    seconds, a refused address) is retried after the next delay of ``BACKOFF``, and after
    the last one the delivery has failed. The delivery is claimed first (its next attempt
    moved ``LEASE`` ahead), so a queued task and ``webhooks_retry`` never send it twice at
    once.
    """
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    status_code: int | None = None
    error = ""
    if not subscription.active:
        error = "the subscription is not active"
    else:
        body = json.dumps(delivery.payload, separators=(",", ":"))
        headers = signed_headers(
            secret=subscription.secret, event_id=str(delivery.event_id), body=body, now=now
        )
        try:
            status_code = addresses.post(
                subscription.url,
                body=body.encode(),
                headers=headers,
                timeout=settings.WEBHOOKS_TIMEOUT,
            )
        except (OSError, addresses.BlockedAddress, ValidationError) as failure:
            error = str(failure)[:1000] or type(failure).__name__
    delivery.attempts += 1
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status_code}"
        if not subscription.active or delivery.attempts > len(BACKOFF):
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save()
    return delivery


@transaction.atomic
def delivery_resend(*, delivery: Delivery, now: datetime) -> bool:
    """Queue a delivery again from its first attempt, with the same event id and payload.

    Returns ``False`` and changes nothing while a worker holds the delivery (claimed for
    ``LEASE``) or its next attempt is due within that time: sending it anew then would send
    it twice at once, and the two outcomes would overwrite each other.
    """
    changed = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(
            status=Delivery.Status.PENDING,
            next_attempt_at__gt=now,
            next_attempt_at__lte=now + LEASE,
        )
        .update(
            status=Delivery.Status.PENDING,
            attempts=0,
            next_attempt_at=now,
            delivered_at=None,
            last_error="",
            last_status_code=None,
        )
    )
    if not changed:
        return False
    transaction.on_commit(lambda: _enqueue_one(delivery.pk))
    return True


def _enqueue_one(delivery_id: int) -> None:
    from webhooks.tasks import webhook_deliver

    try:
        webhook_deliver.enqueue(delivery_id=delivery_id)
    except Exception:
        logger.exception("webhook delivery %s not queued; webhooks_retry will send it", delivery_id)


def deliveries_due(*, now: datetime, limit: int) -> list[int]:
    """Return the ids of pending deliveries whose attempt is due, oldest first."""
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
