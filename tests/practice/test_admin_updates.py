"""Corrections in the admin go through the same update services as the API's PATCH."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.models import Prescription
from tests.factories import PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    user = User.objects.create_superuser("root", "root@example.org", "secret-pass-123")
    client = Client()
    client.force_login(user)
    return client


def _change(client: Client, prescription: Prescription, **fields: str) -> Any:
    body = {
        "date": "2025-02-03",
        "sessions": "18",
        "prescriber": "",
        "prescriber_number": "",
        **fields,
    }
    url = reverse("admin:practice_prescription_change", args=[prescription.pk])
    return client.post(url, body)


def test_a_prescription_correction_is_checked_by_the_update_service(superuser_client: Client):
    prescription = PrescriptionFactory.create(sessions=18)

    response = _change(superuser_client, prescription, sessions="0")

    assert response.status_code == 200  # the form again, with the service's message
    errors = response.context["adminform"].form.errors
    assert errors["sessions"] == ["a prescription prescribes at least one session"]
    prescription.refresh_from_db()
    assert prescription.sessions == 18


def test_a_prescription_correction_is_saved_with_its_history(superuser_client: Client):
    prescription = PrescriptionFactory.create(sessions=18)

    response = _change(superuser_client, prescription, sessions="9")

    assert response.status_code == 302
    prescription.refresh_from_db()
    assert prescription.sessions == 9
    assert prescription.history.count() == 2
