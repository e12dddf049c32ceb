"""``manage.py codes_table``: write ``docs/codes.md``, the table of every code.

Run it after adding or changing a reason or warning code (its parameters in
``engine.vocabulary``, its sentence in ``reimburse.explain``); a test fails while the file in
the repository is not what this writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from reimburse.codes import codes_table

DEFAULT = Path(settings.BASE_DIR) / "docs" / "codes.md"


class Command(BaseCommand):
    help = "Write docs/codes.md: every reason and warning code, its parameters and a sentence."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(DEFAULT), help="where to write the table")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            text = codes_table()
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {options['output']}")
