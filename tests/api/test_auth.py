"""Per-practice API tokens: Bearer (or Token) keys, 401 with WWW-Authenticate otherwise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import ApiToken, Practice, Therapist
from practice.tokens import api_token_create, api_token_revoke
from tests.api.conftest import errors
from tests.factories import (
    PatientFactory,
    TherapistFactory,
    UserFactory,
)

# Every operation of the API, with a body where it takes one.
OPERATIONS = [
    ("get", "/api/v1/patients"),
    ("post", "/api/v1/patients"),
    ("get", "/api/v1/patients/1"),
    ("patch", "/api/v1/patients/1"),
    ("get", "/api/v1/patients/1/quota"),
    ("get", "/api/v1/coverage"),
    ("post", "/api/v1/coverage"),
    ("get", "/api/v1/episodes"),
    ("post", "/api/v1/episodes"),
    ("patch", "/api/v1/episodes/1"),
    ("get", "/api/v1/prescriptions"),
    ("post", "/api/v1/prescriptions"),
    ("get", "/api/v1/sessions"),
    ("post", "/api/v1/sessions"),
    ("post", "/api/v1/sessions/1/cancel"),
    ("get", "/api/v1/warnings"),
    ("post", "/api/v1/simulate"),
]


def _token(practice: Practice, *, active: bool = True) -> tuple[ApiToken, str]:
    admin = TherapistFactory.create(practice=practice, role=Therapist.Role.ADMINISTRATOR)
    if not active:
        admin.user.is_active = False
        admin.user.save()
    return api_token_create(practice=practice, name="PMS", created_by=admin.user)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_needs_a_token(anonymous: APIClient, db: None, method: str, path: str):
    response = getattr(anonymous, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert errors(response) == {None: "Authentication credentials were not provided."}


def test_a_bearer_key_authenticates(practice: Practice):
    _, key = _token(practice)

    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200


def test_the_token_keyword_also_works(practice: Practice):
    _, key = _token(practice)

    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_an_unknown_key_is_401(db: None):
    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION="Bearer not-a-key")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert errors(response) == {None: "unknown or revoked API token"}


def test_a_revoked_token_is_401(practice: Practice):
    token, key = _token(practice)
    api_token_revoke(token=token)

    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
    assert errors(response) == {None: "unknown or revoked API token"}


def test_a_malformed_header_is_401(db: None):
    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION="Bearer two words")

    assert response.status_code == 401
    assert "malformed" in errors(response)[None]


def test_a_token_of_a_deactivated_creator_is_401(practice: Practice):
    _, key = _token(practice, active=False)

    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
    assert "no longer has access" in errors(response)[None]


def test_a_token_whose_creator_was_deleted_is_401(practice: Practice):
    token, key = _token(practice)
    assert token.created_by is not None
    token.created_by.delete()

    response = APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401


def test_an_admin_session_is_not_an_api_token(db: None):
    client = APIClient()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))

    response = client.get("/api/v1/patients")

    assert response.status_code == 401


def test_using_a_token_records_when_it_was_last_used(practice: Practice):
    token, key = _token(practice)

    APIClient().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_unknown_path_is_a_json_404(api: APIClient):
    response = api.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert "no such endpoint" in errors(response)[None]


def test_a_path_with_a_trailing_slash_is_a_json_404(api: APIClient):
    response = api.get("/api/v1/patients/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_last_use_is_written_at_most_once_a_minute(practice: Practice):
    token, key = _token(practice)
    client = APIClient()
    client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > first_use


def test_a_request_reads_the_token_with_its_creator_and_writes_its_use_once_a_minute(
    practice: Practice, django_assert_num_queries: Any
):
    token, key = _token(practice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    patient = PatientFactory.create(practice=practice)
    client.get(f"/api/v1/patients/{patient.pk}")  # first use: written

    # The token (with its practice and creator) and the patient: no user lookup, no write.
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/patients/{patient.pk}").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.created_at - timedelta(days=1))
    with django_assert_num_queries(3):  # a minute later: the use is written again
        assert client.get(f"/api/v1/patients/{patient.pk}").status_code == 200
