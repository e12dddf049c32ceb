"""Belgian rules one decision at a time, the warnings, the quota and pool rows.

The tables themselves are tested in ``test_tables.py``.

"Decision N" is item N of the Belgian decisions in ``docs/rules/simulate.md``; rule ids
are those of ``docs/rules/belgium-riziv.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reimburse.engine import evaluate
from reimburse.engine.be import tables as tables
from reimburse.engine.be.rules import (
    fa_period_end,
    overflow_pool_period,
    prescription_deadline,
)
from reimburse.engine.errors import UnknownEpisode
from reimburse.engine.types import (
    BeAmounts,
    Case,
    Episode,
    Patient,
    Pool,
    Prescription,
    Quota,
    Result,
    Session,
)
from reimburse.engine.vocabulary import SEVERITY, WarningCode
from tests.engine.be.builders import (
    d,
    episode,
    every,
    of,
    rule_warnings,
    run,
    rx,
    sessions,
)

# ------------------------------------------------------------------------------------ builders


def codes(result: Result) -> list[str]:
    """The rules' warning codes, without the tables' gaps (``TABLE_GAPS``)."""
    return [w.code for w in rule_warnings(result)]


def quota(result: Result, episode_id: str) -> Quota:
    return next(q for q in result.quotas if q.episode == episode_id)


def courante(days: Sequence[date], as_of: str, **kwargs: object) -> Result:
    """Run one courante situation with a roomy prescription dated on its first day."""
    back = episode("back", "courante", rx(days[0].isoformat(), 500))
    return run([back], sessions("back", days), as_of, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------- decision 1: courante counter and intake


def test_intake_is_billed_once_per_year_across_situations() -> None:
    """S7, decision 1: the 2nd situation's first session gets no second intake that year."""
    neck = episode("neck", "courante", rx("2025-01-02", 18))
    knee = episode("knee", "courante", rx("2025-05-01", 9), agreement=("2025-05-01", None))
    result = run(
        [neck, knee],
        sessions("neck", every("2025-01-06", 3)) + sessions("knee", every("2025-05-05", 3)),
        "2025-05-31",
    )

    assert [o.extra_codes for o in result.sessions] == [("567033",)] + [()] * 5


def test_a_new_treatment_in_a_new_year_gets_its_own_intake() -> None:
    """S7, decision 1: once per calendar year, so a treatment starting in 2025 has an intake."""
    neck = episode("neck", "courante", rx("2024-11-04", 20))
    knee = episode("knee", "courante", rx("2025-02-03", 9), agreement=("2025-02-01", None))
    result = run(
        [neck, knee],
        sessions("neck", [d("2024-11-05"), d("2025-01-06")]) + sessions("knee", [d("2025-02-05")]),
        "2025-02-28",
    )

    assert [o.extra_codes for o in result.sessions] == [("567033",), (), ("567033",)]


def test_intake_only_goes_with_a_one_to_nine_code() -> None:
    """S7: a 4th situation's first session is an overflow session (560055): no intake."""
    eps = [
        episode(name, "courante", rx("2025-01-02", 9), agreement=("2025-01-01", None))
        for name in ("a", "b", "c", "d")
    ]
    days = {"a": "2025-01-06", "b": "2025-01-07", "c": "2025-01-08", "d": "2025-01-09"}
    result = run(eps, [s for n, day in days.items() for s in sessions(n, [d(day)])], "2025-01-31")

    fourth = of(result, "d")[0]
    assert (fourth.status, fourth.code, fourth.extra_codes) == ("reduced", "560055", ())


def test_intake_before_june_2021_has_no_code() -> None:
    """S7: 567033 replaced the pseudo-code 639855 on 2021-06-01; before it, no extra code."""
    result = courante([d("2021-05-31")], "2021-05-31")

    assert result.sessions[0].extra_codes == ()


def test_intake_is_billed_with_a_pending_first_session() -> None:
    """S7, decision 2: the intake goes with the treatment's first session, even while pending."""
    neck = episode("neck", "courante", rx("2024-12-01", 30))
    knee = episode("knee", "courante", rx("2025-01-02", 9))
    result = run(
        [neck, knee],
        sessions("neck", [d("2024-12-02"), d("2025-01-03")]) + sessions("knee", [d("2025-01-06")]),
        "2025-01-31",
    )

    knee_first = of(result, "knee")[0]
    assert (knee_first.status, knee_first.extra_codes) == ("pending", ("567033",))


# -------------------------------------------------------------- decision 2: situations per year


def test_situations_are_ranked_by_their_first_session_in_the_year_not_input_order() -> None:
    """C6, decision 2: the situation seen first in 2025 needs no agreement, whatever the order."""
    late = episode("late", "courante", rx("2025-01-02", 9))
    early = episode("early", "courante", rx("2025-01-02", 9))
    result = run(
        [late, early],
        sessions("late", [d("2025-01-10")]) + sessions("early", [d("2025-01-06")]),
        "2025-01-31",
    )

    assert [(o.episode, o.status) for o in result.sessions] == [
        ("early", "best"),
        ("late", "pending"),
    ]


def test_a_second_situation_continuing_into_a_new_year_can_be_the_first_there() -> None:
    """C6, decisions 1 and 2: ranks are per year; first with a 2025 session is 1st in 2025."""
    neck = episode("neck", "courante", rx("2024-01-02", 30))
    knee = episode("knee", "courante", rx("2024-06-01", 30), agreement=("2024-06-01", "2024-12-31"))
    result = run(
        [neck, knee],
        sessions("neck", [d("2024-01-03"), d("2025-02-10")])
        + sessions("knee", [d("2024-06-03"), d("2025-01-06")]),
        "2025-02-28",
    )

    assert [(o.episode, o.date.year, o.status) for o in result.sessions] == [
        ("neck", 2024, "best"),
        ("knee", 2024, "best"),
        ("knee", 2025, "best"),  # 1st situation of 2025: no agreement needed
        ("neck", 2025, "pending"),  # 2nd situation of 2025, without agreement
    ]


