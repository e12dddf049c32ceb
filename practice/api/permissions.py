"""Who may call the API: a client holding a live token of a practice."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practice.models import ApiToken, Practice


class HasPracticeToken(BasePermission):
    """Allow requests authenticated with an ``ApiToken`` (an admin's session is not enough)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken)


def practice_of(request: Request) -> Practice:
    """Return the practice of the token the request was authenticated with."""
    token = request.auth
    # HasPracticeToken ran before any view code that calls this.
    assert isinstance(token, ApiToken)
    return token.practice
