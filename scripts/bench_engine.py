"""Time the pure engine against the engine of a base commit, side by side (a benchmark, not a test).

Each patient-year has 100 sessions over 3 episodes — a courante situation (30 sessions over two
prescriptions), an Fa episode (40) and an Fb episode (30), notified and prescribed — on distinct
days of 2025. Both engines evaluate the same patient-years, with and without session outcomes,
in interleaved rounds; the script prints the median CPU time per session of each and the ratio.
The same engines then evaluate 1,000 patients shaped as the benchmark clinic's
(``scripts/bench_clinic.py``'s planner, without a database): five years of about 100
sessions over some ten episodes, mostly courante, prescriptions of 9 or 18 sessions, as of
15 December 2025. Their runs are short (a prescription, a tier of 9, a year), so the cost of
a run weighs more than the cost of a session: this is the workload Needs attention has.
Then one courante episode with 10, 60 and 240 prescriptions (10 sessions each, one a day) shows
whether the cost per session stays flat as prescriptions grow (a linear scan of them).

The base engine is ``reimburse/engine`` of ``--base`` (default: the commit before issue 19's
rewrite), copied by ``scripts/frozen_engine.py``. Both answer the same: the script checks it on
its workload, and ``tests/engine/test_oracle.py`` on 3,307 generated cases.

When ``make compile`` has built the compiled engine (``build/compiled-engine/``), it is timed in
the same rounds in a third column (unless ``REIMBURSE_ENGINE=python``); the pure engine is then a
copy of the working tree's ``reimburse/engine`` under another name, since the compiled modules
take the real names. A stale build is not timed: the script says why.

Run: ``.venv/bin/python scripts/bench_engine.py`` (or ``make bench``); ``--patients 500`` and
``--rounds 3`` for a quicker run.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_clinic  # noqa: E402
import frozen_engine  # noqa: E402

if (ROOT / "build" / "compiled-engine" / "manifest.json").exists():
    os.environ.setdefault("REIMBURSE_ENGINE", "compiled")  # before the engine is imported

from reimburse import engine as current  # noqa: E402
from reimburse.engine import types as current_types  # noqa: E402
from reimburse.engine.types import Case  # noqa: E402

BASE = "066cf68"  # main before the engine was made faster (issue 19)
AS_OF = date(2025, 6, 30)


def patient_year(n: int, t: ModuleType = current_types) -> Case:
    """Build patient ``n``'s year with the fact types ``t``: 100 sessions on distinct days."""
    start = date(2025, 1, 6) + timedelta(days=n % 7)
    days = [start + timedelta(days=3 * i) for i in range(100)]  # every third day of the year
    courante_days, fa_days, fb_days = days[0::3][:30], days[1::3][:40], days[2::3][:30]
    fa_days += [d for d in days if d not in courante_days + fa_days + fb_days][: 40 - len(fa_days)]
    before = timedelta(days=2)
    episodes = (
        t.Episode(
            "back",
            "courante",
            prescriptions=(
                t.Prescription("rx-c1", courante_days[0] - before, 18),
                t.Prescription("rx-c2", courante_days[18] - before, 12),
            ),
        ),
        t.Episode(
            "knee",
            "fa",
            pathology="fa-1",
            notified_on=fa_days[0] - before,
            prescriptions=(t.Prescription("rx-fa", fa_days[0] - before, 40),),
        ),
        t.Episode(
            "gait",
            "fb",
            pathology="fb-51",
            notified_on=fb_days[0] - before,
            prescriptions=(t.Prescription("rx-fb", fb_days[0] - before, 30),),
        ),
    )
    sessions = tuple(
        t.Session(f"{episode}-{i}", day, episode)
        for episode, ep_days in (("back", courante_days), ("knee", fa_days), ("gait", fb_days))
        for i, day in enumerate(ep_days, 1)
    )
    assert len(sessions) == 100 and len({s.date for s in sessions}) == 100
    case: Case = t.Case(
        "BE", AS_OF, t.Patient(date(1970, 1, 1) + timedelta(days=n)), episodes, sessions
    )
    return case


