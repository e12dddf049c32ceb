"""Benchmark what people wait for on generated clinics, side by side in one run (not a test).

Generates clinics deterministically (a Belgian one of ``--patients`` patients with 5 years of
history, about 20 sessions a patient a year, and one patient with 600 sessions; Belgian ones
of other sizes and lengths of history for growth; a Dutch one beside them), then prints, as
medians of ``--repeat`` runs interleaved so that a busy machine slows every figure alike:

1. **the true floor**: one plain ``values_list`` of every row a computation from scratch may
   read (patients, episodes, prescriptions, non-cancelled sessions), without sorting (from
   scratch reads fewer: the horizon leaves old history unread);
2. **the engine**: ``evaluate_known`` on every patient's facts, without session outcomes (what
   Needs attention asks) and with them (a patient page, the quota API), and building the facts
   from plain rows (``practice_cases``);
3. **Needs attention from scratch** (no stored list: after a deploy, on 1 January), with the
   stored lists current, the next day and after 50 sessions recorded; on PostgreSQL also with
   the server's JIT off;
4. **the quota API next to a patient's detail**, in process through the whole Django stack
   (``APIClient`` with a token), median and p95; ``--locust`` adds a bounded locust run on
   loopback against gunicorn;
5. **server time of the therapist pages** through the Django test client: Needs attention (from
   scratch and with the stored lists), the page of the patient with 5 years and 600 sessions,
   the record preview and plan ahead, against the 300 ms budget;
6. **growth**: the same figures at 500, 1,000 and 5,000 patients and at 1, 5 and 10 years of
   history, per patient and per session, and a Dutch clinic beside the Belgian one.

The database is the one named by ``--database-url`` (an SQLite file or a PostgreSQL
database). If it does not exist the benchmark creates it and marks it as its own; it reuses
the clinics it generated before (same sizes and seed: same data) and generates the missing
ones. ``--fresh`` drops and re-creates it, which the benchmark does only to a database it
marked, never with ``FORCE``; a database it did not create is used only if it is empty.

Run::

    .venv/bin/python scripts/bench_clinic.py --database-url sqlite:////tmp/bench.sqlite3
    .venv/bin/python scripts/bench_clinic.py \
        --database-url postgres://postgres@127.0.0.1:5432/bench_clinic
    .venv/bin/python scripts/bench_clinic.py --database-url sqlite:////tmp/q.sqlite3 --quick

``--quick`` (a smoke run: a few hundred patients, one run each) finishes in about a minute;
``--scratch-only`` measures only section 1 on the main clinic (generated alone).
The data is written with ``bulk_create``, bypassing the services (and so the audit history)
for speed; it is realistic in shape: mostly courante situations with prescriptions, some Fa/Fb
with notifications (a few missing), a few E with agreements, 2% cancelled sessions; Dutch
patients with regular, chronic-list, scheme and children's indications, supplementary
packages and deductibles.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import random
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from practice.models import Practice

AS_OF = date(2025, 12, 15)
MARKER = "created by scripts/bench_clinic.py"
MARKER_TABLE = "bench_clinic_marker"
CHUNK = 250  # patients per bulk insert
SESSIONS_PER_YEAR = (12, 28)  # per patient: about 100 over 5 years
LONG_HISTORY = 600  # the sessions of the patient whose page is measured (over 5 years)
# Belgian episode categories (weights) and their session counts: mostly courante.
CATEGORIES = (("courante", 75), ("fa", 10), ("fb", 10), ("e", 5))
SIZES = {"courante": (6, 30), "fa": (15, 60), "fb": (15, 70), "e": (10, 60)}
FA_CODES = tuple(f"fa-{n}" for n in range(1, 16))
FB_CODES = ("fb-51", *(f"fb-{n}" for n in range(54, 61)))
E_CODES = tuple(f"e-{letter}" for letter in "abcdefghijkl")
# Dutch indications (weights) and their treatment counts.
NL_CATEGORIES = (
    ("regular", 60),
    ("chronic", 15),
    ("osteoarthritis", 10),
    ("claudication", 5),
    ("pelvic_floor", 5),
    ("copd", 5),
)
NL_SIZES = {
    "regular": (3, 12),
    "chronic": (10, 60),
    "osteoarthritis": (6, 14),
    "claudication": (10, 40),
    "pelvic_floor": (5, 12),
    "copd": (10, 50),
}
NL_CONDITIONS = ("cva", "ms", "parkinson", "spinal_cord")
NL_PRICE = Decimal("42.50")
PAGE_BUDGET_MS = 300
# Sessions recorded between two reads of Needs attention in the incremental measurement: a
# busy morning of a large practice (each on another patient, through ``session_record``).
WRITES = 50


@dataclass(frozen=True)
class Clinic:
    """A generated clinic: its country, size, length of history and the data's seed."""

    country: str
    patients: int
    years: int
    seed: int
    long_patient: bool = False  # one patient with LONG_HISTORY sessions (the page measured)

    @property
    def name(self) -> str:
        extra = " with a long history" if self.long_patient else ""
        return f"Bench {self.country} {self.patients}p {self.years}y seed {self.seed}{extra}"

    @property
    def label(self) -> str:
        return f"{self.country} {self.patients:,} × {self.years}y"


