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


# ------------------------------------------------------------------ behind the reverse proxy

PROXY = "127.0.0.1"  # every request reaches gunicorn from the proxy
# DJANGO_TRUSTED_PROXY_COUNT=1, as config.settings.base turns it into axes' ipware settings.
BEHIND_ONE_PROXY = {
    "AXES_IPWARE_PROXY_COUNT": 0,
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
}


def via_proxy(password: str, *, client_address: str, sent_header: str | None = None) -> Client:
    """Post the login form through the proxy, which appends the client's address to XFF."""
    forwarded = f"{sent_header}, {client_address}" if sent_header else client_address
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    client.post(LOGIN, {"username": "ann", "password": password})
    return client


@override_settings(**BEHIND_ONE_PROXY)
def test_behind_the_proxy_an_attacker_is_locked_out_and_the_user_elsewhere_logs_in(
    therapist_user: User,
) -> None:
    for _ in range(5):
        assert not logged_in(via_proxy(WRONG, client_address=ELSEWHERE))
    assert not logged_in(via_proxy(RIGHT, client_address=ELSEWHERE))

    assert logged_in(via_proxy(RIGHT, client_address=CLINIC))


@override_settings(**BEHIND_ONE_PROXY)
def test_a_forged_forwarded_header_does_not_lock_out_the_address_it_names(
    therapist_user: User,
) -> None:
    for _ in range(6):
        via_proxy(WRONG, client_address=ELSEWHERE, sent_header=CLINIC)

    assert logged_in(via_proxy(RIGHT, client_address=CLINIC))


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(therapist_user: User) -> None:
    for _ in range(5):
        Client(REMOTE_ADDR=CLINIC, HTTP_X_FORWARDED_FOR=ELSEWHERE).post(
            LOGIN, {"username": "ann", "password": WRONG}
        )
    assert not logged_in(attempt(RIGHT, address=CLINIC))
    assert logged_in(attempt(RIGHT, address=ELSEWHERE))


def test_attempts_during_a_lockout_do_not_extend_it(therapist_user: User) -> None:
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(WRONG)
    locked_at = AccessAttempt.objects.get().attempt_time
    for _ in range(3):
        attempt(WRONG)
        attempt(RIGHT)
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_the_trusted_proxy_count_sets_the_address_settings_the_tests_above_use() -> None:
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT, list(s.AXES_IPWARE_META_PRECEDENCE_ORDER))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DJANGO_TRUSTED_PROXY_COUNT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    expected = BEHIND_ONE_PROXY
    assert out == (
        f"{expected['AXES_IPWARE_PROXY_COUNT']} {expected['AXES_IPWARE_META_PRECEDENCE_ORDER']}"
    )
