"""Optimistic concurrency over HTTP: ``ETag`` on a record's responses, ``If-Match`` on changes.

The entity tag is the record's version (``practice.services.record_version``), quoted. A
``PATCH`` without ``If-Match`` is applied to the current row (last writer wins, as before);
with it, the change is applied only if the row is still at one of the listed versions, else
412. ``If-Match: *`` matches any existing row. If-Match compares strongly (RFC 9110 §13.1.1):
a weak tag (``W/"…"``) never matches.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response

from practice.services import record_version


def etag(row: Any) -> str:
    """Return the ``ETag`` header value of a record."""
    return f'"{record_version(row)}"'


def with_etag(response: Response, row: Any) -> Response:
    """Set the record's ``ETag`` on a response that shows it."""
    response["ETag"] = etag(row)
    return response


def expected_versions(request: Request) -> frozenset[str] | None:
    """Return the versions ``If-Match`` accepts, or None when any version will do."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = parse_etags(header)
    if "*" in tags:
        return None
    # Unquoted or weak tags are kept out, so they match no version: the change is refused.
    return frozenset(tag[1:-1] for tag in tags if tag.startswith('"'))


def content_etag(data: Any) -> str:
    """Return an ``ETag`` of a computed answer (not a record): a digest of its JSON."""
    encoded = json.dumps(data, sort_keys=True, default=str).encode()
    return f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'


def unchanged(request: Request, tag: str) -> bool:
    """Tell whether ``If-None-Match`` names ``tag``: the client already has this answer."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = parse_etags(header)
    # If-None-Match compares weakly (RFC 9110 §13.1.2).
    return "*" in tags or tag in {t.removeprefix("W/") for t in tags}
