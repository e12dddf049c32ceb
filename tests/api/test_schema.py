"""The OpenAPI document: valid without warnings, served with Swagger UI, bearer-secured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_schema_validates_without_warnings(tmp_path: Path):
    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3.0.3")


def test_the_schema_and_swagger_ui_are_served_without_a_token(anonymous: APIClient, db: None):
    schema = anonymous.get("/api/v1/schema/", {"format": "json"})
    docs = anonymous.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Physiotherapy reimbursement API"
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_every_operation_needs_the_bearer_token(document: dict[str, Any]):
    assert document["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for method, path, operation in _operations(document):
        assert operation["security"] == [{"apiToken": []}], (method, path)


def test_every_operation_documents_the_error_object(document: dict[str, Any]):
    for method, path, operation in _operations(document):
        for code in ("400", "401", "404"):
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_quota_and_simulate_answer_in_the_same_shape(document: dict[str, Any]):
    def ok(path: str, method: str) -> Any:
        return document["paths"][path][method]["responses"]["200"]["content"]["application/json"]

    assert ok("/api/v1/patients/{id}/quota", "get") == ok("/api/v1/simulate", "post")


def test_creates_document_201_and_the_idempotent_200(document: dict[str, Any]):
    for path in ("/api/v1/patients", "/api/v1/sessions", "/api/v1/prescriptions"):
        assert {"200", "201"} <= set(document["paths"][path]["post"]["responses"]), path


def test_sessions_have_no_delete(document: dict[str, Any]):
    assert "delete" not in document["paths"]["/api/v1/sessions/{id}"]


def test_the_swagger_ui_loads_its_files_from_this_server_not_a_cdn(client) -> None:
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page and "//cdn" not in page