@pytest.mark.parametrize(
    ("day", "status"),
    [
        pytest.param("2025-05-31", "pending", id="day-before-agreement"),
        pytest.param("2025-06-01", "best", id="agreement-start"),
        pytest.param("2025-06-30", "best", id="agreement-last-day"),
        pytest.param("2025-07-01", "pending", id="day-after-agreement"),
    ],
)
def test_second_situation_needs_an_agreement_covering_the_session_date(
    day: str, status: str
) -> None:
    """C6, decision 2: agreement validity is inclusive of both ends."""
    neck = episode("neck", "courante", rx("2025-01-02", 9))
    knee = episode("knee", "courante", rx("2025-05-01", 9), agreement=("2025-06-01", "2025-06-30"))
    result = run(
        [neck, knee],
        sessions("neck", [d("2025-01-06")]) + sessions("knee", [d(day)]),
        "2025-07-31",
    )

    assert of(result, "knee")[0].status == status


def test_a_second_situation_without_agreement_still_overflows_after_18() -> None:
    """C4, C6, decisions 2 and 3 [I]: the agreement is for the 18 best-rate sessions only."""
    neck = episode("neck", "courante", rx("2025-01-02", 9))
    knee = episode("knee", "courante", rx("2025-03-01", 19))
    result = run(
        [neck, knee],
        sessions("neck", [d("2025-01-06")]) + sessions("knee", every("2025-03-03", 19)),
        "2025-03-31",
    )

    assert [o.status for o in of(result, "knee")] == ["pending"] * 18 + ["reduced"]


def test_a_perinatal_episode_is_never_a_courante_situation() -> None:
    """C10, PN5, decision 2: after a perinatal series the first courante needs no agreement."""
    pregnancy = episode("pregnancy", "perinatal", rx("2025-01-02", 9))
    back = episode("back", "courante", rx("2025-03-01", 9))
    result = run(
        [pregnancy, back],
        sessions("pregnancy", every("2025-01-06", 3)) + sessions("back", [d("2025-03-03")]),
        "2025-03-31",
    )

    assert (of(result, "back")[0].status, of(result, "back")[0].rule) == ("best", "BE.C1")


def test_situations_exceeded_is_warned_once_per_episode_and_year() -> None:
    """C9, decision 2: one warning for the 4th situation, not one per session."""
    eps = [
        episode(n, "courante", rx("2025-01-02", 9), agreement=("2025-01-01", None)) for n in "abcd"
    ]
    all_sessions = [
        s for i, n in enumerate("abcd") for s in sessions(n, every(f"2025-01-0{i + 2}", 2, step=7))
    ]
    result = run(eps, all_sessions, "2025-01-31")

    assert [(w.code, w.episode, w.session) for w in rule_warnings(result)] == [
        ("situations_exceeded", "d", "d-1"),
        ("quota_exhausted", "d", None),
    ]
    assert quota(result, "d").limit == 0


# ------------------------------------------------------------------------- decision 3: overflow


def test_overflow_pool_in_2021_only_counts_sessions_from_august() -> None:
    """C5, decision 3: 2021-07-31 draws on no pool, 2021-08-01 on the new pool of 54."""
    days = [*every("2021-06-01", 18), d("2021-07-31"), d("2021-08-01")]
    result = courante(days, "2021-08-15")

    assert [o.status for o in result.sessions[-2:]] == ["reduced", "reduced"]
    assert result.sessions[-2].reason.params["pool_left"] is None  # no yearly cap yet
    assert result.pools == (Pool("overflow", d("2021-08-01"), d("2021-12-31"), 54, 1),)


def test_overflow_pool_row_before_august_2021_is_unlimited() -> None:
    """C5, decision 3: for as_of in July 2021 the pool in force has no limit."""
    result = courante([*every("2021-06-01", 18), d("2021-07-31"), d("2021-08-01")], "2021-07-31")

    (pool,) = result.pools
    assert (pool.period_start, pool.period_end, pool.limit, pool.used, pool.remaining) == (
        d("2021-01-01"),
        d("2021-07-31"),
        None,
        1,
        None,
    )


@pytest.mark.parametrize(
    ("day", "start", "end", "limit"),
    [
        ("2020-06-01", "2020-01-01", "2020-12-31", None),
        ("2021-07-31", "2021-01-01", "2021-07-31", None),
        ("2021-08-01", "2021-08-01", "2021-12-31", 54),
        ("2024-02-29", "2024-01-01", "2024-12-31", 54),
    ],
)
def test_overflow_pool_periods_follow_the_calendar_year_and_the_2021_cap(
    day: str, start: str, end: str, limit: int | None
) -> None:
    """C5, decision 3."""
    assert overflow_pool_period(d(day)) == (d(start), d(end), limit)


def test_an_empty_pool_means_not_reimbursed_and_no_quota_used() -> None:
    """C5, decision 3: the 55th overflow session of 2025 is lost and counts nowhere."""
    result = courante(every("2025-01-02", 18 + 55), "2025-12-31")

    last = result.sessions[-1]
    assert (last.status, last.ordinal, last.code, last.rule) == (
        "not_reimbursed",
        None,
        None,
        "BE.C5",
    )
    assert (result.pools[0].used, result.pools[0].remaining) == (54, 0)
    assert result.quotas[0].used == 72
    assert codes(result) == ["quota_exhausted", "pool_exhausted"]


