"""OpenAPI generation: every operation documents the uniform error object it may answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from practice.api.serializers import ErrorSerializer

# 400: invalid body or query; 401: missing, unknown or revoked token; 404: an id that is not
# the practice's (or a page past the end of a list).
ERROR_CODES = ("400", "401", "404")

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


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses so clients and fuzzers know them."""

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
