"""Importing the files a clinic has, as jobs on the task queue: Excel's semicolon CSV in
Windows-1252, UTF-16, XLSX; files that cannot be read are refused with a sentence (no
traceback, no server path); only the uploader sees, confirms or cancels a job; an import is
all or nothing; files do not stay behind; progress moves; a 10,000-row file end to end."""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from practice import import_files, imports
from practice.models import ImportJob, Patient, Practice, Therapist
from practice.signals import import_finished
from tests import importing
from tests.factories import PracticeFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id;first_name;last_name;birth_date;national_id;preferential\r\n"
ROW = "p-1;Jérôme;Dupont;1985-07-30;85.07.30-033.28;0\r\n"


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


def _stored_files() -> set[str]:
    folder = Path(settings.IMPORT_FILES_DIR)
    return {p.name for p in folder.glob("*.*")} if folder.exists() else set()


def _upload(client: Client, data: bytes, name: str = "rows.csv", file_format: str = "0") -> Any:
    return importing.upload(client, "patient", data, name, file_format)


def _patients(count: int, start: int = 1) -> str:
    return "".join(
        f"imp-{n};First{n};Last{n};19{50 + n % 50}-0{1 + n % 9}-1{n % 10};;0\r\n"
        for n in range(start, start + count)
    )


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
    job = importing.upload_and_confirm(clinic_client, "patient", data)

    assert job.status == ImportJob.Status.DONE
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

    importing.upload_and_confirm(
        clinic_client, "patient", data.getvalue(), name="rows.xlsx", file_format="1"
    )

    assert Patient.objects.get().last_name == "Dupont"


