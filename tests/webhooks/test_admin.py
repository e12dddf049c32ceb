"""Webhooks in the admin: subscriptions and deliveries of the administrator's own practice."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.models import Practice, Therapist
from tests.factories import PracticeFactory, TherapistFactory, UserFactory
from tests.webhooks.conftest import Receiver, subscribe
from webhooks.events import Event, events_emit
from webhooks.models import Delivery, EventType, Subscription

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = reverse("admin:webhooks_subscription_changelist")
DELIVERIES = reverse("admin:webhooks_delivery_changelist")


@pytest.fixture
def clinic_client(practice: Practice) -> Client:
    user: User = UserFactory.create(username="clinic-admin", is_staff=True)
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


def _delivery(subscription: Subscription, **fields: Any) -> Delivery:
    return Delivery.objects.create(
        subscription=subscription,
        event_id="0b9c8a5e-41a4-4b0f-9a0e-6b3f0f1c2d3e",
        event_type=EventType.RECORD_CHANGED,
        payload={"type": "record.changed", "data": {}},
        **fields,
    )


def test_a_clinic_administrator_subscribes_their_practice_and_sees_the_secret(
    practice: Practice, clinic_client: Client
) -> None:
    response = clinic_client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "url": "http://127.0.0.1:8001/hooks",
            "event_types": ["warning.appeared", "record.changed"],
            "active": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    subscription = Subscription.objects.get()
    assert subscription.practice == practice
    assert subscription.event_types == ["warning.appeared", "record.changed"]
    assert subscription.secret.startswith("whsec_")
    page = clinic_client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert subscription.secret in page.content.decode()


def test_a_clinic_administrator_sees_only_their_practices_webhooks(
    practice: Practice, clinic_client: Client
) -> None:
    ours = subscribe(practice, "http://127.0.0.1:8001/ours")
    theirs = subscribe(PracticeFactory.create(), "http://127.0.0.1:8001/theirs")
    _delivery(ours, last_error="HTTP 500")
    _delivery(theirs, last_error="HTTP 418")

    subscriptions = clinic_client.get(SUBSCRIPTIONS).content.decode()
    deliveries = clinic_client.get(DELIVERIES).content.decode()
    foreign = reverse("admin:webhooks_subscription_change", args=[theirs.pk])

    assert "/ours" in subscriptions and "/theirs" not in subscriptions
    assert "HTTP 500" in deliveries and "HTTP 418" not in deliveries
    assert clinic_client.get(foreign).status_code in (302, 404)


def test_deliveries_are_listed_with_their_outcome_and_cannot_be_edited(
    practice: Practice, clinic_client: Client
) -> None:
    delivery = _delivery(
        subscribe(practice, "http://127.0.0.1:8001/ours"),
        status=Delivery.Status.FAILED,
        attempts=6,
        last_status_code=500,
        last_error="HTTP 500",
    )

    listing = clinic_client.get(DELIVERIES)
    change = reverse("admin:webhooks_delivery_change", args=[delivery.pk])
    posted = clinic_client.post(change, {"status": "delivered"})

    assert listing.status_code == 200
    assert "Failed" in listing.content.decode()
    assert posted.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_send_again_queues_a_failed_delivery_from_its_first_attempt(
    practice: Practice,
    clinic_client: Client,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.status = 500
    subscribe(practice, receiver.url, "record.changed")
    with django_capture_on_commit_callbacks(execute=True):
        events_emit(
            practice_id=practice.pk,
            events=[Event(type=EventType.RECORD_CHANGED, data={"id": 1})],
            now=timezone.now(),
        )
    Delivery.objects.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    receiver.status = 200

    with django_capture_on_commit_callbacks(execute=True):
        response = clinic_client.post(
            DELIVERIES,
            {"action": "send_again", "_selected_action": [Delivery.objects.get().pk]},
        )

    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    ids = {request.headers["Webhook-Id"] for request in receiver.requests}
    assert ids == {str(delivery.event_id)}, "the same event, sent again"


def test_deliveries_are_found_by_event_id_and_other_text_finds_none(
    practice: Practice, clinic_client: Client
) -> None:
    delivery = _delivery(subscribe(practice, "http://127.0.0.1:8001/ours"), last_error="HTTP 502")

    found = clinic_client.get(DELIVERIES, {"q": str(delivery.event_id)})
    other = clinic_client.get(DELIVERIES, {"q": "not an id"})

    assert "HTTP 502" in found.content.decode()
    assert other.status_code == 200
    assert "HTTP 502" not in other.content.decode()
