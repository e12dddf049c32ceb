"""Creating records concurrently: the database keeps one row, and no caller gets a 500.

A practice system retries on every timeout, so the same create often arrives twice at the same
moment. Threads with their own connections start together on a barrier (as in
``test_concurrent_sessions``): identical creates give one row and every caller that row; a
loser whose values differ from the winner's, or that needs a unique value the winner took
(a national id), gets a conflict naming the field. PostgreSQL only, like the session tests.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

import pytest
from django.db import connection

from practice import services
from practice.models import Coverage, Episode, Patient, Practice, Therapist, TreatmentSession
from practice.tokens import api_token_create
from tests.concurrency.test_concurrent_sessions import in_parallel, post_json
from tests.factories import EpisodeFactory, PatientFactory, PracticeFactory, TherapistFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite serialises writes to the whole database",
    ),
]

WRITERS = 12
VALID_INSZ = "85073003328"


def _outcome(call: Any) -> tuple[str, Any]:
    """Run a service call; return ("ok", (pk, created)) or ("conflict", the fields named)."""
    try:
        row, created = call()
    except services.ConflictingRecord as conflict:
        return "conflict", sorted(conflict.message_dict)
    return "ok", (row.pk, created)


# ------------------------------------------------------------------------- service level


def test_identical_episodes_created_at_once_leave_one_row() -> None:
    patient = cast(Patient, PatientFactory(practice__country="BE"))

    def create(_: int) -> tuple[str, Any]:
        mine = Patient.objects.select_related("practice").get(pk=patient.pk)
        return _outcome(
            lambda: services.episode_create(
                patient=mine, title="Knee", category="courante", external_id="pms-e1"
            )
        )

    results = in_parallel(create, WRITERS)

    assert Episode.objects.filter(external_id="pms-e1").count() == 1
    assert {kind for kind, _ in results} == {"ok"}
    assert len({pk for _, (pk, _) in results}) == 1
    assert [created for _, (_, created) in results].count(True) == 1


def test_episodes_with_one_external_id_and_different_titles_one_wins_the_rest_conflict() -> None:
    patient = cast(Patient, PatientFactory(practice__country="BE"))

    def create(index: int) -> tuple[str, Any]:
        mine = Patient.objects.select_related("practice").get(pk=patient.pk)
        return _outcome(
            lambda: services.episode_create(
                patient=mine, title=f"Knee {index}", category="courante", external_id="pms-e1"
            )
        )

    results = in_parallel(create, WRITERS)

    assert Episode.objects.filter(external_id="pms-e1").count() == 1
    assert sorted(kind for kind, _ in results) == ["conflict"] * (WRITERS - 1) + ["ok"]
    assert all(fields == ["title"] for kind, fields in results if kind == "conflict")


def test_patients_with_one_national_id_created_at_once_leave_one_row_and_conflicts() -> None:
    practice = cast(Practice, PracticeFactory(country="BE"))

    def create(index: int) -> tuple[str, Any]:
        return _outcome(
            lambda: services.patient_create(
                practice=Practice.objects.get(pk=practice.pk),
                first_name="An",
                last_name="Peeters",
                birth_date=date(1985, 7, 30),
                national_id=VALID_INSZ,
                external_id=f"pms-p{index}",
            )
        )

    results = in_parallel(create, WRITERS)

    assert Patient.objects.filter(national_id=VALID_INSZ).count() == 1
    assert sorted(kind for kind, _ in results) == ["conflict"] * (WRITERS - 1) + ["ok"]
    assert all(fields == ["national_id"] for kind, fields in results if kind == "conflict")


def test_a_years_coverage_set_at_once_leaves_one_row() -> None:
    patient = cast(Patient, PatientFactory(practice__country="NL"))

    def set_coverage(_: int) -> tuple[str, Any]:
        mine = Patient.objects.select_related("practice").get(pk=patient.pk)
        return _outcome(lambda: services.coverage_set(patient=mine, year=2027, treatments=9))

    results = in_parallel(set_coverage, WRITERS)

    assert Coverage.objects.filter(patient=patient, year=2027).count() == 1
    assert [created for _, (_, created) in results].count(True) == 1


def test_a_form_submitted_twice_at_once_records_one_session() -> None:
    episode = cast(Episode, EpisodeFactory(patient__practice__country="BE"))
    key = uuid.uuid4()

    def submit(_: int) -> tuple[str, Any]:
        mine = Episode.objects.select_related("patient__practice").get(pk=episode.pk)
        return _outcome(
            lambda: services.session_record(episode=mine, date=date(2025, 3, 3), submission_key=key)
        )

    results = in_parallel(submit, WRITERS)

    assert TreatmentSession.objects.filter(episode=episode).count() == 1
    assert len({pk for _, (pk, _) in results}) == 1


# ----------------------------------------------------------------------------- API level


def _api_key(practice: Practice) -> str:
    admin = cast(Therapist, TherapistFactory(practice=practice, role=Therapist.Role.ADMINISTRATOR))
    _token, key = api_token_create(practice=practice, name="PMS", created_by=admin.user)
    return key


def test_identical_episode_posts_at_once_answer_one_201_and_200s(live_server: Any) -> None:
    patient = cast(Patient, PatientFactory(practice__country="BE"))
    key = _api_key(patient.practice)
    body = {"patient": patient.pk, "title": "Knee", "category": "courante", "external_id": "e1"}

    answers = in_parallel(lambda _: post_json(f"{live_server.url}/api/v1/episodes", key, body))

    assert Episode.objects.filter(external_id="e1").count() == 1
    assert sorted(code for code, _ in answers) == [200] * (len(answers) - 1) + [201]
    assert len({answer["id"] for _, answer in answers}) == 1


def test_patient_posts_with_one_national_id_at_once_answer_one_201_and_409s(
    live_server: Any,
) -> None:
    practice = cast(Practice, PracticeFactory(country="BE"))
    key = _api_key(practice)
    url = f"{live_server.url}/api/v1/patients"

    def post(index: int) -> tuple[int, dict[str, Any]]:
        body = {
            "first_name": "An",
            "last_name": "Peeters",
            "birth_date": "1985-07-30",
            "national_id": "85.07.30-033.28",
            "external_id": f"pms-{index}",
        }
        return post_json(url, key, body)

    answers = in_parallel(post)

    assert Patient.objects.filter(practice=practice).count() == 1
    codes = sorted(code for code, _ in answers)
    assert codes == [201] + [409] * (len(answers) - 1)
    for code, answer in answers:
        if code == 409:
            assert [e["field"] for e in answer["errors"]] == ["national_id"]


def test_coverage_posts_at_once_leave_one_row_and_no_server_error(live_server: Any) -> None:
    patient = cast(Patient, PatientFactory(practice__country="NL"))
    key = _api_key(patient.practice)
    body = {"patient": patient.pk, "year": 2027, "treatments": 9}

    answers = in_parallel(lambda _: post_json(f"{live_server.url}/api/v1/coverage", key, body))

    assert Coverage.objects.filter(patient=patient, year=2027).count() == 1
    assert sorted(code for code, _ in answers) == [200] * (len(answers) - 1) + [201]