@pytest.mark.parametrize(
    ("data", "file_format", "sentence"),
    [
        (b"\x00\x81\x8d\x90garbage", "0", "The characters of this file could not be read."),
        (b"not a workbook", "1", "The file is not an Excel workbook (.xlsx)."),
        (b"a;b\n1;2\n", "0", "The file has no column external_id."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_upload_with_a_sentence_and_not_kept(
    clinic_client: Client, data: bytes, file_format: str, sentence: str
) -> None:
    before = _stored_files()

    response = _upload(clinic_client, data, file_format=file_format)

    page = response.content.decode()
    assert response.status_code == 200
    assert sentence in page
    assert "Traceback" not in page and str(settings.IMPORT_FILES_DIR) not in page
    assert _stored_files() == before
    assert not ImportJob.objects.exists() and not Patient.objects.exists()


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            HEADER + "p-1;An;Peeters\r\n",
            "Line 2 has 3 cells where the header line has 6.",
        ),
        (
            HEADER + _patients(import_files.MAX_ROWS + 1),
            "The file has more than 100.000 rows: split it into files of at most 100.000 rows.",
        ),
    ],
    ids=["short row", "too many rows"],
)
def test_a_file_whose_rows_cannot_be_read_is_refused_by_the_check_and_not_kept(
    clinic_client: Client, data: str, sentence: str
) -> None:
    before = _stored_files()

    job = importing.job_of(_upload(clinic_client, data.encode()))

    assert job.status == ImportJob.Status.REFUSED
    page = importing.page(clinic_client, job)
    assert sentence in page
    assert "Traceback" not in page and "/confirm/" not in page
    assert _stored_files() == before
    assert not Patient.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(
    clinic_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was stored")

    monkeypatch.setattr(imports, "import_job_create", never)
    data = (HEADER + ROW).encode() + b" " * import_files.MAX_BYTES

    page = _upload(clinic_client, data).content.decode()

    assert "The file is larger than 50 MB: split it into smaller files." in page


def test_only_the_uploader_sees_confirms_or_cancels_a_job(
    clinic_client: Client, practice: Practice, admin_client: Client
) -> None:
    colleague = _admin_client(practice)  # same practice, other administrator
    job = importing.job_of(_upload(clinic_client, (HEADER + ROW).encode()))
    urls = [
        reverse(name, args=[job.pk])
        for name in (
            "admin:practice_importjob_change",
            "admin:practice_importjob_confirm",
            "admin:practice_importjob_cancel",
        )
    ]

    answers = [colleague.get(urls[0]).status_code] + [colleague.post(u).status_code for u in urls]
    listed = colleague.get(reverse("admin:practice_importjob_changelist")).content.decode()

    assert answers == [404, 404, 404, 404]
    assert "rows.csv" not in listed
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not Patient.objects.exists()
    assert admin_client.get(urls[0]).status_code == 200  # a superuser sees every job


def test_an_administrator_moved_to_another_practice_no_longer_acts_on_the_first_ones_job(
    clinic_client: Client, practice: Practice
) -> None:
    job = importing.job_of(_upload(clinic_client, (HEADER + ROW).encode()))
    Therapist.objects.filter(user=job.user).update(practice=PracticeFactory.create(country="BE"))
    url = reverse("admin:practice_importjob_confirm", args=[job.pk])

    assert clinic_client.post(url).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not Patient.objects.exists()


def test_a_confirmed_import_leaves_no_file_and_cannot_be_confirmed_again(
    clinic_client: Client,
) -> None:
    before = _stored_files()
    job = importing.job_of(_upload(clinic_client, (HEADER + ROW).encode()))
    assert _stored_files() == before | {job.file_name}

    importing.confirm(clinic_client, job)
    importing.confirm(clinic_client, job)

    job.refresh_from_db()
    assert (job.status, job.new, job.updated, job.skipped) == (ImportJob.Status.DONE, 1, 0, 0)
    assert Patient.objects.count() == 1
    assert _stored_files() == before
    page = importing.page(clinic_client, job)
    assert "Imported: 1 new, 0 updated, 0 skipped." in page
    assert reverse("admin:practice_patient_changelist") in page


def test_cancel_before_confirm_deletes_the_file_and_imports_nothing(clinic_client: Client) -> None:
    job = importing.job_of(_upload(clinic_client, (HEADER + ROW).encode()))
    assert job.file_name in _stored_files()

    clinic_client.post(reverse("admin:practice_importjob_cancel", args=[job.pk]))
    importing.confirm(clinic_client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert job.file_name not in _stored_files()
    assert not Patient.objects.exists()


def _stored_job(practice: Practice, text: str) -> ImportJob:
    """A job uploaded but not yet run by the worker."""
    user = UserFactory.create(is_staff=True)
    upload = SimpleUploadedFile("rows.csv", text.encode())
    return imports.import_job_create(
        user=user, practice=practice, kind="patients", upload=upload, file_format="csv"
    )


def test_a_cancel_while_the_worker_runs_stops_it_with_nothing_written(
    practice: Practice,
) -> None:
    job = _stored_job(practice, HEADER + _patients(3))
    imports.import_job_check(job_id=job.pk)
    job = imports.import_job_confirm(job=ImportJob.objects.get(pk=job.pk))

    imports.import_job_cancel(job=job)  # running: the worker sees it at its next chunk
    status = imports.import_job_run(job_id=job.pk)

    assert status == ImportJob.Status.CANCELLED
    assert not Patient.objects.exists()
    assert job.file_name not in _stored_files()


def test_a_bad_row_late_in_the_file_stops_the_import_with_nothing_written(
    practice: Practice,
) -> None:
    # 1,200 rows: three chunks, so the first two were already written when row 1,102 fails.
    rows = _patients(1_100) + "imp-1101;An;Peeters;1985-07-30;85.07.30-033.28;0\r\n"
    job = _stored_job(practice, HEADER + rows + _patients(99, start=1_102))
    assert imports.import_job_check(job_id=job.pk) == ImportJob.Status.CHECKED
    job = imports.import_job_confirm(job=ImportJob.objects.get(pk=job.pk))
    # Between the check and the confirm, another patient is recorded with row 1,102's INSZ.
    Patient.objects.create(
        practice=practice, external_id="other", first_name="X", last_name="Y",
        birth_date=timezone.localdate(), national_id="85073003328",
    )  # fmt: skip
    finished: list[ImportJob] = []
    import_finished.connect(lambda sender, job, **kw: finished.append(job), weak=False)
    try:
        status = imports.import_job_run(job_id=job.pk)
    finally:
        import_finished.receivers.clear()

    job.refresh_from_db()
    assert status == ImportJob.Status.FAILED
    assert Patient.objects.count() == 1  # only the one made above
    assert job.errors[0]["row"] == 1_102  # the header is row 1
    assert job.new == 0 and finished == []
    assert job.file_name not in _stored_files()


def test_a_successful_import_sends_import_finished_once(practice: Practice) -> None:
    job = _stored_job(practice, HEADER + _patients(2))
    imports.import_job_check(job_id=job.pk)
    imports.import_job_confirm(job=ImportJob.objects.get(pk=job.pk))
    finished: list[ImportJob] = []
    import_finished.connect(lambda sender, job, **kw: finished.append(job), weak=False)
    try:
        imports.import_job_run(job_id=job.pk)
    finally:
        import_finished.receivers.clear()

    assert [(j.pk, j.status, j.new) for j in finished] == [(job.pk, ImportJob.Status.DONE, 2)]


def test_progress_moves_chunk_by_chunk_and_the_page_shows_it(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _stored_job(practice, HEADER + _patients(5))
    seen: list[int] = []
    chunks = import_files.chunks

    def watched(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in chunks(*args, **kwargs):
            seen.append(imports.import_job_rows_done(job=ImportJob.objects.get(pk=job.pk)))
            yield chunk

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(import_files, "chunks", watched)

    imports.import_job_check(job_id=job.pk)

    job.refresh_from_db()
    assert seen == [0, 2, 4]
    assert (job.status, job.rows_total, job.rows_done) == (ImportJob.Status.CHECKED, 5, 5)


def test_a_running_job_page_shows_rows_done_of_total_and_refreshes_itself(
    practice: Practice,
) -> None:
    job = _stored_job(practice, HEADER + _patients(10))
    ImportJob.objects.filter(pk=job.pk).update(rows_total=10)
    imports._progress().set(imports._done_key(job), 4)
    client = Client()
    client.force_login(job.user)
    TherapistFactory.create(user=job.user, practice=practice, role=Therapist.Role.ADMINISTRATOR)

    page = importing.page(client, job)

    assert "4 of 10 rows" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="10" value="4">' in page


def test_import_cleanup_cancels_jobs_unconfirmed_for_a_day_and_deletes_their_files(
    practice: Practice,
) -> None:
    old = _stored_job(practice, HEADER + ROW)
    new = _stored_job(practice, HEADER + ROW)
    imports.import_job_check(job_id=old.pk)
    imports.import_job_check(job_id=new.pk)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    call_command("import_cleanup", stdout=io.StringIO())

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (ImportJob.Status.CANCELLED, ImportJob.Status.CHECKED)
    assert old.file_name not in _stored_files() and new.file_name in _stored_files()


def test_import_cleanup_still_deletes_the_previous_importers_old_preview_files() -> None:
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


DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


# Committed rows: the worker closes and reopens its database connection between tasks.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE)
def test_through_the_database_queue_nothing_runs_in_the_request_and_the_worker_does_it(
    clinic_client: Client,
) -> None:
    job = importing.job_of(_upload(clinic_client, (HEADER + _patients(3)).encode()))
    assert job.status == ImportJob.Status.CHECKING, "queued, not checked in the request"
    assert "Counting the rows of the file" in importing.page(clinic_client, job)

    _work()
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.new) == (ImportJob.Status.CHECKED, 3, 3)
    assert not Patient.objects.exists()

    importing.confirm(clinic_client, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING and not Patient.objects.exists()

    _work()
    job.refresh_from_db()
    assert (job.status, job.new) == (ImportJob.Status.DONE, 3)
    assert Patient.objects.count() == 3


@pytest.mark.slow
def test_a_10000_row_file_is_checked_and_imported_end_to_end(clinic_client: Client) -> None:
    job = importing.upload_and_confirm(clinic_client, "patient", HEADER + _patients(10_000))

    assert (job.status, job.rows_total, job.rows_done, job.new) == (
        ImportJob.Status.DONE,
        10_000,
        10_000,
        10_000,
    )
    assert Patient.objects.filter(external_id__startswith="imp-").count() == 10_000


def test_the_workers_sentences_are_in_the_uploaders_language(practice: Practice) -> None:
    # A cell over the csv module's field limit (128 KB): the worker refuses it, in Dutch.
    user = UserFactory.create(is_staff=True)
    job = imports.import_job_create(
        user=user,
        practice=practice,
        kind="patients",
        upload=SimpleUploadedFile(
            "rows.csv", (HEADER + f"p-1;{'A' * 200_000};x;y;z;0\r\n").encode()
        ),
        file_format="csv",
        language="nl",
    )

    imports.import_job_check(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors == [{"row": None, "message": "Het bestand is geen geldig CSV-bestand."}]
