"""Fixtures of the API tests: a practice with a token, an API client, and a stranger practice."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Practice, Therapist
from practice.tokens import api_token_create
from tests.factories import PracticeFactory, TherapistFactory


def client_for(practice: Practice) -> APIClient:
    """An API client holding a fresh token of ``practice``, created by one of its admins."""
    admin = TherapistFactory.create(practice=practice, role=Therapist.Role.ADMINISTRATOR)
    _token, key = api_token_create(practice=practice, name="PMS", created_by=admin.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def errors(response: Any) -> dict[str | None, str]:
    """The error object as {field: message}, for asserting which field a 4xx names."""
    body: dict[str, Any] = response.json()
    assert set(body) == {"errors"}, body
    return {error["field"]: error["message"] for error in body["errors"]}


@pytest.fixture
def practice(db: None) -> Practice:
    return PracticeFactory.create(country="BE")


@pytest.fixture
def api(practice: Practice) -> APIClient:
    return client_for(practice)


@pytest.fixture
def nl_practice(db: None) -> Practice:
    return PracticeFactory.create(country="NL")


@pytest.fixture
def nl_api(nl_practice: Practice) -> APIClient:
    return client_for(nl_practice)


@pytest.fixture
def stranger(db: None) -> Practice:
    """Another practice: its ids must look like ids that do not exist."""
    return PracticeFactory.create(country="BE")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()
