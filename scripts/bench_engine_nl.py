"""Time the Dutch engine against the engine of a base commit, side by side (a benchmark).

Each patient-year is one of six kinds of Dutch patient, in turn, with 2025's sessions (as of 30
June, the rest planned), priced, on weekdays, a few of them twice on a day:

- regular physiotherapy for the back and a shoulder under a package of 27 treatments, 9 of them
  manual therapy, with last year's unused ones carried over, then the patient pays;
- a CVA on the chronic list with 12 earlier treatments, so the 20th falls in the year and basic
  insurance pays from the 21st through the eigen risico, beside a knee under a euro budget;
- osteoarthritis of a knee and a hip sharing the 12 treatments of S-ART, and regular care;
- claudication past its 37 treatments, with a package that pays a chronic indication's first 20;
- a child of ten: a regular indication's 9 + 9 (extension) and then the patient, and a
  chronic indication (K2);
- COPD of GOLD class B1 within its first treatment year, and no supplementary package.

Both engines evaluate the same patient-years, with and without session outcomes, in
interleaved rounds; the script prints the median CPU time per session of each and the ratio,
and checks first that both give identical answers (``tests.engine.oracle.encode``).

The base engine is ``reimburse/engine`` of ``--base`` (default: main before the Dutch engine
was made faster), copied by ``scripts/frozen_engine.py``; ``tests/engine/test_oracle.py``
checks the same answers on recorded Dutch cases.

Run: ``.venv/bin/python scripts/bench_engine_nl.py``; ``--patients 600 --rounds 3`` for a
quicker run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import frozen_engine  # noqa: E402
from bench_engine import cpu_seconds  # noqa: E402

from reimburse import engine as current  # noqa: E402
from reimburse.engine import types as current_types  # noqa: E402
from reimburse.engine.types import Case  # noqa: E402

BASE = "aabb3a9"  # main before the Dutch engine was made faster (issue 19)
AS_OF = date(2025, 6, 30)
PRICE = Decimal("42.50")
KINDS = 6


def weekdays(n: int, count: int, step: int) -> list[date]:
    """Return ``count`` weekdays of 2025, about ``step`` days apart, shifted by patient ``n``."""
    day = date(2025, 1, 2) + timedelta(days=n % 5)
    found: list[date] = []
    while len(found) < count:
        if day.weekday() >= 5:  # Saturday or Sunday: the Monday after
            day += timedelta(days=7 - day.weekday())
        found.append(day)
        day += timedelta(days=step)
    return found


def patient_year(n: int, t: ModuleType = current_types) -> Case:
    """Build patient ``n``'s year with the fact types ``t`` (kind ``n % 6``, see above)."""
    gp = t.Referral(date(2024, 12, 1), "gp")
    kind = n % KINDS
    adult = date(1950, 1, 1) + timedelta(days=97 * n % 12_000)
    plan: list[tuple[str, list[date]]]
    episodes: tuple[Any, ...]
    coverage: tuple[Any, ...]
    deductible: dict[int, Decimal] = {}
    birth = adult
    if kind == 0:
        episodes = (t.Episode("back", "regular"), t.Episode("shoulder", "regular"))
        plan = [("back", weekdays(n, 20, 4)), ("shoulder", weekdays(n + 1, 16, 5))]
        coverage = (
            t.Coverage(2024, "Zorg", "Extra 18", treatments=18, carry_over_max=5),
            t.Coverage(
                2025,
                "Zorg",
                "Extra 27",
                treatments=27,
                carry_over_max=5,
                sub_limits={"manual_therapy": 9},
            ),
        )
    elif kind == 1:
        episodes = (
            t.Episode("cva", "chronic", condition="cva", prior_treatments=12, referral=gp),
            t.Episode("knee", "regular"),
        )
        plan = [("cva", weekdays(n, 40, 2)), ("knee", weekdays(n + 2, 10, 9))]
        coverage = (t.Coverage(2025, "Zorg", "Budget 500", budget=Decimal("500.00")),)
        deductible = {2025: Decimal("385.00")}
    elif kind == 2:
        episodes = (
            t.Episode("knee", "osteoarthritis", referral=gp),
            t.Episode("hip", "osteoarthritis", referral=gp),
            t.Episode("neck", "regular"),
        )
        plan = [
            ("knee", weekdays(n, 9, 6)),
            ("hip", weekdays(n + 3, 7, 7)),
            ("neck", weekdays(n + 1, 12, 8)),
        ]
        coverage = (t.Coverage(2025, "Zorg", "Extra 9", treatments=9),)
        deductible = {2025: Decimal("150.00")}
    elif kind == 3:
        episodes = (
            t.Episode("legs", "claudication", referral=gp),
            t.Episode("ms", "chronic", condition="ms", referral=gp),
        )
        plan = [("legs", weekdays(n, 42, 3)), ("ms", weekdays(n + 1, 12, 9))]
        coverage = (
            t.Coverage(2025, "Zorg", "Extra 27", treatments=27, pays_chronic_first_20=True),
        )
    elif kind == 4:
        birth = date(2015, 3, 1) + timedelta(days=n % 200)
        episodes = (
            t.Episode("ankle", "regular", extension=True),
            t.Episode("cns", "chronic", condition="cns_congenital", referral=gp),
        )
        plan = [("ankle", weekdays(n, 22, 4)), ("cns", weekdays(n + 2, 20, 6))]
        coverage = (t.Coverage(2025, "Zorg", "Extra 6", treatments=6),)
    else:
        episodes = (
            t.Episode("copd", "copd", gold_class="B1", referral=gp),
            t.Episode("back", "regular"),
        )
        plan = [("copd", weekdays(n, 36, 4)), ("back", weekdays(n + 1, 8, 11))]
        coverage = ()
    sessions = tuple(
        t.Session(
            f"{episode}-{i}",
            day,
            episode,
            price=PRICE,
            kind="manual_therapy" if kind == 0 and i % 3 == 0 else "physiotherapy",
        )
        for episode, days in plan
        for i, day in enumerate(days, 1)
    )
    patient = t.Patient(birth, coverage=coverage, deductible_remaining=deductible)
    case: Case = t.Case("NL", AS_OF, patient, episodes, sessions)
    return case