def test_overflow_pool_restarts_on_1_january() -> None:
    """C5, decision 3: a 2024 pool used up does not affect 2025."""
    days = every("2024-01-02", 18 + 54) + every("2025-01-02", 19)
    result = courante(days, "2025-06-30")

    assert result.sessions[-1].status == "reduced"
    assert (result.pools[0].period_start, result.pools[0].used) == (d("2025-01-01"), 1)


@pytest.mark.parametrize(
    ("overflow_sessions", "expected"),
    [(50, []), (51, ["pool_low"]), (53, ["pool_low"]), (54, ["pool_exhausted"])],
)
def test_pool_warnings_at_three_or_fewer_left(overflow_sessions: int, expected: list[str]) -> None:
    """C5: pool_low with 1–3 left, pool_exhausted with none (one warning, not per session)."""
    result = courante(every("2025-01-02", 18 + overflow_sessions), "2025-12-31")

    assert [c for c in codes(result) if c.startswith("pool")] == expected


# --------------------------------------------------------------------------------- decision 4: Fa


@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param("2025-03-10", "2026-03-09", id="contract-example"),
        pytest.param("2023-03-01", "2024-02-29", id="window-over-29-february"),
        pytest.param("2024-02-29", "2025-02-28", id="starts-on-29-february"),
        pytest.param("2025-01-01", "2025-12-31", id="new-year"),
        pytest.param("2025-12-31", "2026-12-30", id="new-years-eve"),
    ],
)
def test_fa_period_ends_the_day_before_the_anniversary(first: str, last: str) -> None:
    """FA1, decision 4 (v1.1), E3: the anniversary of 29 February is 1 March."""
    assert fa_period_end(d(first)) == d(last)


def _fa(days: Sequence[date], as_of: str, pathology: str = "fa-10") -> Result:
    prescribed = (days[0] - timedelta(days=1)).isoformat()
    fa = episode("fa", "fa", rx(prescribed, 500), pathology=pathology, notified_on=prescribed)
    return run([fa], sessions("fa", days), as_of)


def test_fa_period_starts_at_the_first_counted_session() -> None:
    """FA1, P1, decision 4 [I]: a session refused for lack of prescription does not start it."""
    fa = episode("fa", "fa", rx("2025-03-05", 10), pathology="fa-10", notified_on="2025-03-01")
    result = run([fa], sessions("fa", [d("2025-03-01"), d("2025-03-10")]), "2025-03-31")

    assert [o.status for o in result.sessions] == ["not_reimbursed", "best"]
    assert result.quotas[0].period_start == d("2025-03-10")


def test_fa_after_the_period_is_not_reimbursed_and_warned_once() -> None:
    """FA5, decision 4: every session after the period is lost, one period_ended warning."""
    result = _fa([d("2025-01-10"), d("2026-01-10"), d("2026-01-12")], "2026-01-31")

    assert [o.status for o in result.sessions] == ["best", "not_reimbursed", "not_reimbursed"]
    assert [(w.code, w.severity, w.session) for w in rule_warnings(result)] == [
        ("period_ended", "warning", "fa-2")
    ]


def test_fa_does_not_restart_on_1_january() -> None:
    """FA1, E2, decision 4: the Fa count runs over the period, not the calendar year."""
    result = _fa([d("2025-12-31"), d("2026-01-01")], "2026-01-31")

    assert [o.ordinal for o in result.sessions] == [1, 2]


def test_fa_home_sessions_use_the_home_codes() -> None:
    """FA3, FA6: home codes 563312 (21st–60th) and 563356 (reduced); 1–20 unknown [OPEN]."""
    prescribed = "2025-01-01"
    fa = episode("fa", "fa", rx(prescribed, 100), pathology="fa-10", notified_on=prescribed)
    result = run([fa], sessions("fa", every("2025-01-02", 61), place="home"), "2025-12-31")

    assert [result.sessions[i].code for i in (0, 20, 60)] == [None, "563312", "563356"]


def test_fa_before_june_2021_used_one_code_for_sessions_one_to_sixty() -> None:
    """FA6: the separate 1–20 codes only exist since 2021-06-01."""
    result = _fa([d("2021-05-31"), d("2021-06-01")], "2021-06-30")

    assert [o.code for o in result.sessions] == ["563010", None]


# --------------------------------------------------------------------------------- decision 5: Fb


def _fb(days: Sequence[date], as_of: str, place: str = "practice") -> Result:
    prescribed = (days[0] - timedelta(days=1)).isoformat()
    fb = episode("fb", "fb", rx(prescribed, 500), pathology="fb-51", notified_on=prescribed)
    return run([fb], sessions("fb", days, place=place), as_of)


def test_fb_tiers_restart_on_1_january_within_the_period() -> None:
    """FB2, FB3, decision 5: 81 sessions in 2025, then 2026 starts again at the best rate."""
    result = _fb([*every("2025-01-02", 81, step=4), d("2026-01-01")], "2026-01-31")

    assert [o.status for o in result.sessions[-3:]] == ["reduced", "reduced_2", "best"]
    assert [o.ordinal for o in result.sessions[-3:]] == [80, 81, 1]


def test_fb_home_sessions_use_the_home_codes() -> None:
    """FB2, FB3: 563916, 564336, 563953 at home."""
    result = _fb(every("2025-01-02", 81, step=4), "2025-12-31", place="home")

    assert [result.sessions[i].code for i in (0, 60, 80)] == ["563916", "564336", "563953"]


