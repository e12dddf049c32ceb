"""Deliveries: signed as Standard Webhooks says, retried with growing delays, then failed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from practice.models import Practice
from tests.webhooks.conftest import Receiver, subscribe
from webhooks.events import Event, events_emit
from webhooks.models import Delivery, EventType, Subscription
from webhooks.services import BACKOFF, delivery_attempt, new_secret, subscription_create

pytestmark = pytest.mark.django_db


def _emit(practice: Practice, django_capture_on_commit_callbacks: Any, **data: Any) -> None:
    """Store a record.changed event for ``practice`` and run what the commit would run."""
    event = Event(type=EventType.RECORD_CHANGED, data={"practice_id": practice.pk, **data})
    with django_capture_on_commit_callbacks(execute=True):
        events_emit(practice_id=practice.pk, events=[event], now=timezone.now())


def test_a_delivery_is_signed_so_the_secret_verifies_it(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(practice, receiver.url, "record.changed")

    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=7)

    [request] = receiver.requests
    assert request.path == "/hooks/reimburse"
    # The specification's reference code accepts it with the subscription's secret …
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "record.changed"
    assert payload["data"] == {"practice_id": practice.pk, "model": "patient", "id": 7}
    # … as does the README's few lines of plain Python …
    secret = base64.b64decode(subscription.secret.removeprefix("whsec_"))
    signed = f"{request.headers['Webhook-Id']}.{request.headers['Webhook-Timestamp']}."
    digest = hmac.new(secret, signed.encode() + request.body, hashlib.sha256).digest()
    assert request.headers["Webhook-Signature"] == "v1," + base64.b64encode(digest).decode()
    # … and another secret does not.
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)
    delivery = Delivery.objects.get()
    assert request.headers["Webhook-Id"] == str(delivery.event_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)


def test_a_failing_receiver_is_retried_with_growing_delays_and_then_failed(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.status = 500
    subscribe(practice, receiver.url, "record.changed")
    _emit(practice, django_capture_on_commit_callbacks, model="session", id=1)  # attempt 1
    delivery = Delivery.objects.get()
    delays = []
    attempted_at = delivery.updated_at  # the first attempt: at the clock's time
    while delivery.status == Delivery.Status.PENDING:
        assert delivery.next_attempt_at is not None
        delays.append(delivery.next_attempt_at - attempted_at)
        # Not before it is due: nothing is sent.
        early = delivery.next_attempt_at - timedelta(seconds=1)
        assert delivery_attempt(delivery_id=delivery.pk, now=early) is None
        attempted_at = delivery.next_attempt_at
        attempted = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
        assert attempted is not None
        delivery = attempted

    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == len(BACKOFF) + 1 == len(receiver.requests)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
    assert delivery.next_attempt_at is None
    # Each delay is longer than the one before (the first attempt's time is its save's, a few
    # ms after the attempt, hence the rounding).
    minutes = [round(delay.total_seconds() / 60) for delay in delays]
    assert minutes == [1, 5, 30, 120, 720]
    # Every attempt carries the same event id, so the receiver can drop repeats.
    assert len({request.headers["Webhook-Id"] for request in receiver.requests}) == 1


def test_webhooks_retry_sends_what_is_due(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.status = 503
    subscribe(practice, receiver.url, "record.changed")
    _emit(practice, django_capture_on_commit_callbacks, model="episode", id=3)
    receiver.status = 200
    call_command("webhooks_retry", verbosity=0)
    assert Delivery.objects.get().status == "pending", "not due for a minute"

    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("webhooks_retry", verbosity=0)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 2, 2)


def test_a_receiver_that_does_not_answer_is_a_failed_attempt(
    practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    # A port nobody listens on: the connection is refused.
    subscribe(practice, "http://127.0.0.1:9/nothing", "record.changed")
    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=1)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_backend_that_runs_tasks_later_gets_the_retry_queued_for_its_time(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult, get_date_max

    from webhooks.tasks import webhook_deliver

    receiver.status = 500
    subscribe(practice, receiver.url, "record.changed")
    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=1)
    delivery = Delivery.objects.get()
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"] == {"delivery_id": delivery.pk}
    assert queued.run_after == get_date_max(), "the first attempt: no run_after, at once"

    webhook_deliver.call(delivery_id=delivery.pk)  # what the worker does with it

    delivery.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert delivery.attempts == 1 and delivery.next_attempt_at is not None
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs["kwargs"] == {"delivery_id": delivery.pk}


def test_events_for_one_practice_never_reach_another_practices_subscription(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    other = Practice.objects.create(name="Elsewhere", country="BE")
    theirs = subscribe(other, receiver.url)

    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=1)

    assert not Delivery.objects.filter(subscription=theirs).exists()
    assert receiver.requests == []


def test_an_inactive_subscription_gets_nothing(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    Subscription.objects.filter(pk=subscribe(practice, receiver.url).pk).update(active=False)

    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=1)

    assert receiver.requests == []
    assert not Delivery.objects.exists()


@override_settings(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=False)
def test_in_production_no_request_goes_to_a_loopback_address(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # A host name that resolves to the loopback: accepted as a URL, refused when sending.
    url = receiver.url.replace("127.0.0.1", "localhost")
    subscription = Subscription.objects.create(
        practice=practice, url=url, secret=new_secret(), event_types=["record.changed"]
    )

    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=1)

    assert receiver.requests == []
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == "pending" and "non-public address" in delivery.last_error
    # The admin is not told which internal addresses a name resolves to.
    assert "127.0.0.1" not in delivery.last_error and "::1" not in delivery.last_error


@override_settings(WEBHOOKS_ALLOW_HTTP=False, WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=False)
@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.org/in", "https_required"),
        ("ftp://hooks.example.org/in", "https_required"),
        ("https://127.0.0.1/in", "private_address"),
        ("https://10.1.2.3/in", "private_address"),
        ("https://[::1]/in", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
    ],
)
def test_in_production_a_subscription_needs_https_and_a_public_host(
    practice: Practice, url: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        subscription_create(practice=practice, url=url, event_types=["record.changed"])

    assert [error.code for error in refused.value.error_dict["url"]] == [code]


@override_settings(WEBHOOKS_ALLOW_HTTP=False, WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=False)
def test_in_production_an_https_url_of_a_public_host_is_accepted(practice: Practice) -> None:
    subscription = subscription_create(
        practice=practice, url="https://pms.example.org/hooks", event_types=["warning.cleared"]
    )

    assert subscription.secret.startswith("whsec_")
    assert len(base64.b64decode(subscription.secret.removeprefix("whsec_"))) == 32


def test_the_same_event_seen_twice_is_stored_once(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(practice, receiver.url, "warning.appeared")
    event = Event(type=EventType.WARNING_APPEARED, data={"code": "quota_low"})

    with django_capture_on_commit_callbacks(execute=True):
        events_emit(practice_id=practice.pk, events=[event], now=timezone.now())
        events_emit(practice_id=practice.pk, events=[event], now=timezone.now())

    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0].body)["data"] == {"code": "quota_low"}


def test_the_readmes_verification_code_accepts_a_delivery_and_refuses_a_changed_body(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    readme = (settings.BASE_DIR / "README.md").read_text()
    code = next(
        block.split("```", 1)[0]
        for block in readme.split("```python\n")[1:]
        if "def verify(secret" in block
    )
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    subscription = subscribe(practice, receiver.url, "record.changed")
    _emit(practice, django_capture_on_commit_callbacks, model="patient", id=3)
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request.headers.items()}

    assert namespace["verify"](subscription.secret, headers, request.body) is True
    assert namespace["verify"](subscription.secret, headers, request.body + b" ") is False
    assert namespace["verify"](new_secret(), headers, request.body) is False


@pytest.mark.parametrize("types", [[], ["warning.changed"]])
def test_a_subscription_needs_known_events(practice: Practice, types: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        subscription_create(practice=practice, url="https://pms.example.org/in", event_types=types)

    assert [error.code for error in refused.value.error_dict["event_types"]] == ["events"]
