"""Refresh Needs attention of many practices on the task queue, one worker vs two (not a test).

Creates ``--practices`` generated Belgian practices (``scripts/bench_clinic.py``'s data, one
seed each) in the PostgreSQL database named by ``--database-url`` (created and marked if
missing, as ``bench_clinic`` does), then for one worker and for ``--workers`` workers:

1. forgets every stored list of those practices and enqueues one ``attention_refresh`` task
   per practice (``manage.py attention_refresh --enqueue`` does the same);
2. starts the workers as separate processes (``manage.py db_worker --batch``; with
   ``--backend redis``: ``manage.py rqworker default --burst --job-class django_tasks_rq.Job``)
   and waits until they exit;
3. checks from the workers' own logs that every task ran exactly once (no task run twice,
   none lost) and that each finished successfully, then that every practice's stored list
   is current and equal to a computation from scratch (computed again in a transaction
   rolled back);
4. prints the wall time, the ratio of one worker's time to the workers', and the cost per
   practice: the wall time of one worker, the tasks' own mean duration and the workers' CPU
   time, each divided by the practices. On a machine shared with other work the wall times
   include waiting for a core; the CPU time does not.

Run::

    .venv/bin/python scripts/bench_refresh_workers.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_workers
    .venv/bin/python scripts/bench_refresh_workers.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_workers \\
        --backend redis --redis-url redis://127.0.0.1:6379/6

The Redis mode empties the queue named ``default`` of that Redis database first: give it a
database number of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_clinic  # noqa: E402  (the data and the database set-up are the clinic benchmark's)

# One worker log line per task state change (django_tasks' signal handlers, at INFO).
RUNNING = re.compile(r"Task id=(?P<id>[^ ]+) path=[^ ]+ state=RUNNING")


@dataclass(frozen=True)
class Run:
    workers: int
    wall_s: float
    tasks: int
    runs: Counter[str]  # task id → times a worker started it (from the workers' logs)
    task_seconds: list[float]  # each task's own duration, started → finished
    worker_cpu_s: float  # CPU time of the worker processes, start-up included


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:5432/NAME")
    parser.add_argument("--practices", type=int, default=20)
    parser.add_argument("--patients", type=int, default=250, help="per practice")
    parser.add_argument("--years", type=int, default=5, help="of history per practice")
    parser.add_argument("--workers", type=int, default=2, help="compared with one")
    parser.add_argument("--backend", choices=("database", "redis"), default="database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args()


def worker_environment(args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, **bench_clinic.settings_environment(args.database_url)}
    env["DJANGO_LOG_LEVEL"] = "INFO"
    if args.backend == "redis":
        env["DJANGO_TASKS_REDIS_URL"] = args.redis_url
    else:
        env.pop("DJANGO_TASKS_REDIS_URL", None)
    return env


def worker_command(backend: str, index: int) -> list[str]:
    manage = [sys.executable, str(ROOT / "manage.py")]
    if backend == "redis":
        return [*manage, "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"]
    return [
        *manage,
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval=0.1",
        f"--worker-id=bench-worker-{index}",
    ]


def forget(practice_ids: list[int]) -> None:
    from reimburse.models import AttentionSnapshot

    AttentionSnapshot.objects.filter(patient__practice__in=practice_ids).delete()


def empty_queue(args: argparse.Namespace) -> None:
    if args.backend == "redis":
        import django_rq

        django_rq.get_queue("default").empty()
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path="reimburse.tasks.attention_refresh").delete()


def run_workers(args: argparse.Namespace, practice_ids: list[int], workers: int) -> Run:
    from django_tasks import TaskResultStatus, default_task_backend

    from reimburse.tasks import attention_refresh

    forget(practice_ids)
    empty_queue(args)
    as_of = bench_clinic.AS_OF.isoformat()
    results = [attention_refresh.enqueue(as_of=as_of, practice_ids=[pk]) for pk in practice_ids]
    env = worker_environment(args)
    # Closed below, once read.
    logs = [tempfile.TemporaryFile(mode="w+") for _ in range(workers)]  # noqa: SIM115
    began, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = [
        subprocess.Popen(worker_command(args.backend, n), cwd=ROOT, env=env, stderr=log, stdout=log)
        for n, log in enumerate(logs)
    ]
    for process in processes:
        if process.wait(timeout=3600) != 0:
            raise SystemExit(f"a worker exited with {process.returncode}")
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    runs: Counter[str] = Counter()
    for log in logs:
        log.seek(0)
        for line in log:
            found = RUNNING.search(line)
            if found:
                runs[found["id"]] += 1
        log.close()
    seconds = []
    for result in results:
        done = default_task_backend.get_result(result.id)
        if done.status != TaskResultStatus.SUCCESSFUL:
            raise SystemExit(f"task {result.id} ended {done.status}: {done.errors}")
        if done.started_at is None or done.finished_at is None:
            raise SystemExit(f"task {result.id} has no start or end time")
        seconds.append((done.finished_at - done.started_at).total_seconds())
    expected = {str(result.id) for result in results}
    lost = expected - set(runs)
    twice = {task: n for task, n in runs.items() if n > 1}
    strangers = set(runs) - expected
    if lost or twice or strangers:
        raise SystemExit(f"lost {sorted(lost)}, run twice {twice}, unknown {sorted(strangers)}")
    return Run(workers, wall, len(results), runs, seconds, worker_cpu)


def check_stored_lists(practice_ids: list[int]) -> int:
    """Check each practice's stored lists against a computation from scratch; return rows."""
    from django.db import transaction

    from practice.models import Patient, Practice
    from reimburse.models import AttentionSnapshot
    from reimburse.selectors import practice_warnings

    rows = 0
    for practice in Practice.objects.filter(pk__in=practice_ids).order_by("pk"):
        patients = Patient.objects.filter(practice=practice).count()
        current = AttentionSnapshot.objects.filter(
            patient__practice=practice, as_of=bench_clinic.AS_OF
        ).count()
        if current != patients:
            raise SystemExit(f"{practice.name}: {current} stored lists for {patients} patients")
        stored = practice_warnings(practice=practice, as_of=bench_clinic.AS_OF)
        with transaction.atomic():
            forget([practice.pk])
            fresh = practice_warnings(practice=practice, as_of=bench_clinic.AS_OF)
            transaction.set_rollback(True)
        if stored != fresh:
            raise SystemExit(f"{practice.name}: the stored list differs from a fresh one")
        rows += len(stored)
    return rows


