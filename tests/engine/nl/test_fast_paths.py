"""The Dutch engine's shortcuts give exactly what the straightforward evaluation gives.

``rules.py`` rounds each combination of price and shares once (``_rounded``) and computes a
patient's 18th birthday once: on generated cases (``test_properties.cases``) the whole
``Result`` equals the one computed with the rounding uncached, and a ``-0.00`` keeps its sign.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given

from reimburse.engine import evaluate
from reimburse.engine.nl import rules
from reimburse.engine.types import Case
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
