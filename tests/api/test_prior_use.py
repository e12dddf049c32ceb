"""/api/v1/prior-use and coverage used_elsewhere: what another practice already used."""

from __future__ import annotations

from datetime import date

from rest_framework.test import APIClient

from practice.models import Practice, PriorUse
from tests.api.conftest import errors
from tests.factories import EpisodeFactory, PatientFactory, PrescriptionFactory, SessionFactory


def test_a_years_use_elsewhere_is_set_once_and_updated_on_repeat(
    api: APIClient, practice: Practice
):
    patient = PatientFactory.create(practice=practice)
    body = {"patient": patient.pk, "year": 2026, "situations": 1, "overflow": 4}

    first = api.post("/api/v1/prior-use", body, format="json")
    again = api.post("/api/v1/prior-use", {**body, "overflow": 6}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert PriorUse.objects.get().overflow == 6


def test_a_dutch_patient_has_no_prior_use_rows(nl_api: APIClient, nl_practice: Practice):
    patient = PatientFactory.create(practice=nl_practice)

    response = nl_api.post(
        "/api/v1/prior-use", {"patient": patient.pk, "year": 2026}, format="json"
    )

    assert response.status_code == 400
    assert set(errors(response)) == {"patient"}


def test_a_situation_treated_elsewhere_makes_this_one_the_second_of_the_year(
    api: APIClient, practice: Practice
):
    """C6 with situations_elsewhere: the practice's only situation needs an agreement."""
    episode = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=episode, date=date(2026, 3, 2))
    SessionFactory.create(episode=episode, date=date(2026, 3, 3))
    quota = f"/api/v1/patients/{episode.patient_id}/quota"
    before = api.get(quota, {"as_of": "2026-03-31"}).json()

    api.post(
        "/api/v1/prior-use",
        {"patient": episode.patient_id, "year": 2026, "situations": 1},
        format="json",
    )
    after = api.get(quota, {"as_of": "2026-03-31"}).json()

    assert before["sessions"][0]["status"] == "best"
    assert after["sessions"][0]["status"] == "pending"
    assert "agreement_missing" in {w["code"] for w in after["warnings"]}


def test_the_quota_says_how_many_sessions_were_at_another_practice(
    api: APIClient, practice: Practice
):
    episode = EpisodeFactory.create(patient__practice=practice, prior_sessions={"2026": 7})
    PrescriptionFactory.create(episode=episode, date=date(2026, 3, 2))
    SessionFactory.create(episode=episode, date=date(2026, 3, 3))

    body = api.get(f"/api/v1/patients/{episode.patient_id}/quota", {"as_of": "2026-03-31"}).json()

    (quota,) = body["quotas"]
    assert (quota["used"], quota["elsewhere"]) == (8, 7)
    assert body["sessions"][0]["ordinal"] == 8