def main() -> None:
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("two workers need PostgreSQL: --database-url postgres://…")
    if args.backend == "redis":
        os.environ["DJANGO_TASKS_REDIS_URL"] = args.redis_url  # read by the settings
    else:
        os.environ.pop("DJANGO_TASKS_REDIS_URL", None)
    started = time.perf_counter()
    bench_clinic.prepare_database(args.database_url, fresh=False)
    bench_clinic.django_setup(args.database_url)
    bench_clinic.migrate()
    from django.conf import settings

    from practice.models import TreatmentSession

    backend = settings.TASKS["default"]["BACKEND"]
    clinics = [
        bench_clinic.Clinic("BE", args.patients, args.years, args.seed + n)
        for n in range(args.practices)
    ]
    practice_ids = [bench_clinic.clinic_practice(clinic).pk for clinic in clinics]
    sessions = TreatmentSession.objects.filter(
        practice__in=practice_ids, cancelled_at__isnull=True
    ).count()
    print(
        f"database {args.database_url}, task backend {backend}; {len(practice_ids)} practices "
        f"of {args.patients} patients × {args.years} years ({sessions:,} sessions), "
        f"ready after {time.perf_counter() - started:.0f} s"
    )
    runs = []
    for workers in dict.fromkeys((1, args.workers)):
        run = run_workers(args, practice_ids, workers)
        rows = check_stored_lists(practice_ids)
        runs.append(run)
        print(
            f"  {workers} worker(s): {run.wall_s:.1f} s wall, {run.worker_cpu_s:.1f} s of the "
            f"workers' CPU, for {run.tasks} tasks; each task "
            f"ran once ({sum(run.runs.values())} starts in the workers' logs, none lost); "
            f"every practice's stored list equals a fresh computation ({rows:,} rows)"
        )
    one, *more = runs
    per_practice = one.wall_s / one.tasks
    task_mean = statistics.mean(one.task_seconds)
    print(
        f"  cost per practice ({args.patients} patients): {per_practice:.2f} s of wall time "
        f"with one worker (the task itself {task_mean:.2f} s on average, "
        f"{min(one.task_seconds):.2f}–{max(one.task_seconds):.2f} s), "
        f"{one.worker_cpu_s / one.tasks:.2f} s of the worker's CPU (start-up included; the "
        "database server's left out)"
    )
    for run in more:
        print(
            f"  {run.workers} workers: {one.wall_s / run.wall_s:.2f}× the throughput of one "
            f"({os.cpu_count()} cores on this machine, shared with the database)"
        )
    print(json.dumps({"backend": backend, "runs": [[r.workers, r.wall_s] for r in runs]}))


if __name__ == "__main__":
    main()
