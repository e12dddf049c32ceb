"""Properties of the Dutch engine that must hold for any case, checked with hypothesis."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reimburse.engine import netherlands
from reimburse.engine.netherlands_tables import statutory_deductible
from reimburse.engine.types import (
    Case,
    Coverage,
    Episode,
    NlAmounts,
    Patient,
    Referral,
    Result,
    Session,
)

BOUNDED = settings(max_examples=100, deadline=None)
GP = Referral(date(2023, 12, 1), "gp")
FIRST_DAY = date(2024, 1, 1)
DAYS = (date(2026, 12, 31) - FIRST_DAY).days

EPISODES = (
    Episode("regular", "regular"),
    Episode("cva", "chronic", condition="cva", prior_treatments=15, referral=GP),
    Episode("fracture", "chronic", condition="fracture_conservative", referral=GP),
    Episode("knee", "osteoarthritis", referral=GP),
    Episode("hip", "osteoarthritis", referral=GP),
    Episode("legs", "claudication", referral=GP),
    Episode("pelvic", "pelvic_floor", referral=GP),
    Episode("copd", "copd", gold_class="B1", referral=GP),
    Episode("ra", "rheumatoid_arthritis", referral=GP),
)
BIRTHS = (date(1970, 1, 1), date(2007, 6, 15), date(2012, 3, 1))

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
    episodes = draw(st.lists(st.sampled_from(EPISODES), min_size=1, max_size=4, unique=True))
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
def test_adding_a_later_session_never_increases_any_remaining(
    case: Case, extra_episode: Episode, gap: int, price: Decimal
) -> None:
    """A session after all the others only uses quotas, allowance and eigen risico up."""
    last = max((s.date for s in case.sessions), default=FIRST_DAY)
    day = min(last + timedelta(days=gap), date(2026, 12, 31))
    episodes = case.episodes
    if extra_episode not in episodes:
        episodes = (*episodes, extra_episode)
    extra = Session("extra", day, extra_episode.id, price=price)
    before = _remaining(
        netherlands.evaluate(Case("NL", case.as_of, case.patient, episodes, case.sessions))
    )
    after = _remaining(
        netherlands.evaluate(
            Case("NL", case.as_of, case.patient, episodes, (*case.sessions, extra))
        )
    )
    for key, left in before.items():
        if key in after:
            assert after[key] <= left, key  # type: ignore[operator]


@BOUNDED
@given(case=cases())
def test_money_adds_up_and_the_deductible_never_exceeds_the_years_amount(case: Case) -> None:
    result = netherlands.evaluate(case)
    charged: dict[int, Decimal] = defaultdict(Decimal)
    for outcome in result.sessions:
        amounts = outcome.amounts
        # Every drawn session has a price and falls in a year with a known eigen risico.
        assert isinstance(amounts, NlAmounts)
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
