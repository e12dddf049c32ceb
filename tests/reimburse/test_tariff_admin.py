"""The admin page that loads a tariff table: upload, a preview that writes nothing, confirm.

Superusers load; clinic administrators read the loaded rows (as with the insurer packages).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from practice.models import Therapist
from reimburse.models import LoadedTariff
from tests.factories import PracticeFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tables" / "riziv-2026.csv"
LOAD = "admin:reimburse_loadedtariff_load"
LIST = "admin:reimburse_loadedtariff_changelist"


@pytest.fixture
def clinic_client() -> Client:
    user: User = UserFactory.create(is_staff=True)
    TherapistFactory.create(
        user=user, practice=PracticeFactory.create(), role=Therapist.Role.ADMINISTRATOR
    )
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, content: bytes, name: str = "riziv-2026.csv") -> str:
    response = client.post(reverse(LOAD), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_lists_the_rows_and_saves_nothing(admin_client: Client) -> None:
    page = _upload(admin_client, FIXTURE.read_bytes())
    assert "Preview of riziv-2026.csv" in page
    assert "31.50" in page and "560092" in page  # a code the rules do not attest, listed
    assert not LoadedTariff.objects.exists()


def test_confirming_the_preview_loads_the_rows(admin_client: Client) -> None:
    response = admin_client.post(
        reverse(LOAD), {"confirm": "1", "text": FIXTURE.read_text(), "name": "riziv-2026.csv"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    assert LoadedTariff.objects.count() == 3
    assert LoadedTariff.objects.get(code="567011").loaded_by is not None
    assert "567011" in admin_client.get(reverse(LIST)).content.decode()


def test_a_refused_table_names_the_row_and_loads_nothing(admin_client: Client) -> None:
    bad = FIXTURE.read_bytes().replace(b"25.25,6.25", b"25.00,6.25", 1)
    page = _upload(admin_client, bad)
    assert "The table was not loaded" in page and "riziv-2026.csv, line 4" in page
    assert not LoadedTariff.objects.exists()


def test_a_clinic_administrator_reads_the_loaded_rows_but_cannot_load(
    clinic_client: Client,
) -> None:
    assert clinic_client.get(reverse(LIST)).status_code == 200
    assert "Load a tariff table" not in clinic_client.get(reverse(LIST)).content.decode()
    assert clinic_client.get(reverse(LOAD)).status_code == 403
    response = clinic_client.post(
        reverse(LOAD), {"confirm": "1", "text": FIXTURE.read_text(), "name": "x.csv"}
    )
    assert response.status_code == 403
    assert not LoadedTariff.objects.exists()


def test_the_superuser_list_links_to_the_load_page(admin_client: Client) -> None:
    assert reverse(LOAD) in admin_client.get(reverse(LIST)).content.decode()
    assert admin_client.get(reverse(LOAD)).status_code == 200
