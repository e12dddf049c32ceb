"""Trimming a patient's history for Needs attention changes nothing the practice can act on.

For any case: the warnings of the trimmed case equal those of the full case, once both lose
the warnings naming a session before the cut (1 January of the year before ``as_of``); the
pools are equal, and so are the quotas of the episodes kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reimburse import engine
from reimburse.attention.horizon import (
    actionable,
    cut_date,
    relevant_case,
    unloaded,
    unloaded_categories,
)
from reimburse.engine.be.rules import fa_period_end, fb_period_end
from reimburse.engine.types import (
    Agreement,
    Case,
    Coverage,
    Episode,
    Patient,
    Prescription,
    Referral,
    Session,
)
from reimburse.engine.vocabulary import GRANTED, AgreementStatus

BOUNDED = settings(max_examples=200, deadline=None)
FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2026, 12, 31)
SPAN = (LAST_DAY - FIRST_DAY).days
# The edges of the cut: 1 January and 31 December, the day before and the day of a new year.
AS_OF_EDGES = (
    date(2024, 1, 1),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2025, 12, 15),
)

any_day = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST_DAY + timedelta(days=n))
as_ofs = st.one_of(st.sampled_from(AS_OF_EDGES), any_day)


def assert_trimming_is_invisible(case: Case) -> str:
    """Check the contract of ``relevant_case`` on one case; say what was dropped."""
    try:
        full = engine.evaluate(case)
    except ValueError:
        return "the full case is outside the rules"
    # Without outcomes (as Needs attention asks) everything else is the same.
    assert engine.evaluate(case, outcomes=False) == replace(full, sessions=())
    relevant = relevant_case(case)
    trimmed = engine.evaluate(relevant)
    kept = {e.id for e in relevant.episodes}
    assert actionable(trimmed, case).warnings == actionable(full, case).warnings
    assert trimmed.pools == full.pools
    assert trimmed.quotas == tuple(q for q in full.quotas if q.episode in kept)
    # Kept episodes are kept whole; only sessions of dropped episodes go, all before the cut.
    cut = cut_date(case.as_of)
    gone = [s for s in case.sessions if s not in relevant.sessions]
    assert all(s.date < cut and s.episode not in kept for s in gone)
    assert all(
        s.episode in kept or s.episode not in {e.id for e in case.episodes}
        for s in relevant.sessions
    )
    # Leaving the ``unloaded`` episodes unread (as the SQL does) and trimming the rest gives
    # the same warnings, pools and quotas of the episodes kept.
    gone_unread = unloaded(case)
    read = replace(
        case,
        episodes=tuple(e for e in case.episodes if e.id not in gone_unread),
        sessions=tuple(s for s in case.sessions if s.episode not in gone_unread),
    )
    assert not gone_unread & kept  # what is left unread, trimming drops too
    read_relevant = relevant_case(read)
    from_read = engine.evaluate(read_relevant, outcomes=False)
    kept_read = {e.id for e in read_relevant.episodes}
    assert actionable(from_read, case).warnings == actionable(full, case).warnings
    assert from_read.pools == full.pools
    assert from_read.quotas == tuple(q for q in full.quotas if q.episode in kept_read)
    dropped = "some" if len(kept) < len(case.episodes) else "no"
    return f"dropped {dropped} episodes, left {'some' if gone_unread else 'none'} unread"


@st.composite
def runs(draw: st.DrawFn, episode_id: str, max_sessions: int = 25) -> list[tuple[date, str]]:
    """Draw an episode's sessions: a start day, then gaps of 1-10 days (sometimes 0)."""
    day = draw(any_day)
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=max_sessions))):
        if day > LAST_DAY:
            break
        found.append((day, episode_id))
        day += timedelta(days=draw(st.sampled_from((0, 1, 2, 3, 7, 10, 40))))
    return found


# ----------------------------------------------------------------------------------- Belgium