def clinic_patient(n: int, t: ModuleType = current_types) -> Case:
    """Build patient ``n`` as ``bench_clinic.generate`` plans a Belgian clinic's (5 years), with
    the fact types ``t``: the same planner and sizes, without a database."""
    rng = random.Random(f"clinic patient {n}")
    clinic = bench_clinic.Clinic("BE", 1, 5, 0)
    as_of = bench_clinic.AS_OF
    first, last = date(as_of.year - 4, 1, 1), date(as_of.year, 12, 31)
    target = sum(rng.randint(*bench_clinic.SESSIONS_PER_YEAR) for _ in range(5))
    plans = bench_clinic.plan_patient(rng, clinic, first, last, target)
    episodes = tuple(
        t.Episode(
            f"ep{i}",
            plan.category,
            pathology=plan.pathology or None,
            notified_on=plan.notified_on,
            prescriptions=tuple(
                t.Prescription(f"rx{i}-{j}", day, count)
                for j, (day, count) in enumerate(plan.prescriptions)
            ),
            agreements=(t.Agreement(*plan.agreement),) if plan.agreement else (),
        )
        for i, plan in enumerate(plans)
    )
    sessions = sorted(
        (
            t.Session(f"s{i}-{k}", day, f"ep{i}")
            for i, plan in enumerate(plans)
            for k, day in enumerate(plan.days)
            if rng.random() >= 0.02  # cancelled, as the generator cancels 2 %
        ),
        key=lambda s: (s.date, s.id),  # the order the records come in (``practice_cases``)
    )
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
    patient = t.Patient(birth, preferential=rng.random() < 0.15)
    case: Case = t.Case("BE", as_of, patient, episodes, tuple(sessions))
    return case


def many_prescriptions(count: int, t: ModuleType = current_types) -> Case:
    """One courante episode with ``count`` prescriptions of 10 sessions, a session a day."""
    start = date(2019, 1, 1)
    sessions = tuple(
        t.Session(f"s{i}", start + timedelta(days=i), "back") for i in range(10 * count)
    )
    rxs = tuple(
        t.Prescription(f"rx{j}", start + timedelta(days=10 * j - 1), 10) for j in range(count)
    )
    episode = t.Episode("back", "courante", prescriptions=rxs)
    case: Case = t.Case(
        "BE", start + timedelta(days=10 * count), t.Patient(date(1970, 1, 1)), (episode,), sessions
    )
    return case


def cpu_seconds(evaluate: Callable[..., object], batch: list[Case], outcomes: bool) -> float:
    """Return the CPU seconds ``evaluate`` takes on ``batch``, dropping each result (as a
    caller going through patients does)."""
    began = time.process_time()
    for case in batch:
        evaluate(case, outcomes=outcomes)
    return time.process_time() - began


