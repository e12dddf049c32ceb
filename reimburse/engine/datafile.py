"""Read and check the engine's dated data files (TOML and CSV), naming the file and row at fault.

Every country keeps its rule tables as data beside its rules (``be/data/``, ``nl/data/``): one
file a table, one row a dated entry valid on ``[valid_from, valid_until)``. The conventions,
checked here when a table is loaded, so a wrong file stops the program at import with an error
that says which file, line and row is wrong:

- ``valid_from`` is an ISO date, or ``"since-ever"`` (before the earliest date the sources
  speak of); ``valid_until`` is an ISO date, or ``""`` for "still in force".
- Rows of one key (a code, a parameter …) do not overlap. Between two rows there is no gap
  unless the later row says why with ``gap_before = "…"``. A table may require that every key
  starts ``since-ever`` and/or ends open.
- ``source`` is one or more references separated by ``;``: an ``http(s)://`` address (optionally
  followed by a remark, ``https://… (2024)``) or an abbreviation of the folder's
  ``sources.toml``, which is replaced by its address.
- ``confidence`` is one letter of :data:`CONFIDENCE` for the row, or one per figure
  (``fee=P; insurer=D``).
- A value the sources do not give is an empty cell, and the row then says ``where_to_look``.

Pure: standard library only (``tomllib``, ``csv``), no clock.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SINCE_EVER = "since-ever"
OPEN_END = ""

# The confidence legend of docs/rules/update-2025-2026.md.
CONFIDENCE: Mapping[str, str] = {
    "O": "official source (RIZIV/INAMI, Staatsblad/Moniteur, Zorginstituut, Rijksoverheid)",
    "P": "a mutuality, insurer or professional association",
    "S": "secondary (practice site, press)",
    "D": "derived by arithmetic from sourced figures",
}

_URL = re.compile(r"^https?://\S+")
_CENTS = Decimal("0.01")


class TableError(ValueError):
    """A data file breaks a table rule; the message names the file, the line and the row."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Row:
    """One row of a data file, with where it was read (for the error messages)."""

    file: str
    line: int
    fields: Mapping[str, Any]
    label: str = ""

    @property
    def where(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"{self.file}, line {self.line}{label}"

    def error(self, problem: str) -> TableError:
        return TableError(self.where, problem)

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def text(self, name: str, *, required: bool = False) -> str:
        """Return a text field ('' when absent); ``required`` refuses an empty one."""
        value = self.fields.get(name, "")
        if not isinstance(value, str):
            raise self.error(f"{name} must be text, not {value!r}")
        if required and not value.strip():
            raise self.error(f"{name} is missing")
        return value.strip()


# ----------------------------------------------------------------------------------- reading


def read_toml(
    text: str, name: str, array: str, label: Callable[[Mapping[str, Any]], str]
) -> list[Row]:
    """Return the rows of the ``[[array]]`` tables of a TOML file, with their line numbers."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TableError(name, f"not valid TOML: {exc}") from exc
    entries = data.get(array, [])
    if not isinstance(entries, list):
        raise TableError(name, f"[[{array}]] must be an array of tables")
    header = re.compile(rf"^\s*\[\[\s*{re.escape(array)}\s*\]\]")
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]
    if len(lines) != len(entries):  # an inline array: number the rows instead
        lines = list(range(1, len(entries) + 1))
    return [
        Row(name, line, entry, label(entry)) for line, entry in zip(lines, entries, strict=True)
    ]


def read_csv(text: str, name: str, label: Callable[[Mapping[str, Any]], str]) -> list[Row]:
    """Return the rows of a CSV file with a header; blank lines and ``#`` lines are comments."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[Row] = []
    for cells in reader:
        line = reader.line_num
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            continue
        if len(cells) != len(header):
            where = f"{name}, line {line}"
            raise TableError(where, f"{len(cells)} cells where the header names {len(header)}")
        fields = {key: cell.strip() for key, cell in zip(header, cells, strict=True)}
        rows.append(Row(name, line, fields, label(fields)))
    if header is None:
        raise TableError(name, "no header row")
    return rows


def read_sources(text: str, name: str) -> dict[str, str]:
    """Return the abbreviations of a ``sources.toml`` (``[sources]`` ABBR = "https://…")."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TableError(name, f"not valid TOML: {exc}") from exc
    sources = data.get("sources", {})
    for abbreviation, url in sources.items():
        if not isinstance(url, str) or not _URL.match(url):
            raise TableError(name, f"source {abbreviation} must be an http(s) address")
    return dict(sources)


def read_file(path: Path) -> str:
    """Return a data file's text (UTF-8)."""
    return path.read_text(encoding="utf-8")


# -------------------------------------------------------------------------------- the fields


def period(row: Row) -> tuple[date, date | None]:
    """Return the row's ``[valid_from, valid_until)``; ``since-ever`` is ``date.min``."""
    raw_from = row.get("valid_from")
    raw_until = row.get("valid_until")
    if raw_from is None:
        raise row.error("valid_from is missing (an ISO date or 'since-ever')")
    if raw_until is None:
        raise row.error("valid_until is missing (an ISO date, or '' for still in force)")
    start = date.min if raw_from == SINCE_EVER else _date(row, "valid_from", raw_from)
    end = None if raw_until == OPEN_END else _date(row, "valid_until", raw_until)
    if end is not None and end <= start:
        raise row.error(f"valid_until {end} is not after valid_from {raw_from}")
    return start, end


def _date(row: Row, name: str, raw: object) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise row.error(f"{name} {raw!r} is not a date (YYYY-MM-DD)")


def source(row: Row, sources: Mapping[str, str]) -> str:
    """Return the row's source with every abbreviation replaced by ``ABBR <address>``."""
    raw = row.text("source")
    if not raw:
        raise row.error("no source: every row cites an address or an abbreviation of sources.toml")
    resolved = []
    for reference in (part.strip() for part in raw.split(";")):
        if not reference:
            raise row.error(f"an empty reference in source {raw!r}")
        if _URL.match(reference):
            resolved.append(reference)
            continue
        abbreviation, _, remark = reference.partition(" ")
        if abbreviation not in sources:
            raise row.error(
                f"source {abbreviation!r} is neither an address nor an abbreviation of sources.toml"
            )
        resolved.append(f"{abbreviation} <{sources[abbreviation]}>{' ' + remark if remark else ''}")
    return "; ".join(resolved)


def confidence(row: Row, figures: Iterable[str] = (), *, required: bool = False) -> str:
    """Return the row's confidence after checking its letters against the legend.

    One letter for the row, or ``figure=letter`` pairs separated by ``;`` for the ``figures``.
    """
    raw = row.text("confidence")
    if not raw:
        if required:
            raise row.error(f"no confidence (one of {', '.join(CONFIDENCE)})")
        return ""
    known = set(figures)
    for part in (p.strip() for p in raw.split(";")):
        figure, sep, letter = part.partition("=")
        if not sep:
            figure, letter = "", part
        if letter.strip() not in CONFIDENCE:
            raise row.error(
                f"confidence {letter.strip()!r} is not in the legend {', '.join(CONFIDENCE)}"
            )
        if sep and figure.strip() not in known:
            raise row.error(f"confidence names {figure.strip()!r}, not a figure of this table")
    return raw


def money(row: Row, name: str) -> Decimal | None:
    """Return an amount in euros with cents, or ``None`` for an empty cell."""
    raw = row.get(name, "")
    if raw in ("", None):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise row.error(f"{name} {raw!r} is not an amount") from None
    if value < 0 or value != value.quantize(_CENTS) or value.as_tuple().exponent != -2:
        raise row.error(f"{name} {raw!r} must be a positive amount with two decimals (30.80)")
    return value


def where_to_look(row: Row, missing: Iterable[str]) -> str:
    """Return ``where_to_look``; a row with an empty value (``missing``) must give it."""
    hint = row.text("where_to_look")
    gaps = list(missing)
    if gaps and not hint:
        raise row.error(f"{', '.join(gaps)} empty without where_to_look")
    return hint


# ----------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A row's key and validity, for the period checks."""

    row: Row
    key: Hashable
    valid_from: date
    valid_until: date | None


def check_periods(
    periods: Iterable[Period], *, open_start: bool = False, open_end: bool = False
) -> None:
    """Refuse overlaps, unmarked gaps and, where required, a key not starting or ending open."""
    by_key: defaultdict[Hashable, list[Period]] = defaultdict(list)
    for entry in periods:
        by_key[entry.key].append(entry)
    for entries in by_key.values():
        ordered = sorted(entries, key=lambda p: p.valid_from)
        first, last = ordered[0], ordered[-1]
        if open_start and first.valid_from != date.min:
            raise first.row.error(
                f"the first row of its key starts {first.valid_from}: this table needs "
                "valid_from = 'since-ever' (an unknown value is an empty cell plus where_to_look)"
            )
        if open_end and last.valid_until is not None:
            raise last.row.error(
                f"the last row of its key ends {last.valid_until}: this table needs "
                "valid_until = '' (still in force, or unknown with where_to_look)"
            )
        for before, after in itertools.pairwise(ordered):
            if before.valid_until is None or before.valid_until > after.valid_from:
                raise after.row.error(f"overlaps the row at line {before.row.line}")
            if before.valid_until < after.valid_from and not after.row.text("gap_before"):
                raise after.row.error(
                    f"gap from {before.valid_until} to {after.valid_from} after the row at line "
                    f"{before.row.line}; mark it with gap_before = 'why' if intended"
                )