@st.composite
def be_episodes(draw: st.DrawFn, episode_id: str) -> Episode:
    category = draw(st.sampled_from(("courante", "fa", "fb", "e", "perinatal", "palliative")))
    pathology = {"fa": draw(st.sampled_from(("fa-1", "fa-16"))), "fb": "fb-51", "e": "e-a"}
    agreement = None
    if draw(st.booleans()) and category in ("courante", "e", "palliative"):
        start = draw(any_day)
        until = draw(st.one_of(st.none(), st.integers(0, 800)))
        agreement = Agreement(start, None if until is None else start + timedelta(days=until))
    prescriptions = tuple(
        Prescription(
            f"{episode_id}-rx{n}",
            draw(any_day),
            draw(st.sampled_from((1, 9, 18, 60))),
            draw(st.booleans()),
        )
        for n in range(draw(st.integers(min_value=0, max_value=3)))
    )
    # eAgreement decisions that grant nothing (v2): waiting or refused, with or without a period.
    undecided = tuple(
        Agreement(
            draw(st.one_of(st.none(), any_day)),
            None,
            draw(st.sampled_from([s for s in AgreementStatus if s not in GRANTED])),
        )
        for _ in range(draw(st.integers(0, 1)) if category in ("courante", "e") else 0)
    )
    # Sessions given elsewhere (v2): such an episode is never left out.
    elsewhere = (
        draw(st.sampled_from([{}, {}, {2024: 3}, {2025: 17}]))
        if category in ("courante", "fa", "fb")
        else {}
    )
    return Episode(
        episode_id,
        category,
        pathology=pathology.get(category),
        notified_on=draw(st.one_of(st.none(), any_day)) if category in ("fa", "fb") else None,
        agreements=(() if agreement is None else (agreement,)) + undecided,
        prescriptions=prescriptions,
        prior_sessions=elsewhere,
    )


@st.composite
def be_cases(draw: st.DrawFn) -> Case:
    count = draw(st.integers(min_value=1, max_value=6))
    episodes = tuple(draw(be_episodes(f"e{n}")) for n in range(count))
    rows = [row for e in episodes for row in draw(runs(e.id))]
    rows = draw(st.permutations(rows))
    sessions = tuple(
        Session(f"s{n}", day, ep, place=draw(st.sampled_from(("practice", "home"))))
        for n, (day, ep) in enumerate(rows)
    )
    patient = Patient(date(1960, 5, 5), preferential=draw(st.booleans()))
    return Case("BE", draw(as_ofs), patient, episodes, sessions)


@BOUNDED
@given(be_cases())
def test_belgian_trimming_changes_no_actionable_warning_quota_or_pool(case: Case) -> None:
    event(assert_trimming_is_invisible(case))


# ----------------------------------------------------------------------------- Netherlands

GP = Referral(date(2020, 12, 1), "gp")
BIRTHS = (date(1970, 1, 1), date(2006, 6, 15), date(2008, 1, 1), date(2012, 3, 1))


@st.composite
def nl_episodes(draw: st.DrawFn, episode_id: str) -> Episode:
    category = draw(
        st.sampled_from(
            (
                "regular",
                "chronic",
                "osteoarthritis",
                "claudication",
                "pelvic_floor",
                "copd",
                "rheumatoid_arthritis",
            )
        )
    )
    condition = None
    if category == "chronic":
        condition = draw(st.sampled_from(("cva", "fracture_conservative", "whiplash")))
    return Episode(
        episode_id,
        category,
        condition=condition,
        term_months=draw(st.one_of(st.none(), st.sampled_from((6, 12, 36)))),
        gold_class="B1" if category == "copd" else None,
        prior_treatments=draw(st.sampled_from((0, 0, 5, 19, 20))),
        first_treatment_on=draw(st.one_of(st.none(), any_day)),
        referral=draw(st.sampled_from((GP, GP, None))),
        extension=draw(st.booleans()),
    )


@st.composite
def nl_coverages(draw: st.DrawFn) -> tuple[Coverage, ...]:
    found = []
    for year in range(2021, 2027):
        kind = draw(st.sampled_from(("count", "count", "budget", "none")))
        if kind == "count":
            found.append(
                Coverage(
                    year,
                    treatments=draw(st.integers(min_value=0, max_value=12)),
                    carry_over_max=draw(st.sampled_from((0, 3, 9))),
                    pays_chronic_first_20=draw(st.booleans()),
                )
            )
        elif kind == "budget":
            found.append(Coverage(year, budget=Decimal(draw(st.sampled_from((0, 150, 600))))))
    return tuple(found)


