"""Helpers for tests of the admin's imports: upload a file, follow its job, confirm it.

In the test settings the task queue is django-tasks' immediate backend, so the check runs
inside the upload's request and the import inside the confirm's.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse

from practice.models import ImportJob

CONFIRM_BUTTON = "admin:practice_importjob_confirm"


def upload(
    client: Client,
    model: str,
    data: bytes | str,
    name: str = "rows.csv",
    file_format: str = "0",
) -> Any:
    """POST a file to the model's import page (``format``: 0 CSV, 1 XLSX)."""
    content = data.encode() if isinstance(data, str) else data
    return client.post(
        reverse(f"admin:practice_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def job_of(response: Any) -> ImportJob:
    """The job an upload made (its answer redirects to the job's page)."""
    assert response.status_code == 302, response.content.decode()[:3000]
    match = resolve(response["Location"])
    assert match.url_name == "practice_importjob_change", response["Location"]
    return ImportJob.objects.get(pk=match.kwargs["object_id"])


def page(client: Client, job: ImportJob) -> str:
    response = client.get(reverse("admin:practice_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def offers_confirm(client: Client, job: ImportJob) -> bool:
    return reverse(CONFIRM_BUTTON, args=[job.pk]) in page(client, job)


def confirm(client: Client, job: ImportJob) -> Any:
    return client.post(reverse(CONFIRM_BUTTON, args=[job.pk]))


def upload_and_confirm(client: Client, model: str, data: bytes | str, **kwargs: Any) -> ImportJob:
    """Upload, expect a clean check, confirm; return the job after the import."""
    job = job_of(upload(client, model, data, **kwargs))
    assert job.status == ImportJob.Status.CHECKED, job.errors
    confirm(client, job)
    job.refresh_from_db()
    return job
