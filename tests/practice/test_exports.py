"""Exports never hand a spreadsheet a live formula: text cells starting with = + - @ tab or
carriage return get an apostrophe in front, in the CSV and XLSX exports and the quota report;
numbers and dates stay numbers and dates."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.models import Practice, Therapist
from practice.resources import spreadsheet_safe
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Peeters", "Peeters"),
        ("", ""),
        ("O'Brien = x", "O'Brien = x"),
        (-5, -5),
        (date(2025, 1, 2), date(2025, 1, 2)),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(cell: object, shown: object) -> None:
    assert spreadsheet_safe(cell) == shown


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(country="BE")


@pytest.fixture
def clinic_client(practice: Practice) -> Client:
    user: User = UserFactory.create(is_staff=True)
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


def _export_patients(client: Client, file_format: str) -> bytes:
    fields = ["first_name", "last_name", "external_id", "birth_date"]
    response = client.post(
        reverse("admin:practice_patient_export"),
        {"format": file_format, "resource": "0", **{f"patientresource_{f}": "on" for f in fields}},
    )
    assert response.status_code == 200
    return response.content


def test_the_patient_csv_export_escapes_a_formula_name(
    clinic_client: Client, practice: Practice
) -> None:
    PatientFactory.create(practice=practice, first_name=HYPERLINK, last_name="@SUM(1)")

    rows = list(csv.DictReader(io.StringIO(_export_patients(clinic_client, "0").decode())))

    assert (rows[0]["first_name"], rows[0]["last_name"]) == ("'" + HYPERLINK, "'@SUM(1)")


def test_the_patient_xlsx_export_has_no_formula_and_keeps_plain_cells(
    clinic_client: Client, practice: Practice
) -> None:
    PatientFactory.create(practice=practice, first_name=HYPERLINK, last_name="Peeters")

    sheet = openpyxl.load_workbook(io.BytesIO(_export_patients(clinic_client, "1"))).active
    assert sheet is not None
    header, row = sheet.iter_rows(max_row=2)
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["first_name"].value == "'" + HYPERLINK
    assert cells["first_name"].data_type == "s"  # text, not a formula ("f")
    assert cells["last_name"].value == "Peeters"


def test_the_session_export_escapes_an_external_id(
    clinic_client: Client, practice: Practice
) -> None:
    SessionFactory.create(episode__patient__practice=practice, external_id="=1+1")

    response = clinic_client.post(
        reverse("admin:practice_treatmentsession_export"),
        {"format": "0", "resource": "0", "sessionresource_external_id": "on"},
    )

    assert "'=1+1" in response.content.decode()


def test_the_quota_report_escapes_a_formula_name(clinic_client: Client, practice: Practice) -> None:
    patient = PatientFactory.create(practice=practice, last_name=HYPERLINK, external_id="@x")
    EpisodeFactory.create(patient=patient, title="-knee")

    response = clinic_client.post(
        reverse("admin:practice_patient_changelist"),
        {"action": "export_quota_report", "_selected_action": [patient.pk]},
    )

    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    first = dict(zip(header, rows[0], strict=True))
    assert first["patient"].startswith("'" + HYPERLINK)
    assert first["external_id"] == "'@x"