def compare(
    engines: dict[str, ModuleType], cases: dict[str, list[Case]], rounds: int, outcomes: bool
) -> dict[str, float]:
    """Return each engine's median CPU seconds over ``rounds`` interleaved runs of its cases."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, module in engines.items():
            times[name].append(cpu_seconds(module.evaluate, cases[name], outcomes))
    return {name: statistics.median(found) for name, found in times.items()}


def same_answers(
    engine: ModuleType,
    reference: ModuleType,
    cases: list[Case],
    reference_cases: list[Case],
    *,
    rules_of_base: bool = False,
) -> bool:
    """Tell whether two engines answer alike on the workload (the oracle's exact JSON).

    ``rules_of_base``: ``reference`` (a pure engine) answers with a convention in force in
    January 2025, as the base commit's rules had it: the rule that no convention bound the
    fees then (``tables.NO_CONVENTION``) came later, and the two engines should differ by it
    alone. Its table is emptied for the comparison (the prices' cache cleared around it).
    """
    from tests.engine.oracle import encode

    tables, rules = reference.be.tables, reference.be.rules
    kept = tables.fees_bound
    if rules_of_base:
        tables.fees_bound = lambda day: True
    rules._priced.cache_clear()
    try:
        return all(
            encode(engine.evaluate(case)) == encode(reference.evaluate(same))
            for case, same in zip(cases, reference_cases, strict=True)
        )
    finally:
        tables.fees_bound = kept
        rules._priced.cache_clear()


def pure_copy() -> ModuleType:
    """Return the working tree's pure engine as the package ``_engine_pure`` (its own types)."""
    folder = Path(tempfile.mkdtemp(prefix="pure-engine-"))
    shutil.copytree(ROOT / "reimburse" / "engine", folder / "_engine_pure")
    for source in (folder / "_engine_pure").rglob("*.py"):
        source.write_text(source.read_text().replace("reimburse.engine", "_engine_pure"))
    sys.path.insert(0, str(folder))
    module = importlib.import_module("_engine_pure")
    importlib.import_module("_engine_pure.types")
    shutil.rmtree(folder)  # imported: the modules no longer need their files
    return module


def line(label: str, per_session: dict[str, float]) -> str:
    """Format one row: each engine's µs a session, then how many times faster than before
    (and than the pure engine, for the compiled one)."""
    row = label + "".join(f"{value:>20.2f}" for value in per_session.values())
    before = per_session["before"]
    row += "".join(
        f"{before / value:>15.1f}×" for name, value in per_session.items() if name != "before"
    )
    if "compiled" in per_session:
        row += f"{per_session['now'] / per_session['compiled']:>15.2f}×"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=BASE, help=f"git commit to compare with ({BASE})")
    parser.add_argument("--patients", type=int, default=2_000, help="patient-years (2,000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument(
        "--clinic-patients", type=int, default=1_000, help="clinic-shaped patients (1,000)"
    )
    args = parser.parse_args()
    base = frozen_engine.load(args.base)
    engines = {"before": base, "now": current}
    kinds = {"before": base.types, "now": current_types}
    if current.RUNNING == "compiled":
        pure = pure_copy()
        engines = {"before": base, "now": pure, "compiled": current}
        kinds = {"before": base.types, "now": pure.types, "compiled": current_types}
    elif current.RUNNING != "python":
        print(f"the compiled engine is not timed: {current.RUNNING.removeprefix('python ')}")
    cases = {name: [patient_year(n, t) for n in range(args.patients)] for name, t in kinds.items()}
    for name, module in engines.items():  # warm up imports and the tables' caches
        module.evaluate(cases[name][0])
    print(f"base {frozen_engine.commit_of(args.base)[:12]}; answers identical on the workload")
    for name, module in engines.items():
        if name != "now":
            then = name == "before"
            same = same_answers(
                module, engines["now"], cases[name], cases["now"], rules_of_base=then
            )
            print(f"  {name} and now (pure Python{', rules of then' if then else ''}): {same}")
    # The inputs stay alive through the run: freezing them keeps the collector from walking
    # them again and again, alike for both engines.
    gc.collect()
    gc.freeze()
    sessions = 100 * args.patients
    print(f"\n{args.patients:,} patient-years of 100 sessions, median CPU of {args.rounds} rounds")
    header = "".join(f"{name + ' µs/session':>20}" for name in engines)
    header += "".join(f"{name + ' faster':>16}" for name in engines if name != "before")
    header += f"{'now/compiled':>16}" if "compiled" in engines else ""
    print(f"{'':24}{header}")
    for outcomes, label in ((True, "with outcomes"), (False, "without outcomes")):
        found = compare(engines, cases, args.rounds, outcomes)
        print(line(f"{label:24}", {name: cpu / sessions * 1e6 for name, cpu in found.items()}))
    clinic = {
        name: [clinic_patient(n, t) for n in range(args.clinic_patients)]
        for name, t in kinds.items()
    }
    for name, module in engines.items():
        if name != "now":
            then = name == "before"
            same = same_answers(
                module, engines["now"], clinic[name], clinic["now"], rules_of_base=then
            )
            print(
                f"  clinic-shaped: {name} and now (pure Python{', rules of then' if then else ''})"
                f" answer alike: {same}"
            )
    evaluated = sum(len(case.sessions) for case in clinic["now"])
    print(
        f"\n{args.clinic_patients:,} clinic-shaped patients of 5 years ({evaluated:,} sessions, "
        f"{evaluated / args.clinic_patients:.0f} a patient; bench_clinic's planner), median CPU "
        f"of {args.rounds} rounds"
    )
    print(f"{'':24}{header}")
    for outcomes, label in ((True, "with outcomes"), (False, "without outcomes")):
        found = compare(engines, clinic, args.rounds, outcomes)
        print(line(f"{label:24}", {name: cpu / evaluated * 1e6 for name, cpu in found.items()}))
    print("\none courante episode, 10 sessions per prescription, a session a day (with outcomes)")
    print(f"{'prescriptions':>14}{'sessions':>10}{header}")
    for count in (10, 60, 240):
        grown = {
            name: [many_prescriptions(count, t)] * max(1, 2400 // count)
            for name, t in kinds.items()
        }
        found = compare(engines, grown, args.rounds, True)
        evaluated = 10 * count * len(grown["now"])
        per_session = {name: cpu / evaluated * 1e6 for name, cpu in found.items()}
        print(line(f"{count:>14}{10 * count:>10}", per_session))


if __name__ == "__main__":
    main()
