"""API tokens for the practice management system: created once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practice.models import ApiToken, Practice

PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw_key: str) -> str:
    # The key has 256 bits of entropy, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, practice: Practice, name: str, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is never retrievable again."""
    raw_key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        practice=practice,
        name=name,
        prefix=raw_key[:PREFIX_LENGTH],
        key_hash=_hash(raw_key),
        created_by=created_by,
    )
    return token, raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token: requests with it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_for_key(raw_key: str) -> ApiToken | None:
    """Return the live token this key belongs to, or ``None``."""
    # The creator comes with it: the authentication checks them on every request.
    token = (
        ApiToken.objects.select_related("practice", "created_by")
        .filter(key_hash=_hash(raw_key), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        # Record use at most once a minute: a busy practice system must not turn every read
        # into a write on the token row. The row just read says whether it is due; the
        # condition in the UPDATE keeps concurrent requests from writing it twice.
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is None or token.last_used_at < stale:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ).update(last_used_at=now)
    return token
