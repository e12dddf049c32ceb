"""Benchmark "Needs attention" and the patient-quota API on a generated clinic (not a test).

Generates a Belgian clinic deterministically — by default 5,000 patients with 5 years of
history (2021–2025, ``as_of`` 2025-12-15), about 100 sessions each, so about 500,000 sessions,
plus a clinic a fifth its size to show that the query count does not grow with the patients —
then prints, as medians of several runs:

1. the time and query count of ``practice_warnings`` (Needs attention) for the whole practice,
   checked equal to the full evaluation of every patient minus the warnings naming a session
   before 1 January of the year before ``as_of`` (``reimburse.attention.horizon``): computed from
   scratch, read again with nothing written, read the next day, and read after 50 sessions
   were recorded (each patient's list is stored and recomputed only when it may change);
2. the time of one plain query fetching all the practice's sessions, and the ratio of the
   two; "read" is how many of them Needs attention actually reads (the sessions of episodes
   that provably cannot warn are never read: ``reimburse.attention.horizon.unloaded``);
3. the latency (median, p95) of ``GET /api/v1/patients/{id}/quota`` next to the cheapest
   authenticated GET (``/api/v1/patients/{id}``) under a bounded locust run on loopback
   (gunicorn with the production settings), and their ratio.

The data is written with ``bulk_create``, bypassing the services (and so the audit history)
for speed; it is realistic in shape: mostly courante situations with prescriptions, some Fa/Fb
with notifications (a few missing), a few E with agreements, 2% cancelled sessions.

Run::

    .venv/bin/python scripts/bench_clinic.py                 # full size, SQLite in /tmp
    .venv/bin/python scripts/bench_clinic.py --patients 500  # a quick run
    .venv/bin/python scripts/bench_clinic.py \
        --database-url postgres://postgres@127.0.0.1:5432/test   # PostgreSQL

With ``--database-url`` the benchmark creates its own database ``bench_clinic`` on that
server (dropped and re-created; the database named in the URL is only used to connect).
``--reuse`` keeps a database generated before with the same size and seed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from practice.models import Practice

AS_OF = date(2025, 12, 15)
BIG, SMALL = "Bench clinic", "Bench clinic (small)"
BENCH_DB = "bench_clinic"
CHUNK = 250  # patients per bulk insert
# Episode categories (weights) and their session counts: mostly courante, some Fa/Fb, few E.
CATEGORIES = (("courante", 75), ("fa", 10), ("fb", 10), ("e", 5))
SIZES = {"courante": (6, 30), "fa": (15, 60), "fb": (15, 70), "e": (10, 60)}
FA_CODES = tuple(f"fa-{n}" for n in range(1, 16))
FB_CODES = ("fb-51", *(f"fb-{n}" for n in range(54, 61)))
E_CODES = tuple(f"e-{letter}" for letter in "abcdefghijkl")


# ------------------------------------------------------------------------------------- set-up


def settings_environment(database_url: str) -> dict[str, str]:
    """The production settings, on loopback, over HTTP, against ``database_url``."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def bench_database_url(args: argparse.Namespace) -> str:
    """Return the URL of the benchmark's database, creating it fresh unless ``--reuse``."""
    if not args.database_url:
        path = Path(tempfile.gettempdir()) / f"bench_clinic_{args.patients}_{args.years}.sqlite3"
        if not args.reuse:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    parts = urlsplit(args.database_url)
    maintenance = args.database_url.replace("postgres://", "postgresql://", 1)
    if not args.reuse:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def django_setup(database_url: str) -> None:
    os.environ.update(settings_environment(database_url))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------------------------- the data


@dataclass
class EpisodePlan:
    category: str
    days: list[date]
    pathology: str = ""
    notified_on: date | None = None
    agreement: tuple[date, date | None] | None = None
    prescriptions: list[tuple[date, int]] = field(default_factory=list)


