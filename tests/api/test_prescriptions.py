"""/api/v1/prescriptions (BE): record (idempotent by external_id), read, list."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Episode, Practice, Prescription
from tests.api.conftest import errors
from tests.factories import (
    EpisodeFactory,
    PrescriptionFactory,
)


@pytest.fixture
def episode(practice: Practice) -> Episode:
    return EpisodeFactory.create(patient__practice=practice)


def _create(api: APIClient, episode: Episode, **fields: Any) -> Any:
    body = {"episode": episode.pk, "date": "2025-02-03", "sessions": 9, **fields}
    return api.post("/api/v1/prescriptions", body, format="json")


def test_recording_a_prescription_answers_201(api: APIClient, episode: Episode):
    response = _create(api, episode, prescriber="Dr. Maes")

    assert response.status_code == 201
    assert response.json()["patient"] == episode.patient_id
    assert Prescription.objects.get().sessions == 9


def test_repeating_a_create_with_the_same_external_id_returns_the_prescription(
    api: APIClient, episode: Episode
):
    first = _create(api, episode, external_id="rx-1")
    again = _create(api, episode, external_id="rx-1")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Prescription.objects.count() == 1


def test_a_repeat_with_other_sessions_is_409_naming_them(api: APIClient, episode: Episode):
    _create(api, episode, external_id="rx-1")
    again = _create(api, episode, external_id="rx-1", sessions=18)

    assert again.status_code == 409
    assert errors(again) == {
        "sessions": "differs from the row already stored under this id: stored 9, sent 18"
    }
    assert Prescription.objects.get().sessions == 9


@pytest.mark.parametrize("sessions", [0, -3])
def test_a_prescription_prescribes_at_least_one_session(
    api: APIClient, episode: Episode, sessions: int
):
    response = _create(api, episode, sessions=sessions)

    assert response.status_code == 400
    assert errors(response) == {"sessions": "a prescription prescribes at least one session"}


def test_an_invalid_date_is_400(api: APIClient, episode: Episode):
    response = _create(api, episode, date="2025-02-30")

    assert response.status_code == 400
    assert "date" in errors(response)


def test_another_practices_episode_is_refused(api: APIClient, stranger: Practice):
    foreign = EpisodeFactory.create(patient__practice=stranger)

    response = _create(api, foreign)

    assert response.status_code == 400
    assert errors(response) == {"episode": f"no episode with id {foreign.pk} in this practice"}


def test_dutch_practices_record_no_prescriptions(nl_api: APIClient, nl_practice: Practice):
    episode = EpisodeFactory.create(patient__practice=nl_practice, category="regular")

    response = _create(nl_api, episode)

    assert response.status_code == 400
    assert errors(response) == {"episode": "prescriptions are recorded for Belgian practices only"}


def test_another_practices_prescription_is_404(api: APIClient, stranger: Practice):
    prescription = PrescriptionFactory.create(episode__patient__practice=stranger)

    assert api.get(f"/api/v1/prescriptions/{prescription.pk}").status_code == 404


def test_the_list_filters_by_patient_and_date_range(api: APIClient, episode: Episode):
    PrescriptionFactory.create(episode=episode, date="2025-01-10")
    wanted = PrescriptionFactory.create(episode=episode, date="2025-02-10")
    PrescriptionFactory.create(
        episode__patient__practice=episode.patient.practice, date="2025-02-10"
    )

    body = api.get(
        "/api/v1/prescriptions",
        {
            "patient": str(episode.patient_id),
            "date_after": "2025-02-01",
            "date_before": "2025-02-28",
        },
    ).json()

    assert [p["id"] for p in body["results"]] == [wanted.pk]


def test_prescriptions_are_corrected_not_replaced_or_deleted(api: APIClient, episode: Episode):
    prescription = PrescriptionFactory.create(episode=episode)

    assert api.put(f"/api/v1/prescriptions/{prescription.pk}", {}).status_code == 405
    assert api.delete(f"/api/v1/prescriptions/{prescription.pk}").status_code == 405


def test_unauthenticated_is_401(anonymous: APIClient, episode: Episode):
    assert anonymous.get("/api/v1/prescriptions").status_code == 401
    assert _create(anonymous, episode).status_code == 401
