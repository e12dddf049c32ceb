"""/api/v1/coverage (NL): a patient's supplementary package per year; set, read, change, list."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Coverage, Patient, Practice
from tests.api.conftest import errors
from tests.factories import (
    CoverageFactory,
    InsurerPackageFactory,
    PatientFactory,
)


@pytest.fixture
def patient(nl_practice: Practice) -> Patient:
    return PatientFactory.create(practice=nl_practice)


def _set(api: APIClient, patient: Patient, **fields: Any) -> Any:
    body = {"patient": patient.pk, "year": 2025, "treatments": 9, **fields}
    return api.post("/api/v1/coverage", body, format="json")


def test_setting_a_years_coverage_answers_201(nl_api: APIClient, patient: Patient):
    response = _set(nl_api, patient, insurer="Example Zorg", deductible_remaining="385.00")

    assert response.status_code == 201
    assert response.json()["deductible_remaining"] == "385.00"
    assert Coverage.objects.get().treatments == 9


def test_setting_the_same_year_again_updates_it(nl_api: APIClient, patient: Patient):
    first = _set(nl_api, patient)
    again = _set(nl_api, patient, treatments=12)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Coverage.objects.get().treatments == 12


def test_a_catalogue_package_can_be_named(nl_api: APIClient, patient: Patient):
    package = InsurerPackageFactory.create()

    response = _set(nl_api, patient, treatments=None, package=package.pk)

    assert response.status_code == 201
    assert response.json()["package"] == package.pk


def test_treatments_and_budget_together_are_400(nl_api: APIClient, patient: Patient):
    response = _set(nl_api, patient, budget="500.00")

    assert response.status_code == 400
    assert errors(response) == {"budget": "give treatments per year or a budget, not both"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"treatments": -1}, "treatments"), ({"year": 20250}, "year"), ({"budget": "x"}, "budget")],
)
def test_invalid_values_name_their_field(
    nl_api: APIClient, patient: Patient, fields: dict[str, Any], field: str
):
    response = _set(nl_api, patient, **fields)

    assert response.status_code == 400
    assert field in errors(response)


def test_belgian_patients_have_no_coverage(api: APIClient, practice: Practice):
    response = _set(api, PatientFactory.create(practice=practice))

    assert response.status_code == 400
    assert errors(response) == {"patient": "supplementary coverage is recorded for Dutch practices"}


def test_another_practices_patient_is_refused(nl_api: APIClient, stranger: Practice):
    foreign = PatientFactory.create(practice=stranger)

    response = _set(nl_api, foreign)

    assert errors(response) == {"patient": f"no patient with id {foreign.pk} in this practice"}


def test_changing_a_count_to_a_budget(nl_api: APIClient, patient: Patient):
    coverage = CoverageFactory.create(patient=patient, treatments=9)

    refused = nl_api.patch(f"/api/v1/coverage/{coverage.pk}", {"budget": "400"}, format="json")
    changed = nl_api.patch(
        f"/api/v1/coverage/{coverage.pk}", {"budget": "400", "treatments": None}, format="json"
    )

    assert refused.status_code == 400
    assert "budget" in errors(refused)
    assert changed.status_code == 200
    assert (changed.json()["treatments"], changed.json()["budget"]) == (None, "400.00")


def test_the_year_cannot_be_changed(nl_api: APIClient, patient: Patient):
    coverage = CoverageFactory.create(patient=patient)

    response = nl_api.patch(f"/api/v1/coverage/{coverage.pk}", {"year": 2026}, format="json")

    assert errors(response) == {"year": "cannot be changed"}


def test_another_practices_coverage_is_404(nl_api: APIClient, db: None):
    coverage = CoverageFactory.create()

    assert nl_api.get(f"/api/v1/coverage/{coverage.pk}").status_code == 404
    assert nl_api.patch(f"/api/v1/coverage/{coverage.pk}", {}, format="json").status_code == 404


def test_the_list_filters_by_patient_and_year(nl_api: APIClient, patient: Patient):
    wanted = CoverageFactory.create(patient=patient, year=2025)
    CoverageFactory.create(patient=patient, year=2024)
    CoverageFactory.create(patient__practice=patient.practice, year=2025)

    body = nl_api.get("/api/v1/coverage", {"patient": patient.pk, "year": 2025}).json()

    assert [c["id"] for c in body["results"]] == [wanted.pk]


def test_unauthenticated_is_401(anonymous: APIClient, patient: Patient):
    assert anonymous.get("/api/v1/coverage").status_code == 401
    assert _set(anonymous, patient).status_code == 401