@pytest.mark.parametrize(
    ("as_of", "start", "end"),
    [
        pytest.param("2025-03-01", "2025-05-15", "2025-12-31", id="before-first-session"),
        pytest.param("2026-07-01", "2026-01-01", "2026-12-31", id="inside-period"),
        pytest.param("2029-07-01", "2027-01-01", "2027-12-31", id="after-period"),
    ],
)
def test_fb_quota_row_is_the_calendar_year_slice_of_the_period(
    as_of: str, start: str, end: str
) -> None:
    """FB1, FB2: one row for the as_of year's slice, else the latest slice that began."""
    result = _fb([d("2025-05-15"), d("2025-06-01")], as_of)

    (row,) = result.quotas
    assert (row.period_start, row.period_end, row.limit) == (d(start), d(end), 60)


# ---------------------------------------------------------------------- decision 6: notification


def test_fb_without_notification_is_pending_and_counts() -> None:
    """FB4, decision 6: pending sessions consume the Fb tiers."""
    fb = episode("fb", "fb", rx("2025-01-01", 100), pathology="fb-51")
    result = run([fb], sessions("fb", every("2025-01-02", 61)), "2025-12-31")

    assert {o.status for o in result.sessions} == {"pending"}
    assert [result.sessions[i].code for i in (0, 60)] == ["563614", "564270"]
    assert codes(result) == ["notification_missing", "quota_exhausted"]


# --------------------------------------------------------------------------------- decision 7: E


def test_e_agreement_without_end_covers_every_later_session() -> None:
    """E1, E2, decision 7."""
    e = episode("e", "e", rx("2025-01-01", 500), pathology="e-c", agreement=("2025-01-01", None))
    result = run([e], sessions("e", every("2025-01-02", 3, step=200)), "2026-06-30")

    assert {o.status for o in result.sessions} == {"best"}
    (row,) = result.quotas
    assert (row.period_start, row.period_end, row.limit, row.used) == (
        d("2025-01-01"),
        None,
        None,
        3,
    )


def test_e_without_any_agreement_is_pending_and_warned_per_year() -> None:
    """E1, decision 7: one agreement_missing per episode and calendar year."""
    e = episode("e", "e", rx("2024-12-01", 500), pathology="e-c")
    result = run(
        [e], sessions("e", [d("2024-12-02"), d("2024-12-03"), d("2025-01-02")]), "2025-01-31"
    )

    assert {o.status for o in result.sessions} == {"pending"}
    assert [(w.code, w.session) for w in rule_warnings(result)] == [
        ("agreement_missing", "e-1"),
        ("agreement_missing", "e-3"),
    ]
    (row,) = result.quotas
    assert (row.period_start, row.period_end, row.used) == (d("2024-12-02"), None, 3)


# ---------------------------------------------------------------------- decision 8: prescriptions


@pytest.mark.parametrize(
    ("prescribed", "deadline"),
    [
        pytest.param("2025-03-01", "2025-05-01", id="contract-example"),
        pytest.param("2024-12-31", "2025-02-28", id="clamped-to-28-february"),
        pytest.param("2023-12-30", "2024-02-29", id="clamped-to-29-february"),
        pytest.param("2025-08-31", "2025-10-31", id="31st-to-31st"),
        pytest.param("2025-11-15", "2026-01-15", id="over-new-year"),
    ],
)
def test_prescription_deadline_is_two_calendar_months_with_month_end_clamping(
    prescribed: str, deadline: str
) -> None:
    """P6, decision 8."""
    assert prescription_deadline(d(prescribed)) == d(deadline)


@pytest.mark.parametrize(
    ("first_session", "status"),
    [("2025-05-01", "best"), ("2025-05-02", "not_reimbursed")],
    ids=["on-the-deadline", "day-after-the-deadline"],
)
def test_prescription_first_session_deadline_is_inclusive(first_session: str, status: str) -> None:
    """P6, decision 8: a prescription of 2025-03-01 allows a first session up to 2025-05-01."""
    back = episode("back", "courante", rx("2025-03-01", 9))
    result = run([back], sessions("back", [d(first_session)]), "2025-05-31")

    assert result.sessions[0].status == status


def test_a_prescription_started_in_time_keeps_covering_later_sessions() -> None:
    """P6: the deadline is for the first session only."""
    back = episode("back", "courante", rx("2025-03-01", 9))
    result = run([back], sessions("back", [d("2025-03-03"), d("2025-09-01")]), "2025-09-30")

    assert [o.status for o in result.sessions] == ["best", "best"]


def test_the_oldest_prescription_with_room_is_used_first() -> None:
    """P3, decision 8: rx1 takes sessions until full, then rx2."""
    back = episode("back", "courante", rx("2025-03-05", 2, id="rx2"), rx("2025-03-01", 2))
    result = run([back], sessions("back", every("2025-03-06", 5)), "2025-03-31")

    assert [o.status for o in result.sessions] == ["best"] * 4 + ["not_reimbursed"]
    assert result.sessions[-1].rule == "BE.P3"


def test_a_prescription_dated_after_the_session_does_not_cover_it() -> None:
    """P1, decision 8: the used-up rx1 is not replaced by rx2 for sessions before rx2's date."""
    back = episode("back", "courante", rx("2025-03-01", 1), rx("2025-03-10", 5, id="rx2"))
    result = run(
        [back], sessions("back", [d("2025-03-02"), d("2025-03-05"), d("2025-03-10")]), "2025-03-31"
    )

    assert [(o.status, o.rule) for o in result.sessions] == [
        ("best", "BE.C1"),
        ("not_reimbursed", "BE.P3"),
        ("best", "BE.C1"),
    ]
    assert [(w.code, w.session) for w in rule_warnings(result)] == [
        ("prescription_used_up", "back-2")
    ]


def test_a_late_prescription_gives_way_to_a_newer_usable_one() -> None:
    """P6, decision 8 [I]: an expired prescription covers nothing, so rx2 takes the session."""
    back = episode("back", "courante", rx("2025-01-02", 9), rx("2025-05-04", 9, id="rx2"))
    result = run([back], sessions("back", [d("2025-05-05")]), "2025-05-31")

    assert (result.sessions[0].status, rule_warnings(result)) == ("best", ())


