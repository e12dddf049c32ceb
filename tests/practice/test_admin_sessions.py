"""The admin's sessions list against the real engine (``test_admin`` stubs it)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.models import Practice, Therapist
from tests.factories import (
    EpisodeFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(name="Kine Gent", country="BE")


@pytest.fixture
def clinic_client(practice: Practice) -> Client:
    user: User = UserFactory.create(username="clinic-admin", is_staff=True)
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


def test_the_sessions_list_tells_two_sessions_of_one_day_apart(
    clinic_client: Client, practice: Practice
) -> None:
    """Its id and how it is reimbursed: the second of the day is the one not reimbursed."""
    episode = EpisodeFactory.create(patient__practice=practice, category="courante")
    PrescriptionFactory.create(episode=episode, date=date(2026, 1, 5), sessions=9)
    first = SessionFactory.create(episode=episode, date=date(2026, 1, 6))
    second = SessionFactory.create(episode=episode, date=date(2026, 1, 6))

    response = clinic_client.get(reverse("admin:practice_treatmentsession_changelist"))

    rows = re.findall(r"<tr>.*?</tr>", response.content.decode(), flags=re.S)
    row = {pk: next(r for r in rows if f'value="{pk}"' in r) for pk in (first.pk, second.pk)}
    assert "Best rate" in row[first.pk]
    assert "Not reimbursed" in row[second.pk]
    assert f">{second.pk}</a>" in row[second.pk]  # the id, linking to the session