# ------------------------------------------------------------------------------------- set-up


def settings_environment(database_url: str) -> dict[str, str]:
    """The production settings, on loopback, over HTTP, against ``database_url``."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def prepare_database(url: str, *, fresh: bool) -> None:
    """Make sure the database named by ``url`` exists and is the benchmark's to write.

    Creates it (marked as the benchmark's) when missing. ``fresh`` drops and re-creates it,
    only if the benchmark marked it, and never with ``FORCE``: a connected user keeps it.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        if path.exists() and fresh:
            if not _sqlite_marked(path):
                raise SystemExit(f"{path} was not created by the benchmark: not removing it")
            path.unlink()
        if not path.exists():
            with sqlite3.connect(path) as conn:
                conn.execute(f"CREATE TABLE {MARKER_TABLE} (note TEXT)")
                conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES (?)", (MARKER,))
        elif not _sqlite_marked(path) and _sqlite_has_tables(path):
            raise SystemExit(f"{path} was not created by the benchmark and is not empty")
        return
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"unsupported database URL {url!r} (sqlite:/// or postgres://)")
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("name the database in the URL: postgres://user@host:5432/NAME")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        ident = sql.Identifier(name)
        if row is not None and fresh:
            if row[0] != MARKER:
                raise SystemExit(f"database {name} was not created by the benchmark: not dropping")
            conn.execute(sql.SQL("DROP DATABASE {}").format(ident))
            row = None
        if row is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(MARKER)))
            return
    if row[0] != MARKER:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        if tables and tables[0]:
            raise SystemExit(f"database {name} was not created by the benchmark and is not empty")


def _sqlite_marked(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        try:
            row = conn.execute(f"SELECT note FROM {MARKER_TABLE}").fetchone()
        except sqlite3.DatabaseError:
            return False
    return row is not None and row[0] == MARKER


def _sqlite_has_tables(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])


def django_setup(database_url: str) -> None:
    os.environ.update(settings_environment(database_url))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings

    # The pages are measured in process, without ``collectstatic``: plain static URLs (a
    # manifest lookup is a dict access, the same cost).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def vendor() -> str:
    from django.db import connection

    return connection.vendor


# ---------------------------------------------------------------------------------- the data


@dataclass
class EpisodePlan:
    category: str
    days: list[date]
    pathology: str = ""
    notified_on: date | None = None
    agreement: tuple[date, date | None] | None = None
    prescriptions: list[tuple[date, int]] = field(default_factory=list)
    condition: str = ""
    gold_class: str = ""
    referral: tuple[date, str] | None = None


def plan_days(
    rng: random.Random, first: date, last: date, target: int, taken: set[date], wanted: int
) -> list[date]:
    """Pick up to ``wanted`` free weekdays, 2 to 4 days apart, from a random day on."""
    day = first + timedelta(days=rng.randrange((AS_OF - first).days))
    days: list[date] = []
    while len(days) < min(wanted, target) and day <= last:
        if day.weekday() < 5 and day not in taken:
            days.append(day)
            taken.add(day)
        day += timedelta(days=rng.randint(2, 4))
    return days


def plan_patient(
    rng: random.Random, clinic: Clinic, first: date, last: date, target: int
) -> list[EpisodePlan]:
    """Plan one patient's episodes: ``target`` sessions on distinct weekdays between the dates."""
    categories = CATEGORIES if clinic.country == "BE" else NL_CATEGORIES
    sizes = SIZES if clinic.country == "BE" else NL_SIZES
    taken: set[date] = set()
    plans: list[EpisodePlan] = []
    misses = 0
    while target > 0 and misses < 50:
        category = rng.choices([c for c, _ in categories], [w for _, w in categories])[0]
        low, high = sizes[category]
        days = plan_days(rng, first, last, target, taken, rng.randint(low, high))
        if not days:
            misses += 1
            continue
        target -= len(days)
        if clinic.country == "BE":
            plans.append(plan_episode(rng, category, days))
        else:
            plans.append(plan_nl_episode(rng, category, days))
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


def plan_nl_episode(rng: random.Random, category: str, days: list[date]) -> EpisodePlan:
    plan = EpisodePlan(category, days)
    if category == "chronic":
        plan.condition = rng.choice(NL_CONDITIONS)
    elif category == "copd":
        plan.gold_class = rng.choice(("A", "B1", "B2", "C", "D"))
    if category != "regular" and rng.random() < 0.95:
        plan.referral = (
            days[0] - timedelta(days=rng.randint(3, 20)),
            rng.choice(("gp", "specialist")),
        )
    return plan


