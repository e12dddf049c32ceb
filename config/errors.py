"""Answers a client can read when something goes wrong: JSON under /api/, a page elsewhere.

Django's own 400/404/500 pages are HTML; a practice system's client expects the API's error
object ``{"errors": [{"field", "message"}]}`` on every path under ``/api/`` (an unknown
version, a path with an encoded newline, a body over the limit, a server error). A database
that is down or times out answers 503 with ``Retry-After`` instead of a 500, on every page.
Each 5xx is logged once, with its traceback and the request id (django-guid), by
``django.request`` or here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django_guid import get_guid

logger = logging.getLogger("config.errors")

# Seconds a client should wait before retrying when the database is unavailable.
RETRY_AFTER = 30


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, message: str, **headers: str) -> JsonResponse:
    """The API's error object, not about one field."""
    response = JsonResponse({"errors": [{"field": None, "message": message}]}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """A 503 that tells the client to retry, logged here once with the traceback."""
    logger.error("Database unavailable: %s", request.path, exc_info=error)
    if is_api(request):
        response: HttpResponse = api_error(
            503,
            "the database is unavailable; retry in a moment",
            **{"Retry-After": str(RETRY_AFTER)},
        )
    else:
        response = HttpResponse(
            _("The service is briefly unavailable. Please try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER)
    # Django logs every 5xx response again, without the traceback: once is enough.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` when a view fails because the database is down or a
    statement ran past ``statement_timeout``: the client may retry, nothing was stored."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError):
            return database_unavailable(request, exception)
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (and 413 for a body over the limit): JSON under /api/, Django's page elsewhere."""
    if isinstance(exception, RequestDataTooBig):
        if is_api(request):
            return api_error(413, "the request body is larger than the API accepts")
        return HttpResponse(status=413)
    if is_api(request):
        return api_error(400, "bad request")
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (any version, any path), Django's page elsewhere."""
    if is_api(request):
        return api_error(404, "no such endpoint; the API is described at /api/v1/docs/")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the traceback is in the log under the request id the answer quotes."""
    request_id = get_guid() or "unknown"
    if is_api(request):
        return api_error(
            500, f"internal server error; quote request id {request_id} when you report it"
        )
    return defaults.server_error(request)