@st.composite
def nl_cases(draw: st.DrawFn) -> Case:
    count = draw(st.integers(min_value=1, max_value=5))
    episodes = tuple(draw(nl_episodes(f"e{n}")) for n in range(count))
    rows = [row for e in episodes for row in draw(runs(e.id))]
    rows = draw(st.permutations(rows))
    sessions = tuple(
        Session(f"s{n}", day, ep, price=draw(st.sampled_from((None, Decimal("40.00")))))
        for n, (day, ep) in enumerate(rows)
    )
    deductible = {y: Decimal("385.00") for y in range(2021, 2027)}
    patient = Patient(
        draw(st.sampled_from(BIRTHS)),
        coverage=draw(nl_coverages()),
        deductible_remaining=deductible,
    )
    return Case("NL", draw(as_ofs), patient, episodes, sessions)


@BOUNDED
@given(nl_cases())
def test_dutch_trimming_changes_no_actionable_warning_quota_or_pool(case: Case) -> None:
    event(assert_trimming_is_invisible(case))


# ------------------------------------------------------------------ named rules, one per row

AS_OF = date(2025, 12, 15)  # the cut is 2024-01-01


def _weekly(episode: str, start: date, count: int, prefix: str = "") -> tuple[Session, ...]:
    return tuple(
        Session(f"{prefix or episode}-{n}", start + timedelta(days=7 * n), episode)
        for n in range(count)
    )


def _rx(episode: str, on: date, sessions: int = 60) -> tuple[Prescription, ...]:
    return (Prescription(f"{episode}-rx", on, sessions),)


def _be(episode: Episode, sessions: tuple[Session, ...], *others: Episode) -> Case:
    current = Episode("now", "courante", prescriptions=_rx("now", date(2025, 3, 1)))
    return Case(
        "BE",
        AS_OF,
        Patient(date(1960, 1, 1)),
        (episode, current, *others),
        (*sessions, *_weekly("now", date(2025, 3, 3), 10)),
    )


OLD = date(2022, 3, 7)


@pytest.mark.parametrize(
    ("episode", "count", "dropped"),
    [
        # C1: the counter restarts each 1 January; an old situation has 18 left this year.
        (Episode("old", "courante", prescriptions=_rx("old", OLD)), 10, True),
        # E1/E2: no cap; its agreement ends in 2023.
        (Episode("old", "e", agreements=(Agreement(OLD, date(2023, 1, 1)),)), 10, True),
        # E: the agreement ends within 30 days after as_of (agreement_ending).
        (Episode("old", "e", agreements=(Agreement(OLD, date(2026, 1, 10)),)), 10, False),
        # FA1: the period of a 2022 start ended in 2023.
        (Episode("old", "fa", pathology="fa-1", notified_on=OLD), 10, True),
        # FB1: a 2022 period runs to 31 December 2024, ended before as_of.
        (Episode("old", "fb", pathology="fb-51", notified_on=OLD), 10, True),
        # PN1: open-ended; 5 of 9 used leaves 4 - no warning, ever.
        (Episode("old", "perinatal"), 5, True),
        # PN1: 6 of 9 used leaves 3 - quota_low at any later as_of.
        (Episode("old", "perinatal"), 6, False),
        # PAL1: no cap.
        (Episode("old", "palliative"), 10, True),
    ],
)
def test_an_old_belgian_episode_is_dropped_only_when_it_cannot_warn(
    episode: Episode, count: int, dropped: bool
) -> None:
    episode = Episode(**{**episode.__dict__, "prescriptions": _rx("old", OLD - timedelta(5))})
    case = _be(episode, _weekly("old", OLD, count))
    kept = {e.id for e in relevant_case(case).episodes}
    assert ("old" not in kept) is dropped
    assert_trimming_is_invisible(case)


def test_a_fb_period_running_into_the_as_of_year_is_kept() -> None:
    """FB1: a period started in 2023 ends on 31 December 2025, after as_of."""
    episode = Episode(
        "old",
        "fb",
        pathology="fb-51",
        notified_on=date(2023, 3, 1),
        prescriptions=_rx("old", date(2023, 3, 1)),
    )
    case = _be(episode, _weekly("old", date(2023, 3, 6), 10))
    assert "old" in {e.id for e in relevant_case(case).episodes}


