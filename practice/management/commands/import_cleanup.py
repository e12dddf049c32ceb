"""``manage.py import_cleanup``: delete import previews never confirmed within 24 hours."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from practice.import_files import remove_expired_preview_files


class Command(BaseCommand):
    help = "Delete the temporary files of import previews older than 24 hours (run it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_expired_preview_files()
        self.stdout.write(f"{len(removed)} expired import preview file(s) deleted")
