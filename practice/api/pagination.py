"""Pagination of the API's lists: page numbers, or a cursor over changes since a moment.

A plain list is paged by number (``?page=2``), as it always was, with ``count``. A list asked
for ``updated_since`` is an incremental sync: ordered by ``(updated_at, id)`` and paged with
an opaque cursor (DRF's ``CursorPagination``), so rows changed while a client pages through
are neither skipped nor shown twice on one pass; a row changed again moves to the end, where
the client meets it later. ``count`` is null there. ``page_size`` is bounded in both modes;
an invalid one is refused with 400 rather than silently replaced.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

MAX_PAGE_SIZE = 200
SYNC_PARAMETER = "updated_since"
SYNC_ORDERING = ("updated_at", "id")


def requested_page_size(request: Request, default: int | None) -> int | None:
    """Return ``?page_size=`` (1 … MAX_PAGE_SIZE), or ``default`` when it is not given."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": f"must be an integer from 1 to {MAX_PAGE_SIZE}"})
    return int(raw)


class SyncCursorPagination(CursorPagination):
    """Changes in the order they happened: ``(updated_at, id)``, whatever ``ordering`` says."""

    ordering = SYNC_ORDERING
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return SYNC_ORDERING

    def get_page_size(self, request: Request) -> int | None:
        return requested_page_size(request, self.page_size)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", None),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )


class ApiPagination(PageNumberPagination):
    """Page numbers by default; a cursor for ``?updated_since=`` on views that can sync."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor: SyncCursorPagination | None = None

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        if getattr(view, "syncs", False) and SYNC_PARAMETER in request.query_params:
            if "page" in request.query_params:
                raise ValidationError({"page": f"{SYNC_PARAMETER} lists are paged by cursor"})
            self.cursor = SyncCursorPagination()
            self.cursor.page_size = self.page_size
            return self.cursor.paginate_queryset(queryset, request, view)
        if "cursor" in request.query_params:
            raise ValidationError({"cursor": f"a cursor pages an {SYNC_PARAMETER} list"})
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int | None:
        return requested_page_size(request, self.page_size)

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"Rows in the whole list; null in an {SYNC_PARAMETER} list.",
        }
        response["properties"]["next"]["description"] = (
            "The next page, as a full URL; null on the last page."
        )
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (not with updated_since: follow `next`).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE}; default {self.page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
        if getattr(view, "syncs", False):
            parameters.append(
                {
                    "name": "cursor",
                    "required": False,
                    "in": "query",
                    "description": f"Opaque position in an {SYNC_PARAMETER} list; take it from "
                    "`next`, never build it.",
                    "schema": {"type": "string"},
                }
            )
        return parameters
