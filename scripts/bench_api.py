"""The quota API next to a patient's detail, alone (not a test): part 3 of bench_clinic.py.

On ``bench_clinic``'s main Belgian clinic (generated if missing; ``--patients`` chooses its
size), the two endpoints for the same random patients, one request of each in turn, in
process through the whole Django stack (``APIClient`` with a token): the wall clock and the
CPU time of each request - this process's, and on PostgreSQL on this machine also the
server's for the connection - as median and p95, and their ratios. On a shared machine the
CPU time is the steadier figure: waiting for a core is not in it. ``--locust`` adds a bounded
locust run against gunicorn on loopback (wall clock only). Run::

    .venv/bin/python scripts/bench_api.py --database-url postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python scripts/bench_api.py --database-url sqlite:////tmp/bench.sqlite3 --locust
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_clinic

if TYPE_CHECKING:
    from practice.models import Practice


COLUMNS = [
    *("endpoint", "wall median", "wall p95", "CPU median", "CPU p95"),
    *("of it server", "queries", "bytes"),
]


@dataclass(frozen=True)
class Figures:
    """One endpoint's requests: wall-clock and CPU milliseconds, median and p95."""

    name: str
    requests: int
    wall_median: float
    wall_p95: float
    cpu_median: float
    cpu_p95: float
    server_median: float  # of the CPU: the PostgreSQL server's
    queries: int
    size: int  # bytes of the first answer


def _figures(
    name: str, wall: list[float], cpu: list[float], server: list[float], queries: int, size: int
) -> Figures:
    return Figures(
        name,
        len(wall),
        statistics.median(wall) * 1000,
        bench_clinic.percentile95(wall) * 1000,
        statistics.median(cpu) * 1000,
        bench_clinic.percentile95(cpu) * 1000,
        statistics.median(server) * 1000,
        queries,
        size,
    )


def server_cpu_reader() -> Callable[[], float]:
    """Return a function giving the CPU seconds of this connection's PostgreSQL backend.

    Without a query: the backend's pid comes from psycopg, its CPU from ``/proc`` (0 on
    SQLite, which runs in this process, or for a server on another machine).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0

    def read() -> float:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        try:
            # Nanoseconds on a CPU (proc(5) ``schedstat``): ``stat`` counts in 10 ms ticks,
            # too coarse for one request.
            on_cpu = Path(f"/proc/{pid}/schedstat").read_text().split()[0]
        except OSError:
            return 0.0
        return int(on_cpu) / 1e9

    return read


def measure_in_process(practice: Practice, requests: int) -> list[Figures]:
    """Time both endpoints for the same random patients, one request of each in turn."""
    from rest_framework.test import APIClient

    from practice.models import Patient, Therapist
    from practice.tokens import api_token_create

    admin = Therapist.objects.get(practice=practice, role=Therapist.Role.ADMINISTRATOR).user
    _token, key = api_token_create(practice=practice, name="bench api", created_by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    ids = list(Patient.objects.filter(practice=practice).values_list("pk", flat=True))
    rng = random.Random(7)
    chosen = [rng.choice(ids) for _ in range(requests)]
    paths: dict[str, Callable[[int], str]] = {
        "quota": lambda pk: f"/api/v1/patients/{pk}/quota?as_of={bench_clinic.AS_OF}",
        "patient detail": lambda pk: f"/api/v1/patients/{pk}",
    }
    for pk in chosen[:10]:  # warm up (and the token's first use written)
        for path in paths.values():
            client.get(path(pk), secure=True)
    server = server_cpu_reader()
    wall: dict[str, list[float]] = {name: [] for name in paths}
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    server_cpu: dict[str, list[float]] = {name: [] for name in paths}
    queries: dict[str, int] = {}
    size: dict[str, int] = {}
    for pk in chosen:
        for name, path in paths.items():
            began_server = server()
            began_cpu = time.process_time()
            began = time.perf_counter()
            response = client.get(path(pk), secure=True)
            wall[name].append(time.perf_counter() - began)
            ended_cpu = time.process_time()
            server_cpu[name].append(server() - began_server)
            cpu[name].append(ended_cpu - began_cpu + server_cpu[name][-1])
            if response.status_code != 200:
                raise SystemExit(f"{name} answered {response.status_code}: {response.content!r}")
            if name not in queries:
                ask = partial(client.get, path(pk), secure=True)
                answer, queries[name] = bench_clinic.counted(ask)
                size[name] = len(answer.content)
    return [
        _figures(name, wall[name], cpu[name], server_cpu[name], queries[name], size[name])
        for name in paths
    ]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


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
    load = os.getloadavg()[0]
    quota, detail = measure_in_process(practice, args.api_requests)
    cpu_what = "this process + the server" if bench_clinic.vendor() == "postgresql" else "process"
    print(
        f"in process, {args.api_requests} requests each, alternately (load {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after); CPU: {cpu_what}"
    )
    bench_clinic.print_table(
        COLUMNS,
        [
            [
                f.name,
                f"{f.wall_median:.1f} ms",
                f"{f.wall_p95:.1f} ms",
                f"{f.cpu_median:.1f} ms",
                f"{f.cpu_p95:.1f} ms",
                f"{f.server_median:.1f} ms",
                str(f.queries),
                f"{f.size:,}",
            ]
            for f in (quota, detail)
        ],
    )
    print(
        f"  quota / patient detail: wall median {_ratio(quota.wall_median, detail.wall_median)}, "
        f"p95 {_ratio(quota.wall_p95, detail.wall_p95)}; "
        f"CPU median {_ratio(quota.cpu_median, detail.cpu_median)}, "
        f"p95 {_ratio(quota.cpu_p95, detail.cpu_p95)}"
    )
    if not args.locust:
        return
    load = os.getloadavg()[0]
    latencies = bench_clinic.measure_locust(
        practice, args.database_url, args.users, args.seconds, args.workers
    )
    print(
        f"locust, {args.users} users, {args.seconds} s, gunicorn {args.workers} workers "
        f"(load {load:.1f} before, {os.getloadavg()[0]:.1f} after):"
    )
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
    by_name: dict[str, Any] = {lat.name: lat for lat in latencies}
    q, d = by_name.get("quota"), by_name.get("patient detail")
    if q and d:
        print(
            f"  quota / patient detail: median {_ratio(q.median_ms, d.median_ms)}, "
            f"p95 {_ratio(q.p95_ms, d.p95_ms)}"
        )


if __name__ == "__main__":
    main()
