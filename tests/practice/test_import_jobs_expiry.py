"""The daily cleanup and a running import: rows committed are never shown as cancelled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practice import imports
from practice.models import ImportJob, Patient
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADER = "external_id;first_name;last_name;birth_date;national_id;preferential\r\n"


def _checked_job() -> ImportJob:
    practice = PracticeFactory.create(country="BE")
    user = UserFactory.create(is_staff=True)
    job = imports.import_job_create(
        user=user,
        practice=practice,
        kind="patients",
        upload=SimpleUploadedFile("r.csv", (HEADER + "x-1;An;Peeters;1985-07-30;;0\r\n").encode()),
        file_format="csv",
    )
    assert imports.import_job_check(job_id=job.pk) == "checked"
    return job


def test_the_cleanup_leaves_an_import_confirmed_late_in_its_day_to_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = _checked_job()
    # Uploaded 23 h 59 ago and confirmed now: the nightly cleanup runs while it imports.
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59)
    )
    job = imports.import_job_confirm(job=ImportJob.objects.get(pk=job.pk))
    real = imports.import_files.chunks

    def chunks(*args: Any, **kwargs: Any) -> Any:
        for chunk in real(*args, **kwargs):
            imports.import_jobs_expire(now=timezone.now() + timedelta(minutes=5))
            yield chunk

    monkeypatch.setattr(imports.import_files, "chunks", chunks)

    assert imports.import_job_run(job_id=job.pk) == "done"
    assert Patient.objects.filter(external_id="x-1").count() == 1


def test_rows_committed_after_the_job_was_ended_meanwhile_show_as_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = _checked_job()
    job = imports.import_job_confirm(job=ImportJob.objects.get(pk=job.pk))
    real = imports.import_files.chunks

    def chunks(*args: Any, **kwargs: Any) -> Any:
        for chunk in real(*args, **kwargs):
            # Ended by someone else after its last chunk was checked (no cancel key set).
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED)
            yield chunk

    monkeypatch.setattr(imports.import_files, "chunks", chunks)

    assert imports.import_job_run(job_id=job.pk) == "done"
    assert Patient.objects.filter(external_id="x-1").count() == 1
