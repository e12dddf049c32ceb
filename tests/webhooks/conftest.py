"""A local webhook receiver (http.server in a thread on 127.0.0.1) and a subscribed practice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from practice.models import Practice
from tests.factories import PracticeFactory
from webhooks.models import Subscription
from webhooks.services import subscription_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver got, and the status it answers with (``status``, settable)."""

    url: str
    status: int = 204
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append(Received(self.path, dict(self.headers), self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/reimburse"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def practice(db: None) -> Practice:
    return PracticeFactory.create(country="BE")


def subscribe(practice: Practice, url: str, *types: str) -> Subscription:
    chosen = list(types) or ["warning.appeared", "warning.cleared", "record.changed"]
    return subscription_create(practice=practice, url=url, event_types=chosen)
