"""Load an official Belgian tariff table (CSV, the format of the shipped ``tariffs.csv``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reimburse.engine.datafile import TableError
from reimburse.tariffs import TariffTableCheck, tariff_table_check, tariffs_load


class Command(BaseCommand):
    help = (
        "Load a RIZIV tariff table (CSV in the format of reimburse/engine/be/data/tariffs.csv): "
        "its rows win over the shipped tariffs on their dates. --dry-run checks and writes "
        "nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--by", help="username recorded as the one who loaded the table")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"no user {options['by']!r}")
        try:
            if options["dry_run"]:
                check = tariff_table_check(text=text, name=path.name)
            else:
                check = tariffs_load(text=text, name=path.name, by=by)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        self._report(check, dry_run=options["dry_run"])

    def _report(self, check: TariffTableCheck, *, dry_run: bool) -> None:
        verb = "would load" if dry_run else "loaded"
        self.stdout.write(f"{verb} {len(check.new)} rows")
        for row in check.new:
            tariff = row.tariff
            assert tariff is not None
            until = row.valid_until or "open"
            self.stdout.write(
                f"  {row.code} {row.valid_from} → {until}: fee {tariff.fee}, insurer "
                f"{tariff.insurer} / {tariff.insurer_preferential}"
            )
        if check.already_loaded:
            self.stdout.write(f"skipped {len(check.already_loaded)} rows already loaded")
        if check.unused_codes:
            self.stdout.write(
                "codes the rules do not attest (loaded all the same): "
                + ", ".join(check.unused_codes)
            )