def generate(clinic: Clinic) -> Practice:
    """Create the clinic's practice, therapists, patients and records (bulk)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from practice.models import (
        AgreementRequest,
        Coverage,
        Episode,
        Patient,
        Practice,
        Prescription,
        Therapist,
    )
    from practice.models import TreatmentSession as Session

    rng = random.Random(clinic.name)
    first, last = date(AS_OF.year - clinic.years + 1, 1, 1), date(AS_OF.year, 12, 31)
    # Named as the clinic only once complete: an interrupted run leaves a clinic that the
    # next run does not reuse.
    practice = Practice.objects.create(name=f"{clinic.name} (incomplete)", country=clinic.country)
    slug = f"{practice.pk}"
    users = [User.objects.create(username=f"bench-{slug}-therapist-{n}") for n in range(8)]
    therapists = [Therapist.objects.create(user=u, practice=practice) for u in users]
    admin = User.objects.create(username=f"bench-{slug}-admin")
    Therapist.objects.create(user=admin, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    began, done, sessions_total = time.perf_counter(), 0, 0
    nl = clinic.country == "NL"
    while done < clinic.patients:
        size = min(CHUNK, clinic.patients - done)
        with transaction.atomic():
            rows = Patient.objects.bulk_create(
                Patient(
                    practice=practice,
                    first_name=f"Patient{done + i}",
                    last_name="Long"
                    if clinic.long_patient and done + i == 0
                    else f"P{done + i:05d}",
                    birth_date=(
                        AS_OF - timedelta(days=rng.randrange(4 * 365, 15 * 365))
                        if nl and rng.random() < 0.1  # children
                        else date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
                    ),
                    preferential=not nl and rng.random() < 0.15,
                )
                for i in range(size)
            )
            plans = []
            for i, patient in enumerate(rows):
                long = clinic.long_patient and done + i == 0
                target = (
                    LONG_HISTORY * clinic.years // 5
                    if long
                    else sum(rng.randint(*SESSIONS_PER_YEAR) for _ in range(clinic.years))
                )
                plans += [
                    (patient, plan) for plan in plan_patient(rng, clinic, first, last, target)
                ]
            episodes = Episode.objects.bulk_create(
                Episode(
                    practice=practice,
                    patient=p,
                    title=f"{plan.category} {n}",
                    category=plan.category,
                    pathology=plan.pathology,
                    notified_on=plan.notified_on,
                    condition=plan.condition,
                    gold_class=plan.gold_class,
                    referral_date=plan.referral[0] if plan.referral else None,
                    referral_by=plan.referral[1] if plan.referral else "",
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
                    price=NL_PRICE if nl else None,
                    **cancelled(rng, day, admin),
                )
                for ep, (_, plan) in zip(episodes, plans, strict=True)
                for day in plan.days
            ]
            Session.objects.bulk_create(new_sessions, batch_size=2_000)
            if nl:
                Coverage.objects.bulk_create(
                    Coverage(
                        patient=p,
                        year=year,
                        insurer="Bench Zorg",
                        package_name=f"{treatments} per year" if treatments else "",
                        treatments=treatments,
                        deductible_remaining=rng.choice((Decimal(0), Decimal("385.00"), None)),
                    )
                    for p in rows
                    for year in range(first.year, AS_OF.year + 1)
                    for treatments in [rng.choice((None, 6, 9, 12, 18, 27))]
                )
        done += size
        sessions_total += len(new_sessions)
        rate = done / (time.perf_counter() - began)
        print(
            f"\r  {clinic.label}: {done:,}/{clinic.patients:,} patients, "
            f"{sessions_total:,} sessions ({rate:,.0f} patients/s)",
            end="",
            flush=True,
        )
    print()
    practice.name = clinic.name
    practice.save(update_fields=["name"])
    return practice


def cancelled(rng: random.Random, day: date, by: Any) -> dict[str, Any]:
    if rng.random() >= 0.02:
        return {}
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - timedelta(days=1)
    return {"cancelled_at": at, "cancelled_by": by, "cancel_reason": "patient ill"}


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would after a bulk load.

    On PostgreSQL also vacuum, as autovacuum does after many inserts (since PostgreSQL 13):
    that sets the visibility map, without which an index-only scan reads each row anyway (the
    selection's probes through ``session_episode_date_used_idx``: 0.21 s without, 0.18 with).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def clinic_practice(clinic: Clinic) -> Practice:
    from practice.models import Practice

    found = Practice.objects.filter(name=clinic.name).first()
    if found is not None:
        return found
    practice = generate(clinic)
    analyze()
    return practice


# ------------------------------------------------------------------------------ measurements


def median_of(runs: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(times) for name, times in runs.items()}


Work = tuple[Callable[[], object] | None, Callable[[], object]]  # (prepare, work)


def server_cpu() -> float:
    """Return the CPU seconds the database server has spent on this connection (0 if unknown).

    PostgreSQL serves each connection from one backend process; on this machine its
    ``/proc/<pid>/stat`` says how much CPU that process used. SQLite runs in this process,
    whose own CPU time already counts it.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine: its CPU is not counted
        return 0.0
    # utime and stime: fields 14 and 15 of proc(5), counted after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interleaved(repeat: int, works: dict[str, Work]) -> tuple[dict[str, float], dict[str, float]]:
    """Run each work once per round, ``repeat`` rounds, each after its untimed ``prepare``.

    Return each one's median seconds of wall-clock time and of CPU time: this process's and,
    for PostgreSQL on this machine, the server's for this connection (``server_cpu``). On a
    busy machine the CPU time is the steadier of the two: waiting for a core is not in it.
    """
    wall: dict[str, list[float]] = {name: [] for name in works}
    cpu: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, (prepare, work) in works.items():
            if prepare is not None:
                prepare()
            began, began_cpu = time.perf_counter(), time.process_time() + server_cpu()
            work()
            cpu[name].append(time.process_time() + server_cpu() - began_cpu)
            wall[name].append(time.perf_counter() - began)
    return median_of(wall), median_of(cpu)