def test_a_late_prescription_is_used_up_by_its_late_sessions() -> None:
    """P6, decision 8: its sessions are lost as late starts, then it is simply full."""
    back = episode("back", "courante", rx("2025-01-02", 2))
    result = run([back], sessions("back", every("2025-04-01", 3)), "2025-04-30")

    assert [o.rule for o in result.sessions] == ["BE.P6", "BE.P6", "BE.P3"]
    assert codes(result) == [
        "prescription_late_start",
        "prescription_late_start",
        "prescription_used_up",
        "prescription_low",
    ]


def test_not_reimbursed_sessions_consume_no_quota() -> None:
    """P1, decision 8: a session without prescription leaves the ordinals contiguous."""
    back = episode("back", "courante", rx("2025-03-05", 9))
    result = run(
        [back], sessions("back", [d("2025-03-03"), d("2025-03-06"), d("2025-03-07")]), "2025-03-31"
    )

    assert [o.ordinal for o in result.sessions] == [None, 1, 2]
    assert result.quotas[0].used == 2


def test_a_refused_second_session_of_the_day_uses_no_prescription_slot() -> None:
    """S1, decision 8 and 9: the day check comes before the prescription."""
    back = episode("back", "courante", rx("2025-03-01", 2))
    days = [d("2025-03-03"), d("2025-03-03"), d("2025-03-04")]
    result = run([back], sessions("back", days), "2025-03-31")

    assert [o.status for o in result.sessions] == ["best", "not_reimbursed", "best"]


# --------------------------------------------------------------------- decision 9: one per day


def test_a_first_session_that_is_not_reimbursed_leaves_the_day_to_the_next() -> None:
    """S1, decision 9 (v1.1): the first session that can be reimbursed takes the day."""
    neck = episode("neck", "courante")  # no prescription at all
    back = episode("back", "courante", rx("2025-03-01", 9))
    result = run(
        [neck, back],
        sessions("neck", [d("2025-03-03")]) + sessions("back", [d("2025-03-03")]),
        "2025-03-31",
    )

    assert [(o.episode, o.rule) for o in result.sessions] == [("neck", "BE.P1"), ("back", "BE.C1")]


def test_the_one_session_a_day_rule_spans_all_episodes_and_keeps_input_order() -> None:
    """S1, PN4, decision 9: equal dates keep the input order."""
    back = episode("back", "courante", rx("2025-03-01", 9))
    pregnancy = episode("pregnancy", "perinatal", rx("2025-03-01", 9))
    result = run(
        [back, pregnancy],
        sessions("pregnancy", [d("2025-03-03")]) + sessions("back", [d("2025-03-03")]),
        "2025-03-31",
    )

    assert [(o.episode, o.status) for o in result.sessions] == [
        ("pregnancy", "best"),
        ("back", "not_reimbursed"),
    ]


def test_a_motivated_second_e_session_is_admitted_without_a_known_code() -> None:
    """S2, E2, decision 9: E has a second-session code, but its number is not sourced."""
    e = episode(
        "e",
        "e",
        rx("2025-03-01", 50, motivated=True),
        pathology="e-b",
        agreement=("2025-01-01", None),
    )
    result = run([e], sessions("e", [d("2025-03-03")] * 3), "2025-03-31")

    assert [(o.status, o.ordinal, o.code) for o in result.sessions] == [
        ("best", 1, None),
        ("best", 2, None),
        ("not_reimbursed", None, None),  # never a third session
    ]
    assert codes(result) == ["second_session_same_day"]


def test_an_unmotivated_second_palliative_session_is_refused() -> None:
    """PAL1, S2, decision 9: the second session needs the prescription's motivation."""
    pal = episode("pal", "palliative", rx("2025-03-01", 50))
    result = run([pal], sessions("pal", [d("2025-03-03")] * 2, place="home"), "2025-03-31")

    assert [o.status for o in result.sessions] == ["best", "not_reimbursed"]
    assert result.sessions[1].reason.code == "be.same_day"
    assert result.sessions[1].reason.params["why"] == "not_motivated"


# ------------------------------------------------------------------------- decision 10: perinatal


def test_perinatal_cap_is_per_episode() -> None:
    """PN1, decision 10: a second pregnancy has its own 9 sessions."""
    first = episode("p1", "perinatal", rx("2024-01-02", 9))
    second = episode("p2", "perinatal", rx("2025-06-02", 9))
    result = run(
        [first, second],
        sessions("p1", every("2024-01-03", 9)) + sessions("p2", every("2025-06-03", 9)),
        "2025-06-30",
    )

    assert {o.status for o in result.sessions} == {"best"}
    assert [o.ordinal for o in of(result, "p2")] == list(range(1, 10))


def test_perinatal_home_sessions_use_the_home_tariff() -> None:
    """CM-PNT: 561654 at home, 26.37 / 20.12 / 6.25."""
    pregnancy = episode("p", "perinatal", rx("2024-01-02", 9))
    result = run([pregnancy], sessions("p", [d("2024-01-03")], place="home"), "2024-01-31")

    (outcome,) = result.sessions
    assert outcome.code == "561654"
    assert outcome.amounts == BeAmounts(Decimal("26.37"), Decimal("20.12"), Decimal("6.25"))


# --------------------------------------------------------------------------- decision 11: money


