"""/api/v1/agreement-requests: prepare, list, ready to send, record the fund's decision."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import AgreementRequest, Episode, Practice, Prescription
from tests.api.conftest import errors
from tests.factories import (
    AgreementRequestFactory,
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
)

WFI_004 = "WFI_AGREE_SRV_PHYSIO_004"
WFI_TEXT = "Justificatif manquant concernant la situation pathologique précédente"


@pytest.fixture
def knee(practice: Practice) -> Episode:
    """A 2nd courante situation of the year (knee ligament injury, left)."""
    patient = PatientFactory.create(practice=practice)
    return EpisodeFactory.create(patient=patient, title="Knee", pathology="co-3-2-5-1")


@pytest.fixture
def knee_rx(knee: Episode) -> Prescription:
    return PrescriptionFactory.create(
        episode=knee, date=date(2026, 2, 2), sessions=9, prescriber_number="19876543210"
    )


@pytest.fixture
def back_rx(knee: Episode) -> Prescription:
    """The previous situation's prescription (another episode of the same patient)."""
    back = EpisodeFactory.create(patient=knee.patient, title="Back", pathology="co-1-3-4-0")
    return PrescriptionFactory.create(
        episode=back, date=date(2026, 1, 5), sessions=9, prescriber_number="10000000000"
    )


def _prepare(api: APIClient, episode: Episode, **fields: Any) -> Any:
    return api.post("/api/v1/agreement-requests", {"episode": episode.pk, **fields}, format="json")


def _decide(api: APIClient, request_id: int, **fields: Any) -> Any:
    body = {"decision_id": "100000000123", "status": "agreement", **fields}
    return api.post(f"/api/v1/agreement-requests/{request_id}/decision", body, format="json")


def test_a_prepared_request_is_a_draft_of_the_episodes_type_with_its_latest_prescription(
    api: APIClient, knee: Episode, knee_rx: Prescription
):
    response = _prepare(api, knee, assessment_dates=["2026-02-03"])

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "physiotherapy-common-2-and-more"
    assert body["status"] == "draft"
    assert body["prescription"] == knee_rx.pk
    assert body["assessment_dates"] == ["2026-02-03"]
    assert body["patient"] == knee.patient_id


def test_a_type_the_category_does_not_ask_for_is_400(api: APIClient, knee: Episode):
    response = _prepare(api, knee, kind="physiotherapy-fb")

    assert response.status_code == 400
    assert errors(response) == {
        "kind": "a 'courante' episode asks for physiotherapy-common-1, "
        "physiotherapy-common-2-and-more"
    }
    assert not AgreementRequest.objects.exists()


def test_more_than_five_assessment_dates_is_400(api: APIClient, knee: Episode):
    dates = [f"2026-02-0{d}" for d in range(1, 7)]

    response = _prepare(api, knee, assessment_dates=dates)

    assert response.status_code == 400
    assert set(errors(response)) == {"assessment_dates"}


def test_the_previous_prescription_must_be_of_another_situation(
    api: APIClient, knee: Episode, knee_rx: Prescription
):
    response = _prepare(api, knee, previous_prescription=knee_rx.pk)

    assert response.status_code == 400
    assert errors(response) == {
        "previous_prescription": "the prescription of another (previous) situation"
    }


def test_an_nl_episode_has_no_agreement_requests(nl_api: APIClient, nl_practice: Practice):
    episode = EpisodeFactory.create(patient__practice=nl_practice, category="regular")

    response = _prepare(nl_api, episode)

    assert response.status_code == 400
    assert set(errors(response)) == {"episode"}


