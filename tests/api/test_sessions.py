"""/api/v1/sessions: record (idempotent by external_id), read, list, cancel (never delete)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Episode, Practice, Therapist, TreatmentSession
from tests.api.conftest import errors
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
)


@pytest.fixture
def episode(practice: Practice) -> Episode:
    return EpisodeFactory.create(patient__practice=practice)


@pytest.fixture
def therapist(practice: Practice) -> Therapist:
    return TherapistFactory.create(practice=practice)


def _record(api: APIClient, episode: Episode, /, **fields: Any) -> Any:
    body = {"episode": episode.pk, "date": "2025-02-05", **fields}
    return api.post("/api/v1/sessions", body, format="json")


def test_recording_a_session_answers_201(api: APIClient, episode: Episode, therapist: Therapist):
    response = _record(api, episode, therapist=therapist.pk, minutes=20, external_id="s-1")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"
    assert body["patient"] == episode.patient_id
    assert (body["minutes"], body["place"], body["price"]) == (20, "practice", None)


def test_repeating_a_create_with_the_same_external_id_returns_the_session(
    api: APIClient, episode: Episode
):
    first = _record(api, episode, external_id="s-1")
    again = _record(api, episode, external_id="s-1")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert TreatmentSession.objects.count() == 1


def test_a_repeat_with_another_date_is_409_naming_both_dates(api: APIClient, episode: Episode):
    _record(api, episode, external_id="s-1")
    again = _record(api, episode, external_id="s-1", date="2025-12-30")

    assert again.status_code == 409
    assert errors(again) == {
        "date": "differs from the row already stored under this id: "
        "stored 2025-02-05, sent 2025-12-30"
    }


def test_another_patients_session_id_is_409_not_their_session(
    api: APIClient, episode: Episode, practice: Practice
):
    other = EpisodeFactory.create(patient__practice=practice)
    _record(api, other, external_id="s-10")

    again = _record(api, episode, external_id="s-10")

    assert again.status_code == 409
    assert list(errors(again)) == ["episode"]
    assert TreatmentSession.objects.get().episode_id == other.pk


def test_a_price_is_money_as_a_string(api: APIClient, episode: Episode):
    response = _record(api, episode, price="40.5")

    assert response.json()["price"] == "40.50"


def test_a_session_before_its_prescriptions_date_is_400(api: APIClient, episode: Episode):
    prescription = PrescriptionFactory.create(episode=episode, date="2025-03-01")

    response = _record(api, episode, prescription=prescription.pk, date="2025-02-27")

    assert response.status_code == 400
    assert errors(response) == {
        "date": "the session (2025-02-27) is before its prescription's date (2025-03-01)"
    }
    assert not TreatmentSession.objects.exists()


def test_a_session_on_its_prescriptions_date_is_recorded(api: APIClient, episode: Episode):
    prescription = PrescriptionFactory.create(episode=episode, date="2025-03-01")

    response = _record(api, episode, prescription=prescription.pk, date="2025-03-01")

    assert response.status_code == 201


def test_a_prescription_of_another_episode_is_400(api: APIClient, episode: Episode):
    other = PrescriptionFactory.create(episode__patient=episode.patient)

    response = _record(api, episode, prescription=other.pk)

    assert errors(response) == {"prescription": f"prescription {other.pk} is of another episode"}


def test_an_episode_of_another_patient_is_400(api: APIClient, episode: Episode):
    other_patient = PatientFactory.create(practice=episode.patient.practice)

    response = _record(api, episode, patient=other_patient.pk)

    assert response.status_code == 400
    assert errors(response) == {"episode": f"episode {episode.pk} belongs to another patient"}


def test_another_practices_episode_and_therapist_are_refused(
    api: APIClient, episode: Episode, stranger: Practice
):
    foreign_episode = EpisodeFactory.create(patient__practice=stranger)
    foreign_therapist = TherapistFactory.create(practice=stranger)

    response = _record(api, foreign_episode, therapist=foreign_therapist.pk)

    assert response.status_code == 400
    assert errors(response) == {
        "episode": f"no episode with id {foreign_episode.pk} in this practice",
        "therapist": f"no therapist with id {foreign_therapist.pk} in this practice",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": "2025-02-30"}, "date"),
        ({"date": None}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"minutes": -5}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": "half an hour"}, "minutes"),
        ({"place": "garden"}, "place"),
        ({"price": "-1.00"}, "price"),
        ({"price": "1.234"}, "price"),
        ({"episode": "abc"}, "episode"),
        ({"external_id": "x" * 101}, "external_id"),
    ],
)
def test_invalid_values_name_their_field(
    api: APIClient, episode: Episode, fields: dict[str, Any], field: str
):
    response = _record(api, episode, **fields)

    assert response.status_code == 400
    assert list(errors(response)) == [field]


def test_an_impossible_date_is_called_not_a_date(api: APIClient, episode: Episode):
    response = _record(api, episode, date="2025-02-30")

    assert errors(response) == {"date": "not a date: '2025-02-30'; expected YYYY-MM-DD"}


def test_an_unknown_place_lists_the_known_ones(api: APIClient, episode: Episode):
    response = _record(api, episode, place="garden")

    assert errors(response) == {"place": 'unknown value "garden"; expected one of practice, home'}


def test_cancelling_keeps_the_session_with_who_and_why(api: APIClient, episode: Episode):
    session = SessionFactory.create(episode=episode)

    response = api.post(
        f"/api/v1/sessions/{session.pk}/cancel", {"reason": "patient ill"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    session.refresh_from_db()
    assert session.cancel_reason == "patient ill"
    assert session.cancelled_by is not None
    assert Therapist.objects.get(user=session.cancelled_by).practice == episode.patient.practice


def test_cancelling_twice_changes_nothing(api: APIClient, episode: Episode):
    session = SessionFactory.create(episode=episode)
    first = api.post(f"/api/v1/sessions/{session.pk}/cancel", {"reason": "a"}, format="json")

    again = api.post(f"/api/v1/sessions/{session.pk}/cancel", {"reason": "b"}, format="json")

    assert again.status_code == 200
    assert again.json()["cancelled_at"] == first.json()["cancelled_at"]
    assert again.json()["cancel_reason"] == "a"


def test_cancelling_another_practices_session_is_404(api: APIClient, stranger: Practice):
    session = SessionFactory.create(episode__patient__practice=stranger)

    response = api.post(f"/api/v1/sessions/{session.pk}/cancel", {}, format="json")

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.cancelled_at is None


def test_sessions_are_cancelled_not_deleted(api: APIClient, episode: Episode):
    session = SessionFactory.create(episode=episode)

    response = api.delete(f"/api/v1/sessions/{session.pk}")

    assert response.status_code == 405
    assert TreatmentSession.objects.filter(pk=session.pk).exists()


def test_another_practices_session_is_404(api: APIClient, stranger: Practice):
    session = SessionFactory.create(episode__patient__practice=stranger)

    assert api.get(f"/api/v1/sessions/{session.pk}").status_code == 404


def test_the_list_filters_by_status_date_range_therapist_and_category(
    api: APIClient, episode: Episode, therapist: Therapist, stranger: Practice
):
    kept = SessionFactory.create(episode=episode, therapist=therapist, date="2025-02-10")
    SessionFactory.create(episode=episode, therapist=therapist, date="2025-01-10")
    cancelled = SessionFactory.create(episode=episode, therapist=therapist, date="2025-02-11")
    api.post(f"/api/v1/sessions/{cancelled.pk}/cancel", {}, format="json")
    SessionFactory.create(episode__patient__practice=stranger, date="2025-02-10")

    def ids(**params: Any) -> list[int]:
        return [s["id"] for s in api.get("/api/v1/sessions", params).json()["results"]]

    assert ids(status="active", date_after="2025-02-01") == [kept.pk]
    assert ids(status="cancelled") == [cancelled.pk]
    assert ids(therapist=therapist.pk, category="courante", date_before="2025-01-31") != []
    assert ids(category="fa") == []
    assert ids(patient=episode.patient_id, ordering="-date")[0] == cancelled.pk


@pytest.mark.parametrize(
    "params", [{"status": "deleted"}, {"date_after": "soon"}, {"therapist": "1.5"}]
)
def test_invalid_filters_are_400(api: APIClient, params: dict[str, str]):
    response = api.get("/api/v1/sessions", params)

    assert response.status_code == 400
    assert list(errors(response)) == list(params)


def test_unauthenticated_is_401(anonymous: APIClient, episode: Episode):
    session = SessionFactory.create(episode=episode)

    assert anonymous.get("/api/v1/sessions").status_code == 401
    assert _record(anonymous, episode).status_code == 401
    assert anonymous.post(f"/api/v1/sessions/{session.pk}/cancel").status_code == 401


def test_a_session_carries_its_kind_of_treatment(api: APIClient, episode: Episode):
    """Issue 15 item 7: manual therapy counts toward a package's sub-limit (A4)."""
    default = _record(api, episode, date="2025-03-10")
    manual = _record(api, episode, date="2025-03-11", kind="manual_therapy")

    assert (default.status_code, manual.status_code) == (201, 201)
    assert (default.json()["kind"], manual.json()["kind"]) == ("physiotherapy", "manual_therapy")
    assert TreatmentSession.objects.get(pk=manual.json()["id"]).kind == "manual_therapy"


def test_an_unknown_kind_is_400(api: APIClient, episode: Episode):
    response = _record(api, episode, date="2025-03-10", kind="dry_needling")

    assert response.status_code == 400
    assert "kind" in errors(response)
