"""Which writes the practice's own system made: those through the API send no ``record.changed``.

The API layer marks itself (``ApiWritesMiddleware``), and every other write path - the admin,
imports, the therapists' pages, a shell or a command - is "outside the API" by default, so a
write path added later is announced without anyone remembering webhooks. A context variable,
so each request (thread or task) sees only its own mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView

_through_api: ContextVar[bool] = ContextVar("webhooks_through_api", default=False)


def through_api() -> bool:
    """Return whether the current writes are made by an API request."""
    return _through_api.get()


@contextmanager
def api_writes() -> Iterator[None]:
    """Mark the writes made inside the block as made through the API."""
    token = _through_api.set(True)
    try:
        yield
    finally:
        _through_api.reset(token)


class ApiWritesMiddleware:
    """Mark the writes of a request handled by a REST framework view as made through the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _through_api.set(False)
        try:
            return self.get_response(request)
        finally:
            _through_api.reset(token)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        # APIView.as_view (and a viewset's) keeps the view class on the function.
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            _through_api.set(True)
