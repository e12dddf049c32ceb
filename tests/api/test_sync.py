"""Incremental sync and strict queries on every list: updated_since, cursor, page_size, ordering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Model
from rest_framework.test import APIClient

from practice.models import Practice, TreatmentSession
from tests.api.conftest import client_for, errors
from tests.factories import (
    CoverageFactory,
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Listing:
    path: str
    country: str
    make: Callable[[Practice], Model]


LISTS = [
    Listing("patients", "BE", lambda p: PatientFactory.create(practice=p)),
    Listing("coverage", "NL", lambda p: CoverageFactory.create(patient__practice=p)),
    Listing("episodes", "BE", lambda p: EpisodeFactory.create(patient__practice=p)),
    Listing(
        "prescriptions", "BE", lambda p: PrescriptionFactory.create(episode__patient__practice=p)
    ),
    Listing("sessions", "BE", lambda p: SessionFactory.create(episode__patient__practice=p)),
]


def _changed_at(row: Model, moment: datetime) -> None:
    """Pretend the row was last changed at ``moment`` (auto_now would set now on save)."""
    type(row)._default_manager.filter(pk=row.pk).update(updated_at=moment)


@pytest.fixture(params=LISTS, ids=[listing.path for listing in LISTS])
def listing(request: pytest.FixtureRequest) -> Listing:
    return request.param


@pytest.fixture
def home(listing: Listing, db: None) -> Practice:
    return PracticeFactory.create(country=listing.country)


@pytest.fixture
def client(home: Practice) -> APIClient:
    return client_for(home)


def _ids(body: dict[str, Any]) -> list[int]:
    return [row["id"] for row in body["results"]]


def test_updated_since_lists_the_changes_oldest_first(
    listing: Listing, home: Practice, client: APIClient
):
    old, late, early, tie = (listing.make(home) for _ in range(4))
    _changed_at(old, T0 - timedelta(days=1))
    _changed_at(late, T0 + timedelta(hours=2))
    _changed_at(early, T0)
    _changed_at(tie, T0 + timedelta(hours=2))
    listing.make(PracticeFactory.create(country=listing.country))  # another practice's

    response = client.get(f"/api/v1/{listing.path}", {"updated_since": "2026-12-01T09:00:00Z"})

    assert response.status_code == 200
    body = response.json()
    # At or after the moment; by update time, then id.
    assert _ids(body) == [early.pk, *sorted([late.pk, tie.pk])]
    assert body["count"] is None


def test_rows_show_when_they_changed(listing: Listing, home: Practice, client: APIClient):
    row = listing.make(home)
    _changed_at(row, T0)

    body = client.get(f"/api/v1/{listing.path}/{row.pk}").json()

    assert datetime.fromisoformat(body["updated_at"]) == T0


def test_a_sync_pages_by_cursor_and_meets_a_row_changed_meanwhile_again(
    listing: Listing, home: Practice, client: APIClient
):
    rows = [listing.make(home) for _ in range(5)]
    for minute, row in enumerate(rows):
        _changed_at(row, T0 + timedelta(minutes=minute))

    first = client.get(
        f"/api/v1/{listing.path}", {"updated_since": "2026-12-01T09:00:00Z", "page_size": "2"}
    ).json()
    rows[0].save()  # changed while the client pages: it moves to the end
    seen = _ids(first)
    page = first
    while page["next"]:
        assert "page" not in parse_qs(urlparse(page["next"]).query)
        page = client.get(page["next"]).json()
        seen += _ids(page)

    assert seen == [row.pk for row in rows] + [rows[0].pk]


def test_a_plain_list_keeps_its_page_numbers_and_count(
    listing: Listing, home: Practice, client: APIClient
):
    for _ in range(3):
        listing.make(home)

    first = client.get(f"/api/v1/{listing.path}", {"page_size": 2}).json()
    second = client.get(f"/api/v1/{listing.path}", {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3
    assert parse_qs(urlparse(first["next"]).query)["page"] == ["2"]
    assert len(first["results"]) == 2
    assert set(_ids(first)).isdisjoint(_ids(second))


@pytest.mark.parametrize("size", ["0", "201", "abc", "-1", "1.5"])
def test_a_page_size_out_of_bounds_is_400(listing: Listing, client: APIClient, size: str):
    response = client.get(f"/api/v1/{listing.path}", {"page_size": size})

    assert response.status_code == 400
    assert errors(response) == {"page_size": "must be an integer from 1 to 200"}


def test_the_largest_page_size_is_accepted(listing: Listing, client: APIClient):
    assert client.get(f"/api/v1/{listing.path}", {"page_size": "200"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "abc"}, "cursor"),
        ({"updated_since": "2026-12-01T09:00:00Z", "page": "2"}, "page"),
        ({"updated_since": "2026-12-01T09:00:00Z", "ordering": "id"}, "ordering"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "national_id"}, "ordering"),
        ({"ordering": "practice__name"}, "ordering"),
        ({"ordering": "id;select"}, "ordering"),
        ({"colour": "red"}, "colour"),
        ({"format": "json"}, "format"),
    ],
)
def test_a_query_the_list_does_not_know_is_400(
    listing: Listing, client: APIClient, params: dict[str, str], field: str
):
    response = client.get(f"/api/v1/{listing.path}", params)

    assert response.status_code == 400
    assert field in errors(response)


def test_an_unknown_query_parameter_on_a_record_is_400(
    listing: Listing, home: Practice, client: APIClient
):
    row = listing.make(home)

    response = client.get(f"/api/v1/{listing.path}/{row.pk}", {"expand": "all"})

    assert response.status_code == 400
    assert errors(response) == {"expand": "unknown query parameter"}


def test_an_allowed_ordering_breaks_ties_by_id(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    patients = [PatientFactory.create(practice=practice, last_name="Peeters") for _ in range(3)]

    body = api.get("/api/v1/patients", {"ordering": "-last_name"}).json()

    assert _ids(body) == sorted(p.pk for p in patients)


def test_the_ordering_error_lists_the_allowed_fields(db: None):
    api = client_for(PracticeFactory.create(country="BE"))

    response = api.get("/api/v1/sessions", {"ordering": "date,cancelled_by__password"})

    assert errors(response) == {
        "ordering": "cannot order by 'cancelled_by__password'; allowed: date, created_at, "
        "updated_at, id (prefix - for descending)"
    }


def test_the_quota_takes_only_as_of(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    patient = PatientFactory.create(practice=practice)

    ok = api.get(f"/api/v1/patients/{patient.pk}/quota", {"as_of": "2025-03-01"})
    typo = api.get(f"/api/v1/patients/{patient.pk}/quota", {"asof": "2025-03-01"})

    assert ok.status_code == 200
    assert errors(typo) == {"asof": "unknown query parameter"}


@pytest.mark.parametrize(
    ("country", "stored", "written"),
    [
        ("BE", "85073003328", "85.07.30-033.28"),
        ("BE", "85073003328", "850730 033 28"),
        ("BE", "85073003328", "85073003328"),
        ("NL", "111222333", "1112.22.333"),
    ],
)
@pytest.mark.django_db
def test_the_national_id_filter_takes_the_written_form(country: str, stored: str, written: str):
    practice = PracticeFactory.create(country=country)
    api = client_for(practice)
    patient = PatientFactory.create(practice=practice, national_id=stored)
    PatientFactory.create(practice=practice)

    body = api.get("/api/v1/patients", {"national_id": written}).json()

    assert _ids(body) == [patient.pk]


def test_cancelling_a_session_puts_it_in_the_next_sync(db: None):
    practice = PracticeFactory.create(country="BE")
    api = client_for(practice)
    session = SessionFactory.create(episode__patient__practice=practice)
    _changed_at(session, T0)

    api.post(f"/api/v1/sessions/{session.pk}/cancel", {}, format="json")
    body = api.get(
        "/api/v1/sessions", {"updated_since": (T0 + timedelta(seconds=1)).isoformat()}
    ).json()

    assert _ids(body) == [session.pk]
    assert body["results"][0]["status"] == "cancelled"
    assert TreatmentSession.objects.get().updated_at > T0


def test_any_iso_offset_is_compared_in_utc(listing: Listing, home: Practice, client: APIClient):
    """ISO 8601 allows +23:37; PostgreSQL refuses offsets beyond 15:59 (schemathesis found a
    500 there): the moment is compared in UTC."""
    row = listing.make(home)
    _changed_at(row, T0)

    # 2026-12-02T08:37+23:37 is 2026-12-01T09:00Z: the row changed at that very moment.
    at = client.get(f"/api/v1/{listing.path}", {"updated_since": "2026-12-02T08:37:00+23:37"})
    after = client.get(f"/api/v1/{listing.path}", {"updated_since": "2026-12-02T08:38:00+23:37"})

    assert (at.status_code, after.status_code) == (200, 200)
    assert (_ids(at.json()), _ids(after.json())) == ([row.pk], [])


def test_a_moment_without_a_utc_form_is_out_of_range(client: APIClient, listing: Listing):
    response = client.get(f"/api/v1/{listing.path}", {"updated_since": "0001-01-01T00:10:00+01:00"})

    assert response.status_code == 400
    assert errors(response) == {"updated_since": "out of range"}
