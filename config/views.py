"""Project-level views: the health check."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.errors import RETRY_AFTER, logger


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the application answers and its database runs a query, else 503.

    For the proxy and monitoring: no login, no session, one ``SELECT 1``.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: database unavailable", exc_info=error)
        response = JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