@pytest.mark.parametrize(
    ("day", "fee", "insurer"),
    [
        pytest.param("2023-12-31", None, None, id="before-the-2024-table"),
        pytest.param("2024-01-01", "30.00", "23.75", id="first-day-of-the-2024-table"),
        pytest.param("2025-02-01", "30.80", "24.55", id="indexation-day-2025"),
        pytest.param("2025-12-31", "30.80", "24.55", id="last-day-of-2025"),
        pytest.param("2026-01-01", None, None, id="2026-not-sourced"),
    ],
)
def test_amounts_follow_the_tariff_in_force_on_the_session_date(
    day: str, fee: str | None, insurer: str | None
) -> None:
    """Decision 11, E20, M25: the tariff of the session date; unknown → no amounts, no guess."""
    result = courante([d(day)], day)

    (outcome,) = result.sessions
    assert outcome.code == "567011"
    if fee is None or insurer is None:
        assert outcome.amounts is None
    else:
        assert outcome.amounts == BeAmounts(Decimal(fee), Decimal(insurer), Decimal("6.25"))


@pytest.mark.parametrize(
    ("preferential", "price", "expected"),
    [
        (False, None, BeAmounts(None, Decimal("23.75"), None)),
        (False, "37.00", BeAmounts(Decimal("37.00"), Decimal("23.75"), Decimal("13.25"))),
        (True, "37.00", BeAmounts(Decimal("37.00"), Decimal("27.50"), Decimal("9.50"))),
    ],
    ids=["no-price-given", "regular", "bim"],
)
def test_january_2025_had_no_convention_so_the_fee_is_the_practices_own(
    preferential: bool, price: str | None, expected: BeAmounts
) -> None:
    """update-2025-2026 §1.1 (567011 "2025-01-01 → 2025-01-31 (no convention) | free (kiné
    sets it) | 23.75 | 27.50 | fee − reimb."), §1.2 (no −25 % then), worked example 2: a
    conventioned session is priced by the practice's price, as a non-conventioned one is;
    without a price the fee and the patient's share are not known (decision 11: no guess)."""
    session = Session(
        "s1", d("2025-01-20"), "back", price=None if price is None else Decimal(price)
    )
    back = episode("back", "courante", rx("2025-01-02", 9))
    result = run([back], [session], "2025-01-31", preferential=preferential)
    (outcome,) = result.sessions
    assert outcome.code == "567011"
    assert outcome.amounts == expected
    # The first day of M/25's fees: the conventioned fee again, whatever the price.
    later = replace(session, id="s2", date=d("2025-02-03"))
    (_, indexed) = run([back], [session, later], "2025-02-28", preferential=False).sessions
    assert indexed.amounts == BeAmounts(Decimal("30.80"), Decimal("24.55"), Decimal("6.25"))


@pytest.mark.parametrize(
    ("preferential", "insurer", "patient"),
    [(False, "24.55", "6.25"), (True, "28.30", "2.50")],
    ids=["regular", "bim"],
)
def test_a_2025_courante_session_costs_30_80_with_the_fixed_share(
    preferential: bool, insurer: str, patient: str
) -> None:
    """M25, HELAN, INAMI-M25: 30.80 from 2025-02-01; the fixed patient share is unchanged."""
    result = courante([d("2025-03-10")], "2025-03-10", preferential=preferential)

    assert result.sessions[0].amounts == BeAmounts(
        Decimal("30.80"), Decimal(insurer), Decimal(patient)
    )


@pytest.mark.parametrize(
    ("preferential", "insurer", "patient"),
    [(False, "4.58", "25.42"), (True, "8.33", "21.67")],
    ids=["regular", "bim"],
)
def test_overflow_sessions_have_a_small_fixed_reimbursement(
    preferential: bool, insurer: str, patient: str
) -> None:
    """C4, CM-T2024: 560055 reimburses 4.58 / 8.33; the kine may charge the 560011 fee."""
    result = courante(every("2024-03-01", 19), "2024-12-31", preferential=preferential)

    assert result.sessions[-1].code == "560055"
    assert result.sessions[-1].amounts == BeAmounts(
        Decimal("30.00"), Decimal(insurer), Decimal(patient)
    )


@pytest.mark.parametrize(
    ("preferential", "insurer", "patient"),
    [(False, "26.75", "6.25"), (True, "30.50", "2.50")],
    ids=["regular", "bim"],
)
def test_home_fee_known_insurer_is_fee_minus_fixed_patient_share(
    preferential: bool, insurer: str, patient: str
) -> None:
    """S6, §5.1 [I]: 560313 costs 33.00 in 2024; the insurer pays 33.00 − the fixed share."""
    back = episode("back", "courante", rx("2024-03-01", 30))
    result = run(
        [back],
        sessions("back", every("2024-03-01", 10), place="home"),
        "2024-12-31",
        preferential=preferential,
    )

    assert [o.code for o in result.sessions] == [None] * 9 + ["560313"]
    assert result.sessions[-1].amounts == BeAmounts(
        Decimal("33.00"), Decimal(insurer), Decimal(patient)
    )


def test_short_sessions_have_no_code_and_no_amounts() -> None:
    """S4: the tables hold the codes of 30-minute sessions; 20-minute codes are unknown."""
    back = episode("back", "courante", rx("2024-03-01", 30))
    result = run([back], sessions("back", [d("2024-03-04")], minutes=20), "2024-12-31")

    assert (result.sessions[0].status, result.sessions[0].code) == ("best", None)
    assert result.sessions[0].amounts is None


def test_pending_sessions_carry_the_code_and_amounts_they_will_get() -> None:
    """Decision 2: a pending session is billed with its tier's code once the agreement comes."""
    neck = episode("neck", "courante", rx("2024-01-02", 9))
    knee = episode("knee", "courante", rx("2024-03-01", 9))
    result = run(
        [neck, knee],
        sessions("neck", [d("2024-01-03")]) + sessions("knee", [d("2024-03-04")]),
        "2024-03-31",
    )

    pending = of(result, "knee")[0]
    assert (pending.status, pending.code) == ("pending", "567011")
    assert pending.amounts == BeAmounts(Decimal("30.00"), Decimal("23.75"), Decimal("6.25"))


