"""Every answer under /api/ is JSON: unknown paths, bodies over the limit, a database that is
unavailable, unexpected errors; and each 5xx is logged once, as one JSON line with the
request id and the traceback."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.test import APIClient

from practice.api import views
from practice.models import Patient
from tests.api.conftest import errors

JAN = {"first_name": "Jan", "last_name": "Peeters", "birth_date": "1971-09-30"}


def _is_json_error(response: Any, status: int) -> dict[str | None, str]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return errors(response)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/patients/1%0A", "/api/v1/coverage/7%0A", "/api/v2/patients", "/api/", "/api/x/y"],
)
def test_an_unknown_path_under_api_is_a_json_404(api: APIClient, path: str) -> None:
    assert _is_json_error(api.get(path), 404) == {
        None: "no such endpoint; the API is described at /api/v1/docs/"
    }


def test_a_body_over_the_limit_is_a_json_413(api: APIClient) -> None:
    body = json.dumps({**JAN, "last_name": "x" * (2 * 1024 * 1024)})

    response = api.post("/api/v1/patients", body, content_type="application/json")

    assert list(_is_json_error(response, 413)) == [None]
    assert not Patient.objects.exists()


def _break(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(views.PatientViewSet, "list", broken)


def test_a_database_that_is_unavailable_is_a_json_503_with_retry_after(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _break(monkeypatch, OperationalError("connection to server failed: Connection refused"))

    response = api.get("/api/v1/patients")

    assert _is_json_error(response, 503) == {None: "the database is unavailable; retry in a moment"}
    assert response["Retry-After"] == "30"
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None


def test_an_unexpected_error_is_a_json_500_quoting_the_request_id_logged_once(
    practice: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.api.conftest import client_for

    api = client_for(practice)
    api.raise_request_exception = False
    _break(monkeypatch, ZeroDivisionError("boom"))

    response = api.get("/api/v1/patients")

    request_id = response["X-Request-ID"]
    assert _is_json_error(response, 500) == {
        None: f"internal server error; quote request id {request_id} when you report it"
    }
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    (record,) = logged
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    line = logging.getLogger("django").handlers[0].format(record)
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert entry["request_id"] == request_id
    assert entry["level"] == "ERROR"
    assert "ZeroDivisionError: boom" in entry["exc_info"]


def test_a_request_id_from_the_proxy_is_kept(api: APIClient) -> None:
    mine = str(uuid.uuid4())

    response = api.get("/api/v1/patients", headers={"X-Request-ID": mine})

    assert response["X-Request-ID"] == mine


# ------------------------------------------------------------------------------- /healthz


@pytest.mark.django_db
def test_the_health_check_needs_no_login_and_runs_a_query(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_the_health_check_is_503_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings only")
def test_postgresql_connections_have_a_statement_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    assert value == "20s"
