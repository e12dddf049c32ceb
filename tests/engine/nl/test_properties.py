"""Properties of the Dutch engine that must hold for any case, checked with hypothesis."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reimburse.engine import nl as netherlands
from reimburse.engine.nl.tables import statutory_deductible
from reimburse.engine.types import (
    Case,
    Coverage,
    Episode,
    Patient,
    Referral,
    Result,
    Session,
)
from tests.engine.nl.builders import nl

BOUNDED = settings(max_examples=100, deadline=None)
GP = Referral(date(2023, 12, 1), "gp")
FIRST_DAY = date(2024, 1, 1)
DAYS = (date(2026, 12, 31) - FIRST_DAY).days

EPISODES = (
    Episode("regular", "regular"),
    # Bound to an age: on the list only under 22 (a patient born 2003 turns 22 in 2025).
    Episode("osteo", "chronic", condition="juvenile_osteochondrosis", referral=GP),
    Episode("cva", "chronic", condition="cva", prior_treatments=15, referral=GP),
    Episode("fracture", "chronic", condition="fracture_conservative", referral=GP),
    Episode("knee", "osteoarthritis", referral=GP),
    Episode("hip", "osteoarthritis", referral=GP),
    Episode("legs", "claudication", referral=GP),
    Episode("pelvic", "pelvic_floor", referral=GP),
    Episode("copd", "copd", gold_class="B1", referral=GP),
    Episode("ra", "rheumatoid_arthritis", referral=GP),
)
BIRTHS = (date(1970, 1, 1), date(2007, 6, 15), date(2012, 3, 1), date(2003, 6, 15))

prices = st.integers(min_value=10, max_value=120).map(lambda n: Decimal(f"{n}.00"))
days = st.integers(min_value=0, max_value=DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))


@st.composite
def coverages(draw: st.DrawFn) -> tuple[Coverage, ...]:
    """Draw a package per year: counted (with carry-over), a euro budget, or none."""
    found = []
    for year in (2024, 2025, 2026):
        kind = draw(st.sampled_from(["count", "budget", "none"]))
        if kind == "count":
            treatments = draw(st.integers(min_value=0, max_value=12))
            carry = draw(st.integers(min_value=0, max_value=3))
            found.append(Coverage(year, treatments=treatments, carry_over_max=carry))
        elif kind == "budget":
            budget = draw(st.integers(min_value=0, max_value=600))
            found.append(Coverage(year, budget=Decimal(f"{budget}.00")))
    return tuple(found)


@st.composite
def cases(draw: st.DrawFn, unique_days: bool = False) -> Case:
    """Draw a patient with a few episodes and up to 40 sessions in 2024-2026."""
    chosen = draw(
        st.lists(st.sampled_from(EPISODES), min_size=1, max_size=4, unique_by=lambda e: e.id)
    )
    # Earlier treatments on any category, for adults and children alike (decision 18).
    episodes = [
        replace(e, prior_treatments=draw(st.sampled_from([e.prior_treatments, 0, 5, 19, 30])))
        for e in chosen
    ]
    ids = [e.id for e in episodes]
    rows = draw(
        st.lists(
            st.tuples(days, st.sampled_from(ids), prices),
            max_size=40,
            unique_by=(lambda row: row[0]) if unique_days else None,
        )
    )
    sessions = tuple(
        Session(f"s{n}", day, episode, price=price) for n, (day, episode, price) in enumerate(rows)
    )
    patient = Patient(draw(st.sampled_from(BIRTHS)), coverage=draw(coverages()))
    return Case("NL", draw(days), patient, tuple(episodes), sessions)


def _remaining(result: Result) -> dict[tuple[str, ...], object]:
    """Every remaining of a result, keyed by counter and period."""
    found: dict[tuple[str, ...], object] = {
        ("pool", p.pool): p.remaining for p in result.pools if p.remaining is not None
    }
    for q in result.quotas:
        if q.remaining is not None:
            found[("quota", q.episode, q.counter, str(q.period_start))] = q.remaining
    return found


@BOUNDED
@given(data=st.data())
def test_input_order_does_not_change_the_outcome(data: st.DataObject) -> None:
    """Sessions on distinct days: any input order gives the same result."""
    case = data.draw(cases(unique_days=True))
    shuffled = data.draw(st.permutations(case.sessions))
    other = Case(case.country, case.as_of, case.patient, case.episodes, tuple(shuffled))
    assert netherlands.evaluate(other) == netherlands.evaluate(case)


@BOUNDED
@given(case=cases(), extra_episode=st.sampled_from(EPISODES), gap=st.integers(0, 60), price=prices)
# Found by Hypothesis: a basic osteoarthritis session on the day the allowance's one treatment
# was used (the skip below).
@example(
    case=Case(
        "NL",
        date(2025, 1, 1),
        Patient(date(1970, 1, 1), coverage=(Coverage(2025, treatments=1),)),
        (EPISODES[0],),
        (Session("s0", date(2025, 1, 1), "regular", price=Decimal("10.00")),),
    ),
    extra_episode=EPISODES[4],
    gap=0,
    price=Decimal("10.00"),
)
def test_adding_a_later_session_never_increases_any_remaining(
    case: Case, extra_episode: Episode, gap: int, price: Decimal
) -> None:
    """A session after all the others only uses quotas, allowance and eigen risico up.

    But for a basic-covered one added on the last session's day: it takes that day's
    reimbursed treatment whatever the input order (A5, decision 17), and so gives back the
    allowance the other session had used (``test_rules.py``,
    ``test_a_basic_session_makes_a_second_session_that_day_the_patients``).
    """
    last = max((s.date for s in case.sessions), default=FIRST_DAY)
    day = min(last + timedelta(days=gap), date(2026, 12, 31))
    episodes = case.episodes
    if extra_episode not in episodes:
        episodes = (*episodes, extra_episode)
    extra = Session("extra", day, extra_episode.id, price=price)
    before = _remaining(
        netherlands.evaluate(Case("NL", case.as_of, case.patient, episodes, case.sessions))
    )
    result = netherlands.evaluate(
        Case("NL", case.as_of, case.patient, episodes, (*case.sessions, extra))
    )
    if day == last and any(o.id == "extra" and o.status == "basic" for o in result.sessions):
        return
    after = _remaining(result)
    for key, left in before.items():
        if key in after:
            assert after[key] <= left, key  # type: ignore[operator]


@BOUNDED
@given(case=cases())
def test_money_adds_up_and_the_deductible_never_exceeds_the_years_amount(case: Case) -> None:
    result = netherlands.evaluate(case)
    charged: dict[int, Decimal] = defaultdict(Decimal)
    for outcome in result.sessions:
        # Every drawn session has a price and falls in a year with a known eigen risico.
        amounts = nl(outcome)
        assert amounts.price == amounts.insurer + amounts.patient
        assert Decimal(0) <= amounts.deductible <= amounts.patient
        assert amounts.insurer >= 0
        if outcome.status != "basic":
            assert amounts.deductible == 0
        charged[outcome.date.year] += amounts.deductible
    for year, total in charged.items():
        limit = statutory_deductible(year)
        assert limit is not None and total <= limit


@BOUNDED
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["regular", "ra"]), st.integers(0, 729), prices), max_size=40
    ),
    treatments=st.integers(min_value=0, max_value=12),
)
def test_supplementary_and_deductible_restart_on_1_january(
    rows: list[tuple[str, int, Decimal]], treatments: int
) -> None:
    """Without carry-over, 2026 sessions are settled as if 2025 never happened."""
    start = date(2025, 1, 1)
    sessions = tuple(
        Session(f"s{n}", start + timedelta(days=offset), episode, price=price)
        for n, (episode, offset, price) in enumerate(rows)
    )
    episodes = (Episode("regular", "regular"), Episode("ra", "rheumatoid_arthritis", referral=GP))
    patient = Patient(
        date(1970, 1, 1),
        coverage=(Coverage(2025, treatments=treatments), Coverage(2026, treatments=treatments)),
    )
    as_of = date(2026, 12, 31)
    whole = netherlands.evaluate(Case("NL", as_of, patient, episodes, sessions))
    only_2026 = tuple(s for s in sessions if s.date.year == 2026)
    alone = netherlands.evaluate(Case("NL", as_of, patient, episodes, only_2026))

    def settled(result: Result) -> list[tuple[str, str, object]]:
        return [(o.id, o.status, o.amounts) for o in result.sessions if o.date.year == 2026]

    assert settled(whole) == settled(alone)
    assert whole.pools == alone.pools


# -------------------------------------------------------------- issue 12: children and adults


@BOUNDED
@given(case=cases())
def test_a_childrens_series_belongs_to_a_child(case: Case) -> None:
    """K1, decision 15 and 18: an episode has a children's series only with a session before
    the 18th birthday or undated priors of an episode begun before it."""
    adult_from = case.patient.birth_date + relativedelta(years=18)
    result = netherlands.evaluate(case)
    for quota in result.quotas:
        if quota.counter != "child_series":
            continue
        episode = next(e for e in case.episodes if e.id == quota.episode)
        days = sorted(s.date for s in case.sessions if s.episode == episode.id)
        started = episode.first_treatment_on or (days[0] if days else None)
        child_session = any(day < adult_from for day in days)
        child_priors = episode.prior_treatments > 0 and started is not None and started < adult_from
        assert child_session or child_priors, quota


@BOUNDED
@given(case=cases())
def test_basic_starts_only_when_basic_pays_the_next_treatment(case: Case) -> None:
    """B2: "basic insurance pays from the 21st" is never told for a treatment it won't pay."""
    result = netherlands.evaluate(case)
    status = {o.id: o.status for o in result.sessions}
    for warning in result.warnings:
        if warning.code == "basic_starts" and warning.session is not None:
            assert status[warning.session] == "basic", warning