def compare(
    engines: dict[str, ModuleType], cases: dict[str, list[Case]], rounds: int, outcomes: bool
) -> dict[str, list[float]]:
    """Return each engine's CPU seconds in each of ``rounds`` interleaved runs of its cases."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, module in engines.items():
            times[name].append(cpu_seconds(module.evaluate, cases[name], outcomes))
    return times


def same_answers(base: ModuleType, cases: dict[str, list[Case]]) -> bool:
    """Tell whether both engines answer alike on the workload (the oracle's exact JSON)."""
    from tests.engine.oracle import encode

    return all(
        encode(base.evaluate(old, outcomes=outcomes))
        == encode(current.evaluate(new, outcomes=outcomes))
        for old, new in zip(cases["before"], cases["now"], strict=True)
        for outcomes in (True, False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=BASE, help=f"git commit to compare with ({BASE})")
    parser.add_argument("--patients", type=int, default=2_400, help="patient-years (2,400)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    args = parser.parse_args()
    base = frozen_engine.load(args.base)
    engines = {"before": base, "now": current}
    kinds = {"before": base.types, "now": current_types}
    cases = {name: [patient_year(n, t) for n in range(args.patients)] for name, t in kinds.items()}
    for name, module in engines.items():  # warm up imports and the tables' caches
        for case in cases[name][:KINDS]:
            module.evaluate(case)
    print(
        f"base {frozen_engine.commit_of(args.base)[:12]}; answers identical on the workload: "
        f"{same_answers(base, cases)}"
    )
    # The inputs stay alive through the run: freezing them keeps the collector from walking
    # them again and again, alike for both engines.
    gc.collect()
    gc.freeze()
    sessions = sum(len(case.sessions) for case in cases["now"])
    print(
        f"\n{args.patients:,} Dutch patient-years, {sessions:,} sessions, "
        f"median CPU of {args.rounds} rounds"
    )
    print(f"{'':24}{'before µs/session':>19}{'now µs/session':>16}{'faster':>8}")
    for outcomes, label in ((True, "with outcomes"), (False, "without outcomes")):
        found = compare(engines, cases, args.rounds, outcomes)
        before = statistics.median(found["before"]) / sessions * 1e6
        now = statistics.median(found["now"]) / sessions * 1e6
        ratios = [b / n for b, n in zip(found["before"], found["now"], strict=True)]
        spread = f"(rounds {min(ratios):.1f}–{max(ratios):.1f}×)"
        print(f"{label:24}{before:>19.2f}{now:>16.2f}{before / now:>7.1f}×  {spread}")
    print("\nby kind of patient, with outcomes")
    print(
        f"{'kind':>6}{'sessions':>10}{'before µs/session':>19}{'now µs/session':>16}{'faster':>8}"
    )
    for kind in range(KINDS):
        some = {name: batch[kind::KINDS] for name, batch in cases.items()}
        count = sum(len(case.sessions) for case in some["now"])
        found = compare(engines, some, args.rounds, True)
        before = statistics.median(found["before"]) / count * 1e6
        now = statistics.median(found["now"]) / count * 1e6
        print(f"{kind:>6}{count:>10,}{before:>19.2f}{now:>16.2f}{before / now:>7.1f}×")


if __name__ == "__main__":
    main()
