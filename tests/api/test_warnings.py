"""GET /api/v1/warnings: the practice-wide feed of current warnings, newest first, paginated."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from practice.models import Practice, Therapist
from reimburse import engine
from reimburse.engine import types as t
from reimburse.engine.vocabulary import Severity, WarningCode
from tests.api.conftest import errors
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    SessionFactory,
    TherapistFactory,
)


class StubRules:
    """Warn about every session (prescription_missing) and every episode (quota_low).

    The feed's dating, ordering and filtering are under test here, not the rules.
    """

    @staticmethod
    def evaluate(case: t.Case, *, outcomes: bool = True) -> t.Result:
        per_session = tuple(
            t.Warning(
                WarningCode.PRESCRIPTION_MISSING,
                Severity.WARNING,
                s.episode,
                s.id,
                {"date": s.date},
            )
            for s in case.sessions
        )
        per_episode = tuple(
            t.Warning(
                WarningCode.QUOTA_LOW,
                Severity.INFO,
                e.id,
                None,
                {"counter": "courante", "remaining": 3},
            )
            for e in case.episodes
        )
        return t.Result(case.country, case.as_of, (), (), (), per_session + per_episode)


@pytest.fixture
def stub_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engine.JURISDICTIONS, "BE", StubRules)


@pytest.fixture
def therapist(practice: Practice) -> Therapist:
    return TherapistFactory.create(practice=practice)


@pytest.fixture
def records(practice: Practice, therapist: Therapist) -> None:
    """Aerts had a session on 10 February (with the therapist), Claes on 1 March."""
    aerts = EpisodeFactory.create(
        patient=PatientFactory.create(practice=practice, last_name="Aerts")
    )
    claes = EpisodeFactory.create(
        patient=PatientFactory.create(practice=practice, last_name="Claes")
    )
    SessionFactory.create(episode=aerts, date=date(2025, 2, 10), therapist=therapist)
    SessionFactory.create(episode=claes, date=date(2025, 3, 1))


def _feed(api: APIClient, if_none_match: str | None = None, **params: Any) -> Any:
    headers = {} if if_none_match is None else {"If-None-Match": if_none_match}
    return api.get("/api/v1/warnings", {"as_of": "2025-03-15", **params}, headers=headers)


@pytest.mark.usefixtures("stub_rules", "records")
def test_the_feed_is_newest_first_undated_warnings_on_as_of(api: APIClient):
    body = _feed(api).json()

    assert body["count"] == 4
    assert [(w["patient_name"].split(",")[0], w["code"], w["date"]) for w in body["results"]] == [
        ("Aerts", "quota_low", None),
        ("Claes", "quota_low", None),
        ("Claes", "prescription_missing", "2025-03-01"),
        ("Aerts", "prescription_missing", "2025-02-10"),
    ]


@pytest.mark.usefixtures("stub_rules", "records")
def test_a_row_names_patient_episode_and_session(api: APIClient):
    row = _feed(api, code="prescription_missing").json()["results"][0]

    assert set(row) == {
        "patient",
        "patient_name",
        "episode",
        "episode_title",
        "session",
        "date",
        "code",
        "severity",
        "params",
        "message",
    }
    assert row["episode_title"] == "Low back pain"
    assert row["params"] == {"date": row["date"]}
    assert isinstance(row["session"], int)


@pytest.mark.usefixtures("stub_rules", "records")
def test_the_feed_filters_by_severity_code_and_therapist(api: APIClient, therapist: Therapist):
    def codes(**params: Any) -> list[tuple[str, str]]:
        rows = _feed(api, **params).json()["results"]
        return [(w["patient_name"].split(",")[0], w["code"]) for w in rows]

    assert codes(severity="info") == [("Aerts", "quota_low"), ("Claes", "quota_low")]
    assert codes(code="prescription_missing", therapist=therapist.pk) == [
        ("Aerts", "prescription_missing")
    ]


@pytest.mark.usefixtures("stub_rules", "records")
def test_the_feed_is_paginated(api: APIClient, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", 3)

    first = _feed(api).json()
    second = api.get(first["next"]).json()

    assert (len(first["results"]), len(second["results"])) == (3, 1)


@pytest.mark.usefixtures("stub_rules")
def test_another_practices_warnings_are_not_shown(api: APIClient, stranger: Practice):
    SessionFactory.create(episode__patient__practice=stranger, date=date(2025, 3, 1))

    assert _feed(api).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"code": "quota_gone"}, "code"),
        ({"as_of": "2025-02-29"}, "as_of"),
        ({"therapist": "x"}, "therapist"),
    ],
)
def test_invalid_filters_are_400(api: APIClient, params: dict[str, str], field: str):
    response = _feed(api, **params)

    assert response.status_code == 400
    assert list(errors(response)) == [field]


def test_an_unknown_severity_lists_the_known_ones(api: APIClient):
    response = _feed(api, severity="urgent")

    assert errors(response) == {
        "severity": 'unknown value "urgent"; expected one of info, warning, blocking'
    }


def test_another_practices_therapist_is_400(api: APIClient, stranger: Practice):
    foreign = TherapistFactory.create(practice=stranger)

    response = _feed(api, therapist=str(foreign.pk))

    assert errors(response) == {"therapist": f"no therapist with id {foreign.pk} in this practice"}


def test_a_session_without_prescription_is_in_the_feed(api: APIClient, practice: Practice):
    """With the real Belgian rules (contract decision 8)."""
    SessionFactory.create(episode__patient__practice=practice, date=date(2025, 3, 1))

    rows = _feed(api).json()["results"]

    assert "prescription_missing" in {row["code"] for row in rows}


def test_unauthenticated_is_401(anonymous: APIClient, db: None):
    assert anonymous.get("/api/v1/warnings").status_code == 401


@pytest.mark.usefixtures("stub_rules", "records")
def test_the_message_follows_accept_language_with_the_practices_words(api: APIClient):
    english = _feed(api, code="prescription_missing").json()["results"][0]
    dutch = api.get(
        "/api/v1/warnings", {"code": "prescription_missing"}, HTTP_ACCEPT_LANGUAGE="nl"
    ).json()["results"][0]

    day = date.fromisoformat(english["date"]).strftime("%d/%m/%Y")
    assert english["message"] == (
        f"The session of {day} has no prescription dated on or before it."
    )
    assert (
        dutch["message"] == f"De zitting van {day} heeft geen voorschrift van op of vóór die dag."
    )
    assert dutch["params"] == english["params"]


@pytest.mark.usefixtures("stub_rules", "records")
def test_since_keeps_the_warnings_dated_on_or_after_that_day(api: APIClient):
    rows = _feed(api, since="2025-03-01").json()["results"]

    # The quota warnings name no session: they are dated as_of (15 March).
    assert [(w["code"], w["date"]) for w in rows] == [
        ("quota_low", None),
        ("quota_low", None),
        ("prescription_missing", "2025-03-01"),
    ]


@pytest.mark.usefixtures("stub_rules", "records")
def test_an_unchanged_feed_answers_304_to_its_etag(api: APIClient, practice: Practice):
    first = _feed(api)
    again = _feed(api, if_none_match=first["ETag"])
    SessionFactory.create(episode__patient__practice=practice, date=date(2025, 3, 10))
    changed = _feed(api, if_none_match=first["ETag"])

    assert first.status_code == 200
    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == first["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.usefixtures("stub_rules", "records")
def test_an_unknown_parameter_of_the_feed_is_400(api: APIClient):
    response = _feed(api, updated_since="2025-03-01T00:00:00Z")

    assert response.status_code == 400
    assert errors(response) == {"updated_since": "unknown query parameter"}
