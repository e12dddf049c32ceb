"""Builders for Belgian engine tests: short ways to write cases, sessions and lookups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from reimburse.engine import evaluate
from reimburse.engine.types import (
    Agreement,
    Case,
    Episode,
    Patient,
    Prescription,
    Result,
    Session,
    SessionOutcome,
    Warning,
)
from reimburse.engine.vocabulary import TABLE_GAPS


def d(text: str) -> date:
    return date.fromisoformat(text)


def every(start: str, count: int, step: int = 1) -> list[date]:
    """Return ``count`` days from ``start``, ``step`` days apart."""
    first = d(start)
    return [first + timedelta(days=i * step) for i in range(count)]


def rx(on: str, sessions: int = 200, *, id: str = "rx1", motivated: bool = False) -> Prescription:
    return Prescription(id, d(on), sessions, second_session_motivated=motivated)


def episode(
    id: str,
    category: str = "courante",
    *prescriptions: Prescription,
    pathology: str | None = None,
    notified_on: str | None = None,
    agreement: tuple[str, str | None] | None = None,
    agreements: Sequence[Agreement] = (),
    prior_sessions: dict[int, int] | None = None,
    first_session_on: str | None = None,
) -> Episode:
    """An episode; ``agreement`` is a granted period (from, until), ``agreements`` any decisions."""
    granted = (
        ()
        if agreement is None
        else (Agreement(d(agreement[0]), None if agreement[1] is None else d(agreement[1])),)
    )
    return Episode(
        id=id,
        category=category,
        pathology=pathology,
        notified_on=None if notified_on is None else d(notified_on),
        agreements=(*granted, *agreements),
        prescriptions=prescriptions,
        prior_sessions=prior_sessions or {},
        first_session_on=None if first_session_on is None else d(first_session_on),
    )


def sessions(
    episode_id: str, days: Sequence[date], *, minutes: int = 30, place: str = "practice"
) -> list[Session]:
    return [
        Session(f"{episode_id}-{i}", day, episode_id, minutes=minutes, place=place)
        for i, day in enumerate(days, 1)
    ]


def run(
    episodes: Sequence[Episode],
    all_sessions: Sequence[Session],
    as_of: str,
    *,
    preferential: bool = False,
) -> Result:
    patient = Patient(birth_date=d("1970-01-01"), preferential=preferential)
    return evaluate(Case("BE", d(as_of), patient, tuple(episodes), tuple(all_sessions)))


def of(result: Result, episode_id: str) -> list[SessionOutcome]:
    return [o for o in result.sessions if o.episode == episode_id]


# What the tables lack (contract v2, ``vocabulary.TABLE_GAPS``): said once per code, period
# or code kind, on every date the shipped tables do not price. Tests about a rule compare the
# rule's warnings; the table gaps have their own tests (test_table_gaps.py).


def rule_warnings(result: Result) -> tuple[Warning, ...]:
    """The rules' warnings, without the tables' gaps."""
    return tuple(w for w in result.warnings if w.code not in TABLE_GAPS)


def warning_codes(result: Result) -> list[tuple[str, str]]:
    """The rules' warnings as (code, severity), without the tables' gaps."""
    return [(w.code, w.severity) for w in result.warnings if w.code not in TABLE_GAPS]