def counted(work: Callable[[], Any]) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = work()
    return result, len(queries.captured_queries)


def consume(items: Iterator[Any]) -> None:
    for _ in items:
        pass


def floor_rows(practice: Practice) -> int:
    """Read, as plain tuples and unsorted, the rows a computation from scratch reads."""
    from practice.models import Coverage, Episode, Patient, Prescription, TreatmentSession
    from reimburse.services import EPISODE_FACT_FIELDS

    patients = Patient.objects.filter(practice=practice).order_by()
    episodes = Episode.objects.filter(patient__practice=practice).order_by()
    rows = len(patients.values_list("pk", "first_name", "last_name", "birth_date", "preferential"))
    rows += len(episodes.values_list("patient_id", "title", *EPISODE_FACT_FIELDS))
    rows += len(
        Prescription.objects.filter(practice=practice)
        .order_by()
        .values_list("episode_id", "pk", "date", "sessions", "second_session_motivated")
    )
    rows += len(
        TreatmentSession.objects.filter(practice=practice, cancelled_at__isnull=True)
        .order_by()
        .values_list("date", "pk", "episode_id", "minutes", "place", "price")
    )
    if practice.country == "NL":
        rows += len(Coverage.objects.filter(patient__practice=practice).order_by().values_list())
    return rows


