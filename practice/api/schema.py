"""OpenAPI generation: every operation documents the uniform error object it may answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from practice.api.serializers import ErrorSerializer

# 400: invalid body or query; 401: missing, unknown or revoked token; 404: an id that is not
# the practice's (or a page past the end of a list); 500: unexpected, quoting the request id;
# 503: the database is unavailable (with Retry-After). See config/errors.py.
ERROR_CODES = ("400", "401", "404", "500", "503")


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses so clients and fuzzers know them."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction == "response":
            for code in ERROR_CODES:
                if code not in responses:
                    responses[code] = self._get_response_for_code(
                        ErrorSerializer, code, direction=direction
                    )
        return responses
