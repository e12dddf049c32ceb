"""A practice's webhook subscriptions and the deliveries of events to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import Practice
from webhooks.addresses import validate_webhook_url


class EventType(models.TextChoices):
    WARNING_APPEARED = "warning.appeared", _("A warning appeared")
    WARNING_CLEARED = "warning.cleared", _("A warning cleared")
    RECORD_CHANGED = "record.changed", _("A record changed outside the API")


class Subscription(models.Model):
    """A URL of the practice's system that receives the chosen events, signed with ``secret``."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    # Standard Webhooks form: "whsec_" + base64 of 32 random bytes (webhooks.services). Kept in
    # clear: the HMAC needs it, and the administrator may read it again in the admin.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    event_types = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event for one subscription: sent, retried with backoff, then delivered or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The Webhook-Id header: the same for every attempt, so the receiver can drop repeats.
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Pending: when the next attempt is due (or until when a worker holds it while sending).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # Two readers recomputing one patient's warnings at once announce the same event
            # id (webhooks.events): it is stored, and sent, once.
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_event_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
