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

from practice.models import Episode, Patient, TreatmentSession
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


# ------------------------------------------------------------- corrections without the admin


def test_a_therapist_corrects_a_session_and_the_history_keeps_why(
    therapist_client: Client, clinic: Clinic
) -> None:
    session = clinic.episode.sessions.order_by("date").last()
    assert session is not None
    url = reverse("practice:session_edit", args=[clinic.patient.pk, session.pk])
    new_day = session.date + timedelta(days=1)

    response = therapist_client.post(
        url,
        {
            "action": "correct",
            "episode": clinic.episode.pk,
            "date": new_day.isoformat(),
            "minutes": 45,
            "reason": "typed the wrong day",
        },
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.date, session.minutes) == (new_day, 45)
    latest = session.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (
        "typed the wrong day",
        clinic.therapist.user,
    )


def test_a_therapist_cancels_a_session_with_a_reason(
    therapist_client: Client, clinic: Clinic
) -> None:
    session = clinic.episode.sessions.order_by("date").last()
    assert session is not None
    url = reverse("practice:session_edit", args=[clinic.patient.pk, session.pk])

    refused = therapist_client.post(url, {"action": "cancel", "cancel-reason": ""})
    assert refused.status_code == 200  # a reason is required
    therapist_client.post(url, {"action": "cancel", "cancel-reason": "patient did not come"})

    session.refresh_from_db()
    assert session.cancelled_at is not None
    assert session.cancel_reason == "patient did not come"
    assert session.history.latest().history_change_reason == "patient did not come"
    assert therapist_client.get(url).status_code == 404  # cancelled: nothing left to correct


def test_another_practices_session_cannot_be_corrected(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    other = cast(Episode, EpisodeFactory(patient=PatientFactory(), title="Elsewhere"))
    session = cast(TreatmentSession, SessionFactory(episode=other, date=today))
    url = reverse("practice:session_edit", args=[other.patient.pk, session.pk])
    assert therapist_client.get(url).status_code == 404
    mixed = reverse("practice:session_edit", args=[clinic.patient.pk, session.pk])
    assert therapist_client.get(mixed).status_code == 404


def test_the_record_form_warns_before_saving_a_second_session_that_day(
    therapist_client: Client, clinic: Clinic
) -> None:
    taken = clinic.episode.sessions.order_by("date").last()
    assert taken is not None
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    data = {
        "episode": clinic.episode.pk,
        "date": taken.date.isoformat(),
        "minutes": 30,
        "place": "practice",
        "action": "save",
    }
    count = clinic.episode.sessions.count()

    first = therapist_client.post(url, data)

    assert first.status_code == 200
    assert "This patient already has a session on" in _text(first)
    assert clinic.episode.sessions.count() == count
    # Confirmed for another day, the confirmation does not carry over.
    other_day = {**data, "same_day_confirmed": "2000-01-01"}
    assert therapist_client.post(url, other_day).status_code == 200
    assert clinic.episode.sessions.count() == count

    confirmed = therapist_client.post(url, {**data, "same_day_confirmed": data["date"]})

    assert confirmed.status_code == 302
    assert clinic.episode.sessions.count() == count + 1
