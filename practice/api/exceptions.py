"""The API's one exception handler: every 4xx answers ``{"errors": [{"field", "message"}]}``.

This is the error object of the simulate contract, so a client parses one format everywhere.
``field`` is a JSON-path-like name of the offending input (``prescriptions[0].date``, a query
parameter such as ``as_of``) or ``null`` when the problem is not about one field (not found,
not authenticated, malformed JSON). Simulate's own errors pass through unchanged, so the API
and ``manage.py simulate`` answer byte for byte alike.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from practice.agreements import DecisionConflict
from practice.services import ConflictingRecord, RecordChanged, SessionCancelled
from reimburse.engine.types import RulesNotInForce
from reimburse.simulate import InvalidInput

ErrorList = list[dict[str, str | None]]

NOT_FOUND: ErrorList = [{"field": None, "message": "not found"}]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render a domain, Django or DRF exception as the uniform error object."""
    if isinstance(exc, InvalidInput):
        code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if exc.too_large else 400
        return Response(exc.as_dict(), status=code)
    if isinstance(exc, RulesNotInForce):
        # Stored records dated where no rule table has an entry (quota, warnings): the request
        # is well-formed but cannot be answered; say why rather than fail with a 500.
        errors = [{"field": None, "message": f"no reimbursement rules known: {exc}"}]
        return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DecisionConflict):  # a decision id already recorded otherwise
        errors = [{"field": name, "message": why} for name, why in exc.fields.items()]
        return Response({"errors": errors}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RecordChanged):
        # A stale If-Match: someone else changed the record since the client read it.
        message = "the record changed since you read it: read it again and reapply your change"
        stale = Response(
            {"errors": [{"field": "If-Match", "message": message}]},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        stale["ETag"] = f'"{exc.current}"'
        return stale
    if isinstance(exc, SessionCancelled):
        errors = [
            {
                "field": None,
                "message": "a cancelled session cannot be changed; record a new session instead",
            }
        ]
        return Response({"errors": errors}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ConflictingRecord):
        # A repeat of an external id with other values, or a unique value another row holds.
        errors = flatten(_django_detail(exc))
        return Response({"errors": errors}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        # The write services raise Django's ValidationError with a message per field.
        exc = exceptions.ValidationError(_django_detail(exc))
    # DRF's handler sets WWW-Authenticate on 401 and Allow on 405; only the body is ours.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a genuine 500, logged by Django
    if isinstance(exc, Http404):
        errors = NOT_FOUND
    elif isinstance(exc, exceptions.APIException):
        errors = flatten(exc.detail) or [{"field": None, "message": str(exc.detail)}]
    else:
        errors = [{"field": None, "message": str(response.data)}]
    response.data = {"errors": errors}
    return response


def _django_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


def flatten(detail: Any, path: str = "") -> ErrorList:
    """Turn DRF's nested error detail into a flat list with JSON-path-like field names."""
    if isinstance(detail, dict):
        errors: ErrorList = []
        for key, value in detail.items():
            if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS, None):
                sub = path
            elif isinstance(key, int):  # ListField/DictField errors are keyed by index
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            errors.extend(flatten(value, sub))
        return errors
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path or None, "message": str(item)} for item in detail]
        # A nested list serializer: one (possibly empty) error object per item.
        return [
            error
            for index, item in enumerate(detail)
            for error in flatten(item, f"{path}[{index}]")
        ]
    return [{"field": path or None, "message": str(detail)}]
