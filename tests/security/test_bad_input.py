"""Bad input of every kind gives a clear error naming the field, and changes nothing.

Each entry point (API, the therapists' forms, the admin importer, simulate) gets a table of
broken inputs; every row asserts the status, the field the error names, and that the row
counts of the records tables and their history tables are what they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from practice.models import Episode, ImportJob, Patient, TreatmentSession
from tests import importing
from tests.api.conftest import client_for
from tests.factories import EpisodeFactory, PatientFactory
from tests.security.conftest import Side, row_counts

pytestmark = pytest.mark.django_db

NUL = "\x00"
HUGE = 10**30
DEEP = "[" * 50_000 + "]" * 50_000  # deeper than the JSON decoder's stack
CONTRACT = Path(__file__).parent.parent / "fixtures" / "contract"


def _fields(response: Any) -> set[str | None]:
    body = response.json()
    assert set(body) == {"errors"}, body
    return {error["field"] for error in body["errors"]}


# -------------------------------------------------------------------------------- API

# (route, changes to a valid body, the field the error names)
API_CREATES: list[tuple[str, dict[str, Any], str]] = [
    # patients
    ("patient-list", {"birth_date": "2025-02-30"}, "birth_date"),
    ("patient-list", {"birth_date": "30/01/1985"}, "birth_date"),
    ("patient-list", {"birth_date": "1700-01-01"}, "birth_date"),
    ("patient-list", {"birth_date": 19850130}, "birth_date"),
    ("patient-list", {"national_id": "12345678901"}, "national_id"),
    ("patient-list", {"national_id": "8" * 21}, "national_id"),
    ("patient-list", {"first_name": "x" * 101}, "first_name"),
    ("patient-list", {"last_name": f"Pee{NUL}ters"}, "last_name"),
    ("patient-list", {"last_name": None}, "last_name"),
    ("patient-list", {"last_name": {"nested": ["deep"]}}, "last_name"),
    ("patient-list", {"preferential": "maybe"}, "preferential"),
    ("patient-list", {"colour": "blue"}, "colour"),
    ("patient-list", {"external_id": "x" * 101}, "external_id"),
    # episodes
    ("episode-list", {"category": "broken_leg"}, "category"),
    ("episode-list", {"category": 7}, "category"),
    ("episode-list", {"pathology": "fa-99", "category": "fa"}, "pathology"),
    ("episode-list", {"gold_stage": 9}, "gold_stage"),
    ("episode-list", {"term_months": -1}, "term_months"),
    ("episode-list", {"prior_treatments": "many"}, "prior_treatments"),
    ("episode-list", {"prior_treatments": HUGE}, "prior_treatments"),
    ("episode-list", {"referral_by": "neighbour"}, "referral_by"),
    ("episode-list", {"notified_on": "2025-13-01"}, "notified_on"),
    ("episode-list", {"title": "x" * 201}, "title"),
    ("episode-list", {"title": f"Knee{NUL}"}, "title"),
    ("episode-list", {"patient": "one"}, "patient"),
    ("episode-list", {"patient": 987654}, "patient"),
    ("episode-list", {"prior_sessions": {"20x5": 3}}, "prior_sessions"),
    ("episode-list", {"pathology": "co-99-9-9-9"}, "pathology"),
    # prescriptions
    ("prescription-list", {"sessions": 0}, "sessions"),
    ("prescription-list", {"sessions": -3}, "sessions"),
    ("prescription-list", {"sessions": HUGE}, "sessions"),
    ("prescription-list", {"sessions": "nine"}, "sessions"),
    ("prescription-list", {"sessions": 9.5}, "sessions"),
    ("prescription-list", {"date": "9999-12-31"}, "date"),
    ("prescription-list", {"date": ""}, "date"),
    ("prescription-list", {"episode": [1]}, "episode"),
    ("prescription-list", {"prescriber": "x" * 201}, "prescriber"),
    # sessions
    ("session-list", {"minutes": 0}, "minutes"),
    ("session-list", {"minutes": -30}, "minutes"),
    ("session-list", {"minutes": HUGE}, "minutes"),
    ("session-list", {"minutes": "thirty"}, "minutes"),
    ("session-list", {"place": "moon"}, "place"),
    ("session-list", {"date": "2025-02-29"}, "date"),
    ("session-list", {"date": "3025-01-01"}, "date"),
    ("session-list", {"price": "-5"}, "price"),
    ("session-list", {"price": "12.345"}, "price"),
    ("session-list", {"price": "abc"}, "price"),
    ("session-list", {"price": "1e400"}, "price"),
    ("session-list", {"external_id": "x" * 101}, "external_id"),
    ("session-list", {"external_id": f"s{NUL}1"}, "external_id"),
    ("session-list", {"episode": None}, "episode"),
    ("session-list", {"status": "cancelled"}, "status"),
    # coverage
    ("coverage-list", {"year": 99999}, "year"),
    ("coverage-list", {"year": "next"}, "year"),
    ("coverage-list", {"treatments": -1}, "treatments"),
    ("coverage-list", {"budget": "-1.00"}, "budget"),
    ("coverage-list", {"deductible_remaining": "lots"}, "deductible_remaining"),
    ("coverage-list", {"package": 987654}, "package"),
    ("coverage-list", {"insurer": "x" * 101}, "insurer"),
]  # fmt: skip


@pytest.fixture
def nl_patient(a: Side) -> Patient:
    """A Dutch patient of its own practice, for coverage (recorded for NL practices only)."""
    return PatientFactory.create(practice__country="NL")


def _client_of(api_a: APIClient, route: str, nl_patient: Patient) -> APIClient:
    if not route.startswith("coverage"):
        return api_a
    return client_for(nl_patient.practice)


def _valid_body(route: str, a: Side, nl_patient: Patient) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {
        "patient-list": {"first_name": "An", "last_name": "Peeters", "birth_date": "1985-07-30"},
        "episode-list": {"patient": a.patient.pk, "title": "Knee", "category": "courante"},
        "prescription-list": {"episode": a.episode.pk, "date": "2025-03-01", "sessions": 9},
        "session-list": {"episode": a.episode.pk, "date": "2025-03-03"},
        "coverage-list": {"patient": nl_patient.pk, "year": 2026},
    }
    return bodies[route]


@pytest.mark.parametrize(
    ("route", "changes", "field"),
    API_CREATES,
    ids=[f"{route.split('-')[0]}.{field}-{n}" for n, (route, _c, field) in enumerate(API_CREATES)],
)
def test_a_bad_api_create_is_400_naming_the_field_and_creates_nothing(
    api_a: APIClient,
    a: Side,
    nl_patient: Patient,
    route: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    api = _client_of(api_a, route, nl_patient)
    body = {**_valid_body(route, a, nl_patient), **changes}
    before = row_counts()

    response = api.post(reverse(f"api:{route}"), body, "json")

    assert response.status_code == 400, response.content
    assert field in _fields(response)
    assert row_counts() == before


@pytest.mark.parametrize("route", sorted({route for route, _c, _f in API_CREATES}))
def test_the_valid_api_bodies_of_the_table_are_accepted(
    api_a: APIClient, a: Side, nl_patient: Patient, route: str
) -> None:
    # Proves each bad row above fails for its change alone.
    api = _client_of(api_a, route, nl_patient)

    response = api.post(reverse(f"api:{route}"), _valid_body(route, a, nl_patient), "json")

    assert response.status_code == 201, response.content


def test_a_session_with_an_episode_of_another_patient_is_400(api_a: APIClient, a: Side) -> None:
    other = EpisodeFactory.create(patient=PatientFactory.create(practice=a.practice))
    before = row_counts()
    body = {"episode": other.pk, "patient": a.patient.pk, "date": "2025-03-03"}

    response = api_a.post(reverse("api:session-list"), body, "json")

    assert response.status_code == 400
    assert _fields(response) == {"episode"}
    assert row_counts() == before


def test_a_session_before_its_prescriptions_date_is_400(api_a: APIClient, a: Side) -> None:
    before = row_counts()
    body = {"episode": a.episode.pk, "prescription": a.prescription.pk, "date": "2025-01-01"}

    response = api_a.post(reverse("api:session-list"), body, "json")

    assert response.status_code == 400
    assert _fields(response) == {"date"}
    assert row_counts() == before


# (route name, the row it is about, changes, the field the error names)
API_UPDATES: list[tuple[str, str, dict[str, Any], str]] = [
    ("patient-detail", "patient", {"birth_date": "2025-02-30"}, "birth_date"),
    ("patient-detail", "patient", {"external_id": "new"}, "external_id"),
    ("patient-detail", "patient", {"first_name": ""}, "first_name"),
    ("patient-detail", "patient", {"national_id": f"8507300332{NUL}"}, "national_id"),
    ("episode-detail", "episode", {"category": "unknown"}, "category"),
    ("episode-detail", "episode", {"patient": 1}, "patient"),
    ("episode-detail", "episode", {"gold_stage": "IV"}, "gold_stage"),
    ("coverage-detail", "coverage", {"year": 2030}, "year"),
    ("coverage-detail", "coverage", {"budget": "100.00"}, "budget"),
    ("coverage-detail", "coverage", {"carry_over_max": HUGE}, "carry_over_max"),
    ("session-cancel", "session", {"reason": "x" * 201}, "reason"),
    ("session-cancel", "session", {"reason": "ok", "when": "now"}, "when"),
]


@pytest.mark.parametrize(
    ("route", "row", "changes", "field"),
    API_UPDATES,
    ids=[f"{route}.{field}" for route, _r, _c, field in API_UPDATES],
)
def test_a_bad_api_change_is_400_naming_the_field_and_changes_nothing(
    api_a: APIClient, a: Side, route: str, row: str, changes: dict[str, Any], field: str
) -> None:
    obj = getattr(a, row)
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    counts = row_counts()
    method = api_a.post if route.endswith("cancel") else api_a.patch

    response = method(reverse(f"api:{route}", args=[obj.pk]), changes, "json")

    assert response.status_code == 400, response.content
    assert field in _fields(response)
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before
    assert row_counts() == counts


# (route, query, the parameter the error names)
API_QUERIES: list[tuple[str, dict[str, Any], str]] = [
    ("patient-quota", {"as_of": "2025-02-30"}, "as_of"),
    ("patient-quota", {"as_of": "0001-01-01"}, "as_of"),
    ("warnings", {"severity": "apocalyptic"}, "severity"),
    ("warnings", {"code": "quota_negative"}, "code"),
    ("warnings", {"therapist": "x"}, "therapist"),
    ("warnings", {"as_of": "tomorrow"}, "as_of"),
    ("session-list", {"patient": "1.5"}, "patient"),
    ("session-list", {"patient": str(2**64)}, "patient"),
    ("episode-list", {"category": "unknown"}, "category"),
    ("prescription-list", {"date_after": "2025-02-30"}, "date_after"),
]


@pytest.mark.parametrize(
    ("route", "query", "field"),
    API_QUERIES,
    ids=[f"{route}?{field}" for route, _q, field in API_QUERIES],
)
def test_a_bad_api_query_parameter_is_400_naming_it(
    api_a: APIClient, a: Side, route: str, query: dict[str, Any], field: str
) -> None:
    args = [a.patient.pk] if route == "patient-quota" else []

    response = api_a.get(reverse(f"api:{route}", args=args), query)

    assert response.status_code == 400, response.content
    assert field in _fields(response)


# (body, content type, status): bodies no JSON object parser can read.
API_BODIES: list[tuple[str, str, int]] = [
    ('{"episode": ', "application/json", 400),
    ("{'episode': 1}", "application/json", 400),
    ('{"minutes": NaN}', "application/json", 400),
    ('{"minutes": 1' + "0" * 5000 + "}", "application/json", 400),
    (DEEP, "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ('"a string"', "application/json", 400),
    ("null", "application/json", 400),
    ("episode=1&date=2025-03-03", "application/x-www-form-urlencoded", 415),
    ("episode,date\n1,2025-03-03", "text/csv", 415),
    ("\xff\xfe", "application/json", 400),
]
API_BODY_IDS = [
    "truncated",
    "single-quotes",
    "nan",
    "huge-integer",
    "deep-nesting",
    "list",
    "string",
    "null",
    "form-encoded",
    "csv",
    "not-utf8",
]


@pytest.mark.parametrize("route", ["patient-list", "episode-list", "session-list", "simulate"])
@pytest.mark.parametrize(("body", "content_type", "status"), API_BODIES, ids=API_BODY_IDS)
def test_an_unreadable_api_body_is_a_4xx_error_object_and_creates_nothing(
    api_a: APIClient, route: str, body: str, content_type: str, status: int
) -> None:
    before = row_counts()
    data = body.encode("latin-1") if body == "\xff\xfe" else body

    response = api_a.post(reverse(f"api:{route}"), data, content_type=content_type)

    assert response.status_code == status, response.content[:300]
    if not (route == "simulate" and body.startswith("{")):
        # simulate reads NaN as JSON does, then reports the object's fields one by one.
        assert _fields(response) <= {None, ""}
    assert row_counts() == before


# ---------------------------------------------------------------------------- the forms

# (changes to a valid record-session form, the field the error is shown on)
SESSION_FORM: list[tuple[dict[str, Any], str]] = [
    ({"date": "2025-02-30"}, "date"),
    ({"date": "tomorrow"}, "date"),
    ({"date": ""}, "date"),
    ({"minutes": "thirty"}, "minutes"),
    ({"minutes": "0"}, "minutes"),
    ({"minutes": "-5"}, "minutes"),
    ({"minutes": str(HUGE)}, "minutes"),
    ({"place": "moon"}, "place"),
    ({"episode": "abc"}, "episode"),
    ({"episode": "{other_patients_episode}"}, "episode"),
    ({"episode": "{other_practices_episode}"}, "episode"),
]


def _session_form(a: Side, b: Side, changes: dict[str, Any]) -> dict[str, Any]:
    other = EpisodeFactory.create(patient=PatientFactory.create(practice=a.practice))
    ids = {"other_patients_episode": other.pk, "other_practices_episode": b.episode.pk}
    data = {
        "episode": a.episode.pk,
        "date": "2025-03-03",
        "minutes": "30",
        "place": "practice",
        "action": "save",
    }
    return {**data, **{k: str(v).format(**ids) for k, v in changes.items()}}


@pytest.mark.parametrize(
    ("changes", "field"), SESSION_FORM, ids=[f"{f}-{n}" for n, (_c, f) in enumerate(SESSION_FORM)]
)
@pytest.mark.parametrize("url_name", ["practice:session_new", "practice:session_preview"])
def test_the_record_session_form_shows_the_error_at_the_field_and_saves_nothing(
    therapist_client: Client, a: Side, b: Side, url_name: str, changes: dict[str, Any], field: str
) -> None:
    data = _session_form(a, b, changes)
    before = row_counts()

    response = therapist_client.post(reverse(url_name, args=[a.patient.pk]), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert str(form.errors[field][0]) in response.content.decode()
    assert row_counts() == before


def test_the_record_session_form_saves_the_valid_body_of_the_table(
    therapist_client: Client, a: Side, b: Side
) -> None:
    # Proves each bad row above fails for its change alone.
    url = reverse("practice:session_new", args=[a.patient.pk])

    response = therapist_client.post(url, _session_form(a, b, {}))

    assert response.status_code == 302
    assert TreatmentSession.objects.filter(episode=a.episode).count() == 2


PLAN_FORM: list[tuple[dict[str, Any], str]] = [
    ({"weeks": "0"}, "weeks"),
    ({"weeks": "1000"}, "weeks"),
    ({"weeks": str(HUGE)}, "weeks"),
    ({"weeks": "six"}, "weeks"),
    ({"per_week": "0"}, "per_week"),
    ({"per_week": "99"}, "per_week"),
    ({"per_week": "x"}, "per_week"),
    ({"first": "2025-02-30"}, "first"),
    ({"minutes": "-1"}, "minutes"),
    ({"episode": "{other_practices_episode}"}, "episode"),
]


@pytest.mark.parametrize(
    ("changes", "field"), PLAN_FORM, ids=[f"{f}-{n}" for n, (_c, f) in enumerate(PLAN_FORM)]
)
def test_plan_ahead_with_absurd_numbers_shows_the_error_and_saves_nothing(
    therapist_client: Client, a: Side, b: Side, changes: dict[str, Any], field: str
) -> None:
    data = {
        "episode": str(a.episode.pk),
        "first": "2025-03-03",
        "per_week": "2",
        "weeks": "6",
        "minutes": "30",
        "place": "practice",
        **{k: v.format(other_practices_episode=b.episode.pk) for k, v in changes.items()},
    }
    before = row_counts()

    response = therapist_client.get(reverse("practice:plan", args=[a.patient.pk]), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["plan"] is None
    assert row_counts() == before


# ----------------------------------------------------------------------------- importer

SESSION_HEADER = "external_id,episode,date,therapist,minutes,place,price\n"
PATIENT_HEADER = "external_id,first_name,last_name,birth_date,national_id,preferential\n"

# (admin model, header, one bad row, text the preview shows for it); {a_episode},
# {b_episode} and {a_therapist} are filled in. Each file also has a good first row.
IMPORTS: list[tuple[str, str, str, str]] = [
    ("patient", PATIENT_HEADER, "p-2,Bert,Claes,1990-01-01,12345678901,0", "INSZ"),
    ("patient", PATIENT_HEADER, "p-2,Bert,Claes,1990-02-30,,0", "birth_date"),
    ("patient", PATIENT_HEADER, "p-2,Bert,Claes,yesterday,,0", "birth_date"),
    ("patient", PATIENT_HEADER, "p-2,,Claes,1990-01-01,,0", "first_name"),
    ("patient", PATIENT_HEADER, "p-2,Bert,Claes,1990-01-01,,maybe", "preferential"),
    ("patient", PATIENT_HEADER, f"p-2,{'B' * 101},Claes,1990-01-01,,0", "first_name"),
    ("treatmentsession", SESSION_HEADER, "s-2,987654,2025-03-04,,30,practice,", "episode"),
    ("treatmentsession", SESSION_HEADER, "s-2,{b_episode},2025-03-04,,30,practice,", "episode"),
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-02-30,,30,practice,", "date"),
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-03-04,,thirty,practice,", "minutes"),
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-03-04,,-30,practice,", "minutes"),
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-03-04,,30,moon,", "place"),
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-03-04,nobody,30,practice,", "therapist"),  # noqa: E501
    ("treatmentsession", SESSION_HEADER, "s-2,{a_episode},2025-03-04,bravo-therapist,30,practice,", "therapist"),  # noqa: E501
    ("treatmentsession", SESSION_HEADER, "s-2,,2025-03-04,,30,practice,", "episode"),
]  # fmt: skip
GOOD_ROW = {
    "patient": "p-1,An,Peeters,1990-01-01,90.01.01-001.23,0",
    "treatmentsession": "s-1,{a_episode},2025-03-03,alpha-therapist,30,practice,",
}


def _import(client: Client, model: str, text: str) -> ImportJob:
    return importing.job_of(importing.upload(client, model, text))


def _csv(a: Side, b: Side, model: str, header: str, *rows: str) -> str:
    ids = {"a_episode": a.episode.pk, "b_episode": b.episode.pk}
    return header + "".join(row.format(**ids) + "\n" for row in rows)


@pytest.mark.parametrize(
    ("model", "header", "row", "shown"),
    IMPORTS,
    ids=[f"{m}.{shown}-{n}" for n, (m, _h, _r, shown) in enumerate(IMPORTS)],
)
def test_an_import_with_a_bad_row_reports_it_offers_no_confirm_and_saves_nothing(
    clinic_client: Client, a: Side, b: Side, model: str, header: str, row: str, shown: str
) -> None:
    before = row_counts()

    job = _import(clinic_client, model, _csv(a, b, model, header, GOOD_ROW[model], row))

    page = importing.page(clinic_client, job)
    assert shown in page
    assert job.status == ImportJob.Status.REFUSED
    assert not importing.offers_confirm(clinic_client, job)  # no confirm step offered
    assert row_counts() == before


@pytest.mark.parametrize("model", sorted(GOOD_ROW))
def test_the_good_import_row_of_the_table_previews_cleanly(
    clinic_client: Client, a: Side, b: Side, model: str
) -> None:
    header = PATIENT_HEADER if model == "patient" else SESSION_HEADER
    before = row_counts()

    job = _import(clinic_client, model, _csv(a, b, model, header, GOOD_ROW[model]))

    assert importing.offers_confirm(clinic_client, job)
    assert row_counts() == before  # the check is a dry run


def test_a_duplicate_external_id_in_one_file_records_one_session(
    clinic_client: Client, a: Side, b: Side
) -> None:
    text = _csv(a, b, "treatmentsession", SESSION_HEADER, GOOD_ROW["treatmentsession"],
                "s-1,{a_episode},2025-03-05,,45,home,")  # fmt: skip
    job = _import(clinic_client, "treatmentsession", text)

    importing.confirm(clinic_client, job)

    assert TreatmentSession.objects.filter(external_id="s-1").count() == 1


def test_confirming_an_import_whose_row_went_bad_since_the_preview_saves_no_row(
    clinic_client: Client, a: Side, b: Side
) -> None:
    doomed = EpisodeFactory.create(patient=a.patient, title="Doomed")
    text = _csv(a, b, "treatmentsession", SESSION_HEADER, GOOD_ROW["treatmentsession"],
                f"s-2,{doomed.pk},2025-03-04,,30,practice,")  # fmt: skip
    job = _import(clinic_client, "treatmentsession", text)
    Episode.objects.filter(pk=doomed.pk).delete()  # row 2 now names an unknown episode
    before = row_counts()

    response = importing.confirm(clinic_client, job)

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert row_counts() == before
    assert not TreatmentSession.objects.filter(external_id__in=["s-1", "s-2"]).exists()


def test_a_clinic_administrator_cannot_import_patients_into_another_practice(
    clinic_client: Client, a: Side, b: Side
) -> None:
    text = PATIENT_HEADER.replace("\n", ",practice\n") + (
        f"p-9,Bert,Claes,1990-01-01,,0,{b.practice.pk}\n"
    )
    importing.confirm(clinic_client, _import(clinic_client, "patient", text))

    assert Patient.objects.get(external_id="p-9").practice == a.practice
    assert not Patient.objects.filter(practice=b.practice, external_id="p-9").exists()


# ----------------------------------------------------------------------------- simulate


def _example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTRACT / name).read_text())
    return document


def _broken(path: str, value: Any) -> str:
    """The Belgian example with the value at ``path`` (dotted, list indexes as digits) set."""
    document = _example("be-courante-input.json")
    *parents, last = path.split(".")
    node: Any = document
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return json.dumps(document)


def _broken_nl(path: str, value: Any) -> str:
    """The Dutch example with the value at the ``path`` of its first episode set."""
    document = _example("nl-chronic-input.json")
    document["episodes"][0][path] = value
    return json.dumps(document)


# (input text, a field the error names)
SIMULATE: list[tuple[str, str]] = [
    ("not json", ""),
    ('{"country": "BE",', ""),
    ("[]", ""),
    ('"BE"', ""),
    ("null", ""),
    ("1e999", ""),
    (DEEP, ""),
    ('{"a":' * 20_000 + "1" + "}" * 20_000, ""),
    (_broken("country", 32), "country"),
    (_broken("country", "FR"), "country"),
    (_broken("as_of", 20250101), "as_of"),
    (_broken("as_of", "3025-01-01"), "as_of"),
    (_broken("as_of", "2025-02-30"), "as_of"),
    (_broken("patient", []), "patient"),
    (_broken("patient.birth_date", {"y": 1985}), "patient.birth_date"),
    (_broken("patient.preferential", "yes"), "patient.preferential"),
    (_broken("episodes", {"0": {}}), "episodes"),
    (_broken("episodes.0.category", ["courante"]), "episodes[0].category"),
    (_broken("sessions", "all of them"), "sessions"),
    (_broken("sessions.0", 7), "sessions[0]"),
    (_broken("sessions.0.date", "9999-12-31"), "sessions[0].date"),
    (_broken("sessions.0.minutes", HUGE), "sessions[0].minutes"),
    (_broken("sessions.0.minutes", -1), "sessions[0].minutes"),
    (_broken("sessions.0.minutes", "30"), "sessions[0].minutes"),
    (_broken("sessions.0.place", {"x": {"y": {"z": []}}}), "sessions[0].place"),
    (_broken("sessions.0.episode", None), "sessions[0].episode"),
    (_broken("sessions.0.minutes", float("nan")), "sessions[0].minutes"),
    (_broken("episodes.0.prescriptions.0.sessions", HUGE), "episodes[0].prescriptions[0].sessions"),
    (_broken_nl("term_months", HUGE), "episodes[0].term_months"),
    (_broken_nl("prior_treatments", 2**63), "episodes[0].prior_treatments"),
    (_broken_nl("first_treatment_on", "0999-01-01"), "episodes[0].first_treatment_on"),
]
SIMULATE_IDS = [
    "not-json",
    "truncated",
    "list",
    "string",
    "null",
    "huge-float",
    "deep-lists",
    "deep-objects",
    "country-number",
    "country-unknown",
    "as_of-number",
    "as_of-far-future",
    "as_of-impossible",
    "patient-list",
    "birth_date-object",
    "preferential-string",
    "episodes-object",
    "category-list",
    "sessions-string",
    "session-number",
    "session-date-far-future",
    "minutes-huge",
    "minutes-negative",
    "minutes-string",
    "place-nested",
    "episode-null",
    "minutes-nan",
    "prescribed-sessions-huge",
    "term_months-huge",
    "prior_treatments-huge",
    "first_treatment-far-past",
]


def test_the_simulate_table_breaks_a_valid_case() -> None:
    from reimburse.simulate import load_json, simulate

    assert simulate(load_json(json.dumps(_example("be-courante-input.json"))))["country"] == "BE"


@pytest.mark.parametrize(("text", "field"), SIMULATE, ids=SIMULATE_IDS)
def test_simulate_over_http_answers_400_with_the_error_object_and_writes_nothing(
    api_a: APIClient, text: str, field: str
) -> None:
    before = row_counts()

    response = api_a.post(reverse("api:simulate"), text, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert field in _fields(response)
    assert row_counts() == before


@pytest.mark.parametrize(("text", "field"), SIMULATE, ids=SIMULATE_IDS)
def test_manage_py_simulate_exits_2_with_the_error_object_and_reads_no_row(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    django_assert_num_queries: DjangoAssertNumQueries,
    text: str,
    field: str,
) -> None:
    path = tmp_path / "case.json"
    path.write_text(text)

    with django_assert_num_queries(0), pytest.raises(CommandError) as raised:
        call_command("simulate", str(path))

    assert raised.value.returncode == 2
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert field in {error["field"] for error in json.loads(out)["errors"]}
