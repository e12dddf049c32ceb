"""Imports of patients and sessions files as jobs: uploaded in a request, checked and imported
by the task worker (``practice.tasks``).

The flow: ``import_job_create`` stores the upload and checks it can be read (quick, in the
request), then the worker's ``import_job_check`` runs every row through the resource and its
services in one transaction that is rolled back (a dry run), counting and keeping the first
errors. A clean check waits for ``import_job_confirm``; the worker's ``import_job_run`` then
writes the whole file in one transaction, stopping at the first row error with nothing written.
``import_job_cancel`` ends a job before or while it runs. The file is deleted whenever a job
ends (done, failed, refused, cancelled, or expired after 24 hours unconfirmed).

A running job's progress cannot go through the database: its own transaction holds the rows
until the end (and SQLite has one writer at a time). It goes through the ``imports`` cache
(a file cache by default) with the cancel requests.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.results import Result

from practice import import_files
from practice.import_files import UnreadableFile
from practice.models import ImportJob, Practice
from practice.resources import PatientResource, PracticeScopedResource, SessionResource
from practice.signals import import_finished

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500  # rows read, run and forgotten at a time: bounds memory, paces progress
ERRORS_KEPT = 50  # row errors stored (and shown) per job; the count covers all of them
EXPIRY = timedelta(hours=24)  # an unconfirmed or stuck job's file is deleted after this
PROGRESS_TIMEOUT = 2 * 24 * 60 * 60

RESOURCES: dict[str, type[PracticeScopedResource]] = {
    ImportJob.Kind.PATIENTS: PatientResource,
    ImportJob.Kind.SESSIONS: SessionResource,
}
RUNNING = (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
ENDED = (
    ImportJob.Status.REFUSED,
    ImportJob.Status.DONE,
    ImportJob.Status.FAILED,
    ImportJob.Status.CANCELLED,
)


class ImportJobStateError(Exception):
    """The job is not in a state that allows this step (confirmed twice, already ended …)."""


class _Cancelled(Exception):
    pass


class _Stopped(Exception):
    """A row failed while writing: the transaction was rolled back."""

    def __init__(self, outcome: _Outcome) -> None:
        super().__init__()
        self.outcome = outcome


# ------------------------------------------------------------------------------- storage


def _folder() -> Path:
    folder = Path(settings.IMPORT_FILES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_path(job: ImportJob) -> Path:
    """The stored file of a job (its name made here, never taken from a request)."""
    return _folder() / job.file_name


def _remove_file(job: ImportJob) -> None:
    job_path(job).unlink(missing_ok=True)


def _progress() -> Any:
    return caches["imports"]


# Keyed by the job's random file name: ids come again after a database is reset (tests).
def _done_key(job: ImportJob) -> str:
    return f"import-{job.file_name}-done"


def _cancel_key(job: ImportJob) -> str:
    return f"import-{job.file_name}-cancel"


# ------------------------------------------------------------------------------ selectors


def import_jobs_visible(*, user: Any, practice: Practice | None) -> QuerySet[ImportJob]:
    """The jobs a user may see and act on: their own for the practice they administer now
    (someone who moved to another practice no longer acts on the first one's imports); every
    job for a superuser."""
    jobs = ImportJob.objects.select_related("user", "practice")
    if user.is_active and user.is_superuser:
        return jobs
    if practice is None:
        return jobs.none()
    return jobs.filter(user=user, practice=practice)


def import_job_rows_done(*, job: ImportJob) -> int:
    """Rows checked or imported so far: live from the worker while the job runs."""
    if job.status in RUNNING:
        return int(_progress().get(_done_key(job), job.rows_done))
    return job.rows_done


def import_job_cancel_requested(*, job: ImportJob) -> bool:
    return bool(_progress().get(_cancel_key(job), False))


# ------------------------------------------------------------------------------- services


def import_job_create(
    *,
    user: Any,
    practice: Practice | None,
    kind: str,
    upload: UploadedFile,
    file_format: str,
    language: str = "",
) -> ImportJob:
    """Store an uploaded file, check quickly that it can be read, and record its job.

    Raises ``UnreadableFile`` (the file is then not kept). Call it outside a transaction and
    enqueue ``practice.tasks.import_check`` after: the worker must see the committed job.
    """
    name = f"{secrets.token_hex(16)}.{file_format}"
    path = _folder() / name
    with path.open("wb") as stored:
        for block in upload.chunks():
            stored.write(block)
    try:
        shape = import_files.inspect(path, file_format)
        _check_columns(kind, practice, shape.headers)
    except UnreadableFile:
        path.unlink(missing_ok=True)
        raise
    return ImportJob.objects.create(
        user=user,
        practice=practice,
        kind=kind,
        original_name=(upload.name or name)[:255],
        file_name=name,
        file_format=file_format,
        language=language,
    )


def _check_columns(kind: str, practice: Practice | None, headers: Iterable[str]) -> None:
    # A file without the id column is not one of ours (or its separator was not understood).
    if "external_id" not in headers:
        resource = RESOURCES[kind](practice=practice)
        columns = ", ".join(f.column_name for f in resource.get_import_fields())
        raise UnreadableFile(
            _(
                "The file has no column external_id. Its first line must name the columns: "
                "%(columns)s."
            )
            % {"columns": columns}
        )


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Accept a checked job for import; the caller enqueues ``practice.tasks.import_run``."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.IMPORTING, confirmed_at=timezone.now(), rows_done=0
    )
    if not updated:
        raise ImportJobStateError(job.status)
    _progress().set(_done_key(job), 0, PROGRESS_TIMEOUT)
    job.refresh_from_db()
    return job


def import_job_cancel(*, job: ImportJob) -> ImportJob:
    """Cancel a job and delete its file; a running job stops (rolled back) at its next chunk.

    A checked job is cancelled at once. A running one is only asked to stop here: the worker
    holds the import's transaction (on SQLite the only writer), so it records the end itself.
    """
    if job.status in ENDED:
        raise ImportJobStateError(job.status)
    _progress().set(_cancel_key(job), True, PROGRESS_TIMEOUT)
    if job.status == ImportJob.Status.CHECKED:
        _end(job, ImportJob.Status.CANCELLED, expected=ImportJob.Status.CHECKED)
    job.refresh_from_db()
    return job


def _end(job: ImportJob, status: str, *, expected: str | None, **values: Any) -> bool:
    """Record a job's end (unless its status changed from ``expected`` meanwhile; ``None``:
    whatever it is) and delete its file."""
    chosen = ImportJob.objects.filter(pk=job.pk)
    if expected is not None:
        chosen = chosen.filter(status=expected)
    ended = chosen.update(status=status, finished_at=timezone.now(), **values)
    _remove_file(job)
    return bool(ended)


def import_jobs_expire(*, now: datetime) -> int:
    """End the jobs left unconfirmed (or stuck with a stopped worker) for 24 hours.

    Their files are deleted, and so is any file in the folder that no job names (an upload
    cut off between storing and recording). Returns the number of jobs ended.
    """
    expired = 0
    # An import under way is judged by when it was confirmed, not uploaded: one confirmed an
    # hour before the upload's 24 hours end is still writing, and its rows will be in.
    left = ImportJob.objects.exclude(status__in=ENDED).filter(
        Q(created_at__lt=now - EXPIRY)
        & (~Q(status=ImportJob.Status.IMPORTING) | Q(confirmed_at__lt=now - EXPIRY))
    )
    for job in left:
        expired += _end(job, ImportJob.Status.CANCELLED, expected=job.status)
    known = set(ImportJob.objects.exclude(status__in=ENDED).values_list("file_name", flat=True))
    cutoff = (now - EXPIRY).timestamp()
    for path in _folder().glob("*.*"):
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    return expired


# ---------------------------------------------------------------------- the worker's part


@dataclass
class _Outcome:
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error_count: int = 0
    rows_done: int = 0

    def __post_init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, result: Result, numbers: list[int]) -> None:
        self.new += result.totals.get("new", 0)
        self.updated += result.totals.get("update", 0)
        self.skipped += result.totals.get("skip", 0)
        self.rows_done += len(numbers)
        found = [
            (numbers[row.number - 1], _validation_sentence(row.error))
            for row in result.invalid_rows
        ]
        for number, row_errors in result.row_errors():
            for error in row_errors:
                logger.error("import row %s failed", number, exc_info=error.error)
            found.append((numbers[number - 1], _("This row could not be imported.")))
        for error in result.base_errors:
            logger.error("import failed", exc_info=error.error)
            found.append((numbers[0], _("This row could not be imported.")))
        self.error_count += len(found)
        for number, message in sorted(found):
            if len(self.errors) < ERRORS_KEPT:
                self.errors.append({"row": number, "message": message})

    def counts(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
            "error_count": self.error_count,
            "errors": self.errors,
            "rows_done": self.rows_done,
        }


def _validation_sentence(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for m in ValidationError(messages).messages)}"
            if field != "__all__"
            else " ".join(str(m) for m in ValidationError(messages).messages)
            for field, messages in error.error_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


def _run_rows(job: ImportJob, *, write: bool) -> _Outcome:
    """Run every row through the resource in one transaction; roll it back unless ``write``.

    Raises ``UnreadableFile``, ``_Cancelled`` or (writing) ``_Stopped`` at the first row error,
    each after the rollback.
    """
    path = job_path(job)
    shape = import_files.inspect(path, job.file_format)
    resource = RESOURCES[job.kind](practice=job.practice)
    outcome = _Outcome()
    progress = _progress()
    with transaction.atomic():
        for numbers, dataset in import_files.chunks(path, shape, CHUNK_ROWS):
            if import_job_cancel_requested(job=job):
                raise _Cancelled
            # The resource's own savepoints per chunk and row (use_transactions) keep a
            # failed row from breaking the transaction on PostgreSQL; dry_run=False because
            # this transaction is the dry run: rows written by earlier chunks stay visible
            # to later ones (an external id twice in one file) until it is rolled back.
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, raise_errors=False
            )
            outcome.add(result, numbers)
            progress.set(_done_key(job), outcome.rows_done, PROGRESS_TIMEOUT)
            if write and outcome.error_count:
                raise _Stopped(outcome)
        if not write:
            transaction.set_rollback(True)
    return outcome


def import_job_check(*, job_id: int) -> str:
    """Count and dry-run a job's rows (the worker's task); returns the job's new status."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return job.status
    with translation.override(job.language or None):
        return _check(job)