def plan_patient(rng: random.Random, first: date, last: date) -> list[EpisodePlan]:
    """Plan one patient's episodes: about 100 sessions on distinct weekdays between the dates."""
    target = rng.randint(60, 140)
    span = (AS_OF - first).days
    taken: set[date] = set()
    plans: list[EpisodePlan] = []
    while target > 0:
        category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
        low, high = SIZES[category]
        wanted = min(target, rng.randint(low, high))
        day = first + timedelta(days=rng.randrange(span))
        days: list[date] = []
        while len(days) < wanted and day <= last:
            if day.weekday() < 5 and day not in taken:
                days.append(day)
                taken.add(day)
            day += timedelta(days=rng.randint(2, 4))
        target -= max(len(days), 1)
        if days:
            plans.append(plan_episode(rng, category, days))
    return plans


def plan_episode(rng: random.Random, category: str, days: list[date]) -> EpisodePlan:
    plan = EpisodePlan(category, days)
    per_rx = (9, 18) if category == "courante" else (30, 60)
    covered = 0
    # Prescriptions dated a few days before the first session they cover; 3% of episodes run
    # out of prescribed sessions (the "prescription used up" warnings a practice must act on).
    while covered < len(days) and not (covered and rng.random() < 0.03):
        sessions = rng.choice(per_rx)
        plan.prescriptions.append((days[covered] - timedelta(days=rng.randint(1, 20)), sessions))
        covered += sessions
    if category == "fa":
        plan.pathology = rng.choice(FA_CODES)
    elif category == "fb":
        plan.pathology = rng.choice(FB_CODES)
    elif category == "e":
        plan.pathology = rng.choice(E_CODES)
        if rng.random() < 0.9:
            start = days[0] - timedelta(days=10)
            until = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(200, 730))
            plan.agreement = (start, until)
    if category in ("fa", "fb") and rng.random() < 0.92:
        plan.notified_on = days[0] - timedelta(days=2)
    return plan


def generate(*, name: str, patients: int, years: int, seed: int) -> Practice:
    """Create a clinic with ``patients`` patients and ``years`` years of history (bulk)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from practice.models import (
        AgreementRequest,
        Episode,
        Patient,
        Practice,
        Prescription,
        Therapist,
    )
    from practice.models import TreatmentSession as Session

    rng = random.Random(f"{seed}-{name}")
    first, last = date(AS_OF.year - years + 1, 1, 1), date(AS_OF.year, 12, 31)
    practice = Practice.objects.create(name=name, country="BE")
    slug = "small" if name == SMALL else "big"
    users = [User.objects.create(username=f"{slug}-therapist-{n}") for n in range(8)]
    therapists = [Therapist.objects.create(user=u, practice=practice) for u in users]
    admin = User.objects.create(username=f"{slug}-admin")
    Therapist.objects.create(user=admin, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    began, done, sessions_total = time.perf_counter(), 0, 0
    while done < patients:
        size = min(CHUNK, patients - done)
        with transaction.atomic():
            rows = Patient.objects.bulk_create(
                Patient(
                    practice=practice,
                    first_name=f"Patient{done + i}",
                    last_name=f"{name.split()[-1].strip('()')}{done + i:05d}",
                    birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(30_000)),
                    preferential=rng.random() < 0.15,
                )
                for i in range(size)
            )
            plans = [(p, plan) for p in rows for plan in plan_patient(rng, first, last)]
            episodes = Episode.objects.bulk_create(
                Episode(
                    practice=practice,
                    patient=p,
                    title=f"{plan.category} {n}",
                    category=plan.category,
                    pathology=plan.pathology,
                    notified_on=plan.notified_on,
                )
                for n, (p, plan) in enumerate(plans)
            )
            AgreementRequest.objects.bulk_create(
                AgreementRequest(
                    practice=practice,
                    episode=ep,
                    kind="physiotherapy-e"
                    if plan.category == "e"
                    else "physiotherapy-common-2-and-more",
                    status="agreement",
                    granted_from=plan.agreement[0],
                    granted_until=plan.agreement[1],
                )
                for ep, (_, plan) in zip(episodes, plans, strict=True)
                if plan.agreement
            )
            Prescription.objects.bulk_create(
                Prescription(practice=practice, episode=ep, date=day, sessions=count)
                for ep, (_, plan) in zip(episodes, plans, strict=True)
                for day, count in plan.prescriptions
            )
            new_sessions = [
                Session(
                    practice=practice,
                    episode=ep,
                    therapist=rng.choice(therapists),
                    date=day,
                    **cancelled(rng, day, admin),
                )
                for ep, (_, plan) in zip(episodes, plans, strict=True)
                for day in plan.days
            ]
            Session.objects.bulk_create(new_sessions, batch_size=2_000)
        done += size
        sessions_total += len(new_sessions)
        rate = done / (time.perf_counter() - began)
        print(
            f"\r  {name}: {done:,}/{patients:,} patients, {sessions_total:,} sessions "
            f"({rate:,.0f} patients/s)",
            end="",
            flush=True,
        )
    print()
    return practice


def cancelled(rng: random.Random, day: date, by: Any) -> dict[str, Any]:
    if rng.random() >= 0.02:
        return {}
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - timedelta(days=1)
    return {"cancelled_at": at, "cancelled_by": by, "cancel_reason": "patient ill"}


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ------------------------------------------------------------------------------ measurements


def timed(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """Run ``work`` ``repeat`` times; return the median seconds and the last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


