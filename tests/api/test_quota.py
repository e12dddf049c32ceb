"""GET /api/v1/patients/{id}/quota: the stored patient's status in the simulate output shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from practice.models import Episode, Patient, Practice, TreatmentSession
from reimburse import engine
from reimburse.engine import types as t
from reimburse.simulate import simulate
from tests.api.conftest import errors
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
)

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "contract"


@pytest.fixture
def lowback(practice: Practice) -> Episode:
    """The contract's be-courante example, as stored records."""
    patient = PatientFactory.create(practice=practice, birth_date=date(1971, 9, 30))
    episode = EpisodeFactory.create(patient=patient, category="courante")
    PrescriptionFactory.create(episode=episode, date=date(2024, 1, 8), sessions=9)
    for day in (10, 12, 15):
        SessionFactory.create(episode=episode, date=date(2024, 1, day))
    return episode


def _renamed(body: Any, episodes: dict[str, str], sessions: dict[str, str]) -> Any:
    """Replace stored ids by the contract example's ids."""
    body = json.loads(json.dumps(body))
    for row in body["sessions"]:
        row["id"], row["episode"] = sessions[row["id"]], episodes[row["episode"]]
    for row in body["quotas"]:
        row["episode"] = episodes[row["episode"]]
    for row in body["warnings"]:
        row["episode"] = episodes.get(row["episode"], row["episode"])
        row["session"] = sessions.get(row["session"], row["session"])
    return body


def _reads() -> int:
    """The queries of a Belgian patient's records (``reimburse.quota``): one on PostgreSQL."""
    return 1 if connection.vendor == "postgresql" else 9


def _quota(api: APIClient, patient: Patient, **params: str) -> Any:
    return api.get(f"/api/v1/patients/{patient.pk}/quota", params)


def test_the_quota_is_the_simulate_answer_for_the_stored_records(api: APIClient, lowback: Episode):
    response = _quota(api, lowback.patient, as_of="2024-01-15")

    assert response.status_code == 200
    # Stored ids are our primary keys; simulate echoes the caller's. Otherwise: identical.
    episodes = {str(lowback.pk): "lowback"}
    sessions = {
        str(s.pk): f"s{n}" for n, s in enumerate(lowback.sessions.order_by("date"), start=1)
    }
    stored = _renamed(response.json(), episodes, sessions)
    contract_input = json.loads((CONTRACT / "be-courante-input.json").read_text())
    assert stored == simulate(contract_input)


def test_the_quota_counts_what_the_contract_counts(api: APIClient, lowback: Episode):
    body = _quota(api, lowback.patient, as_of="2024-01-15").json()

    assert [(s["status"], s["ordinal"]) for s in body["sessions"]] == [
        ("best", 1),
        ("best", 2),
        ("best", 3),
    ]
    quota = body["quotas"][0]
    assert (quota["counter"], quota["limit"], quota["used"], quota["remaining"]) == (
        "courante",
        18,
        3,
        15,
    )


def test_cancelled_sessions_are_left_out(api: APIClient, lowback: Episode):
    last = lowback.sessions.order_by("date").last()
    assert isinstance(last, TreatmentSession)
    api.post(f"/api/v1/sessions/{last.pk}/cancel", {}, format="json")

    body = _quota(api, lowback.patient, as_of="2024-01-15").json()

    assert len(body["sessions"]) == 2
    assert body["quotas"][0]["used"] == 2


def test_as_of_defaults_to_today_in_brussels(
    api: APIClient, lowback: Episode, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2024, 2, 1))

    body = _quota(api, lowback.patient).json()

    assert body["as_of"] == "2024-02-01"


@pytest.mark.parametrize("as_of", ["2024-02-30", "today", "15/01/2024", "9999-12-31"])
def test_an_invalid_as_of_is_400(api: APIClient, lowback: Episode, as_of: str):
    response = _quota(api, lowback.patient, as_of=as_of)

    assert response.status_code == 400
    assert list(errors(response)) == ["as_of"]


def test_rules_missing_for_a_date_that_is_no_sessions_are_a_400_not_a_500(
    api: APIClient, lowback: Episode, monkeypatch: pytest.MonkeyPatch
):
    def not_in_force(case: t.Case, *, outcomes: bool = True) -> t.Result:
        raise t.RulesNotInForce(date(1950, 1, 1), "courante rules")

    monkeypatch.setattr(engine, "evaluate", not_in_force)

    response = _quota(api, lowback.patient, as_of="2024-01-15")

    assert response.status_code == 400
    assert errors(response) == {
        None: "no reimbursement rules known: no courante rules known for 1950-01-01"
    }


def test_another_practices_patient_is_404(api: APIClient, stranger: Practice):
    patient = PatientFactory.create(practice=stranger)

    response = _quota(api, patient)

    assert response.status_code == 404
    assert errors(response) == {None: "not found"}


def test_unauthenticated_is_401(anonymous: APIClient, lowback: Episode):
    assert _quota(anonymous, lowback.patient).status_code == 401


def test_a_quota_reads_the_patient_once_and_the_token_with_its_creator(
    api: APIClient, lowback: Episode, django_assert_num_queries: Any
):
    _quota(api, lowback.patient, as_of="2024-01-15")  # the token's last use is now written

    # The token with its practice and creator, then the patient and each table of their
    # records once (episodes, prescriptions, sessions, coverage, agreement requests, uses at
    # another practice), the tariffs the clinic loaded and the therapists' convention periods
    # (Belgium): no second read of the patient, no user lookup, no write. PostgreSQL gets
    # the nine reads in one query string.
    with django_assert_num_queries(1 + _reads()):
        response = _quota(api, lowback.patient, as_of="2024-01-15")

    assert response.status_code == 200


def test_a_quota_is_the_same_whatever_the_number_of_sessions(
    api: APIClient, lowback: Episode, django_assert_num_queries: Any
):
    for day in range(16, 26):
        SessionFactory.create(episode=lowback, date=date(2024, 1, day))
    _quota(api, lowback.patient, as_of="2024-01-15")

    with django_assert_num_queries(1 + _reads()):
        _quota(api, lowback.patient, as_of="2024-01-15")


def test_a_patient_of_another_practice_is_404_also_with_an_invalid_as_of(
    api: APIClient, stranger: Practice
):
    patient = PatientFactory.create(practice=stranger)

    response = _quota(api, patient, as_of="today")

    assert response.status_code == 404