@dataclass(frozen=True)
class Figures:
    clinic: Clinic
    patients: int
    sessions: int
    warnings: int
    floor_s: float
    facts_s: float  # building every patient's facts from plain rows (practice_cases)
    engine_s: float  # evaluate_known without session outcomes (Needs attention)
    engine_full_s: float  # with session outcomes (patient page, quota API)
    scratch_s: float  # Needs attention from scratch (no stored list)
    scratch_queries: int
    stored_s: float  # the stored lists current, nothing written
    stored_queries: int
    cpu: dict[str, float]  # the same medians in CPU time (this process's and the server's)
    scratch_nojit_s: float | None = None  # PostgreSQL, jit = off
    next_day_s: float | None = None
    next_day_recomputed: int | None = None
    after_writes_s: float | None = None

    def ratio(self, seconds: float) -> str:
        ratio = seconds / self.floor_s
        return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def measure_clinic(
    practice: Practice, clinic: Clinic, repeat: int, *, detailed: bool, profile: bool
) -> Figures:
    """Time the floor, the engine and Needs attention for one clinic (medians, interleaved)."""
    from django.db import connection, transaction

    from practice.models import Episode, Therapist, TreatmentSession
    from practice.services import session_record
    from reimburse import engine
    from reimburse.engine.errors import EngineError
    from reimburse.models import AttentionSnapshot
    from reimburse.selectors import practice_warnings
    from reimburse.services import practice_cases

    def forget() -> None:
        AttentionSnapshot.objects.filter(patient__practice=practice).delete()

    def attention(as_of: date = AS_OF) -> list[Any]:
        return practice_warnings(practice=practice, as_of=as_of)

    cases = [found.case for found in practice_cases(practice=practice, as_of=AS_OF)]

    def evaluate_all(outcomes: bool) -> None:
        for case in cases:
            with contextlib.suppress(EngineError):
                engine.evaluate_known(case, outcomes=outcomes)

    # Warm the caches and the database's pages; count the queries once.
    floor_rows(practice)
    forget()
    rows, scratch_queries = counted(attention)
    _, stored_queries = counted(attention)
    works: dict[str, Work] = {
        "floor": (None, lambda: floor_rows(practice)),
        # One patient's facts at a time, as Needs attention uses them (not all kept at once).
        "facts": (None, lambda: consume(practice_cases(practice=practice, as_of=AS_OF))),
        "engine": (None, lambda: evaluate_all(False)),
        "engine_full": (None, lambda: evaluate_all(True)),
        "scratch": (forget, attention),
        "stored": (None, attention),
    }
    medians, cpu = interleaved(repeat, works)
    extra: dict[str, Any] = {}
    if connection.vendor == "postgresql":
        times, cpu_times = [], []
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        for _ in range(repeat):
            forget()
            began, began_cpu = time.perf_counter(), time.process_time() + server_cpu()
            attention()
            cpu_times.append(time.process_time() + server_cpu() - began_cpu)
            times.append(time.perf_counter() - began)
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
        extra["scratch_nojit_s"] = statistics.median(times)
        cpu["scratch_nojit"] = statistics.median(cpu_times)
    if detailed:
        # The next day, nothing written: only the patients whose list may change by the day
        # are recomputed. Each run starts from every list computed at AS_OF.
        next_day = AS_OF + timedelta(days=1)
        times = []
        for _ in range(repeat):
            forget()
            attention()
            began = time.perf_counter()
            attention(next_day)
            times.append(time.perf_counter() - began)
        extra["next_day_s"] = statistics.median(times)
        extra["next_day_recomputed"] = AttentionSnapshot.objects.filter(
            patient__practice=practice, as_of=next_day
        ).count()
        # WRITES sessions recorded through the services, then read again; rolled back.
        therapist = Therapist.objects.filter(practice=practice).first()
        rng = random.Random(practice.pk)
        episodes = list(Episode.objects.filter(patient__practice=practice).order_by("pk"))
        times = []
        forget()
        with transaction.atomic():
            for _ in range(repeat):
                attention()
                for episode in rng.sample(episodes, min(WRITES, len(episodes))):
                    session_record(
                        episode=episode,
                        date=AS_OF,
                        therapist=therapist,
                        price=NL_PRICE if practice.country == "NL" else None,
                    )
                began = time.perf_counter()
                attention()
                times.append(time.perf_counter() - began)
            transaction.set_rollback(True)
        extra["after_writes_s"] = statistics.median(times)
    forget()
    attention()  # leave the lists current for the pages
    if profile:
        print(f"\n  cProfile of Needs attention from scratch, {clinic.label}, top 25 by own time:")
        forget()
        profiler = cProfile.Profile()
        profiler.runcall(attention)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return Figures(
        clinic=clinic,
        patients=len(cases),
        sessions=TreatmentSession.objects.filter(
            practice=practice, cancelled_at__isnull=True
        ).count(),
        warnings=len(rows),
        floor_s=medians["floor"],
        facts_s=medians["facts"],
        engine_s=medians["engine"],
        engine_full_s=medians["engine_full"],
        scratch_s=medians["scratch"],
        scratch_queries=scratch_queries,
        stored_s=medians["stored"],
        stored_queries=stored_queries,
        cpu=cpu,
        **extra,
    )


def check_against_former(practice: Practice) -> None:
    """Check Needs attention from scratch against the full evaluation of every patient."""
    from reimburse.models import AttentionSnapshot
    from reimburse.selectors import practice_warnings

    AttentionSnapshot.objects.filter(patient__practice=practice).delete()
    if practice_warnings(practice=practice, as_of=AS_OF) != former_practice_warnings(practice):
        raise SystemExit(f"Needs attention differs from the full evaluation ({practice.name})")


def former_practice_warnings(practice: Practice) -> list[Any]:
    """Needs attention as the full evaluation gives it: ``statuses()`` over model instances,
    every patient's whole history, less the warnings naming a session before the cut (1
    January of the year before ``as_of``, the product decision) and less those about what the
    rule tables lack (``TABLE_GAPS``: the page says them once for the practice)."""
    from practice.models import Patient
    from reimburse.attention.horizon import cut_date
    from reimburse.engine.vocabulary import TABLE_GAPS
    from reimburse.explain import params_json
    from reimburse.selectors import PatientWarning
    from reimburse.services import statuses

    cut = cut_date(AS_OF)
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
        for patient, result in statuses(
            patients=Patient.objects.filter(practice=practice), as_of=AS_OF
        )
        for old in [{s.id for s in result.sessions if s.date < cut}]
        for w in result.warnings
        if w.code not in TABLE_GAPS and (w.session is None or w.session not in old)
    ]
    rows.sort(key=lambda row: (*row.urgency, row.patient_name))
    return rows


@dataclass(frozen=True)
class Timing:
    name: str
    requests: int
    median_ms: float
    p95_ms: float
    queries: int
    size: int = 0  # bytes of the last response


def percentile95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timing(name: str, times: list[float], queries: int, size: int = 0) -> Timing:
    return Timing(
        name, len(times), statistics.median(times) * 1000, percentile95(times) * 1000, queries, size
    )


