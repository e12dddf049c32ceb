"""Webhooks in the admin: a practice's subscriptions, and their deliveries with the outcome.

Scoped like the rest of the admin (``practice.admin.PracticeScopedAdmin``): a clinic
administrator sees and manages only their own practice's subscriptions and deliveries.
Deliveries are read-only; "Send again" queues chosen ones from their first attempt.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practice.admin import PracticeScopedAdmin, _is_superuser, _scoped_practice
from practice.resources import copy_saved
from webhooks import services
from webhooks.models import Delivery, EventType, Subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["practice", "url", "event_types", "active"]


@admin.register(Subscription)
class SubscriptionAdmin(PracticeScopedAdmin):
    form = SubscriptionForm
    list_display = ["url", "practice", "event_types", "active", "created_at"]
    list_select_related = ["practice"]
    list_filter = ["active"]
    clinic_can_delete = True
    # The secret is shown on the subscription's page, to be copied into the receiving system.
    readonly_fields = ["secret", "created_at", "updated_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = ["url", "event_types", "active"]
        if _is_superuser(request):
            fields.insert(0, "practice")
        return fields + (list(self.readonly_fields) if obj is not None else [])

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.subscription_update(
                subscription=obj,
                url=data["url"],
                event_types=data["event_types"],
                active=data["active"],
            )
        else:
            practice = self.form_practice(request, form)
            if practice is None:
                raise PermissionDenied
            saved = services.subscription_create(
                practice=practice,
                url=data["url"],
                event_types=data["event_types"],
                active=data["active"],
            )
        copy_saved(obj, saved)


@admin.register(Delivery)
class DeliveryAdmin(PracticeScopedAdmin):
    practice_path = "subscription__practice"
    clinic_can_add = False
    clinic_can_change = False
    list_display = [
        "created_at",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_select_related = ["subscription"]
    list_filter = ["status", "event_type"]
    search_fields = ["=event_id"]
    actions = ["send_again"]
    readonly_fields = [
        "subscription",
        "event_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # deliveries come from events

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only: an outcome is a fact

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        now = timezone.now()
        count = 0
        for delivery in queryset:
            count += services.delivery_resend(delivery=delivery, now=now)
        message = ngettext(
            "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
        )
        self.message_user(request, message % {"count": count})
