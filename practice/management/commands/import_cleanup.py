"""``manage.py import_cleanup``: end imports unconfirmed for 24 hours, delete their files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from practice.import_files import remove_expired_preview_files
from practice.imports import import_jobs_expire


class Command(BaseCommand):
    help = (
        "Cancel imports not confirmed (or not finished) within 24 hours and delete their "
        "files, with the previous importer's preview files (run it daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = import_jobs_expire(now=timezone.now())
        removed = remove_expired_preview_files()
        self.stdout.write(
            f"{jobs} expired import(s) cancelled, {len(removed)} old preview file(s) deleted"
        )
