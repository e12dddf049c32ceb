"""Time only the therapist pages on the benchmark's main clinic (not a test).

The pages' part of ``bench_clinic.py`` on its own: the same generated Belgian clinic (created
in the named database if missing, reused afterwards) and the same ``measure_pages``, without
the from-scratch, growth and API measurements that take most of a full run::

    .venv/bin/python scripts/bench_pages.py --database-url sqlite:////tmp/bench.sqlite3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_clinic as bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (median)")
    parser.add_argument(
        "--no-scratch", action="store_true", help="leave out Needs attention from scratch"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    bench.prepare_database(args.database_url, fresh=False)
    bench.django_setup(args.database_url)
    bench.migrate()
    clinic = bench.Clinic("BE", args.patients, 5, args.seed, long_patient=True)
    practice = bench.clinic_practice(clinic)
    print(f"database: {args.database_url} ({bench.vendor()}), as_of {bench.AS_OF}")
    print(f"data ready after {time.perf_counter() - started:.0f} s")
    print(f"\nServer time of the therapist pages, test client ({clinic.label}):")
    pages = bench.measure_pages(practice, args.repeat, from_scratch=not args.no_scratch)
    bench.print_table(
        ["page", "median ms", "max ms", "queries", "KB", f"≤ {bench.PAGE_BUDGET_MS} ms"],
        [
            [
                p.name,
                f"{p.median_ms:.0f}",
                f"{p.p95_ms:.0f}",
                str(p.queries),
                f"{p.size / 1024:,.0f}",
                "yes" if p.median_ms <= bench.PAGE_BUDGET_MS else "no",
            ]
            for p in pages
        ],
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
