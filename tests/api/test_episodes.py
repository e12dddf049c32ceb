"""/api/v1/episodes: open (idempotent by external_id), read, change, list."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Episode, Patient, Practice
from tests.api.conftest import errors
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
)


@pytest.fixture
def patient(practice: Practice) -> Patient:
    return PatientFactory.create(practice=practice)


def _create(api: APIClient, patient: Patient, **fields: Any) -> Any:
    body = {"patient": patient.pk, "title": "Low back", "category": "courante", **fields}
    return api.post("/api/v1/episodes", body, format="json")


def test_opening_an_episode_answers_201(api: APIClient, patient: Patient):
    response = _create(api, patient, external_id="ep-1")

    assert response.status_code == 201
    assert response.json()["patient"] == patient.pk
    assert Episode.objects.get().category == "courante"


def test_repeating_a_create_with_the_same_external_id_returns_the_episode(
    api: APIClient, patient: Patient
):
    first = _create(api, patient, external_id="ep-1")
    again = _create(api, patient, external_id="ep-1")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Episode.objects.count() == 1


def test_a_repeat_for_another_patient_is_409_naming_the_patient(
    api: APIClient, patient: Patient, practice: Practice
):
    _create(api, PatientFactory.create(practice=practice), external_id="ep-1")

    again = _create(api, patient, external_id="ep-1")

    assert again.status_code == 409
    assert list(errors(again)) == ["patient"]
    assert Episode.objects.count() == 1


def test_a_fa_episode_with_its_notification(api: APIClient, patient: Patient):
    response = _create(api, patient, category="fa", pathology="fa-3", notified_on="2025-03-01")

    assert response.status_code == 201
    assert response.json()["notified_on"] == "2025-03-01"


def test_an_unknown_category_lists_the_known_ones(api: APIClient, patient: Patient):
    response = _create(api, patient, category="courant")

    assert response.status_code == 400
    assert errors(response)["category"].startswith('unknown value "courant"; expected one of')


def test_a_dutch_category_in_a_belgian_practice_is_400(api: APIClient, patient: Patient):
    response = _create(api, patient, category="chronic")

    assert response.status_code == 400
    assert "category" in errors(response)


def test_a_fa_episode_needs_its_list_code(api: APIClient, patient: Patient):
    response = _create(api, patient, category="fa")

    assert response.status_code == 400
    assert errors(response) == {
        "pathology": "a pathology-situation code is required for category 'fa'"
    }


def test_an_official_code_of_another_category_is_400(api: APIClient, patient: Patient):
    response = _create(api, patient, category="courante", pathology="e-h-2")

    assert response.status_code == 400
    assert errors(response) == {
        "pathology": "the code 'e-h-2' is not for 'courante' episodes; expected co-*"
    }


def test_sessions_at_another_practice_are_given_per_year(api: APIClient, patient: Patient):
    response = _create(
        api,
        patient,
        pathology="co-1-3-4-0",
        prior_sessions={"2026": 7},
        first_session_on="2026-01-12",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["prior_sessions"] == {"2026": 7}
    bad = _create(api, patient, prior_sessions={"2026": "seven"})
    assert bad.status_code == 400
    assert set(errors(bad)) == {"prior_sessions.2026"}


def test_an_invalid_date_and_a_negative_count_are_400(api: APIClient, patient: Patient):
    response = _create(api, patient, notified_on="2025-13-01", prior_treatments=-1)

    assert response.status_code == 400
    assert set(errors(response)) == {"notified_on", "prior_treatments"}


def test_another_practices_patient_is_refused(api: APIClient, stranger: Practice):
    foreign = PatientFactory.create(practice=stranger)

    response = _create(api, foreign)

    assert response.status_code == 400
    assert errors(response) == {"patient": f"no patient with id {foreign.pk} in this practice"}
    assert not Episode.objects.exists()


def test_a_change_is_validated_like_a_create(api: APIClient, patient: Patient):
    episode = EpisodeFactory.create(patient=patient)

    response = api.patch(f"/api/v1/episodes/{episode.pk}", {"category": "fa"}, format="json")

    assert response.status_code == 400
    assert "pathology" in errors(response)


def test_an_episode_cannot_move_to_another_patient(api: APIClient, patient: Patient):
    episode = EpisodeFactory.create(patient=patient)

    response = api.patch(f"/api/v1/episodes/{episode.pk}", {"patient": 1}, format="json")

    assert errors(response) == {"patient": "cannot be changed"}


def test_another_practices_episode_is_404(api: APIClient, stranger: Practice):
    episode = EpisodeFactory.create(patient__practice=stranger)

    assert api.get(f"/api/v1/episodes/{episode.pk}").status_code == 404
    assert api.patch(f"/api/v1/episodes/{episode.pk}", {}, format="json").status_code == 404


def test_the_list_filters_by_patient_and_category(
    api: APIClient, patient: Patient, practice: Practice
):
    wanted = EpisodeFactory.create(patient=patient, category="fb", pathology="fb-51")
    EpisodeFactory.create(patient=patient)
    EpisodeFactory.create(patient__practice=practice, category="fb", pathology="fb-51")

    body = api.get("/api/v1/episodes", {"patient": str(patient.pk), "category": "fb"}).json()

    assert [e["id"] for e in body["results"]] == [wanted.pk]


def test_an_unknown_category_filter_is_400(api: APIClient):
    response = api.get("/api/v1/episodes", {"category": "nope"})

    assert response.status_code == 400
    assert "category" in errors(response)


def test_unauthenticated_is_401(anonymous: APIClient, patient: Patient):
    assert anonymous.get("/api/v1/episodes").status_code == 401
    assert _create(anonymous, patient).status_code == 401
