"""Evaluation grows linearly with the sessions, whatever the number of episodes or
prescriptions (contract v2 "Limits"; issue 12: 100,000 Dutch sessions over 5,000 episodes
took 214 s).

Time is not measured (it flakes on a shared machine): the tests count the lines of Python the
engine executes, which is the same on every run. The same sessions spread over one episode and
over hundreds must cost about the same; a cost per episode and session shows as a ratio of
tens or hundreds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta
from types import FrameType
from typing import Any

from reimburse.engine import evaluate
from reimburse.engine.types import Case, Episode, Patient, Prescription, Referral, Session

SESSIONS = 1_200
GP = Referral(date(2024, 1, 2), "gp")


def executed_lines(run: Callable[[], object]) -> int:
    """Return how many lines of the engine's own code ``run`` executes."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if "reimburse/engine" not in frame.f_code.co_filename:
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


def days(count: int) -> list[date]:
    start = date(2025, 1, 1)
    return [start + timedelta(days=n % 360) for n in range(count)]


def nl_case(episodes: int, category: str) -> Case:
    ids = [f"e{n}" for n in range(episodes)]
    extra: dict[str, Any] = {"condition": "cva"} if category == "chronic" else {}
    return Case(
        "NL",
        date(2025, 12, 31),
        Patient(date(1960, 1, 1)),
        tuple(Episode(i, category, referral=GP, **extra) for i in ids),
        tuple(Session(f"s{n}", day, ids[n % episodes]) for n, day in enumerate(days(SESSIONS))),
    )


def be_case(episodes: int, prescriptions_each: int) -> Case:
    ids = [f"e{n}" for n in range(episodes)]
    rxs = tuple(
        Prescription(f"rx{n}", date(2025, 1, 1) + timedelta(days=n * 300 // prescriptions_each), 2)
        for n in range(prescriptions_each)
    )
    return Case(
        "BE",
        date(2025, 12, 31),
        Patient(date(1960, 1, 1)),
        tuple(Episode(i, "e", pathology="e-b", prescriptions=rxs) for i in ids),
        tuple(Session(f"s{n}", day, ids[n % episodes]) for n, day in enumerate(days(SESSIONS))),
    )


def ratio(many: Case, one: Case) -> float:
    return executed_lines(lambda: evaluate(many)) / executed_lines(lambda: evaluate(one))


def test_dutch_sessions_over_many_episodes_cost_what_they_cost_over_one() -> None:
    for category in ("regular", "chronic", "osteoarthritis", "claudication"):
        assert ratio(nl_case(400, category), nl_case(1, category)) < 3, category


def test_belgian_sessions_over_many_episodes_cost_what_they_cost_over_one() -> None:
    assert ratio(be_case(400, 4), be_case(1, 4)) < 3


def test_many_prescriptions_of_one_episode_are_not_scanned_per_session() -> None:
    """Decision 8 picks the oldest prescription with room: one pass over them in all."""
    assert ratio(be_case(1, 600), be_case(1, 6)) < 3
