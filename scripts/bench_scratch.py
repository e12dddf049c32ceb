"""Needs attention from scratch against the code of another commit, in one process (not a test).

Copies ``reimburse/services.py``, ``reimburse/attention/compute.py`` and ``horizon.py`` of
``--against`` from git beside this code, checks that both compute the same evaluations for
the benchmark's main clinic (``scripts/bench_clinic.py``, generated if missing), then times in
interleaved rounds the true floor (``bench_clinic.floor_rows``), the computation of then and
the one of now - on PostgreSQL also with ``jit = off`` - in CPU time of this process plus, on
PostgreSQL, the server's process for its connection. Prints the medians and their ratios to
the floor, each round's figures, and the medians of the rounds' own ratios (steadier on a
loaded machine, where a busy moment slows a whole round). ``--split`` also times the parts of
the computation of now apart: the unread selection (with the episodes' rows), the other
reads with the facts, the horizon's passes and the engine::

    .venv/bin/python scripts/bench_scratch.py --database-url sqlite:////tmp/bench.sqlite3
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_clinic  # noqa: E402

FROZEN = {
    "reimburse/services.py": "frozen_services",
    "reimburse/attention/horizon.py": "frozen_horizon",
    "reimburse/attention/compute.py": "frozen_compute",
}


def freeze(commit: str, into: Path) -> Any:
    """Write the modules of ``commit`` into ``into`` as top-level modules; return compute."""
    for path, name in FROZEN.items():
        text = subprocess.run(
            ["git", "show", f"{commit}:{path}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        text = text.replace("from reimburse.services import", "from frozen_services import")
        text = text.replace(
            "from reimburse.attention import horizon", "import frozen_horizon as horizon"
        )
        (into / f"{name}.py").write_text(text)
    sys.path.insert(0, str(into))
    return importlib.import_module("frozen_compute")


def key(evaluations: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (e.patient_id, e.patient_name, dict(e.episode_titles), e.result, e.stable_until)
        for e in evaluations
    ]


def split(practice: Any, as_of: Any, repeat: int) -> dict[str, float]:
    """Time the parts of the computation of now apart, on the same cases: CPU medians."""
    from reimburse import engine
    from reimburse.attention import compute, horizon
    from reimburse.engine.errors import EngineError
    from reimburse.services import practice_cases

    selection = compute._unread_selection(practice, as_of, None)
    found = list(
        practice_cases(
            practice=practice, as_of=as_of, skip=selection.unread, episodes=selection.episodes
        )
    )
    dates = [horizon.episode_dates(f.case) for f in found]
    relevant = [horizon.relevant_case(f.case, d) for f, d in zip(found, dates, strict=True)]
    evaluated = []
    for f, r in zip(found, relevant, strict=True):
        with contextlib.suppress(EngineError):  # as the computation: rules_unknown instead
            evaluated.append((f, r, engine.evaluate_known(r, outcomes=False)))

    def facts() -> None:
        for _ in practice_cases(
            practice=practice, as_of=as_of, skip=selection.unread, episodes=selection.episodes
        ):
            pass

    def engine_alone() -> None:
        for _, r, _ in evaluated:
            engine.evaluate_known(r, outcomes=False)

    def horizon_passes() -> None:
        for f, _, result in evaluated:
            d = horizon.episode_dates(f.case)
            r = horizon.relevant_case(f.case, d)
            shown = horizon.actionable(result, r, d)
            horizon.stable_until(f.case, shown, f.unread, d)

    parts: dict[str, Callable[[], object]] = {
        "selection, with the episodes' rows": lambda: compute._unread_selection(
            practice, as_of, None
        ),
        "the other reads and the facts": facts,
        "the horizon's passes": horizon_passes,
        "the engine, without outcomes": engine_alone,
    }
    cpu: dict[str, list[float]] = {name: [] for name in parts}
    with compute._collector_paused():
        for _ in range(repeat):
            for name, work in parts.items():
                began = time.process_time() + bench_clinic.server_cpu()
                work()
                cpu[name].append(time.process_time() + bench_clinic.server_cpu() - began)
    return {name: statistics.median(times) for name, times in cpu.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--against", default="aabb3a9", help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument(
        "--split",
        action="store_true",
        help="also time the parts of the computation of now apart (same rounds, CPU medians)",
    )
    args = parser.parse_args()
    bench_clinic.prepare_database(args.database_url, fresh=False)
    bench_clinic.django_setup(args.database_url)
    bench_clinic.migrate()
    from django.db import connection

    from reimburse.attention import compute

    clinic = bench_clinic.Clinic("BE", args.patients, 5, 2025, long_patient=True)
    practice = bench_clinic.clinic_practice(clinic)
    as_of = bench_clinic.AS_OF
    with tempfile.TemporaryDirectory() as folder:
        then = freeze(args.against, Path(folder))

        def run(module: Any) -> Callable[[], list[Any]]:
            return lambda: list(module.actionable_evaluations(practice=practice, as_of=as_of))

        if key(run(then)()) != key(run(compute)()):
            raise SystemExit("the two computations differ")
        print(f"{clinic.label}: the computation of {args.against} and of now are equal")

        def jit(setting: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET jit = {setting}")

        def now_without_jit() -> None:
            jit("off")
            run(compute)()
            jit("on")

        works: dict[str, Callable[[], object]] = {
            "floor": lambda: bench_clinic.floor_rows(practice),
            "then": run(then),
            "now": run(compute),
        }
        if connection.vendor == "postgresql":
            works["now, jit = off"] = now_without_jit
        cpu: dict[str, list[float]] = {name: [] for name in works}
        for _ in range(args.repeat):
            for name, work in works.items():
                began = time.process_time() + bench_clinic.server_cpu()
                work()
                cpu[name].append(time.process_time() + bench_clinic.server_cpu() - began)
    medians = {name: statistics.median(times) for name, times in cpu.items()}
    print(
        f"{connection.vendor}, load {os.getloadavg()[0]:.1f}, CPU seconds (median of "
        f"{args.repeat} interleaved rounds; PostgreSQL: with the server's), ratio to the floor:"
    )
    for name, seconds in medians.items():
        rounds = " ".join(f"{t:.2f}" for t in cpu[name])
        ratio = seconds / medians["floor"]
        print(f"  {name:16s} {seconds:6.2f} s  {ratio:.2f}×   rounds: {rounds}")
    # A loaded machine moves whole rounds together: each round's own ratios are steadier.
    for name in ("then", "now"):
        ratios = [t / floor for t, floor in zip(cpu[name], cpu["floor"], strict=True)]
        print(f"  {name} / floor, median of the rounds' ratios: {statistics.median(ratios):.2f}×")
    paired = [now / then for now, then in zip(cpu["now"], cpu["then"], strict=True)]
    print(f"  now / then, median of the rounds' ratios: {statistics.median(paired):.2f}")
    if args.split:
        print(f"  the computation of now, its parts timed apart (medians of {args.repeat}):")
        for name, seconds in split(practice, as_of, args.repeat).items():
            print(f"    {name:38s} {seconds:5.2f} s  {seconds / medians['floor']:.2f}× the floor")


if __name__ == "__main__":
    main()
