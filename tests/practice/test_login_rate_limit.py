"""Login is rate-limited: five wrong passwords lock a username (from that address) for a while.

django-axes is off in the test settings (``AXES_ENABLED = False``); these tests turn it on and
drive the therapists' login page at ``/accounts/login/`` the way a browser does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

LOGIN = "/accounts/login/"
RIGHT = "secret-pass-123"  # the factories' password
WRONG = "not-the-password"
CLINIC = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def axes_on() -> Iterator[None]:
    with override_settings(AXES_ENABLED=True):
        yield


@pytest.fixture
def therapist_user() -> User:
    return cast(User, UserFactory(username="ann"))


def attempt(password: str, *, address: str = CLINIC, username: str = "ann") -> Client:
    """Post the login form from ``address``; return the client (logged in or not)."""
    client = Client(REMOTE_ADDR=address)
    client.post(LOGIN, {"username": username, "password": password})
    return client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_logs_in(therapist_user: User) -> None:
    assert logged_in(attempt(RIGHT))


def test_four_wrong_passwords_still_let_the_right_one_in(therapist_user: User) -> None:
    for _ in range(4):
        assert not logged_in(attempt(WRONG))
    assert logged_in(attempt(RIGHT))


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_when_right(
    therapist_user: User,
) -> None:
    for _ in range(5):
        assert not logged_in(attempt(WRONG))
    client = Client(REMOTE_ADDR=CLINIC)
    response = client.post(LOGIN, {"username": "ann", "password": RIGHT})
    assert response.status_code == 429
    assert not logged_in(client)


def test_a_success_resets_the_count(therapist_user: User) -> None:
    for _ in range(4):
        attempt(WRONG)
    assert logged_in(attempt(RIGHT))
    for _ in range(4):
        attempt(WRONG)
    assert logged_in(attempt(RIGHT))


def test_the_lockout_is_per_username_and_address(therapist_user: User) -> None:
    """A colleague at the same clinic address and the same user elsewhere still log in."""
    UserFactory(username="bert")
    for _ in range(5):
        attempt(WRONG)
    assert not logged_in(attempt(RIGHT))
    assert logged_in(attempt(RIGHT, username="bert"))
    assert logged_in(attempt(RIGHT, address=ELSEWHERE))
