"""Limits of a delivery: a whole answer within the timeout, names no resolver accepts, and a
resend that never sends a delivery twice at once."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import Practice
from tests.webhooks.conftest import Receiver, subscribe
from webhooks import addresses
from webhooks.events import Event, events_emit
from webhooks.models import Delivery, EventType
from webhooks.services import LEASE, delivery_resend

pytestmark = pytest.mark.django_db


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def trickle() -> None:
        connection, _ = server.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        try:
            for _ in range(20):  # a header line every 0.3 s: each read is within the timeout
                connection.sendall(b"X-Slow: yes\r\n")
                time.sleep(0.3)
            connection.sendall(b"Content-Length: 0\r\n\r\n")
        except OSError:
            pass
        finally:
            connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(OSError, match="within 1 s"):
        addresses.post(f"http://127.0.0.1:{port}/", body=b"{}", headers={}, timeout=1.0)
    assert time.monotonic() - started < 3  # not the 6 s the receiver would take
    server.close()


def test_a_host_name_no_resolver_accepts_is_refused_when_subscribing() -> None:
    with pytest.raises(ValidationError):
        addresses.validate_webhook_url("https://a\u3002\u3002example.com/h")


def test_a_host_name_no_resolver_accepts_is_an_error_not_a_crash() -> None:
    with pytest.raises(OSError):
        addresses.resolve("a..example.com", 443)


def test_send_again_leaves_a_delivery_a_worker_holds_alone(
    practice: Practice, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(practice, receiver.url, "record.changed")
    event = Event(type=EventType.RECORD_CHANGED, data={"practice_id": practice.pk, "id": 1})
    events_emit(practice_id=practice.pk, events=[event], now=timezone.now())  # not yet sent
    delivery = Delivery.objects.get()
    now = timezone.now()
    # A worker claimed it a moment ago: its next attempt is the lease's end.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + LEASE)

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_resend(delivery=delivery, now=now) is False
    assert receiver.requests == []

    # Failed for good: sent again, from its first attempt, its last error cleared.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, next_attempt_at=None, attempts=6, last_error="HTTP 500"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_resend(delivery=delivery, now=timezone.now()) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, "")
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:a9fe:a9fe::1", "::ffff:10.0.0.1", "10.0.0.1"],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_not_public(address: str) -> None:
    assert not addresses._is_public(address)


def test_a_public_address_stays_public() -> None:
    assert addresses._is_public("93.184.216.34")
    assert addresses._is_public("2606:2800:220:1:248:1893:25c8:1946")
