"""Needs attention's warnings hold, records unchanged, until the day ``stable_until`` names.

The bridge stores each patient's list with that day and reuses it on the days before it, so
a day it names too late would show a warning that no longer holds, or hide a new one. The
property compares full evaluations (no trimming) on the days in between with the day the
list was computed; the horizon is computed as the bridge does, from what it read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from reimburse import engine
from reimburse.attention.horizon import (
    actionable,
    episode_dates,
    relevant_case,
    stable_until,
    unloaded,
)
from reimburse.engine import be as belgium
from reimburse.engine.types import Agreement, Case, Episode, Patient, Prescription, Session
from reimburse.engine.types import Warning as EngineWarning
from tests.attention.test_history_trimming import be_cases, nl_cases


def _shown(case: Case) -> tuple[EngineWarning, ...] | None:
    """Return what Needs attention shows for the full case, or None outside the rules."""
    try:
        return actionable(engine.evaluate(case, outcomes=False), case).warnings
    except ValueError:
        return None


def _horizon(case: Case) -> date:
    """Return ``stable_until`` as the bridge computes it, from what it reads and evaluates."""
    unread = unloaded(case)
    read = replace(
        case,
        episodes=tuple(e for e in case.episodes if e.id not in unread),
        sessions=tuple(s for s in case.sessions if s.episode not in unread),
    )
    relevant = relevant_case(read)
    result = actionable(engine.evaluate(relevant, outcomes=False), relevant)
    return stable_until(read, result, [e for e in case.episodes if e.id in unread])


@st.composite
def be_cases_near_an_end(draw: st.DrawFn) -> Case:
    """Draw a Belgian case whose as_of lies 20 to 50 days before an agreement ends, or a
    Fa or Fb period could (a year after a session, or in December), where windows open."""
    case = draw(be_cases())
    ends = [a.until for e in case.episodes for a in e.agreements if a.granted and a.until]
    ends += [s.date + timedelta(days=364) for s in case.sessions]
    ends += [date(case.as_of.year, 12, 31)]
    end = draw(st.sampled_from(ends))
    return replace(case, as_of=end - timedelta(days=draw(st.integers(20, 50))))


def _holds(case: Case, data: st.DataObject) -> None:
    shown = _shown(case)
    if shown is None:
        event("outside the rules")
        return
    until = _horizon(case)
    span = (until - case.as_of).days
    assert span >= 1
    # Every day of the first weeks, the last day, and a few drawn in between.
    drawn = data.draw(st.lists(st.integers(min_value=0, max_value=span - 1), max_size=8))
    for offset in sorted({*range(min(span, 35)), span - 1, *drawn}):
        later = replace(case, as_of=case.as_of + timedelta(days=offset))
        assert _shown(later) == shown, f"changed on {later.as_of}, held until {until}"
    event(f"held {'over a month' if span > 31 else 'a month or less'}")


@settings(max_examples=150, deadline=None)
@given(be_cases(), st.data())
def test_belgian_warnings_hold_on_every_day_before_stable_until(
    case: Case, data: st.DataObject
) -> None:
    _holds(case, data)


@settings(max_examples=150, deadline=None)
@given(be_cases_near_an_end(), st.data())
def test_belgian_warnings_hold_until_an_ending_window_opens(
    case: Case, data: st.DataObject
) -> None:
    _holds(case, data)


@settings(max_examples=50, deadline=None)
@given(nl_cases())
def test_dutch_warnings_are_taken_to_hold_for_their_day_only(case: Case) -> None:
    try:
        result = engine.evaluate(case, outcomes=False)
    except ValueError:
        return
    assert stable_until(case, result) == case.as_of + timedelta(days=1)


# ------------------------------------------------------- the bridge's one pass over the sessions


def _with_a_duplicate(case: Case) -> Case:
    """The case with its first episode twice (the engine then keeps both: no trimming)."""
    return replace(case, episodes=(*case.episodes, *case.episodes[:1]))


@settings(max_examples=200, deadline=None)
@given(st.one_of(be_cases(), be_cases_near_an_end(), nl_cases()), st.booleans())
def test_the_shared_episode_dates_give_each_step_what_it_gives_alone(
    case: Case, duplicate: bool
) -> None:
    """Needs attention gathers ``episode_dates`` once and hands it to ``relevant_case``,
    ``actionable`` and ``stable_until``: each answers as when it reads the sessions itself."""
    if duplicate and case.episodes:
        case = _with_a_duplicate(case)
    dates = episode_dates(case)
    relevant = relevant_case(case)
    assert relevant_case(case, dates) == relevant
    try:
        result = engine.evaluate(relevant, outcomes=False)
    except ValueError:
        event("outside the rules")
        return
    shown = actionable(result, relevant)
    assert actionable(result, relevant, dates) == shown
    assert actionable(result, relevant, episode_dates(relevant)) == shown
    unread = case.episodes[-1:]
    assert stable_until(case, shown, unread, dates) == stable_until(case, shown, unread)


def test_an_episode_id_twice_is_never_dropped() -> None:
    """Two episodes with one id are ambiguous for the engine: both are kept, quiet or not."""
    old = Episode("old", "e", pathology="e-a")
    case = _courante(old)
    case = replace(case, sessions=(*case.sessions, Session("o", date(2022, 1, 3), "old")))
    assert "old" not in {e.id for e in relevant_case(case).episodes}
    twice = replace(case, episodes=(*case.episodes, old))
    assert [e.id for e in relevant_case(twice).episodes].count("old") == 2


# ------------------------------------------------------------------ named days, one per row

AS_OF = date(2025, 6, 30)


def _courante(*others: Episode) -> Case:
    """A courante situation 10 of 18 into 2025, beside ``others`` (without sessions)."""
    knee = Episode("knee", "courante", prescriptions=(Prescription("rx", date(2025, 3, 1), 18),))
    sessions = tuple(
        Session(f"s{n}", date(2025, 3, 3) + timedelta(weeks=n), "knee") for n in range(10)
    )
    return Case("BE", AS_OF, Patient(date(1960, 1, 1)), (knee, *others), sessions)


def test_a_courante_situation_holds_until_1_january() -> None:
    """C1: the series counts per calendar year; nothing else reads the day."""
    assert _horizon(_courante()) == date(2026, 1, 1)


def test_an_agreement_ending_in_40_days_holds_until_its_30_day_window_opens() -> None:
    """E2, agreement_ending: fires from 30 days before the agreement's last day."""
    until = AS_OF + timedelta(days=40)
    e = Episode("e", "e", pathology="e-a", agreements=(Agreement(date(2025, 1, 1), until),))
    case = _courante(e)
    opens = until - belgium.ENDING_SOON
    assert _horizon(case) == opens
    codes_before = [w.code for w in _shown(replace(case, as_of=opens - timedelta(days=1))) or ()]
    codes_on = [w.code for w in _shown(replace(case, as_of=opens)) or ()]
    assert "agreement_ending" not in codes_before
    assert "agreement_ending" in codes_on


