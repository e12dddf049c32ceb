"""/api/v1/practice, /therapists, /insurer-packages: the ids a practice system must send."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rest_framework.test import APIClient

from practice.models import ConventionAdherence, Practice, Therapist
from reimburse.models import InsurerPackage
from tests.api.conftest import errors
from tests.factories import InsurerPackageFactory, TherapistFactory, UserFactory


def test_the_practice_is_the_tokens(api: APIClient, practice: Practice, stranger: Practice):
    response = api.get("/api/v1/practice")

    assert response.status_code == 200
    assert response.json() == {"id": practice.pk, "name": practice.name, "country": "BE"}


def test_therapists_list_only_the_practices_people(
    api: APIClient, practice: Practice, stranger: Practice
):
    ann = TherapistFactory.create(
        practice=practice,
        user=UserFactory.create(first_name="Ann", last_name="Aerts"),
        riziv_number="51234567890",
    )
    ConventionAdherence.objects.create(
        therapist=ann, adheres=False, valid_from=date(2025, 5, 1), valid_until=date(2026, 1, 1)
    )
    TherapistFactory.create(practice=stranger)

    body = api.get("/api/v1/therapists").json()

    # The token's creator is the practice's administrator (conftest.client_for).
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == set(
        Therapist.objects.filter(practice=practice).values_list("pk", flat=True)
    )
    assert rows[ann.pk] == {
        "id": ann.pk,
        "name": "Ann Aerts",
        "role": "therapist",
        "riziv_number": "51234567890",
        "agb_code": None,
        "active": True,
        "conventions": [
            {"adheres": False, "valid_from": "2025-05-01", "valid_until": "2026-01-01"}
        ],
    }


def test_a_dutch_therapist_shows_the_agb_code(nl_api: APIClient, nl_practice: Practice):
    therapist = TherapistFactory.create(practice=nl_practice, agb_code="04012345")

    row = nl_api.get(f"/api/v1/therapists/{therapist.pk}").json()

    assert (row["agb_code"], row["riziv_number"]) == ("04012345", None)


def test_therapists_filter_by_role(api: APIClient, practice: Practice):
    TherapistFactory.create(practice=practice)

    body = api.get("/api/v1/therapists", {"role": "administrator"}).json()

    assert [row["role"] for row in body["results"]] == ["administrator"]


def test_another_practices_therapist_is_404(api: APIClient, stranger: Practice):
    foreign = TherapistFactory.create(practice=stranger)

    response = api.get(f"/api/v1/therapists/{foreign.pk}")

    assert response.status_code == 404
    assert errors(response) == {None: "not found"}


def test_the_package_catalogue_shows_year_figures_and_source(nl_api: APIClient):
    package = InsurerPackageFactory.create(
        insurer="Zilveren Kruis",
        name="Aanvullend 3",
        year=2026,
        treatments=None,
        budget=Decimal("500.00"),
        source="https://example.org/zk-2026",
        checked_on=date(2026, 1, 5),
    )

    body = nl_api.get("/api/v1/insurer-packages", {"year": "2026", "insurer": "zilveren kruis"})

    assert body.status_code == 200
    (row,) = body.json()["results"]
    assert row["id"] == package.pk
    assert (row["year"], row["treatments"], row["budget"]) == (2026, None, "500.00")
    assert (row["source"], row["checked_on"], row["verified"]) == (
        "https://example.org/zk-2026",
        "2026-01-05",
        False,
    )


def test_the_catalogue_lists_every_seeded_package(nl_api: APIClient):
    body = nl_api.get("/api/v1/insurer-packages", {"page_size": 200}).json()

    assert body["count"] == InsurerPackage.objects.count() > 0


def test_reference_data_is_read_only(api: APIClient, practice: Practice):
    therapist = Therapist.objects.filter(practice=practice).first()
    assert therapist is not None

    assert api.post("/api/v1/practice", {}, format="json").status_code == 405
    assert api.patch(f"/api/v1/therapists/{therapist.pk}", {}, format="json").status_code == 405
    assert api.post("/api/v1/insurer-packages", {}, format="json").status_code == 405


def test_reference_data_needs_a_token(anonymous: APIClient, db: None):
    for path in ("/api/v1/practice", "/api/v1/therapists", "/api/v1/insurer-packages"):
        assert anonymous.get(path).status_code == 401, path
