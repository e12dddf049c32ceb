"""Password reset: linked from the login page, mailed with the configured backend, working."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_links_to_password_reset(client: Client) -> None:
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()


def test_a_reset_mail_lets_the_user_choose_a_new_password_and_log_in(client: Client) -> None:
    user: User = UserFactory.create(username="ann", email="ann@example.org")
    user.save()

    page = client.get("/accounts/password_reset/").content.decode()
    assert "Django site admin" not in page
    response = client.post("/accounts/password_reset/", {"email": "ann@example.org"})
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link
    form_page = client.get(link.group(1), follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a-new-pass-2026!", "new_password2": "a-new-pass-2026!"},
    )
    assert done.status_code == 302

    assert Client().login(username="ann", password="a-new-pass-2026!")
