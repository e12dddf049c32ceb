"""Importing the files a clinic has: Excel's semicolon CSV in Windows-1252, UTF-16, XLSX; files
that cannot be read are refused with a sentence (no traceback, no server path); a confirm may
only name its own preview's file, and preview files do not stay behind."""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from practice import import_files
from practice.models import Patient, Practice, Therapist
from tests.factories import PracticeFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id;first_name;last_name;birth_date;national_id;preferential\r\n"
ROW = "p-1;Jérôme;Dupont;1985-07-30;85.07.30-033.28;0\r\n"
IMPORT = reverse("admin:practice_patient_import")
CONFIRM = reverse("admin:practice_patient_process_import")


def _admin_client(practice: Practice) -> Client:
    user: User = UserFactory.create(is_staff=True)
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(country="BE")


@pytest.fixture
def clinic_client(practice: Practice) -> Client:
    return _admin_client(practice)


def _preview_files() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{import_files.TMP_PREFIX}*")}


def _upload(client: Client, data: bytes, name: str = "rows.csv", file_format: str = "0") -> Any:
    upload = SimpleUploadedFile(name, data)
    return client.post(IMPORT, {"resource": "0", "format": file_format, "import_file": upload})


@pytest.mark.parametrize(
    "data",
    [
        pytest.param((HEADER + ROW).encode("cp1252"), id="Excel CSV: semicolons, Windows-1252"),
        pytest.param((HEADER + ROW).encode("latin-1"), id="Latin-1"),
        pytest.param(b"\xef\xbb\xbf" + (HEADER + ROW).encode(), id="CSV UTF-8 with BOM"),
        pytest.param(
            (HEADER + ROW).replace(";", "\t").encode("utf-16"), id="Excel Unicode text: UTF-16"
        ),
        pytest.param((HEADER + ROW).replace(";", ",").encode(), id="commas, UTF-8"),
    ],
)
def test_the_files_excel_writes_here_are_read_and_imported(
    clinic_client: Client, practice: Practice, data: bytes
) -> None:
    preview = _upload(clinic_client, data)

    assert "confirm_form" in preview.context, preview.content.decode()[:2000]
    response = clinic_client.post(CONFIRM, preview.context["confirm_form"].initial)

    assert response.status_code == 302
    patient = Patient.objects.get()
    assert (patient.first_name, patient.practice) == ("Jérôme", practice)


def test_an_xlsx_is_read_and_imported(clinic_client: Client) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(";"))
    sheet.append(ROW.strip().split(";"))
    data = io.BytesIO()
    book.save(data)

    preview = _upload(clinic_client, data.getvalue(), "rows.xlsx", file_format="1")
    clinic_client.post(CONFIRM, preview.context["confirm_form"].initial)

    assert Patient.objects.get().last_name == "Dupont"


@pytest.mark.parametrize(
    ("data", "file_format", "sentence"),
    [
        (b"\x00\x81\x8d\x90garbage", "0", "The characters of this file could not be read."),
        (b"a;b\n1;2;3\n", "0", "Line 2 has 3 cells where the header line has 2."),
        (b"not a workbook", "1", "The file is not an Excel workbook (.xlsx)."),
        (
            (HEADER + ROW * (import_files.MAX_ROWS + 1)).encode(),
            "0",
            "The file has more than 3.000 rows: split it into files of at most 3.000 rows.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_sentence_and_not_kept(
    clinic_client: Client, data: bytes, file_format: str, sentence: str
) -> None:
    before = _preview_files()

    page = _upload(clinic_client, data, file_format=file_format).content.decode()

    assert sentence in page
    assert "Traceback" not in page and tempfile.gettempdir() not in page
    assert "encountered while trying to read file" not in page
    assert _preview_files() == before
    assert not Patient.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    clinic_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(data: bytes) -> Any:
        raise AssertionError("the file was read")

    monkeypatch.setattr(import_files, "read_csv", never)
    data = (HEADER + ROW).encode() + b" " * import_files.MAX_BYTES

    page = _upload(clinic_client, data).content.decode()

    assert "The file is larger than 5 MB: split it into smaller files." in page


def test_a_confirm_can_only_name_its_own_preview(clinic_client: Client, practice: Practice) -> None:
    other_client = _admin_client(practice)
    theirs = _upload(other_client, (HEADER + ROW).encode()).context["confirm_form"].initial
    mine = _upload(clinic_client, (HEADER + ROW).encode()).context["confirm_form"].initial

    stolen = clinic_client.post(CONFIRM, {**mine, "import_file_name": theirs["import_file_name"]})
    elsewhere = clinic_client.post(CONFIRM, {**mine, "import_file_name": "passwd"})

    assert (stolen.status_code, elsewhere.status_code) == (403, 403)
    assert not Patient.objects.exists()


def test_a_confirmed_preview_leaves_no_file(clinic_client: Client) -> None:
    before = _preview_files()
    preview = _upload(clinic_client, (HEADER + ROW).encode())
    name = preview.context["confirm_form"].initial["import_file_name"]
    assert _preview_files() == before | {name}

    clinic_client.post(CONFIRM, preview.context["confirm_form"].initial)

    assert _preview_files() == before
    assert clinic_client.post(CONFIRM, preview.context["confirm_form"].initial).status_code == 403


def test_import_cleanup_deletes_previews_older_than_a_day_only() -> None:
    folder = Path(tempfile.gettempdir())
    old = folder / f"{import_files.TMP_PREFIX}test-old"
    new = folder / f"{import_files.TMP_PREFIX}test-new"
    for path in (old, new):
        path.write_bytes(b"x")
    day_and_a_minute_ago = time.time() - import_files.TMP_MAX_AGE - 60
    os.utime(old, (day_and_a_minute_ago, day_and_a_minute_ago))
    try:
        call_command("import_cleanup", stdout=io.StringIO())
        assert not old.exists()
        assert new.exists()
    finally:
        old.unlink(missing_ok=True)
        new.unlink(missing_ok=True)