@BOUNDED
@given(
    age_at_window=st.integers(20 * 365, 23 * 365),
    priors=st.integers(15, 20),
    offsets=st.lists(st.integers(0, 400), min_size=1, max_size=8),
    as_of=st.integers(0, 400),
)
def test_basic_starts_for_an_age_bound_item_around_its_age_limit(
    age_at_window: int, priors: int, offsets: list[int], as_of: int
) -> None:
    """The list item applies only under 22: around that birthday the 21st treatment may or may
    not be basic, and ``basic_starts`` must follow what the engine decides."""
    born = FIRST_DAY - timedelta(days=age_at_window)
    episode = Episode(
        "osteo",
        "chronic",
        condition="juvenile_osteochondrosis",
        prior_treatments=priors,
        first_treatment_on=FIRST_DAY,
        referral=GP,
    )
    sessions = tuple(
        Session(f"s{n}", FIRST_DAY + timedelta(days=offset), "osteo", price=Decimal("40.00"))
        for n, offset in enumerate(sorted(offsets))
    )
    case = Case("NL", FIRST_DAY + timedelta(days=as_of), Patient(born), (episode,), sessions)
    result = netherlands.evaluate(case)
    status = {o.id: o.status for o in result.sessions}
    for warning in result.warnings:
        if warning.code == "basic_starts" and warning.session is not None:
            assert status[warning.session] == "basic", warning
