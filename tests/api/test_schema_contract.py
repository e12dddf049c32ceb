"""What a client generated from the schema relies on: types, ranges, preconditions, sync."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import get_doc

from practice.api.serializers import ApiModelSerializer, StrictMixin
from practice.api.views import ScopedViewSet
from practice.models import Patient

RECORD_LISTS = ("patients", "coverage", "episodes", "prescriptions", "sessions")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in operation.get("parameters", []) if p["name"] == name]
    return found


def test_path_ids_are_positive_integers(document: dict[str, Any]):
    with_id = [(m, p, op) for m, p, op in _operations(document) if "{id}" in p]

    assert with_id
    for method, path, operation in with_id:
        schema = _parameter(operation, "id")["schema"]
        assert (schema["type"], schema["minimum"]) == ("integer", 1), (method, path)


def test_id_filters_and_related_ids_state_their_range(document: dict[str, Any]):
    sessions = document["paths"]["/api/v1/sessions"]["get"]
    body = document["components"]["schemas"]["SessionCreateRequest"]["properties"]

    assert _parameter(sessions, "patient")["schema"]["minimum"] == 1
    assert body["episode"]["minimum"] == 1


def test_dates_checked_against_the_supported_range_say_so(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    quota = document["paths"]["/api/v1/patients/{id}/quota"]["get"]

    assert (
        "Between 1900-01-01 and 2100-12-31."
        in schemas["PatientRequest"]["properties"]["birth_date"]["description"]
    )
    assert "Between 1900-01-01 and 2100-12-31." in _parameter(quota, "as_of")["description"]


def test_no_internal_docstring_describes_a_model(document: dict[str, Any]):
    internal = {
        inspect.cleandoc(cls.__doc__ or "")
        for cls in (StrictMixin, ApiModelSerializer, ScopedViewSet)
    }
    described = [
        (name, schema.get("description", ""))
        for name, schema in document["components"]["schemas"].items()
    ] + [(f"{m} {p}", op.get("description", "")) for m, p, op in _operations(document)]

    for name, description in described:
        assert description not in internal or not description, name
        assert "Reject keys the serializer does not know" not in description, name


def test_bodies_that_refuse_unknown_keys_say_so(document: dict[str, Any]):
    schemas = document["components"]["schemas"]

    for name in ("PatientRequest", "SessionCreateRequest", "PatchedSessionUpdateRequest"):
        assert schemas[name]["additionalProperties"] is False, name


def test_changes_document_if_match_412_and_the_etag(document: dict[str, Any]):
    patches = [(p, op) for m, p, op in _operations(document) if m == "patch"]

    assert {p.split("/")[3] for p, _op in patches} == set(RECORD_LISTS)
    for path, operation in patches:
        assert _parameter(operation, "If-Match")["in"] == "header", path
        assert not _parameter(operation, "If-Match").get("required", False), path
        assert "412" in operation["responses"], path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_a_cancelled_session_change_documents_409(document: dict[str, Any]):
    assert "409" in document["paths"]["/api/v1/sessions/{id}"]["patch"]["responses"]


def test_every_record_list_syncs_and_bounds_its_pages(document: dict[str, Any]):
    for name in RECORD_LISTS:
        operation = document["paths"][f"/api/v1/{name}"]["get"]
        assert _parameter(operation, "updated_since")["schema"]["format"] == "date-time", name
        assert _parameter(operation, "cursor")["schema"] == {"type": "string"}, name
        assert _parameter(operation, "page_size")["schema"]["maximum"] == 200, name


def test_reference_data_is_described(document: dict[str, Any]):
    paths = document["paths"]

    assert {"/api/v1/practice", "/api/v1/therapists", "/api/v1/insurer-packages"} <= set(paths)
    assert "updated_since" not in {
        p["name"] for p in paths["/api/v1/therapists"]["get"]["parameters"]
    }


def test_a_serializer_without_a_docstring_of_its_own_gets_no_description():
    class Bare(StrictMixin, ApiModelSerializer):
        class Meta:
            model = Patient
            fields = ["id"]

    assert get_doc(Bare) == ""


def test_a_change_has_no_defaults_that_would_overwrite_the_record(document: dict[str, Any]):
    changes = {
        name: schema
        for name, schema in document["components"]["schemas"].items()
        if name.startswith("Patched")
    }

    assert len(changes) == 5
    for name, schema in changes.items():
        defaults = {k for k, v in schema["properties"].items() if "default" in v}
        assert defaults == set(), name
