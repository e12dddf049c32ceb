"""Background tasks of the practice's records (django-tasks; run by the worker)."""

from __future__ import annotations

from django_tasks import task

from practice import imports


@task()
def import_check(*, job_id: int) -> str:
    """Count and dry-run an uploaded file's rows; returns the job's status."""
    return imports.import_job_check(job_id=job_id)


@task()
def import_run(*, job_id: int) -> str:
    """Import a confirmed file's rows in one transaction; returns the job's status."""
    return imports.import_job_run(job_id=job_id)