def _check(job: ImportJob) -> str:
    expected = ImportJob.Status.CHECKING
    try:
        if import_job_cancel_requested(job=job):
            raise _Cancelled
        total = import_files.count_rows(
            job_path(job), import_files.inspect(job_path(job), job.file_format)
        )
        ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
        outcome = _run_rows(job, write=False)
    except _Cancelled:
        _end(job, ImportJob.Status.CANCELLED, expected=expected)
    except UnreadableFile as error:
        _end(
            job,
            ImportJob.Status.REFUSED,
            expected=expected,
            errors=[{"row": None, "message": str(error)}],
        )
    except Exception:
        logger.exception("import job %s: check failed", job.pk)
        _end(job, ImportJob.Status.FAILED, expected=expected, errors=[_unexpected()])
    else:
        values = {**outcome.counts(), "checked_at": timezone.now()}
        if outcome.error_count or not outcome.rows_done:
            if not outcome.rows_done:
                values["errors"] = [{"row": None, "message": _("The file has no rows to import.")}]
            _end(job, ImportJob.Status.REFUSED, expected=expected, **values)
        else:
            ImportJob.objects.filter(pk=job.pk, status=expected).update(
                status=ImportJob.Status.CHECKED, **values
            )
    job.refresh_from_db()
    return job.status