def _f_list(category: str, pathology: str, first: date, count: int) -> Case:
    """A notified and prescribed Fa or Fb situation, weekly from ``first``, seen at AS_OF."""
    episode = Episode(
        category,
        category,
        pathology=pathology,
        notified_on=first - timedelta(days=1),
        prescriptions=(Prescription("rx", first - timedelta(days=3), 60),),
    )
    sessions = tuple(Session(f"s{n}", first + timedelta(weeks=n), category) for n in range(count))
    return Case("BE", AS_OF, Patient(date(1960, 1, 1)), (episode,), sessions)


def test_a_fa_period_holds_until_its_ending_window_then_until_it_ends() -> None:
    """FA1: a period from 2024-09-02 ends 2025-09-01; period_ending from 2025-08-02."""
    case = _f_list("fa", "fa-1", date(2024, 9, 2), 20)
    assert _horizon(case) == date(2025, 8, 2)
    assert _horizon(replace(case, as_of=date(2025, 8, 2))) == date(2025, 9, 2)


def test_a_fb_period_holds_until_1_december() -> None:
    """FB1: every Fb period ends on 31 December, so its window opens on 1 December; each
    year's 1 December is taken (a period from 2025 ends in 2027: one needless recompute)."""
    assert _horizon(_f_list("fb", "fb-51", date(2025, 2, 3), 10)) == date(2025, 12, 1)


def test_an_old_episode_left_out_still_counts_its_agreement() -> None:
    """E2: an E situation treated in 2022 is dropped from the evaluation (relevant_case) while
    its agreement is not in its last 30 days; once it is, agreement_ending fires. It shares
    a day with an old perinatal episode (5 of 9, quiet: PN1), so both are read."""
    until = AS_OF + timedelta(days=40)
    old = Episode("old", "e", pathology="e-a", agreements=(Agreement(date(2022, 1, 3), until),))
    pregnancy = Episode("pn", "perinatal")
    case = _courante(old, pregnancy)
    case = replace(
        case,
        sessions=(
            *case.sessions,
            *(Session(f"o{n}", date(2022, 1, 3) + timedelta(weeks=n), "old") for n in range(5)),
            *(Session(f"p{n}", date(2022, 1, 3) + timedelta(days=n), "pn") for n in range(5)),
        ),
    )
    assert unloaded(case) == set()
    assert {"old", "pn"}.isdisjoint(e.id for e in relevant_case(case).episodes)
    opens = until - belgium.ENDING_SOON
    assert "agreement_ending" in [w.code for w in _shown(replace(case, as_of=opens)) or ()]
    assert _horizon(case) == opens
