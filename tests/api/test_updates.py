"""PATCH on every record: corrections through the services, with history, ETag and If-Match."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db.models import Model
from rest_framework.test import APIClient

from practice.models import Practice, Prescription, TreatmentSession
from tests.api.conftest import client_for, errors
from tests.factories import (
    CoverageFactory,
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
)


@dataclass(frozen=True)
class Resource:
    path: str
    country: str
    make: Callable[[Practice], Model]
    change: dict[str, Any]  # a valid change, and the field it shows in
    shown: tuple[str, Any]
    invalid: dict[str, Any]  # a change refused like a create would be, naming this field
    invalid_field: str


RESOURCES = [
    Resource(
        "patients",
        "BE",
        lambda p: PatientFactory.create(practice=p),
        {"last_name": "Claes"},
        ("last_name", "Claes"),
        {"birth_date": "1850-01-01"},
        "birth_date",
    ),
    Resource(
        "episodes",
        "BE",
        lambda p: EpisodeFactory.create(patient__practice=p, category="e", pathology="e-b"),
        {"title": "Hip"},
        ("title", "Hip"),
        {"pathology": "co-1-3-4-0"},  # a courante code on an E episode
        "pathology",
    ),
    Resource(
        "prescriptions",
        "BE",
        lambda p: PrescriptionFactory.create(episode__patient__practice=p),
        {"sessions": 9},
        ("sessions", 9),
        {"sessions": 0},
        "sessions",
    ),
    Resource(
        "sessions",
        "BE",
        lambda p: SessionFactory.create(episode__patient__practice=p),
        {"date": "2025-02-12"},
        ("date", "2025-02-12"),
        {"minutes": 0},
        "minutes",
    ),
    Resource(
        "coverage",
        "NL",
        lambda p: CoverageFactory.create(patient__practice=p, treatments=9),
        {"treatments": 12},
        ("treatments", 12),
        {"budget": "400.00"},
        "budget",
    ),
]


@pytest.fixture(params=RESOURCES, ids=[r.path for r in RESOURCES])
def resource(request: pytest.FixtureRequest) -> Resource:
    return request.param


@pytest.fixture
def home(resource: Resource, db: None) -> Practice:
    return PracticeFactory.create(country=resource.country)


@pytest.fixture
def client(home: Practice) -> APIClient:
    return client_for(home)


def _url(resource: Resource, row: Model) -> str:
    return f"/api/v1/{resource.path}/{row.pk}"


def test_a_change_answers_200_with_the_changed_record(
    resource: Resource, home: Practice, client: APIClient
):
    row = resource.make(home)

    response = client.patch(_url(resource, row), resource.change, format="json")

    assert response.status_code == 200, response.json()
    field, value = resource.shown
    assert response.json()[field] == value
    assert client.get(_url(resource, row)).json()[field] == value


def test_a_change_is_kept_in_the_history(resource: Resource, home: Practice, client: APIClient):
    row = resource.make(home)
    before = row.history.count()  # type: ignore[attr-defined]

    client.patch(_url(resource, row), resource.change, format="json")

    assert row.history.count() == before + 1  # type: ignore[attr-defined]


def test_a_change_is_validated_like_a_create(resource: Resource, home: Practice, client: APIClient):
    row = resource.make(home)

    response = client.patch(_url(resource, row), resource.invalid, format="json")

    assert response.status_code == 400
    assert resource.invalid_field in errors(response)


def test_another_practices_record_is_404(resource: Resource, client: APIClient):
    foreign = resource.make(PracticeFactory.create(country=resource.country))
    before = foreign.history.count()  # type: ignore[attr-defined]

    response = client.patch(_url(resource, foreign), resource.change, format="json")

    assert response.status_code == 404
    assert foreign.history.count() == before  # type: ignore[attr-defined]


def test_a_read_carries_an_etag_that_a_change_moves(
    resource: Resource, home: Practice, client: APIClient
):
    row = resource.make(home)

    read = client.get(_url(resource, row))
    changed = client.patch(_url(resource, row), resource.change, format="json")

    assert read["ETag"].startswith('"') and read["ETag"].endswith('"')
    assert changed["ETag"] != read["ETag"]
    assert client.get(_url(resource, row))["ETag"] == changed["ETag"]


def test_a_change_with_the_current_etag_is_applied(
    resource: Resource, home: Practice, client: APIClient
):
    row = resource.make(home)
    tag = client.get(_url(resource, row))["ETag"]

    response = client.patch(_url(resource, row), resource.change, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200


def test_a_change_with_a_stale_etag_is_412_and_changes_nothing(
    resource: Resource, home: Practice, client: APIClient
):
    row = resource.make(home)
    stale = client.get(_url(resource, row))["ETag"]
    # Someone else's change in between (another client, the admin).
    row.save()
    current = client.get(_url(resource, row))
    before = row.history.count()  # type: ignore[attr-defined]

    response = client.patch(
        _url(resource, row), resource.change, format="json", HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert errors(response) == {
        "If-Match": "the record changed since you read it: read it again and reapply your change"
    }
    assert response["ETag"] == current["ETag"]
    assert row.history.count() == before  # type: ignore[attr-defined]
    assert client.get(_url(resource, row)).json() == current.json()


@pytest.mark.parametrize(
    ("header", "status"),
    [("*", 200), ('"1", {current}', 200), ("W/{current}", 412), ("not-quoted", 412), ("", 412)],
)
def test_if_match_compares_strongly(
    resource: Resource, home: Practice, client: APIClient, header: str, status: int
):
    row = resource.make(home)
    current = client.get(_url(resource, row))["ETag"]

    response = client.patch(
        _url(resource, row),
        resource.change,
        format="json",
        HTTP_IF_MATCH=header.format(current=current),
    )

    assert response.status_code == status


def test_a_create_carries_the_etag_of_the_new_record(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    body = {"first_name": "Ann", "last_name": "Claes", "birth_date": "1980-05-17"}

    created = api.post("/api/v1/patients", body, format="json")

    assert created.status_code == 201
    assert created["ETag"] == api.get(f"/api/v1/patients/{created.json()['id']}")["ETag"]


# -------------------------------------------------------------------------------- sessions


def test_moving_an_appointment_keeps_its_id_and_external_id(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    therapist = TherapistFactory.create(practice=practice)
    session = SessionFactory.create(
        episode__patient__practice=practice, date=date(2025, 2, 5), external_id="pms-1"
    )

    response = api.patch(
        f"/api/v1/sessions/{session.pk}",
        {"date": "2025-02-07", "therapist": therapist.pk, "minutes": 45, "price": "40.5"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["external_id"], body["date"]) == (session.pk, "pms-1", "2025-02-07")
    assert (body["therapist"], body["minutes"], body["price"]) == (therapist.pk, 45, "40.50")
    assert TreatmentSession.objects.count() == 1


def test_a_cancelled_session_cannot_be_changed(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    session = SessionFactory.create(episode__patient__practice=practice)
    api.post(f"/api/v1/sessions/{session.pk}/cancel", {}, format="json")

    response = api.patch(f"/api/v1/sessions/{session.pk}", {"date": "2025-02-12"}, format="json")

    assert response.status_code == 409
    assert errors(response) == {
        None: "a cancelled session cannot be changed; record a new session instead"
    }
    session.refresh_from_db()
    assert session.date == date(2025, 2, 5)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"episode": 1}, "episode", "cannot be changed"),
        ({"external_id": "x"}, "external_id", "cannot be changed"),
        ({"status": "active"}, "status", "cannot be changed"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"date": "2025-02-30"}, "date", "not a date: '2025-02-30'; expected YYYY-MM-DD"),
        ({"date": "2101-01-01"}, "date", "must be between 1900-01-01 and 2100-12-31"),
    ],
)
def test_a_session_change_names_what_it_cannot_do(
    db: None, change: dict[str, Any], field: str, message: str
):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    session = SessionFactory.create(episode__patient__practice=practice)

    response = api.patch(f"/api/v1/sessions/{session.pk}", change, format="json")

    assert response.status_code == 400
    assert errors(response) == {field: message}


def test_a_session_cannot_go_to_another_practices_therapist(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    session = SessionFactory.create(episode__patient__practice=practice)
    foreign = TherapistFactory.create()

    response = api.patch(f"/api/v1/sessions/{session.pk}", {"therapist": foreign.pk}, format="json")

    assert errors(response) == {"therapist": f"no therapist with id {foreign.pk} in this practice"}


# --------------------------------------------------------------------------- prescriptions


def test_correcting_a_prescription_keeps_its_episode(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    prescription = PrescriptionFactory.create(episode__patient__practice=practice)
    other = EpisodeFactory.create(patient=prescription.episode.patient)

    moved = api.patch(
        f"/api/v1/prescriptions/{prescription.pk}", {"episode": other.pk}, format="json"
    )
    corrected = api.patch(
        f"/api/v1/prescriptions/{prescription.pk}",
        {"date": "2025-02-01", "prescriber": "Dr. Peeters", "second_session_motivated": True},
        format="json",
    )

    assert errors(moved) == {"episode": "cannot be changed"}
    assert corrected.status_code == 200
    prescription = Prescription.objects.get(pk=prescription.pk)
    assert (prescription.date, prescription.prescriber) == (date(2025, 2, 1), "Dr. Peeters")
    assert prescription.second_session_motivated


def test_a_session_change_keeps_what_it_does_not_name(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    session = SessionFactory.create(episode__patient__practice=practice, minutes=45, place="home")

    body = api.patch(f"/api/v1/sessions/{session.pk}", {"date": "2025-02-07"}, format="json").json()

    assert (body["minutes"], body["place"]) == (45, "home")