def _unexpected() -> dict[str, Any]:
    return {
        "row": None,
        "message": _("The import stopped on an unexpected error; nothing was imported."),
    }


def import_job_run(*, job_id: int) -> str:
    """Import a confirmed job's rows, all or nothing (the worker's task); returns its status.

    Sends ``practice.signals.import_finished`` after a successful import's commit.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.IMPORTING:
        return job.status
    with translation.override(job.language or None):
        return _run(job)


def _run(job: ImportJob) -> str:
    expected = ImportJob.Status.IMPORTING
    try:
        if import_job_cancel_requested(job=job):
            raise _Cancelled
        outcome = _run_rows(job, write=True)
    except _Cancelled:
        _end(job, ImportJob.Status.CANCELLED, expected=expected)
    except _Stopped as stop:
        # Nothing was written: the rows before the failing one are not counted as imported.
        _end(
            job,
            ImportJob.Status.FAILED,
            expected=expected,
            rows_done=stop.outcome.rows_done,
            new=0,
            updated=0,
            skipped=0,
            error_count=stop.outcome.error_count,
            errors=stop.outcome.errors,
        )
    except UnreadableFile as error:
        _end(
            job,
            ImportJob.Status.FAILED,
            expected=expected,
            errors=[{"row": None, "message": str(error)}],
        )
    except Exception:
        logger.exception("import job %s: import failed", job.pk)
        _end(job, ImportJob.Status.FAILED, expected=expected, errors=[_unexpected()])
    else:
        # The rows are committed: the job is done whatever was recorded meanwhile (a cancel
        # that came after the last chunk, an expiry), or the page would say nothing was
        # imported and a second import would write them again.
        _end(job, ImportJob.Status.DONE, expected=None, **outcome.counts())
        job.refresh_from_db()
        import_finished.send(sender=ImportJob, job=job)
    job.refresh_from_db()
    return job.status
