"""The page data builders that need no database: plan days, prescriptions left, bars."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from practice import pages
from reimburse.engine import types as t
from reimburse.engine.vocabulary import ReasonCode, Severity, WarningCode
from reimburse.explain import Reader
from reimburse.selectors import PatientWarning


def _outcome(day: date, status: str = "best") -> t.SessionOutcome:
    return t.SessionOutcome(
        id=day.isoformat(),
        date=day,
        episode="1",
        status=status,
        ordinal=None,
        code=None,
        extra_codes=(),
        amounts=None,
        rule="X",
        reason=t.Reason(ReasonCode.BE_PRESCRIPTION_MISSING),
    )


@pytest.mark.parametrize(
    ("first", "per_week", "weeks", "expected"),
    [
        # Twice a week from a Monday: Monday and Thursday.
        (
            date(2026, 3, 2),
            2,
            2,
            [date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12)],
        ),
        # From a Wednesday, the week's Monday is skipped and made up at the end.
        (
            date(2026, 3, 4),
            2,
            2,
            [date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16)],
        ),
        # Three a week: Monday, Wednesday, Friday; across the new year.
        (date(2025, 12, 29), 3, 1, [date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 2)]),
        (date(2026, 3, 2), 1, 3, [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]),
    ],
)
def test_plan_dates_spread_sessions_over_weekdays(
    first: date, per_week: int, weeks: int, expected: list[date]
) -> None:
    assert pages.plan_dates(first=first, per_week=per_week, weeks=weeks) == expected


def test_plan_of_five_a_week_for_26_weeks_has_130_weekdays() -> None:
    days = pages.plan_dates(first=date(2026, 1, 1), per_week=5, weeks=26)
    assert len(days) == 130
    assert all(day.weekday() < 5 for day in days)


def test_what_is_left_on_each_prescription_counts_the_sessions_the_engine_assigned() -> None:
    old = t.Prescription(id="a", date=date(2026, 1, 5), sessions=2)
    new = t.Prescription(id="b", date=date(2026, 2, 1), sessions=9)
    outcomes = [
        dataclasses.replace(_outcome(date(2026, 1, 6)), prescription="a"),
        _outcome(date(2026, 1, 8), status="not_reimbursed"),  # covered by none
        dataclasses.replace(_outcome(date(2026, 1, 10)), prescription="a"),
        dataclasses.replace(_outcome(date(2026, 2, 2)), prescription="b"),
    ]
    rows = pages.prescriptions_left([new, old], outcomes, as_of=date(2026, 2, 3))
    assert [(r.date, r.used, r.left, r.state) for r in rows] == [
        (date(2026, 1, 5), 2, 0, "exhausted"),
        (date(2026, 2, 1), 1, 8, "ok"),
    ]


def test_a_prescription_started_too_late_covers_nothing_whatever_it_has_left() -> None:
    """P6, decision 8: its sessions are lost, so "6 left" would contradict the rules."""
    rx = t.Prescription(id="a", date=date(2026, 9, 4), sessions=9)
    late = t.Reason(ReasonCode.BE_PRESCRIPTION_LATE)
    outcomes = [
        dataclasses.replace(_outcome(day, "not_reimbursed"), prescription="a", reason=late)
        for day in (date(2026, 11, 23), date(2026, 11, 28))
    ]

    (row,) = pages.prescriptions_left([rx], outcomes, as_of=date(2026, 12, 3))

    assert (row.state, row.left, row.covers_nothing) == ("late", 7, True)
    assert row.deadline == date(2026, 11, 4)


@pytest.mark.parametrize(
    ("as_of", "state"),
    [(date(2026, 2, 12), "waiting"), (date(2026, 2, 13), "passed_over")],
)
def test_a_prescription_not_started_is_passed_over_the_day_after_its_deadline(
    as_of: date, state: str
) -> None:
    """P6: the first session of the prescription of 12 December had to be by 12 February."""
    old = t.Prescription(id="a", date=date(2025, 9, 21), sessions=30)
    new = t.Prescription(id="b", date=date(2025, 12, 12), sessions=30)
    outcomes = [dataclasses.replace(_outcome(date(2026, 1, 7)), prescription="a")]

    rows = pages.prescriptions_left([old, new], outcomes, as_of=as_of)

    assert [r.state for r in rows] == ["ok", state]


@pytest.mark.parametrize(
    ("limit", "used", "state", "percent"),
    [
        (18, 10, "ok", 56),
        (18, 15, "low", 83),
        (18, 18, "exhausted", 100),
        (18, 20, "exhausted", 100),
        (None, 7, "unlimited", 0),
    ],
)
def test_quota_bar_colour_follows_what_is_left(
    limit: int | None, used: int, state: str, percent: int
) -> None:
    quota = t.Quota("1", "courante", date(2026, 1, 1), date(2026, 12, 31), limit, used)
    bar = pages.quota_bar(quota)
    assert (bar.state, bar.percent) == (state, percent)


def _warning(patient: int, session: int, episode: int | None = 1) -> PatientWarning:
    return PatientWarning(
        patient_id=patient,
        patient_name=f"Patient {patient}",
        episode_id=episode,
        episode_title="Shoulder",
        session_id=session,
        code=WarningCode.PRESCRIPTION_MISSING,
        severity=Severity.BLOCKING,
        params={"date": f"2026-03-{session - 80:02d}"},
    )


def test_a_warning_repeated_for_several_sessions_is_one_row_that_counts_the_rest() -> None:
    late = [_warning(1, session) for session in (87, 88, 89)]
    other = _warning(2, 90)

    page = pages.attention_page([*late, other], Reader("en", "BE"))

    assert [(row.patient_id, row.more) for row in page.rows] == [(1, 2), (2, 0)]
    assert page.rows[0].message == (
        "The session of 07/03/2026 has no prescription dated on or before it."
    )
    assert page.patient_count == 2


def _coded(patient: int, code: WarningCode, severity: Severity, **params: object) -> PatientWarning:
    return PatientWarning(
        patient_id=patient,
        patient_name=f"Patient {patient}",
        episode_id=patient,
        episode_title="Knee",
        session_id=None,
        code=code,
        severity=severity,
        params=params,
    )


def test_needs_attention_ranks_each_severity_by_the_days_left() -> None:
    """A limit reached has no day left; then what ends soonest; then the rest."""
    warning = Severity.WARNING
    selector_order = [
        _coded(1, WarningCode.QUOTA_LOW, warning, counter="courante", remaining=2),
        _coded(2, WarningCode.AGREEMENT_ENDING, warning, until="2026-12-30"),
        _coded(3, WarningCode.PERIOD_ENDING, warning, counter="fa", end="2026-12-10"),
        _coded(4, WarningCode.QUOTA_EXHAUSTED, warning, counter="courante", limit=18),
        _coded(5, WarningCode.PRESCRIPTION_MISSING, Severity.BLOCKING, date="2026-12-01"),
    ]

    page = pages.attention_page(selector_order, Reader("en", "BE"), as_of=date(2026, 12, 3))

    assert [(row.patient_id, row.days_left) for row in page.rows] == [
        (5, None),
        (4, None),
        (3, 7),
        (2, 27),
        (1, None),
    ]
    assert page.rows[3].action == "Request an extension before the agreement ends."
