"""/api/v1/patients: create (idempotent by external_id), read, change, list."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from practice.models import Patient, Practice
from tests.api.conftest import errors
from tests.factories import (
    PatientFactory,
)

JAN = {"first_name": "Jan", "last_name": "Peeters", "birth_date": "1971-09-30"}


def _create(api: APIClient, **fields: Any) -> Any:
    return api.post("/api/v1/patients", {**JAN, **fields}, format="json")


def test_creating_a_patient_answers_201_with_its_id(api: APIClient, practice: Practice):
    response = _create(api, external_id="pms-1")

    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "pms-1"
    assert Patient.objects.get(pk=body["id"]).practice == practice


def test_repeating_a_create_with_the_same_external_id_returns_the_patient(api: APIClient):
    first = _create(api, external_id="pms-1")
    again = _create(api, external_id="pms-1")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Patient.objects.count() == 1


def test_a_repeat_with_another_birth_date_is_409_naming_it(api: APIClient):
    _create(api, external_id="pms-1")
    again = _create(api, external_id="pms-1", birth_date="1971-10-01")

    assert again.status_code == 409
    assert errors(again) == {
        "birth_date": "differs from the row already stored under this id: "
        "stored 1971-09-30, sent 1971-10-01"
    }


def test_a_second_patient_with_the_same_national_id_is_409(api: APIClient):
    _create(api, external_id="pms-1", national_id="85.07.30-033.28")
    again = _create(api, external_id="pms-2", national_id="85073003328")

    assert again.status_code == 409
    assert errors(again) == {"national_id": "another patient of this practice has this id"}


def test_the_national_id_is_stored_compact(api: APIClient):
    response = _create(api, national_id="85.07.30-033.28")

    assert response.status_code == 201
    assert response.json()["national_id"] == "85073003328"


def test_an_invalid_national_id_names_the_field(api: APIClient):
    response = _create(api, national_id="85.07.30-033.29")

    assert response.status_code == 400
    assert "not a valid INSZ/NISS number" in errors(response)["national_id"]


def test_an_impossible_birth_date_is_400(api: APIClient):
    response = _create(api, birth_date="1980-02-30")

    assert response.status_code == 400
    assert "birth_date" in errors(response)


def test_a_birth_date_outside_the_supported_range_is_400(api: APIClient):
    response = _create(api, birth_date="1850-01-01")

    assert errors(response) == {"birth_date": "must be between 1900-01-01 and 2100-12-31"}


def test_every_missing_and_unknown_field_is_reported(api: APIClient):
    response = api.post(
        "/api/v1/patients", {"first_name": "Jan", "prefferential": True}, format="json"
    )

    assert response.status_code == 400
    assert errors(response) == {
        "last_name": "This field is required.",
        "birth_date": "This field is required.",
        "prefferential": "unknown field",
    }


def test_preferential_status_exists_only_in_belgium(nl_api: APIClient):
    response = _create(nl_api, preferential=True)

    assert response.status_code == 400
    assert errors(response) == {"preferential": "preferential status exists only in Belgium"}


def test_a_body_that_is_not_json_is_400(api: APIClient):
    response = api.post("/api/v1/patients", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert list(errors(response)) == [None]


def test_reading_a_patient(api: APIClient, practice: Practice):
    patient = PatientFactory.create(practice=practice)

    response = api.get(f"/api/v1/patients/{patient.pk}")

    assert response.status_code == 200
    assert response.json()["last_name"] == patient.last_name


def test_another_practices_patient_is_404(api: APIClient, stranger: Practice):
    patient = PatientFactory.create(practice=stranger)

    response = api.get(f"/api/v1/patients/{patient.pk}")

    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "not found"}]}


def test_ids_that_are_not_integers_or_too_large_are_404(api: APIClient):
    assert api.get("/api/v1/patients/abc").status_code == 404
    assert api.get(f"/api/v1/patients/{10**30}").status_code == 404


def test_the_list_holds_only_the_practices_patients(
    api: APIClient, practice: Practice, stranger: Practice
):
    PatientFactory.create(practice=practice, last_name="Aerts")
    PatientFactory.create(practice=practice, last_name="Claes")
    PatientFactory.create(practice=stranger)

    body = api.get("/api/v1/patients").json()

    assert body["count"] == 2
    assert [p["last_name"] for p in body["results"]] == ["Aerts", "Claes"]


def test_the_list_filters_and_orders(api: APIClient, practice: Practice):
    PatientFactory.create(practice=practice, last_name="Aerts", external_id="a")
    PatientFactory.create(practice=practice, last_name="Claes", external_id="c")

    by_id = api.get("/api/v1/patients", {"external_id": "c"}).json()
    reversed_ = api.get("/api/v1/patients", {"ordering": "-last_name"}).json()

    assert [p["last_name"] for p in by_id["results"]] == ["Claes"]
    assert [p["last_name"] for p in reversed_["results"]] == ["Claes", "Aerts"]


def test_an_invalid_filter_value_is_400(api: APIClient):
    response = api.get("/api/v1/patients", {"birth_date": "yesterday"})

    assert response.status_code == 400
    assert "birth_date" in errors(response)


def test_a_page_past_the_end_is_404(api: APIClient):
    response = api.get("/api/v1/patients", {"page": 9})

    assert response.status_code == 404
    assert errors(response) == {None: "Invalid page."}


def test_changing_a_patient(api: APIClient, practice: Practice):
    patient = PatientFactory.create(practice=practice)

    response = api.patch(f"/api/v1/patients/{patient.pk}", {"first_name": "Ann"}, format="json")

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.first_name == "Ann"


def test_the_external_id_cannot_be_changed(api: APIClient, practice: Practice):
    patient = PatientFactory.create(practice=practice, external_id="a")

    response = api.patch(f"/api/v1/patients/{patient.pk}", {"external_id": "b"}, format="json")

    assert response.status_code == 400
    assert errors(response) == {"external_id": "cannot be changed"}


def test_changing_another_practices_patient_is_404(api: APIClient, stranger: Practice):
    patient = PatientFactory.create(practice=stranger)

    response = api.patch(f"/api/v1/patients/{patient.pk}", {"first_name": "X"}, format="json")

    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.first_name != "X"


def test_patients_are_not_deleted_through_the_api(api: APIClient, practice: Practice):
    patient = PatientFactory.create(practice=practice)

    response = api.delete(f"/api/v1/patients/{patient.pk}")

    assert response.status_code == 405
    assert errors(response) == {None: 'Method "DELETE" not allowed.'}


def test_unauthenticated_is_401(anonymous: APIClient, practice: Practice):
    assert anonymous.get("/api/v1/patients").status_code == 401
    assert _create(anonymous).status_code == 401