@dataclass(frozen=True)
class Figures:
    patients: int
    sessions: int
    attention_s: float  # from scratch: no stored warnings (a new day, a deploy)
    attention_queries: int
    warm_s: float  # nothing written since the last read
    warm_queries: int
    next_day_s: float  # the day after, nothing written: only expiring snapshots recomputed
    next_day_queries: int
    next_day_recomputed: int  # patients
    after_writes_s: float  # WRITES sessions recorded through the services since the last read
    after_writes_queries: int
    warnings: int
    fetch_s: float
    before_s: float  # the former computation, through model instances
    read: int  # the session rows Needs attention reads (the rest provably cannot warn)

    @property
    def ratio(self) -> float:
        return self.attention_s / self.fetch_s

    @property
    def ratio_warm(self) -> float:
        return self.warm_s / self.fetch_s

    @property
    def ratio_next_day(self) -> float:
        return self.next_day_s / self.fetch_s

    @property
    def ratio_after_writes(self) -> float:
        return self.after_writes_s / self.fetch_s

    @property
    def ratio_before(self) -> float:
        return self.before_s / self.fetch_s


# Sessions recorded between two reads of Needs attention in the incremental measurement: a
# busy morning of a large practice (each on another patient, through ``session_record``).
WRITES = 50


def measure(practice: Practice, repeat: int, profile: bool) -> Figures:
    """Time Needs attention and the plain fetch of the same sessions (medians)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from practice.models import Episode, Patient, Therapist, TreatmentSession
    from practice.services import session_record
    from reimburse.attention.compute import unread_episodes
    from reimburse.models import AttentionSnapshot
    from reimburse.selectors import practice_warnings

    def attention(as_of: date = AS_OF) -> list[Any]:
        return practice_warnings(practice=practice, as_of=as_of)

    def forget() -> None:
        AttentionSnapshot.objects.filter(patient__practice=practice).delete()

    def from_scratch() -> list[Any]:
        forget()
        return attention()

    def timed_after(prepare: Callable[[], object], work: Callable[[], list[Any]]) -> float:
        """Return the median seconds of ``work`` over ``repeat`` runs, each after ``prepare``."""
        times = []
        for _ in range(repeat):
            prepare()
            began = time.perf_counter()
            work()
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    def fetch() -> list[Any]:
        return list(
            TreatmentSession.objects.filter(practice=practice).values_list(
                "id", "episode_id", "date", "minutes", "place"
            )
        )

    def counted(work: Callable[[], list[Any]]) -> tuple[list[Any], int]:
        with CaptureQueriesContext(connection) as queries:
            rows = work()
        return rows, len(queries.captured_queries)

    # The counted run also warms the engine's caches and the database's pages.
    forget()
    rows, attention_queries = counted(attention)
    attention_s = timed_after(forget, attention)
    warm_rows, warm_queries = counted(attention)
    warm_s, _ = timed(repeat, attention)
    before_s, before = timed(1, lambda: former_practice_warnings(practice))
    if before != rows or warm_rows != rows:
        raise SystemExit(f"Needs attention differs from the former computation ({practice.name})")

    # The next day, nothing written: only the patients whose warnings may change by the day
    # (attention.horizon.stable_until) are recomputed. Each run starts from every snapshot
    # computed at AS_OF (the read at AS_OF recomputes those the last run moved on).
    next_day = AS_OF + timedelta(days=1)
    next_day_s = timed_after(attention, lambda: attention(next_day))
    attention()
    next_rows, next_day_queries = counted(lambda: attention(next_day))
    next_day_recomputed = AttentionSnapshot.objects.filter(
        patient__practice=practice, as_of=next_day
    ).count()
    forget()
    if next_rows != attention(next_day):
        raise SystemExit(f"Needs attention of the next day differs from scratch ({practice.name})")
    forget()
    attention()

    therapist = Therapist.objects.filter(practice=practice).first()
    if former_practice_warnings(practice, therapist) != practice_warnings(
        practice=practice, as_of=AS_OF, therapist=therapist
    ):
        raise SystemExit(f"Needs attention for one therapist differs ({practice.name})")

    # Incremental: WRITES sessions recorded, then Needs attention read again; rolled back at
    # the end so that the generated clinic stays the same for the next run (--reuse).
    rng = random.Random(practice.pk)
    episodes = list(Episode.objects.filter(patient__practice=practice).order_by("pk"))
    after: list[float] = []
    with transaction.atomic():
        for _ in range(repeat):
            attention()  # every snapshot current
            for episode in rng.sample(episodes, WRITES):
                session_record(episode=episode, date=AS_OF, therapist=therapist)
            began = time.perf_counter()
            changed, after_writes_queries = counted(attention)
            after.append(time.perf_counter() - began)
        # What was reused and recomputed equals a computation from scratch.
        if changed != from_scratch():
            raise SystemExit(f"Needs attention after writes differs from scratch ({practice.name})")
        transaction.set_rollback(True)
    forget()

    fetch_s, fetched = timed(repeat, fetch)
    assert isinstance(fetched, list)
    if profile:
        print(f"\n  cProfile of practice_warnings for {practice.name}, top 25 by own time:")
        profiler = cProfile.Profile()
        profiler.runcall(from_scratch)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return Figures(
        patients=Patient.objects.filter(practice=practice).count(),
        sessions=len(fetched),
        attention_s=attention_s,
        attention_queries=attention_queries,
        warm_s=warm_s,
        warm_queries=warm_queries,
        next_day_s=next_day_s,
        next_day_queries=next_day_queries,
        next_day_recomputed=next_day_recomputed,
        after_writes_s=statistics.median(after),
        after_writes_queries=after_writes_queries,
        warnings=len(rows),
        fetch_s=fetch_s,
        before_s=before_s,
        read=TreatmentSession.objects.filter(practice=practice, cancelled_at__isnull=True)
        .exclude(episode__in=unread_episodes(practice, AS_OF).values("pk"))
        .count(),
    )


def former_practice_warnings(practice: Practice, therapist: Any = None) -> list[Any]:
    """Needs attention as it was computed before this benchmark: through ``statuses()``,
    which prefetches model instances per patient and evaluates every patient's full history.
    Kept here to time it and to check that the current ``practice_warnings`` returns exactly
    the same rows, in the same order, once the warnings naming a session before the cut
    (1 January of the year before ``as_of``, the product decision) are left out."""
    from practice.models import Patient
    from reimburse.attention.horizon import cut_date
    from reimburse.explain import params_json
    from reimburse.selectors import PatientWarning
    from reimburse.services import statuses

    cut = cut_date(AS_OF)

    def before_cut(result: Any) -> set[str]:
        return {s.id for s in result.sessions if s.date < cut}

    patients = Patient.objects.filter(practice=practice)
    if therapist is not None:
        patients = patients.filter(
            episodes__sessions__therapist=therapist,
            episodes__sessions__cancelled_at__isnull=True,
        ).distinct()
    rows = [
        PatientWarning(
            patient_id=patient.pk,
            patient_name=str(patient),
            episode_id=int(w.episode) if w.episode else None,
            episode_title={str(e.pk): e.title for e in patient.episodes.all()}.get(w.episode or ""),
            session_id=int(w.session) if w.session else None,
            code=w.code,
            severity=w.severity,
            params=params_json(w.params),
        )
        for patient, result in statuses(patients=patients, as_of=AS_OF)
        for old in [before_cut(result)]
        for w in result.warnings
        if w.session is None or w.session not in old
    ]
    rows.sort(key=lambda row: (*row.urgency, row.patient_name))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Latency:
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float


def measure_api(
    practice: Practice, database_url: str, users: int, seconds: int, workers: int
) -> list[Latency]:
    """Serve with gunicorn on loopback and run locust headless against two endpoints."""
    from practice.models import Patient, Therapist
    from practice.tokens import api_token_create

    admin = Therapist.objects.get(practice=practice, role=Therapist.Role.ADMINISTRATOR).user
    _token, key = api_token_create(practice=practice, name="bench", created_by=admin)
    ids = list(Patient.objects.filter(practice=practice).values_list("pk", flat=True))
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench_locust_"))
    (workdir / "patients.txt").write_text("\n".join(map(str, ids)))
    env = {**os.environ, **settings_environment(database_url)}
    env |= {
        "BENCH_API_KEY": key,
        "BENCH_PATIENT_IDS": str(workdir / "patients.txt"),
        "BENCH_AS_OF": AS_OF.isoformat(),
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            # Load Django once in the master, as a deployment would, so no worker imports
            # it while locust measures.
            "--preload",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        warm_up(port, key, ids[:50], workers)
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "scripts" / "locustfile.py"),
                "--headless",
                f"--users={users}",
                f"--spawn-rate={users}",
                f"--run-time={seconds}s",
                f"--host=http://127.0.0.1:{port}",
                f"--json-file={workdir / 'run'}",  # locust adds .json
                "--only-summary",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return read_locust_json(workdir / "run.json")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on port {port} within {timeout} s")


def warm_up(port: int, key: str, ids: list[int], workers: int) -> None:
    """Send each endpoint a few requests first, so every worker has connected and resolved."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    paths = [f"/api/v1/patients/{pk}" for pk in ids]
    paths += [f"/api/v1/patients/{pk}/quota?as_of={AS_OF}" for pk in ids]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(get, paths))


