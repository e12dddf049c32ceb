"""Count the Belgian engine's instructions per case with cachegrind, beside an older engine's.

Seconds move with the machine's load by 30–60 %; instructions do not. For each engine, workload
(``bench_engine.py``'s patient-years and clinic-shaped patients) and mode (with or without
outcomes) the script runs Python under ``valgrind --tool=cachegrind`` twice: it builds 50
cases, evaluates each once (imports, the tables' caches), freezes the collector as ``make
bench`` does, then evaluates every case one pass, or three. The difference of the two runs'
instructions, divided by 2 passes × 50 cases, is one evaluation's: start-up, building the cases
and the first pass cancel out. ``PYTHONHASHSEED=0`` for every run, and ``REIMBURSE_ENGINE=python``
(the pure modules) but for ``compiled``.

An engine is ``tree`` (this work tree's ``reimburse/engine``), ``compiled`` (the tree's mypyc
build from ``make compile``, run with ``REIMBURSE_ENGINE=compiled`` and refused unless it is
the one running) or a git commit, copied from git by ``scripts/frozen_engine.py`` (default:
``066cf68``, before issue 19's rewrite, and the tree).

Run (needs ``valgrind``; about ten minutes on two cores)::

    .venv/bin/python scripts/count_engine.py
    .venv/bin/python scripts/count_engine.py --engines 5f23641 tree --workloads clinic
    .venv/bin/python scripts/count_engine.py --engines tree --workloads clinic --modes without
    make compile && .venv/bin/python scripts/count_engine.py --engines 066cf68 tree compiled

It prints one row per workload and mode: thousands of instructions per case for each engine,
and how many times fewer the last engine needs than the first.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = 50
BASE = "066cf68"  # main before the engine was made faster (issue 19)
WORKLOADS = {"patient-year": "patient_year", "clinic": "clinic_patient"}
MODES = {"with": True, "without": False}


def work(engine: str, workload: str, outcomes: bool, passes: int) -> None:
    """Evaluate ``CASES`` cases of ``workload`` once, freeze the collector, then ``passes`` times
    (the part cachegrind's two runs tell apart)."""
    os.environ["REIMBURSE_ENGINE"] = _mode(engine)  # before the engine is imported
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_engine
    import frozen_engine

    if engine in ("tree", "compiled"):
        from reimburse import engine as module

        if _mode(engine) != module.RUNNING:
            raise SystemExit(f"{engine}: the engine running is {module.RUNNING}")
    else:
        module = frozen_engine.load(engine)
    build = getattr(bench_engine, WORKLOADS[workload])
    cases = [build(n, module.types) for n in range(CASES)]
    evaluate = module.evaluate
    for case in cases:
        evaluate(case, outcomes=outcomes)
    gc.collect()
    gc.freeze()
    for _ in range(passes):
        for case in cases:
            evaluate(case, outcomes=outcomes)


def _mode(engine: str) -> str:
    """Return ``REIMBURSE_ENGINE`` for an engine: the build for ``compiled``, else the pure one."""
    return "compiled" if engine == "compiled" else "python"


def instructions(engine: str, workload: str, outcomes: bool, passes: int) -> int:
    """Return the instructions cachegrind counts for one worker run."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "REIMBURSE_ENGINE": _mode(engine)}
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--worker",
        engine,
        workload,
        "with" if outcomes else "without",
        str(passes),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def per_case(engine: str, workload: str, outcomes: bool, pool: ThreadPoolExecutor) -> float:
    """Return one evaluation's instructions: (three passes − one pass) / (2 × ``CASES``)."""
    one = pool.submit(instructions, engine, workload, outcomes, 1)
    three = pool.submit(instructions, engine, workload, outcomes, 3)
    return (three.result() - one.result()) / (2 * CASES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--engines", nargs="+", default=[BASE, "tree"], help="tree, compiled or git refs"
    )
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at once (2)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, workload, mode, passes = args.worker
        work(engine, workload, MODES[mode], int(passes))
        return
    print(f"instructions per case (thousands), {CASES} cases, cachegrind, 3 passes − 1 pass")
    print(f"{'':32}" + "".join(f"{name:>12}" for name in args.engines) + f"{'fewer':>10}")
    with ThreadPoolExecutor(args.jobs) as pool:
        for workload in args.workloads:
            for mode in args.modes:
                counts = [per_case(e, workload, MODES[mode], pool) for e in args.engines]
                row = f"{workload + ', ' + mode + ' outcomes':32}"
                row += "".join(f"{c / 1000:>11,.0f}k" for c in counts)
                row += f"{counts[0] / counts[-1]:>9.2f}×" if len(counts) > 1 else ""
                print(row, flush=True)


if __name__ == "__main__":
    main()
