"""The practice-wide warnings feed: the selector's warnings, dated and newest first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from practice.models import Practice, Therapist, TreatmentSession
from reimburse.selectors import PatientWarning, practice_warnings


@dataclass(frozen=True)
class DatedWarning(PatientWarning):
    """A patient's warning with the date of the session it names (``None`` if it names none)."""

    session_date: date | None = None


def warning_feed(
    *,
    practice: Practice,
    as_of: date,
    therapist: Therapist | None = None,
    severity: str | None = None,
    code: str | None = None,
    since: date | None = None,
) -> list[DatedWarning]:
    """Return the practice's current warnings, newest first, most urgent first within a day.

    Warnings carry no timestamp of their own: a warning is dated by the session it names, and
    one that names no session (a quota, a pool, a period) by ``as_of``, the day it holds for.
    With ``since``, only the warnings dated on or after that day.
    """
    rows = practice_warnings(
        practice=practice, as_of=as_of, therapist=therapist, severity=severity, code=code
    )
    session_ids = {row.session_id for row in rows if row.session_id is not None}
    dates = dict(
        TreatmentSession.objects.filter(practice=practice, pk__in=session_ids).values_list(
            "pk", "date"
        )
    )
    feed = [
        DatedWarning(
            **asdict(row), session_date=dates.get(row.session_id) if row.session_id else None
        )
        for row in rows
    ]
    if since is not None:
        feed = [row for row in feed if (row.session_date or as_of) >= since]
    # A stable sort, so the selector's urgency order survives within a day.
    feed.sort(key=lambda row: row.session_date or as_of, reverse=True)
    return feed
