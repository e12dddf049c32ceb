"""The Dutch engine's shortcuts give exactly what the straightforward evaluation gives.

``rules.py`` rounds each combination of price and shares once (``_rounded``) and computes a
patient's 18th birthday once: on generated cases (``test_properties.cases``) the whole
``Result`` equals the one computed with the rounding uncached, and a ``-0.00`` keeps its sign.
Since issue 19 it also counts ages and COPD treatment years without ``relativedelta`` per
session, rounds a price equal to the one before once, and builds no reason, outcome or amount
without outcomes: each against the straightforward computation below. The recorded answers
(``tests/engine/test_oracle.py``) check the whole.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from reimburse.engine import evaluate
from reimburse.engine.nl import rules
from reimburse.engine.types import Case, Episode, Patient, Session, money
from tests.engine.nl.builders import nl
from tests.engine.nl.test_properties import BOUNDED, cases


@given(case=cases())
@BOUNDED
def test_the_cached_rounding_gives_the_straightforward_result(case: Case) -> None:
    # Prices with and without trailing zeros: equal amounts, written alike once rounded.
    sessions = tuple(
        replace(s, price=None if s.price is None else s.price.normalize()) if i % 2 else s
        for i, s in enumerate(case.sessions)
    )
    varied = replace(case, sessions=sessions)
    fast = [evaluate(varied), evaluate(varied, outcomes=False)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "_rounded", rules._rounded.__wrapped__)
        plain = [evaluate(varied), evaluate(varied, outcomes=False)]
    assert fast == plain
    assert [str(o.amounts) for o in fast[0].sessions] == [str(o.amounts) for o in plain[0].sessions]


def test_a_negative_zero_is_not_served_for_a_zero() -> None:
    zero, negative = Decimal("0"), Decimal("-0")

    positive_first = rules._amounts(zero, zero)
    negative_after = rules._amounts(negative, zero)

    assert positive_first is not None and negative_after is not None
    assert str(positive_first.price) == "0.00"
    assert str(negative_after.price) == "-0.00"


# ------------------------------------------- issue 19: the shortcuts of the faster Dutch engine

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
ages = st.integers(min_value=1, max_value=120)  # the rules ask 18 and list ages (17, 22)


@given(born=birth_dates, age=ages, day=birth_dates)
@BOUNDED
def test_the_day_a_patient_turns_an_age_is_the_one_dateutil_counts(
    born: date, age: int, day: date
) -> None:
    turns = rules._Patient(born).turns(age)

    assert turns == born + relativedelta(years=age)
    assert (relativedelta(day, born).years >= age) == (day >= turns)


@pytest.mark.parametrize(
    ("born", "age", "turns"),
    [
        (date(2008, 2, 29), 18, date(2026, 2, 28)),  # a common year: the day before 1 March
        (date(2008, 2, 29), 16, date(2024, 2, 29)),  # a leap year
        (date(2007, 12, 31), 18, date(2025, 12, 31)),
    ],
)
def test_a_patient_born_on_29_february_turns_18_on_28_february(
    born: date, age: int, turns: date
) -> None:
    assert rules._Patient(born).turns(age) == turns


@given(
    start=birth_dates,
    offsets=st.lists(st.integers(min_value=-400, max_value=4000), min_size=1, max_size=20),
    ordered=st.booleans(),
)
@BOUNDED
def test_copd_treatment_years_are_those_month_arithmetic_gives(
    start: date, offsets: list[int], ordered: bool
) -> None:
    """S-COPD: each treatment year begins 12, 24 … months after the first treatment, counted
    from it (29 February, 31 August clamp as ``relativedelta`` clamps)."""
    years = rules._TreatmentYears(start)
    for offset in sorted(offsets) if ordered else offsets:
        day = start + timedelta(days=offset)
        expected = 0
        while start + relativedelta(months=12 * (expected + 1)) <= day:
            expected += 1
        assert years.index(day) == expected, day
        assert years.begin(expected) == start + relativedelta(months=12 * expected)


@pytest.mark.parametrize(
    ("start", "day", "index", "begins"),
    [
        (date(2024, 2, 29), date(2025, 2, 27), 0, date(2024, 2, 29)),
        (date(2024, 2, 29), date(2025, 2, 28), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), date(2028, 2, 28), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), date(2028, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), date(2020, 1, 1), 0, date(2024, 2, 29)),
    ],
)
def test_a_copd_treatment_year_from_29_february_begins_on_28_february_in_a_common_year(
    start: date, day: date, index: int, begins: date
) -> None:
    years = rules._TreatmentYears(start)
    years.index(date(2029, 6, 1))  # asked for a later day first

    assert years.index(day) == index
    assert years.begin(index) == begins


amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000)


@given(amount=amounts | st.sampled_from([Decimal("-0"), Decimal("-0.00"), Decimal("0.005")]))
@BOUNDED
def test_cents_round_as_money_does(amount: Decimal) -> None:
    assert str(rules._cents(amount)) == str(money(amount))


def test_a_price_equal_to_the_one_before_is_rounded_alike_and_minus_zero_stays_apart() -> None:
    prices = [Decimal("42.5"), Decimal("42.50"), Decimal("0"), Decimal("-0.00"), Decimal("-0")]
    prices += [Decimal("0.00"), Decimal("40.005"), Decimal("40.005"), Decimal("40.00")]
    sessions = tuple(
        Session(f"s{n}", date(2025, 1, 6) + timedelta(days=n), "back", price=price)
        for n, price in enumerate(prices)
    )
    episodes = (Episode("back", "regular"),)
    case = Case("NL", date(2025, 12, 31), Patient(date(1970, 1, 1)), episodes, sessions)

    found = [nl(o).price for o in evaluate(case).sessions]

    assert [str(price) for price in found] == [str(money(p)) for p in prices]


@given(case=cases())
@BOUNDED
def test_without_outcomes_no_reason_outcome_or_amount_is_built(case: Case) -> None:
    expected = evaluate(case, outcomes=False)

    def built(*args: object, **kwargs: object) -> object:
        raise AssertionError("built without outcomes")

    with pytest.MonkeyPatch.context() as patch:
        for name in ("_reason", "_new_outcome", "_amounts", "_paid"):
            patch.setattr(rules, name, built)
        assert evaluate(case, outcomes=False) == expected
