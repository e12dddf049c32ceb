"""Per-practice API tokens: ``Authorization: Bearer <key>`` (or ``Token <key>``).

A token acts for the clinic administrator who created it: ``request.user`` is that user (so
audit history and cancellations name a person) and ``request.auth`` is the ``ApiToken``,
whose ``practice`` scopes every query. A token whose creator was deleted or deactivated is
refused, as DRF's own ``TokenAuthentication`` refuses inactive users: a person who left the
clinic must not keep writing through the tokens they issued.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from practice.models import ApiToken
from practice.tokens import api_token_for_key

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticate the practice management system by its hashed, revocable API token."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            # No credentials of ours: DRF answers 401 with the WWW-Authenticate header below.
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "malformed Authorization header; expected 'Bearer <key>'"
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(
                "the API key contains invalid characters"
            ) from error
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("unknown or revoked API token")
        user = token.created_by
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "the administrator who created this token no longer has access; "
                "ask a clinic administrator for a new token"
            )
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describe the token as an HTTP bearer scheme in the OpenAPI document."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Bearer"
        )
