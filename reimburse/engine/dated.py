"""Dated rule tables: entries valid on the half-open interval ``[valid_from, valid_until)``.

Shared by every jurisdiction's tables, so "which entry is in force on this day" has one
answer everywhere. ``valid_until=None`` means "still in force".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Protocol, TypeVar


class Dated(Protocol):
    """Anything valid on ``[valid_from, valid_until)``."""

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_until(self) -> date | None: ...


D = TypeVar("D", bound=Dated)


def holds_on(entry: Dated, day: date) -> bool:
    """Tell whether the entry is in force on ``day`` (half-open validity)."""
    return entry.valid_from <= day and (entry.valid_until is None or day < entry.valid_until)


def in_force(entries: Iterable[D], day: date) -> D | None:
    """Return the entry in force on ``day``, or ``None`` when the table has none."""
    for entry in entries:
        if holds_on(entry, day):
            return entry
    return None


def first_day(entries: Iterable[Dated]) -> date:
    """Return the first day a table covers (the earliest ``valid_from``)."""
    return min(entry.valid_from for entry in entries)


def index(entries: Iterable[D], key: Callable[[D], Hashable]) -> dict[Hashable, tuple[D, ...]]:
    """Group a table's entries by key, so a lookup scans only the periods of one key."""
    groups: defaultdict[Hashable, list[D]] = defaultdict(list)
    for entry in entries:
        groups[key(entry)].append(entry)
    return {k: tuple(v) for k, v in groups.items()}


def gap_around(entries: Iterable[Dated], day: date) -> tuple[date | None, date | None]:
    """Return the period ``[start, end)`` around ``day`` that no entry covers.

    ``start`` is where the last entry before ``day`` ended and ``end`` where the next one
    begins; ``None`` when the table has none on that side.
    """
    ends = [e.valid_until for e in entries if e.valid_until is not None and e.valid_until <= day]
    starts = [e.valid_from for e in entries if e.valid_from > day]
    return (max(ends) if ends else None, min(starts) if starts else None)
