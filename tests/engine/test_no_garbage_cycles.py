"""An evaluation leaves no reference cycle behind: its objects are freed when the caller drops
the result, not by the garbage collector (issue 19: a bound method kept on the per-episode
state once tied every Belgian evaluation into a cycle, and the collections it caused cost more
than the rules).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given

from reimburse.engine import evaluate
from reimburse.engine.types import Case
from tests.engine.be.test_properties import BOUNDED
from tests.engine.be.test_properties import cases as be_cases
from tests.engine.nl.test_properties import cases as nl_cases


@contextmanager
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cycles_left_by(case: Case) -> int:
    """Return how many objects only the collector could free after evaluating ``case``."""
    with collector_off():
        for outcomes in (True, False):
            evaluate(case, outcomes=outcomes)
        return gc.collect()


@given(case=be_cases())
@BOUNDED
def test_a_belgian_evaluation_leaves_no_cycle(case: Case) -> None:
    assert cycles_left_by(case) == 0


@given(case=nl_cases())
@BOUNDED
def test_a_dutch_evaluation_leaves_no_cycle(case: Case) -> None:
    assert cycles_left_by(case) == 0
