"""``manage.py simulate PATH``: the simulate contract from the shell.

Prints the result JSON to standard output and exits 0. Invalid input (including a file that
cannot be read or is not JSON) prints the contract's error object, also to standard output
so a script reads either answer from the same place, adds a one-line summary on standard
error and exits 2. Reads no database rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reimburse.simulate import FieldError, InvalidInput, load_json, simulate

INVALID_INPUT = 2


class Command(BaseCommand):
    help = (
        "Evaluate a simulate-contract JSON case (PATH, or - for standard input) and print the "
        "result; invalid input prints the error object and exits 2."
    )
    # A pure calculation: project checks belong to the commands that serve or migrate.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the input JSON file, or - to read standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            output: dict[str, Any] = simulate(load_json(_read(options["path"])))
        except InvalidInput as invalid:
            self._print(invalid.as_dict())
            count = len(invalid.errors)
            raise CommandError(
                f"invalid input: {count} problem{'s' if count != 1 else ''}",
                returncode=INVALID_INPUT,
            ) from invalid
        self._print(output)

    def _print(self, document: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))


def _read(path: str) -> str | bytes:
    """Return the input text from a file, or from standard input for ``-``."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput([FieldError("", f"cannot read {path}: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:  # standard input that is not text in the locale's encoding
        raise InvalidInput([FieldError("", f"not valid JSON: {exc}")]) from exc
