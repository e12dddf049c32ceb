"""OpenAPI generation: the error object, ids and ranges, preconditions, strict bodies.

Every operation documents the uniform error object it may answer; path ids are integers;
ranges the server enforces (ids from 1, dates 1900–2100) are stated; request bodies that
refuse unknown keys say ``additionalProperties: false``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_lib_doc_excludes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from practice.api.filters import IdFilter
from practice.api.serializers import (
    EARLIEST,
    LATEST,
    ApiModelSerializer,
    ErrorSerializer,
    StrictMixin,
    in_supported_range,
)

# Primary keys are 64-bit on PostgreSQL and SQLite; the API answers 404 beyond.
ID_RANGE = {"minimum": 1, "maximum": 2**63 - 1}
DATE_RANGE = f"Between {EARLIEST.isoformat()} and {LATEST.isoformat()}."

# 400: invalid body or query; 401: missing, unknown or revoked token; 404: an id that is not
# the practice's (or a page past the end of a list); 500: unexpected, quoting the request id;
# 503: the database is unavailable (with Retry-After). See config/errors.py.
ERROR_CODES = ("400", "401", "404", "500", "503")

ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The record's version. Send it back as If-Match to change the record only "
    "if nobody changed it since.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional. The ETag of the record as you read it: the change is applied only "
    "if the record is still at that version, else 412. Without it, the change is applied to "
    'the current record. "*" matches any version; weak tags (W/"…") never match.',
)


def lib_doc_excludes() -> list[Any]:
    """drf-spectacular's own classes, and our internal bases: their docstrings are not API docs."""
    from practice.api.views import ScopedViewSet  # the views import this module's settings user

    return [*get_lib_doc_excludes(), StrictMixin, ApiModelSerializer, ScopedViewSet]


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus what a generated client needs to trust it."""

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                # The URL pattern matches digits; the id itself is an integer key.
                parameter["schema"] = {"type": "integer", **ID_RANGE}
        return parameters

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset is not None else {}
        for parameter in parameters:
            found = filters.get(parameter["name"])
            if isinstance(found, IdFilter):
                bounds = found.extra
                parameter["schema"].update(
                    minimum=bounds.get("min_value", 1), maximum=bounds.get("max_value")
                )
        return parameters

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.PrimaryKeyRelatedField)
            and schema.get("type") == "integer"
        ):
            schema.update(ID_RANGE)
        if in_supported_range in getattr(field, "validators", []):
            schema["description"] = " ".join(filter(None, [schema.get("description"), DATE_RANGE]))
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictMixin):
            schema["additionalProperties"] = False
        return schema

    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = super().get_override_parameters()
        if self._action() in getattr(self.view, "etag_actions", ()):
            parameters.append(ETAG)
        if self._action() == "partial_update":
            parameters.append(IF_MATCH)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction == "response":
            codes: tuple[str, ...] = ERROR_CODES
            if self._action() == "partial_update":
                # 412: a stale If-Match (someone changed the record since the client read it).
                codes = (*codes, "412")
            for code in codes:
                if code not in responses:
                    responses[code] = self._get_response_for_code(
                        ErrorSerializer, code, direction=direction
                    )
        return responses