def percentile(histogram: dict[str, int], fraction: float) -> float:
    """Return the response time (ms) below which ``fraction`` of the requests fall."""
    times = sorted((float(ms), count) for ms, count in histogram.items())
    wanted, seen = fraction * sum(count for _, count in times), 0
    for ms, count in times:
        seen += count
        if seen >= wanted:
            return ms
    return times[-1][0] if times else 0.0


def read_locust_json(path: Path) -> list[Latency]:
    """Read locust's final statistics (its response-time histogram, rounded as locust does)."""
    entries = json.loads(path.read_text())
    return [
        Latency(
            name=entry["name"],
            requests=int(entry["num_requests"]),
            failures=int(entry["num_failures"]),
            median_ms=percentile(entry["response_times"], 0.50),
            p95_ms=percentile(entry["response_times"], 0.95),
        )
        for entry in entries
    ]


# ------------------------------------------------------------------------------------ report


def table(headers: list[str], rows: list[list[str]]) -> Iterator[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    yield "  " + "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    for row in rows:
        yield "  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to use (default: SQLite under /tmp)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep a database generated before")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    parser.add_argument("--users", type=int, default=10, help="locust users")
    parser.add_argument("--seconds", type=int, default=30, help="locust run time")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--no-api", action="store_true", help="skip the locust run")

    return parser.parse_args()


