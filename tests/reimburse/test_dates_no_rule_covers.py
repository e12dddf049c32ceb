"""A stored session dated where no rule table reaches (issue 12, item 8) is one known condition:
every screen shows what the rules do cover and says which dates they do not; never a 500."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from practice.models import Episode, Patient, Therapist
from reimburse.selectors import practice_warnings
from reimburse.services import patient_status
from tests.api.conftest import client_for
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)
OLD = date(2010, 5, 3)  # before every Dutch rule table (the chronic list is tabled from 2012)


def _text(response: Any) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def patient() -> Patient:
    """A Dutch chronic patient with one session in 2010 and three in 2025."""
    practice = PracticeFactory.create(country="NL")
    patient = PatientFactory.create(practice=practice, birth_date=date(1958, 2, 11))
    episode = EpisodeFactory.create(
        patient=patient, category=Episode.Category.CHRONIC, condition="cva", title="CVA"
    )
    SessionFactory.create(episode=episode, date=OLD)
    for day in (3, 10, 17):
        SessionFactory.create(episode=episode, date=date(2025, 3, day))
    return patient


def test_the_bridge_evaluates_the_covered_sessions_and_names_the_uncovered_dates(
    patient: Patient,
) -> None:
    result = patient_status(patient=patient, as_of=AS_OF)

    assert [o.date for o in result.sessions] == [
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
    ]
    (unknown,) = [w for w in result.warnings if w.code == "rules_unknown"]
    assert unknown.severity == "blocking"
    assert unknown.params == {"count": 1, "dates": (OLD,)}
    # The uncovered session counts nowhere: the chronic term starts at the first covered one.
    assert [o.ordinal for o in result.sessions] == [1, 2, 3]


def test_the_patient_page_lists_the_session_as_not_judged_instead_of_failing(
    client: Client, patient: Patient
) -> None:
    therapist = TherapistFactory.create(practice=patient.practice, role=Therapist.Role.THERAPIST)
    client.force_login(therapist.user)

    response = client.get(reverse("practice:patient", args=[patient.pk]))

    assert response.status_code == 200
    text = _text(response)
    assert "No rule known" in text
    assert "No reimbursement rules are known for this date." in text


def test_the_quota_api_answers_200_with_the_rules_unknown_warning(patient: Patient) -> None:
    api = client_for(patient.practice)

    response = api.get(f"/api/v1/patients/{patient.pk}/quota", {"as_of": AS_OF.isoformat()})

    assert response.status_code == 200
    body = response.json()
    assert len(body["sessions"]) == 3
    assert [w["code"] for w in body["warnings"]].count("rules_unknown") == 1


def test_needs_attention_shows_an_uncovered_session_within_the_claims_horizon() -> None:
    """COPD caps are tabled from 2019 (the scheme's start): a 2018 session, seen from mid-2019,
    is still actionable."""
    practice = PracticeFactory.create(country="NL")
    patient = PatientFactory.create(practice=practice, last_name="Bakker")
    copd = EpisodeFactory.create(patient=patient, category=Episode.Category.COPD, gold_class="B1")
    SessionFactory.create(episode=copd, date=date(2018, 3, 3))
    SessionFactory.create(episode=copd, date=date(2019, 3, 3))

    rows = practice_warnings(practice=practice, as_of=date(2019, 6, 30))

    codes = [str(r.code) for r in rows]
    assert codes.count("rules_unknown") == 1
    (unknown,) = [r for r in rows if r.code == "rules_unknown"]
    assert unknown.params == {"count": 1, "dates": ["2018-03-03"]}
    # The covered session is still judged: the COPD episode has no referral.
    assert "referral_missing" in codes


def test_needs_attention_leaves_out_an_uncovered_session_beyond_the_horizon(
    patient: Patient,
) -> None:
    """Like every warning naming a session before 1 January of last year (A8)."""
    rows = practice_warnings(practice=patient.practice, as_of=AS_OF)
    assert "rules_unknown" not in [r.code for r in rows]