# ---------------------------------------------------------------------------------- warnings


@pytest.mark.parametrize(
    ("used", "expected"),
    [(14, []), (15, ["quota_low"]), (17, ["quota_low"]), (18, ["quota_exhausted"])],
)
def test_quota_warnings_at_three_or_fewer_left(used: int, expected: list[str]) -> None:
    """C1: quota_low with 1–3 best-rate sessions left, quota_exhausted with none."""
    result = courante(every("2025-01-02", used), "2025-12-31")

    assert codes(result) == expected
    assert all(w.severity == "warning" and w.session is None for w in rule_warnings(result))


def test_quota_warnings_ignore_a_period_that_ended_before_as_of() -> None:
    """Decision 4: an ended Fa period is reported but no longer warned about."""
    result = _fa(every("2024-01-02", 60), "2025-06-30")

    (row,) = result.quotas
    assert (row.period_end, row.remaining) == (d("2025-01-01"), 0)
    assert rule_warnings(result) == ()


@pytest.mark.parametrize(
    ("until", "warned"),
    [
        pytest.param("2025-05-31", False, id="ended-before-as-of"),
        pytest.param("2025-06-01", True, id="ends-on-as-of"),
        pytest.param("2025-07-01", True, id="ends-in-30-days"),
        pytest.param("2025-07-02", False, id="ends-in-31-days"),
    ],
)
def test_agreement_ending_within_30_days_after_as_of(until: str, warned: bool) -> None:
    """E5, contract: agreement_ending is a warning when the agreement ends within 30 days."""
    e = episode("e", "e", rx("2025-01-01", 9), pathology="e-b", agreement=("2025-01-01", until))
    result = run([e], sessions("e", [d("2025-01-02")]), "2025-06-01")

    expected = [("agreement_ending", "warning", "e")] if warned else []
    assert [(w.code, w.severity, w.episode) for w in rule_warnings(result)] == expected


@pytest.mark.parametrize(
    ("as_of", "warned"),
    [("2026-02-06", False), ("2026-02-07", True), ("2026-03-09", True), ("2026-03-10", False)],
)
def test_fa_period_ending_within_30_days(as_of: str, warned: bool) -> None:
    """FA1: the Fa period 2025-03-10…2026-03-09 is about to end."""
    result = _fa([d("2025-03-10")], as_of)

    assert ("period_ending" in codes(result)) is warned


def test_fb_period_ending_is_the_end_of_the_whole_period() -> None:
    """FB1: the Fb period of a 2025 start ends 2027-12-31; not each calendar year."""
    assert "period_ending" not in codes(_fb([d("2025-05-15")], "2025-12-15"))
    assert "period_ending" in codes(_fb([d("2025-05-15")], "2027-12-15"))


def test_every_warning_code_has_one_severity() -> None:
    """Contract: severities are info, warning or blocking; something that ends within 30 days
    is a warning in both countries (an extension must be asked for in time)."""
    assert set(SEVERITY) == set(WarningCode)
    assert set(SEVERITY.values()) <= {"info", "warning", "blocking"}
    assert SEVERITY[WarningCode.QUOTA_LOW] == SEVERITY[WarningCode.POOL_LOW] == "warning"
    assert SEVERITY[WarningCode.AGREEMENT_ENDING] == "warning"
    assert SEVERITY[WarningCode.PERIOD_ENDING] == "warning"
    assert SEVERITY[WarningCode.PRESCRIPTION_MISSING] == "blocking"


# ------------------------------------------------------------------------------ quotas and pools


def test_courante_row_is_the_as_of_year_even_without_sessions_in_it() -> None:
    """Contract: the period that contains as_of; used 0 when nothing happened yet."""
    result = courante([d("2024-03-04")], "2025-01-15")

    assert result.quotas == (Quota("back", "courante", d("2025-01-01"), d("2025-12-31"), 18, 0),)


def test_used_includes_planned_sessions_after_as_of() -> None:
    """Contract: sessions after as_of are planned and evaluated like the others."""
    result = courante(every("2025-01-02", 10, step=7), "2025-01-03")

    assert (result.quotas[0].used, result.quotas[0].remaining) == (10, 8)


def test_remaining_never_goes_below_zero() -> None:
    """Contract: remaining = max(limit − used, 0); used counts overflow sessions too."""
    result = courante(every("2025-01-02", 25), "2025-12-31")

    assert (result.quotas[0].used, result.quotas[0].remaining) == (25, 0)


def test_an_fa_episode_without_a_counted_session_has_no_row_yet() -> None:
    """FA1 [I]: the Fa period starts at the first session; before it there is no period."""
    fa = episode("fa", "fa", rx("2025-01-01", 9), pathology="fa-10", notified_on="2025-01-01")

    assert run([fa], [], "2025-01-31").quotas == ()


def test_a_period_still_to_come_is_reported_when_none_began() -> None:
    """Contract gap [I]: planned Fa sessions only after as_of → the coming period's row."""
    result = _fa([d("2025-03-10")], "2025-01-31")

    (row,) = result.quotas
    assert (row.period_start, row.period_end, row.used) == (d("2025-03-10"), d("2026-03-09"), 1)


def test_unknown_episode_is_a_domain_error() -> None:
    """The input layer validates references; the engine refuses rather than guess."""
    with pytest.raises(UnknownEpisode):
        run([], [Session("s1", d("2025-01-02"), "ghost")], "2025-01-31")


# ----------------------------------------------------------------------- the contract example


