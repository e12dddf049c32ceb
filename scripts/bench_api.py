"""The quota API next to a patient's detail, alone (not a test): part 3 of bench_clinic.py.

The same measurements as ``scripts/bench_clinic.py`` section 3 (its functions, on its main
Belgian clinic, generated if missing), without the rest of that benchmark: in process
through the whole Django stack, and with ``--locust`` a bounded locust run against gunicorn
on loopback. Run::

    .venv/bin/python scripts/bench_api.py --database-url postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python scripts/bench_api.py --database-url sqlite:////tmp/bench.sqlite3 --locust
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_clinic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--patients", type=int, default=5_000, help="the main Belgian clinic")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--api-requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--locust", action="store_true", help="also a locust run on loopback")
    parser.add_argument("--users", type=int, default=10, help="locust users")
    parser.add_argument("--seconds", type=int, default=30, help="locust run time")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    args = parser.parse_args()
    bench_clinic.prepare_database(args.database_url, fresh=False)
    bench_clinic.django_setup(args.database_url)
    bench_clinic.migrate()
    clinic = bench_clinic.Clinic("BE", args.patients, 5, args.seed, long_patient=True)
    practice = bench_clinic.clinic_practice(clinic)
    print(f"database {args.database_url} ({bench_clinic.vendor()}), {clinic.label}")
    quota, detail = bench_clinic.measure_api_in_process(practice, args.api_requests)
    print(f"in process, {args.api_requests} requests each, alternately:")
    bench_clinic.print_table(
        ["endpoint", "median ms", "p95 ms", "queries"],
        [
            [t.name, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", str(t.queries)]
            for t in (quota, detail)
        ],
    )
    print(
        f"  quota / patient detail: median {quota.median_ms / detail.median_ms:.2f}×, "
        f"p95 {quota.p95_ms / detail.p95_ms:.2f}×"
    )
    if not args.locust:
        return
    latencies = bench_clinic.measure_locust(
        practice, args.database_url, args.users, args.seconds, args.workers
    )
    print(f"locust, {args.users} users, {args.seconds} s, gunicorn {args.workers} workers:")
    bench_clinic.print_table(
        ["endpoint", "requests", "failures", "median ms", "p95 ms"],
        [
            [
                lat.name,
                str(lat.requests),
                str(lat.failures),
                f"{lat.median_ms:.0f}",
                f"{lat.p95_ms:.0f}",
            ]
            for lat in latencies
        ],
    )
    by_name = {lat.name: lat for lat in latencies}
    q, d = by_name.get("quota"), by_name.get("patient detail")
    if q and d and d.median_ms and d.p95_ms:
        print(
            f"  quota / patient detail: median {q.median_ms / d.median_ms:.2f}×, "
            f"p95 {q.p95_ms / d.p95_ms:.2f}×"
        )


if __name__ == "__main__":
    main()