def main() -> None:
    args = parse_args()
    database_url = bench_database_url(args)
    started = time.perf_counter()
    print(f"database: {database_url}")
    django_setup(database_url)
    from practice.models import Practice

    migrate()
    big = Practice.objects.filter(name=BIG).first()
    small = Practice.objects.filter(name=SMALL).first()
    if big is None or small is None:
        print(f"generating {args.patients:,} + {args.patients // 5:,} patients, {args.years} years")
        big = generate(name=BIG, patients=args.patients, years=args.years, seed=args.seed)
        small = generate(name=SMALL, patients=args.patients // 5, years=args.years, seed=args.seed)
        analyze()
    print(f"data ready after {time.perf_counter() - started:.0f} s; measuring (as_of {AS_OF})")

    figures = [measure(p, args.repeat, args.profile and p == big) for p in (small, big)]
    print(
        f"\nNeeds attention vs one plain fetch of all the practice's sessions (median of "
        f"{args.repeat}; read: the session rows a computation from scratch reads; before: the "
        "former full computation, one run; every variant's rows checked equal to it once the "
        "warnings on sessions before the cut are left out):"
    )
    headers = ["patients", "sessions", "read", "warnings", "plain fetch s", "before s", "ratio"]
    rows = [
        [
            f"{f.patients:,}",
            f"{f.sessions:,}",
            f"{f.read:,}",
            f"{f.warnings:,}",
            f"{f.fetch_s:.2f}",
            f"{f.before_s:.2f}",
            f"{f.ratio_before:.1f}×",
        ]
        for f in figures
    ]
    for line in table(headers, rows):
        print(line)
    print(
        "\nNeeds attention now (seconds, queries, ratio to the plain fetch): from scratch (no "
        "stored warnings: after a deploy that changed the rules, or on 1 January), nothing "
        "written since the last read, the next day with nothing written (recomputed: the "
        f"patients whose warnings may change that day), and {WRITES} sessions recorded since "
        "the last read:"
    )
    headers = ["patients", "from scratch", "q", "ratio", "unchanged", "q", "ratio"]
    headers += ["next day", "q", "ratio", "recomputed", f"after {WRITES} writes", "q", "ratio"]
    rows = [
        [
            f"{f.patients:,}",
            f"{f.attention_s:.2f}",
            str(f.attention_queries),
            f"{f.ratio:.1f}×",
            f"{f.warm_s:.3f}",
            str(f.warm_queries),
            f"{f.ratio_warm:.2f}×",
            f"{f.next_day_s:.3f}",
            str(f.next_day_queries),
            f"{f.ratio_next_day:.2f}×",
            f"{f.next_day_recomputed:,}",
            f"{f.after_writes_s:.3f}",
            str(f.after_writes_queries),
            f"{f.ratio_after_writes:.2f}×",
        ]
        for f in figures
    ]
    for line in table(headers, rows):
        print(line)

    if not args.no_api:
        print(
            f"\nAPI latency: locust, {args.users} users, {args.seconds} s, "
            f"gunicorn {args.workers} workers on loopback"
        )
        latencies = measure_api(big, database_url, args.users, args.seconds, args.workers)
        for line in table(
            ["endpoint", "requests", "failures", "median ms", "p95 ms"],
            [
                [
                    lat.name,
                    f"{lat.requests:,}",
                    str(lat.failures),
                    f"{lat.median_ms:.0f}",
                    f"{lat.p95_ms:.0f}",
                ]
                for lat in latencies
            ],
        ):
            print(line)
        by_name = {lat.name: lat for lat in latencies}
        quota, detail = by_name.get("quota"), by_name.get("patient detail")
        if quota and detail and detail.median_ms and detail.p95_ms:
            print(
                f"  quota / patient detail: median {quota.median_ms / detail.median_ms:.1f}×, "
                f"p95 {quota.p95_ms / detail.p95_ms:.1f}×"
            )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