def test_contract_example_be_courante() -> None:
    """``examples/be-courante-*.json``, built by hand: every field of the output."""
    lowback = Episode(
        "lowback", "courante", prescriptions=(Prescription("rx1", d("2024-01-08"), 9),)
    )
    case = Case(
        "BE",
        d("2024-01-15"),
        Patient(d("1971-09-30"), preferential=False),
        (lowback,),
        (
            Session("s1", d("2024-01-10"), "lowback"),
            Session("s2", d("2024-01-12"), "lowback"),
            Session("s3", d("2024-01-15"), "lowback"),
        ),
    )
    result = evaluate(case)

    fee = BeAmounts(Decimal("30.00"), Decimal("23.75"), Decimal("6.25"))
    assert (result.country, result.as_of) == ("BE", d("2024-01-15"))
    assert [
        (o.id, o.date, o.episode, o.status, o.ordinal, o.code, o.extra_codes, o.amounts)
        for o in result.sessions
    ] == [
        ("s1", d("2024-01-10"), "lowback", "best", 1, "567011", ("567033",), fee),
        ("s2", d("2024-01-12"), "lowback", "best", 2, "567011", (), fee),
        ("s3", d("2024-01-15"), "lowback", "best", 3, "567011", (), fee),
    ]
    # The example's rule ids and wording are illustrative: compare them loosely.
    assert {o.rule for o in result.sessions} == {"BE.C1"}
    assert [o.reason.code for o in result.sessions] == ["be.courante.best"] * 3
    assert [(o.reason.params["n"], o.reason.params["year"]) for o in result.sessions] == [
        (1, 2024),
        (2, 2024),
        (3, 2024),
    ]
    assert [o.reason.params["intake"] for o in result.sessions] == [True, False, False]
    assert result.quotas == (Quota("lowback", "courante", d("2024-01-01"), d("2024-12-31"), 18, 3),)
    assert result.quotas[0].remaining == 15
    assert result.pools == (Pool("overflow", d("2024-01-01"), d("2024-12-31"), 54, 0),)
    assert result.pools[0].remaining == 54
    assert rule_warnings(result) == ()


def test_decision_8_each_session_names_the_prescription_it_was_assigned_to() -> None:
    """Decision 8: oldest prescription with room first, only those dated on or before."""
    old, new = rx("2025-01-06", 2, id="old"), rx("2025-02-03", 9, id="new")
    back = episode("back", "courante", old, new)
    days = [d("2025-01-03"), d("2025-01-07"), d("2025-01-09"), d("2025-01-13"), d("2025-02-04")]
    result = run([back], sessions("back", days), "2025-02-04")
    assert [(o.status, o.prescription) for o in of(result, "back")] == [
        ("not_reimbursed", None),  # before any prescription: prescription_missing
        ("best", "old"),
        ("best", "old"),
        ("not_reimbursed", None),  # the old one is full, the new one is not dated yet
        ("best", "new"),
    ]


def test_decision_8_sessions_under_a_late_prescription_are_assigned_to_it() -> None:
    """P6: a prescription started after its two months covers nothing, yet its sessions use it."""
    late = episode("back", "courante", rx("2025-03-01", 9, id="late"))
    result = run([late], sessions("back", [d("2025-05-05")]), "2025-05-05")
    (outcome,) = of(result, "back")
    assert (outcome.status, outcome.prescription) == ("not_reimbursed", "late")


# ------------------------------------------------------- the next sessions' prescription


def test_a_prescription_passed_over_leaves_only_the_older_ones_room() -> None:
    """P6, decision 8 [I]: rx2 was never started by its deadline, so after rx1's last 2
    sessions nothing covers the next ones; the warning names rx2 as the reason."""
    neck = episode(
        "neck", "fb", rx("2025-09-21", 30), rx("2025-12-12", 30, id="rx2"), notified_on="2025-10-03"
    )
    result = run([neck], sessions("neck", every("2025-10-01", 28, step=4)), "2026-02-20")

    (low,) = [w for w in result.warnings if w.code == "prescription_low"]
    assert (low.severity, low.episode, low.session) == ("warning", "neck", None)
    assert low.params == {
        "remaining": 2,
        "prescribed": d("2025-12-12"),
        "deadline": d("2026-02-12"),
    }


def test_a_prescription_not_started_before_its_deadline_still_counts() -> None:
    """P6: until its deadline rx2 can still cover the next sessions: 2 + 30 left, no warning."""
    neck = episode(
        "neck", "fb", rx("2025-09-21", 30), rx("2025-12-12", 30, id="rx2"), notified_on="2025-10-03"
    )
    result = run([neck], sessions("neck", every("2025-10-01", 28, step=4)), "2026-02-12")

    assert "prescription_low" not in codes(result)


@pytest.mark.parametrize(("sessions_given", "warned"), [(14, False), (15, True), (18, True)])
def test_three_or_fewer_prescribed_sessions_left_warn(sessions_given: int, warned: bool) -> None:
    """P3: 4 left is quiet, 3 left warns, none left warns (the next one is not covered)."""
    back = episode("back", "courante", rx("2025-03-01", 18))
    result = run([back], sessions("back", every("2025-03-03", sessions_given)), "2025-03-31")

    assert ("prescription_low" in codes(result)) is warned


def test_a_treatment_paused_for_over_60_days_gets_no_prescription_warning() -> None:
    """[I] A treatment without a session for 60 days is taken as ended: nothing to renew."""
    back = episode("back", "courante", rx("2025-03-01", 9))
    days = every("2025-03-03", 9)
    result_on_60 = run([back], sessions("back", days), "2025-05-10")
    result_on_61 = run([back], sessions("back", days), "2025-05-11")

    assert days[-1] == d("2025-03-11")
    assert "prescription_low" in codes(result_on_60)
    assert "prescription_low" not in codes(result_on_61)