def test_an_old_episode_sharing_a_day_with_a_kept_one_is_kept() -> None:
    """S1: one session a day across episodes, so the day must keep its first session."""
    old = Episode("old", "courante", prescriptions=_rx("old", date(2023, 1, 2)))
    spanning = Episode("span", "courante", prescriptions=_rx("span", date(2023, 1, 2)))
    sessions = (
        *_weekly("old", date(2023, 1, 9), 3),
        *_weekly("span", date(2023, 1, 23), 2),  # 2023-01-23 is also the old one's day 3
        *_weekly("span", date(2024, 2, 5), 3, prefix="span-late"),
    )
    case = _be(old, sessions, spanning)
    assert {e.id for e in relevant_case(case).episodes} == {"old", "now", "span"}
    assert_trimming_is_invisible(case)


def _nl(episode: Episode, sessions: tuple[Session, ...], coverage: tuple[Coverage, ...]) -> Case:
    return Case("NL", AS_OF, Patient(date(1970, 1, 1), coverage=coverage), (episode,), sessions)


def test_a_carry_over_chain_moves_the_dutch_cut_back() -> None:
    """A8: 2022 unused treatments carry into 2023, and 2023's into 2024 and so on."""
    chain = tuple(Coverage(y, treatments=9, carry_over_max=3) for y in range(2022, 2026))
    case = _nl(Episode("old", "regular"), _weekly("old", date(2022, 3, 7), 5), chain)
    assert relevant_case(case) == case
    broken = (Coverage(2022, treatments=9), *chain[1:])  # nothing carries out of 2022
    case = _nl(Episode("old", "regular"), _weekly("old", date(2022, 3, 7), 5), broken)
    assert relevant_case(case).episodes == ()


@pytest.mark.parametrize(
    ("episode", "dropped"),
    [
        (Episode("old", "regular"), True),
        # B6: referral_missing is an episode warning with no session: it stays.
        (Episode("old", "claudication"), False),
        (Episode("old", "claudication", referral=GP), True),
        # S-ART: one window for all joints from the earliest: never dropped.
        (Episode("old", "osteoarthritis", referral=GP), False),
        # S-COPD: treatment years run on up to as_of.
        (Episode("old", "copd", gold_class="B1", referral=GP), False),
        # B5: a 12-month term from 2022 has ended.
        (Episode("old", "chronic", condition="cva", term_months=12, referral=GP), True),
        # B2: 20 counted, lifelong term: the next one is the first basic pays (basic_starts).
        (Episode("old", "chronic", condition="cva", prior_treatments=15, referral=GP), False),
    ],
)
def test_an_old_dutch_episode_is_dropped_only_when_it_cannot_warn(
    episode: Episode, dropped: bool
) -> None:
    case = _nl(episode, _weekly("old", date(2022, 3, 7), 5), ())
    assert (relevant_case(case).episodes == ()) is dropped
    assert_trimming_is_invisible(case)


@pytest.mark.parametrize("as_of", [date(2025, 1, 1), date(2025, 12, 15), date(2025, 12, 31)])
def test_unloaded_categories_stop_where_a_period_may_still_run(as_of: date) -> None:
    """FA1: a one-year Fa period from before the cut has ended by as_of; FB1: an Fb period
    runs to 31 December of the second following year, so Fb episodes of the two years before
    as_of's are read. Perinatal (PN1, quietness depends on the count) is always read."""
    days = unloaded_categories(as_of)
    cut = date(as_of.year - 1, 1, 1)
    assert days == {
        "e": cut,
        "palliative": cut,
        "courante": cut,
        "fa": cut,
        "fb": date(as_of.year - 2, 1, 1),
    }
    # Just before the Fb day the period has ended; on it, it still runs at as_of.
    assert fb_period_end(days["fb"] - timedelta(days=1)) < as_of <= fb_period_end(days["fb"])
    assert fa_period_end(cut - timedelta(days=1)) < as_of