def test_ready_lists_what_is_missing_and_the_content_in_eagreement_names(
    api: APIClient, knee: Episode, knee_rx: Prescription
):
    created = _prepare(api, knee, desired_start="2026-02-03").json()

    response = api.get(f"/api/v1/agreement-requests/{created['id']}/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is False
    # C8 / WFI_AGREE_SRV_PHYSIO_004: the onset date and the previous situation's prescription.
    assert [m["code"] for m in body["missing"]] == ["pathology_onset", "previous_prescription"]
    assert body["content"] == {
        "eAgreementType": "physiotherapy-common-2-and-more",
        "decisionId": None,
        "desiredStartDate": "2026-02-03",
        "pathologyOnsetDate": None,
        "assessmentCompletionDates": [],
        "pathologicalSituation": "co-3-2-5-1",
        "notes": None,
        "prescription": {
            "identification": None,
            "prescriber": "19876543210",
            "authoredOn": "2026-02-02",
            "quantity": 9,
        },
        "related": None,
        "attachment": [],
    }


def test_a_complete_request_is_ready(
    api: APIClient, knee: Episode, knee_rx: Prescription, back_rx: Prescription
):
    created = _prepare(
        api,
        knee,
        pathology_onset="2026-01-28",
        previous_prescription=back_rx.pk,
        annexes=[{"kind": "other", "title": "Overview of the situations"}],
    ).json()

    body = api.get(f"/api/v1/agreement-requests/{created['id']}/ready").json()

    assert body["ready"] is True and body["missing"] == []
    assert body["content"]["related"]["authoredOn"] == "2026-01-05"
    assert body["content"]["attachment"] == [
        {"kind": "other", "title": "Overview of the situations"}
    ]


def test_an_e_j_2_request_needs_the_medical_report_and_the_radiology_protocol(
    api: APIClient, practice: Practice
):
    episode = EpisodeFactory.create(
        patient__practice=practice, category="e", pathology="e-j-2", title="Bronchiectasis"
    )
    PrescriptionFactory.create(episode=episode, prescriber_number="19876543210")
    created = _prepare(api, episode, annexes=[{"kind": "medical-report"}]).json()

    body = api.get(f"/api/v1/agreement-requests/{created['id']}/ready").json()

    assert created["kind"] == "physiotherapy-e"
    assert body["missing"] == [
        {"code": "annex", "field": "attachment", "annex": "radiology-protocol"}
    ]


def test_recording_a_decision_sets_status_period_and_reason(api: APIClient, knee: Episode):
    request = AgreementRequestFactory.create(
        episode=knee, kind="physiotherapy-common-2-and-more", status="draft", granted_from=None,
        granted_until=None,
    )  # fmt: skip

    response = _decide(
        api,
        request.pk,
        status="wfi-physiotherapist",
        decision_date="2025-11-19",
        reason_code=WFI_004,
        reason_text=WFI_TEXT,
    )

    assert response.status_code == 200, response.json()
    request.refresh_from_db()
    assert (request.status, request.decision_id, request.reason_code) == (
        "wfi-physiotherapist",
        "100000000123",
        WFI_004,
    )
    assert request.history.count() == 2  # the draft and the decision


def test_the_same_decision_again_is_200_and_changes_nothing(api: APIClient, knee: Episode):
    request = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")
    body = {"decision_date": "2026-01-10", "granted_from": "2026-01-12"}
    first = _decide(api, request.pk, **body)
    versions = request.history.count()

    again = _decide(api, request.pk, **body)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert AgreementRequest.objects.count() == 1
    assert request.history.count() == versions


def test_the_same_decision_id_with_other_values_is_409_naming_the_fields(
    api: APIClient, knee: Episode
):
    request = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")
    _decide(api, request.pk, decision_date="2026-01-10", granted_from="2026-01-12")

    response = _decide(
        api, request.pk, decision_date="2026-01-10", granted_from="2026-01-15", reason_code="X"
    )

    assert response.status_code == 409
    assert set(errors(response)) == {"granted_from", "reason_code"}
    request.refresh_from_db()
    assert request.granted_from == date(2026, 1, 12)


def test_a_later_decision_with_the_same_id_is_the_next_step_of_the_request(
    api: APIClient, knee: Episode
):
    request = AgreementRequestFactory.create(
        episode=knee, kind="physiotherapy-common-2-and-more", status="draft", granted_from=None,
        granted_until=None,
    )  # fmt: skip
    _decide(api, request.pk, status="wfi-physiotherapist", decision_date="2025-11-19")

    response = _decide(api, request.pk, decision_date="2025-12-01", granted_from="2025-12-01")

    assert response.status_code == 200
    assert response.json()["status"] == "agreement"


def test_a_decision_id_recorded_on_another_request_is_409(api: APIClient, knee: Episode):
    first = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")
    second = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")
    _decide(api, first.pk, granted_from="2026-01-12")

    response = _decide(api, second.pk, granted_from="2026-01-12")

    assert response.status_code == 409
    assert errors(response) == {"decision_id": f"recorded on agreement request {first.pk}"}


def test_a_granted_decision_without_a_start_or_ending_before_it_is_400(
    api: APIClient, knee: Episode
):
    request = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")

    no_start = _decide(api, request.pk, granted_from=None)
    backwards = _decide(api, request.pk, granted_from="2026-02-01", granted_until="2026-01-01")
    wrong_kind = _decide(api, request.pk, granted_from="2026-02-01", kind="physiotherapy-e")

    assert errors(no_start) == {"granted_from": "an agreement starts on a day"}
    assert errors(backwards) == {"granted_until": "the agreement must start before it ends"}
    assert errors(wrong_kind) == {"kind": "this request is a 'physiotherapy-common-2-and-more'"}


def test_another_practices_request_is_404(api: APIClient, stranger: Practice):
    foreign = AgreementRequestFactory.create(episode__patient__practice=stranger)

    for response in (
        api.get(f"/api/v1/agreement-requests/{foreign.pk}"),
        api.get(f"/api/v1/agreement-requests/{foreign.pk}/ready"),
        _decide(api, foreign.pk, granted_from="2026-01-01"),
    ):
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.decision_id == ""


def test_the_list_filters_by_episode_and_status(api: APIClient, knee: Episode, practice: Practice):
    mine = AgreementRequestFactory.create(episode=knee, kind="physiotherapy-common-2-and-more")
    AgreementRequestFactory.create(episode__patient__practice=practice, status="refusal")

    by_episode = api.get("/api/v1/agreement-requests", {"episode": knee.pk}).json()
    refused = api.get("/api/v1/agreement-requests", {"status": "refusal"}).json()

    assert [row["id"] for row in by_episode["results"]] == [mine.pk]
    assert [row["status"] for row in refused["results"]] == ["refusal"]
