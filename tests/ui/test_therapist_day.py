"""Issue 18: the screens agree with the rules, and Needs attention says what to do.

Through the Django test client against the real engine; the browser tests are in
``test_browser_day.py``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from practice.models import Patient
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
)
from tests.ui.conftest import Clinic

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def passed_over_patient(clinic: Clinic, today: date) -> Any:
    """A patient treated under an older prescription with 2 sessions left, whose newer
    prescription was never started by its deadline (the demo's Wouters)."""
    patient = PatientFactory(practice=clinic.practice, first_name="Marc", last_name="Wouters")
    neck = EpisodeFactory(patient=patient, title="Neck", category="courante")
    PrescriptionFactory(episode=neck, date=today - timedelta(days=100), sessions=10)
    PrescriptionFactory(
        episode=neck, date=today - timedelta(days=90), sessions=10, prescriber="Dr. Late"
    )
    for n in range(8):  # under the first prescription; the last one 39 days ago
        SessionFactory(
            episode=neck, therapist=clinic.therapist, date=today - timedelta(days=95 - 8 * n)
        )
    return patient


def test_a_patient_whose_next_sessions_would_not_be_reimbursed_needs_attention(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    patient = passed_over_patient(clinic, today)

    text = _text(therapist_client.get(reverse("practice:attention")))

    row = text[text.index("Wouters, Marc") - 60 :]
    assert "New prescription needed soon" in row
    assert "Only 2 prescribed sessions left that can be reimbursed" in row
    prescribed = (today - timedelta(days=90)).strftime("%d/%m/%Y")
    assert f"The prescription of {prescribed} was not started by" in row
    assert "To do: Ask the doctor for a new prescription." in row
    assert patient.pk


def test_the_patient_page_says_a_repeated_warning_once_with_what_to_do(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    """Every session under a late prescription warns: the page folds them into one line."""
    patient = cast(Patient, PatientFactory(practice=clinic.practice, last_name="Goossens"))
    shoulder = EpisodeFactory(patient=patient, title="Shoulder", category="courante")
    PrescriptionFactory(episode=shoulder, date=today - timedelta(days=100), sessions=9)
    for n in range(3):
        SessionFactory(episode=shoulder, therapist=clinic.therapist, date=today - timedelta(n))

    text = _text(therapist_client.get(reverse("practice:patient", args=[patient.pk])))

    assert text.count("Prescription started too late") == 1
    assert "(and 2 more sessions)" in text
    assert "To do: Ask the doctor for a new prescription." in text


def test_a_passed_over_prescription_card_says_it_covers_nothing(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    patient = passed_over_patient(clinic, today)

    html = therapist_client.get(reverse("practice:patient", args=[patient.pk])).content.decode()

    cards = re.findall(r'<li class="rx rx--(\w+)">(.*?)</li>', html, flags=re.S)
    assert [state for state, _ in cards] == ["low", "passed_over"]
    assert "Covers nothing" in cards[1][1]
    assert "10 left" not in cards[1][1]