def measure_api_in_process(practice: Practice, requests: int) -> list[Timing]:
    """Time the quota API and a patient's detail through the whole stack, alternately."""
    from rest_framework.test import APIClient

    from practice.models import Patient, Therapist
    from practice.tokens import api_token_create

    admin = Therapist.objects.get(practice=practice, role=Therapist.Role.ADMINISTRATOR).user
    _token, key = api_token_create(practice=practice, name="bench", created_by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    ids = list(Patient.objects.filter(practice=practice).values_list("pk", flat=True))
    rng = random.Random(7)
    chosen = [rng.choice(ids) for _ in range(requests)]
    paths = {
        "quota": lambda pk: f"/api/v1/patients/{pk}/quota?as_of={AS_OF}",
        "patient detail": lambda pk: f"/api/v1/patients/{pk}",
    }
    for pk in chosen[:10]:  # warm up
        for path in paths.values():
            client.get(path(pk), secure=True)
    times: dict[str, list[float]] = {name: [] for name in paths}
    queries = {}
    for n, pk in enumerate(chosen):
        for name, path in paths.items():
            began = time.perf_counter()
            response = client.get(path(pk), secure=True)
            times[name].append(time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{name} answered {response.status_code}: {response.content!r}")
            if n == 0:
                url = path(pk)
                _, queries[name] = counted(partial(client.get, url, secure=True))
    return [timing(name, times[name], queries[name]) for name in paths]


def measure_pages(practice: Practice, repeat: int, *, from_scratch: bool = True) -> list[Timing]:
    """Time the therapists' pages through the Django test client, at ``AS_OF``.

    Needs attention shows a page of rows (the first, and a later one: the whole list is
    ranked for each); the patient page renders its recent years, and an older year is
    measured as the fragment it loads on demand. ``from_scratch=False`` leaves out Needs
    attention without stored lists (the slowest of them by far).
    """
    from unittest import mock

    from django.test import Client
    from django.urls import reverse

    from practice.models import Episode, Patient, Therapist, TreatmentSession
    from reimburse.models import AttentionSnapshot

    therapist = Therapist.objects.filter(practice=practice, role=Therapist.Role.THERAPIST).first()
    assert therapist is not None
    patient = (
        Patient.objects.filter(practice=practice, last_name="Long").first()
        or Patient.objects.filter(practice=practice).first()
    )
    assert patient is not None
    episode = Episode.objects.filter(patient=patient).order_by("-pk").first()
    assert episode is not None
    client = Client()
    client.force_login(therapist.user)
    nl = practice.country == "NL"
    price: dict[str, Any] = {"price": str(NL_PRICE)} if nl else {}
    record: dict[str, Any] = {
        "episode": episode.pk,
        "date": AS_OF.isoformat(),
        "minutes": 30,
        "place": "practice",
    }
    plan: dict[str, Any] = {
        "episode": episode.pk,
        "first": AS_OF.isoformat(),
        "per_week": 2,
        "weeks": 6,
        "minutes": 30,
        "place": "practice",
    }

    # The oldest year of the long history: collapsed on the patient page, loaded on demand.
    oldest = (
        TreatmentSession.objects.filter(episode__patient=patient, cancelled_at__isnull=True)
        .order_by("date", "pk")
        .values_list("episode_id", "date")
        .first()
    )
    assert oldest is not None
    fragment = reverse("practice:session_year", args=[patient.pk, oldest[0], oldest[1].year])
    later = 10  # a later page of Needs attention: the same ranking, other rows

    def forget() -> None:
        AttentionSnapshot.objects.filter(patient__practice=practice).delete()

    pages: dict[str, tuple[Callable[[], None] | None, Callable[[], Any]]] = {
        "Needs attention, from scratch": (forget, lambda: client.get("/", secure=True)),
        "Needs attention, stored lists": (None, lambda: client.get("/", secure=True)),
        f"Needs attention, page {later}": (
            None,
            lambda: client.get("/", {"page": later}, secure=True),
        ),
        "patient page (long history)": (
            None,
            lambda: client.get(f"/patients/{patient.pk}/", secure=True),
        ),
        f"patient page, {oldest[1].year} loaded on demand": (
            None,
            lambda: client.get(fragment, secure=True),
        ),
        "record preview": (
            None,
            lambda: client.post(
                f"/patients/{patient.pk}/sessions/preview/", {**record, **price}, secure=True
            ),
        ),
        "plan ahead": (
            None,
            lambda: client.get(f"/patients/{patient.pk}/plan/", {**plan, **price}, secure=True),
        ),
    }
    if not from_scratch:
        del pages["Needs attention, from scratch"]
    noon = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 11, tzinfo=UTC)
    found = []
    cpu: dict[str, float] = {}  # this process's CPU time: on SQLite all of a page's work
    with mock.patch("django.utils.timezone.now", return_value=noon):
        client.get("/", secure=True)  # the lists current for AS_OF
        for name, (prepare, get) in pages.items():
            times: list[float] = []
            cpu_times: list[float] = []
            response = None
            for _ in range(repeat):
                if prepare:
                    prepare()
                began, began_cpu = time.perf_counter(), time.process_time()
                response = get()
                times.append(time.perf_counter() - began)
                cpu_times.append(time.process_time() - began_cpu)
                if response.status_code != 200:
                    raise SystemExit(f"{name} answered {response.status_code}")
            cpu[name] = statistics.median(cpu_times) * 1000
            if prepare:
                prepare()
            _, queries = counted(get)
            assert response is not None
            found.append(timing(name, times, queries, len(response.content)))
    sessions = patient_sessions(patient)
    print(f"  (the patient page's patient has {sessions:,} sessions)")
    print(
        "  median CPU time of this process, ms (not counting waits for a busy machine's "
        "cores; on PostgreSQL the server's share is left out): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in cpu.items())
    )
    return found


def patient_sessions(patient: Any) -> int:
    from practice.models import TreatmentSession

    return TreatmentSession.objects.filter(episode__patient=patient).count()


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


def measure_locust(
    practice: Practice, database_url: str, users: int, seconds: int, workers: int
) -> list[Latency]:
    """Serve with gunicorn on loopback and run locust headless against two endpoints."""
    from practice.models import Patient, Therapist
    from practice.tokens import api_token_create

    admin = Therapist.objects.get(practice=practice, role=Therapist.Role.ADMINISTRATOR).user
    _token, key = api_token_create(practice=practice, name="bench locust", created_by=admin)
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
            "--preload",  # Django loaded once in the master, as a deployment would
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
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


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    for line in table(headers, rows):
        print(line)


def clinics(args: argparse.Namespace) -> tuple[Clinic, list[Clinic], list[Clinic], Clinic]:
    """The main clinic, the patient-growth series, the history-growth series, the Dutch one."""
    seed = args.seed
    if args.quick:
        sizes, per_year, years, nl = (50, 100, 200), 50, (1, 5, 10), 100
    else:
        sizes, per_year, years, nl = (500, 1_000, args.patients), 500, (1, 5, 10), args.nl_patients
    main = Clinic("BE", sizes[-1], 5, seed, long_patient=True)
    by_size = [Clinic("BE", n, 5, seed) for n in sizes[:-1]] + [main]
    by_years = [Clinic("BE", per_year, y, seed) for y in years]
    return main, by_size, by_years, Clinic("NL", nl, 5, seed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        required=True,
        help="sqlite:////path/file.sqlite3 or postgres://user@host:5432/NAME (created if missing)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and re-create (ours only)")
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument("--patients", type=int, default=5_000, help="the main Belgian clinic")
    parser.add_argument("--nl-patients", type=int, default=1_000, help="the Dutch clinic")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--api-requests", type=int, default=200, help="per API endpoint")
    parser.add_argument("--check", action="store_true", help="check against the full evaluation")
    parser.add_argument("--profile", action="store_true", help="cProfile the main clinic")
    parser.add_argument("--locust", action="store_true", help="also a locust run on loopback")
    parser.add_argument(
        "--scratch-only",
        action="store_true",
        help="only section 1 (the floor, the facts, the engine, from scratch) of the main clinic",
    )
    parser.add_argument("--users", type=int, default=10, help="locust users")
    parser.add_argument("--seconds", type=int, default=30, help="locust run time")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.api_requests = 1, 20
    return args


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    prepare_database(args.database_url, fresh=args.fresh)
    django_setup(args.database_url)
    migrate()
    print(f"database: {args.database_url} ({vendor()}), as_of {AS_OF}, {args.repeat} run(s)")
    main_clinic, by_size, by_years, nl = clinics(args)
    every = list(dict.fromkeys([*by_size, *by_years, nl]))
    if args.scratch_only:
        every = [main_clinic]
    practices = {clinic: clinic_practice(clinic) for clinic in every}
    print(f"data ready after {time.perf_counter() - started:.0f} s")
    if args.check:
        for practice in practices.values():
            check_against_former(practice)
        print("Needs attention from scratch equals the full evaluation for every clinic")

    figures = {
        clinic: measure_clinic(
            practice,
            clinic,
            args.repeat,
            detailed=clinic == main_clinic and not args.scratch_only,
            profile=args.profile and clinic == main_clinic,
        )
        for clinic, practice in practices.items()
    }
    main_figures = figures[main_clinic]

    print(
        "\n1. Needs attention vs the true floor (seconds; ratio to the floor: one plain "
        "values_list of every row a computation from scratch may read, unsorted):"
    )
    headers = ["clinic", "sessions", "floor", "facts", "engine", "engine+outcomes"]
    headers += ["from scratch", "q", "stored lists", "q", "warnings"]
    print_table(
        headers,
        [
            [
                f.clinic.label,
                f"{f.sessions:,}",
                f"{f.floor_s:.3f}",
                f"{f.facts_s:.2f} {f.ratio(f.facts_s)}",
                f"{f.engine_s:.2f} {f.ratio(f.engine_s)}",
                f"{f.engine_full_s:.2f} {f.ratio(f.engine_full_s)}",
                f"{f.scratch_s:.2f} {f.ratio(f.scratch_s)}",
                str(f.scratch_queries),
                f"{f.stored_s:.3f} {f.ratio(f.stored_s)}",
                str(f.stored_queries),
                f"{f.warnings:,}",
            ]
            for f in figures.values()
        ],
    )
    print(
        "  The same in CPU time (SQLite: this process, all of the work; PostgreSQL: this "
        "process and the server's process for its connection), ratio to the floor's:"
    )
    names = ["floor", "facts", "engine", "engine_full", "scratch", "stored"]
    print_table(
        ["clinic", "floor", "facts", "engine", "engine+outcomes", "from scratch", "stored lists"],
        [
            [f.clinic.label, f"{f.cpu['floor']:.3f}"]
            + [f"{f.cpu[n]:.2f} {f.cpu[n] / f.cpu['floor']:.1f}×" for n in names[1:]]
            for f in figures.values()
        ],
    )
    if main_figures.scratch_nojit_s is not None:
        cpu = main_figures.cpu
        print(
            f"  PostgreSQL with jit = off: from scratch {main_figures.scratch_nojit_s:.2f} s "
            f"({main_figures.ratio(main_figures.scratch_nojit_s)}) vs "
            f"{main_figures.scratch_s:.2f} s with the server's setting ({main_clinic.label}); "
            f"CPU {cpu['scratch_nojit']:.2f} s ({cpu['scratch_nojit'] / cpu['floor']:.1f}×) vs "
            f"{cpu['scratch']:.2f} s ({cpu['scratch'] / cpu['floor']:.1f}×)"
        )
    if main_figures.next_day_s is not None and main_figures.after_writes_s is not None:
        print(
            f"  {main_clinic.label}: the next day {main_figures.next_day_s:.3f} s "
            f"({main_figures.next_day_recomputed:,} patients recomputed), after {WRITES} "
            f"sessions recorded {main_figures.after_writes_s:.3f} s"
        )

    if args.scratch_only:
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
        return

    print(
        "\n2. Growth, in CPU time (as above) per session (µs) and per patient (ms); "
        "linear growth keeps them flat (the wall-clock figures above, divided alike, "
        "carry the machine's noise):"
    )
    headers = ["clinic", "patients", "sessions", "floor µs/s", "facts µs/s", "engine µs/s"]
    headers += ["outcomes µs/s", "scratch µs/s", "scratch ms/p", "stored ms/p"]
    print_table(
        headers,
        [
            [f.clinic.label, f"{f.patients:,}", f"{f.sessions:,}"]
            + [
                f"{f.cpu[name] / f.sessions * 1e6:.1f}"
                for name in ("floor", "facts", "engine", "engine_full", "scratch")
            ]
            + [
                f"{f.cpu['scratch'] / f.patients * 1e3:.2f}",
                f"{f.cpu['stored'] / f.patients * 1e3:.3f}",
            ]
            for clinic in dict.fromkeys([*by_size, *by_years, nl])
            for f in [figures[clinic]]
        ],
    )

    print(f"\n3. The quota API next to a patient's detail, in process ({main_clinic.label}):")
    api = measure_api_in_process(practices[main_clinic], args.api_requests)
    print_table(
        ["endpoint", "requests", "median ms", "p95 ms", "queries"],
        [
            [a.name, str(a.requests), f"{a.median_ms:.1f}", f"{a.p95_ms:.1f}", str(a.queries)]
            for a in api
        ],
    )
    quota, detail = api
    print(
        f"  quota / patient detail: median {quota.median_ms / detail.median_ms:.2f}×, "
        f"p95 {quota.p95_ms / detail.p95_ms:.2f}×"
    )
    if args.locust:
        print(
            f"  locust, {args.users} users, {args.seconds} s, gunicorn {args.workers} workers "
            "on loopback:"
        )
        latencies = measure_locust(
            practices[main_clinic], args.database_url, args.users, args.seconds, args.workers
        )
        print_table(
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
        )
        by_name = {lat.name: lat for lat in latencies}
        q, d = by_name.get("quota"), by_name.get("patient detail")
        if q and d and d.median_ms and d.p95_ms:
            print(
                f"  locust quota / patient detail: median {q.median_ms / d.median_ms:.2f}×, "
                f"p95 {q.p95_ms / d.p95_ms:.2f}×"
            )

    for clinic in (main_clinic, nl):
        print(f"\n4. Server time of the therapist pages, test client ({clinic.label}):")
        pages = measure_pages(practices[clinic], args.repeat)
        print_table(
            ["page", "median ms", "max ms", "queries", "KB", f"≤ {PAGE_BUDGET_MS} ms"],
            [
                [
                    p.name,
                    f"{p.median_ms:.0f}",
                    f"{p.p95_ms:.0f}",
                    str(p.queries),
                    f"{p.size / 1024:,.0f}",
                    "yes" if p.median_ms <= PAGE_BUDGET_MS else "no",
                ]
                for p in pages
            ],
        )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
