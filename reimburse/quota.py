"""One patient's status for the quota API, read in statements compiled once per connection.

The same facts as ``services.practice_cases`` for one patient (``tests/api/test_quota_reads.py``
compares them), read as plain rows. What differs is the cost of asking: the quota API reads
one patient of about a hundred sessions, for which building and compiling nine ORM queries
cost more than reading the rows, evaluating them and writing the answer together. Here each
query is written once with the ORM, compiled to SQL the first time a database connection
needs it, and then only executed with the patient's and the practice's ids, its values
converted by Django's own converters (dates and decimals on SQLite come out as Django gives
them). On PostgreSQL the nine are sent in one query string, one round trip (``_Batch``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from practice.models import (
    ConventionAdherence,
    Country,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from reimburse import engine
from reimburse.engine import types as t
from reimburse.models import InsurerPackage, LoadedTariff
from reimburse.services import (
    AGREEMENT_FACT_FIELDS,
    EPISODE_FACT_FIELDS,
    Periods,
    _agreement_facts,
    _episode_facts_from,
    agreement_requests_in_order,
    case_from_rows,
)

# Stand-ins for the ids while a query is compiled; the compiled parameters that equal one of
# them are the slots each execution fills. Inside the range of a 32-bit id column, so the ORM
# compiles a plain comparison.
_PATIENT = 2_113_000_001
_PRACTICE = 2_113_000_002

COVERAGE_FIELDS = (
    "year",
    "insurer",
    "package_name",
    "treatments",
    "budget",
    "carry_over_max",
    "deductible_remaining",
    "used_elsewhere",
    "package_id",
)
PACKAGE_FIELDS = (
    "insurer",
    "name",
    "treatments",
    "budget",
    "carry_over_max",
    "pays_chronic_first_20",
    "manual_therapy_limit",
)


def _queries() -> dict[str, QuerySet[Any]]:
    """The queries of one patient, as ``practice_cases`` asks them of a subset of one."""
    practice, patient = _PRACTICE, _PATIENT
    return {
        "patient": Patient.objects.filter(pk=patient, practice_id=practice)
        .order_by()
        .values_list("birth_date", "preferential"),
        # The patient is the practice's (the query above): their rows need no join to it.
        "episodes": Episode.objects.filter(patient_id=patient)
        .order_by("created_at", "pk")
        .values_list(*EPISODE_FACT_FIELDS),
        "agreements": agreement_requests_in_order()
        .filter(practice_id=practice, episode__patient_id=patient)
        .values_list(*AGREEMENT_FACT_FIELDS),
        "prescriptions": Prescription.objects.filter(
            practice_id=practice, episode__patient_id=patient
        )
        .order_by("date", "pk")
        .values_list("episode_id", "pk", "date", "sessions", "second_session_motivated"),
        "sessions": TreatmentSession.objects.filter(
            practice_id=practice, episode__patient_id=patient, cancelled_at__isnull=True
        )
        .order_by()
        .values_list(
            "date", "pk", "episode_id", "minutes", "place", "price", "therapist_id", "kind"
        ),
        # One patient: their coverage in the model's order (patient, then newest year first).
        "coverage": Coverage.objects.filter(patient_id=patient)
        .order_by("-year")
        .values_list(*COVERAGE_FIELDS, *(f"package__{name}" for name in PACKAGE_FIELDS)),
        "prior_uses": PriorUse.objects.filter(patient_id=patient)
        .order_by("-year")
        .values_list("year", "overflow", "situations"),
        # Belgium: the tariff rows the clinic loaded (``tariffs.loaded_tariffs``) and the
        # periods the practice's therapists did not adhere to the convention
        # (``services.not_conventioned``).
        "tariffs": LoadedTariff.objects.order_by("code", "valid_from").values_list(
            "code", "fee", "insurer", "insurer_preferential", "valid_from", "valid_until", "source"
        ),
        "conventions": ConventionAdherence.objects.filter(
            therapist_id__in=Therapist.objects.filter(practice_id=practice).order_by().values("pk"),
            adheres=False,
        )
        .order_by()
        .values_list("therapist_id", "valid_from", "valid_until"),
    }


Converters = dict[int, tuple[list[Callable[..., Any]], Any]]


@dataclass(frozen=True)
class _Statement:
    """A compiled query: its SQL, where the ids go, and its columns' converters."""

    sql: str
    params: tuple[Any, ...]  # constants, and the stand-ins of the ids
    compiler: SQLCompiler
    converters: Converters

    def rows(self, cursor: CursorWrapper, ids: Mapping[int, int]) -> list[Any]:
        """Run the statement with ``ids`` (stand-in → id) and return its converted rows."""
        cursor.execute(self.sql, _bound(self.params, ids))
        return self.converted(cursor.fetchall())

    def converted(self, rows: list[Any]) -> list[Any]:
        if not self.converters:
            return rows
        return list(self.compiler.apply_converters(rows, self.converters))


def _bound(params: Sequence[Any], ids: Mapping[int, int]) -> list[Any]:
    return [ids.get(value, value) if type(value) is int else value for value in params]


@dataclass(frozen=True)
class _Batch:
    """Statements sent together, in one round trip: PostgreSQL's simple query protocol.

    On PostgreSQL each statement cost its round trip as much as its work (about 0.1 ms of the
    server's CPU and 0.08 ms of ours for the smallest), so the nine are sent as one query
    string, their parameters bound by psycopg's client-side-binding cursor (Django's default),
    and their results read one after the other (``nextset``). As before, each statement reads
    what was committed when it starts.
    """

    names: tuple[str, ...]
    sql: str
    params: tuple[Any, ...]

    def rows(
        self, cursor: CursorWrapper, ids: Mapping[int, int], statements: Mapping[str, _Statement]
    ) -> dict[str, list[Any]]:
        """Run the statements with ``ids`` and return each one's converted rows by name."""
        cursor.execute(self.sql, _bound(self.params, ids))
        found: dict[str, list[Any]] = {}
        for index, name in enumerate(self.names):
            if index:
                cursor.nextset()
            found[name] = statements[name].converted(cursor.fetchall())
        return found


def _batch(statements: Mapping[str, _Statement], names: Sequence[str]) -> _Batch:
    return _Batch(
        tuple(names),
        ";\n".join(statements[name].sql for name in names),
        tuple(param for name in names for param in statements[name].params),
    )


# The statements a Dutch practice's patient needs: no tariff tables, no convention periods.
_BELGIAN_ONLY = ("tariffs", "conventions")


def _compile(queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> _Statement:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    # ``values_list`` of plain columns: the rows are the columns asked, in their order.
    assert len(compiler.select) == compiler.col_count
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return _Statement(sql, tuple(params), compiler, converters)


# Per connection (one a thread and database): its compiled statements, built on first use,
# for the current time zone (the agreements' order truncates a time to a date in it). Kept on
# the connection object itself: a statement's compiler refers to its connection, so a cache
# beside it (even weakly keyed) would keep every finished thread's connection alive.
_STATEMENTS = "_reimburse_quota_statements"


@dataclass(frozen=True)
class _Compiled:
    """A connection's statements by name, and on PostgreSQL their batches by country."""

    statements: dict[str, _Statement]
    batches: dict[bool, _Batch] | None  # by "the practice is Belgian"


def _statements(connection: BaseDatabaseWrapper) -> _Compiled:
    zone = timezone.get_current_timezone_name()
    by_zone: dict[str, _Compiled] | None = getattr(connection, _STATEMENTS, None)
    if by_zone is None:
        by_zone = {}
        setattr(connection, _STATEMENTS, by_zone)
    found = by_zone.get(zone)
    if found is None:
        statements = {name: _compile(query, connection) for name, query in _queries().items()}
        batches = None
        if connection.vendor == "postgresql":
            batches = {
                belgian: _batch(
                    statements,
                    [name for name in statements if belgian or name not in _BELGIAN_ONLY],
                )
                for belgian in (True, False)
            }
        found = by_zone[zone] = _Compiled(statements, batches)
    return found


def _sends_batches(cursor: CursorWrapper) -> bool:
    """Tell whether the cursor binds parameters itself (psycopg's ``ClientCursor``, Django's
    default on PostgreSQL), so one query string may hold several statements."""
    from psycopg import ClientCursor

    return isinstance(cursor.cursor, ClientCursor)


# The range of a primary key (a signed 64-bit integer on both databases).
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


def patient_quota_case(*, practice: Practice, patient_id: int, as_of: date) -> t.Case | None:
    """Return the engine case of the practice's patient ``patient_id``, or ``None``.

    Equal to the case ``services.practice_cases`` builds for that patient.
    """
    if not _ID_MIN <= patient_id <= _ID_MAX:
        # No such row; the driver (SQLite's) would refuse to bind it rather than find none.
        return None
    connection = connections[Patient.objects.db]
    compiled = _statements(connection)
    statements = compiled.statements
    ids = {_PRACTICE: practice.pk, _PATIENT: patient_id}
    with connection.cursor() as cursor:  # one cursor for all the statements
        if compiled.batches is not None and _sends_batches(cursor):
            batch = compiled.batches[practice.country == Country.BELGIUM]
            found = batch.rows(cursor, ids, statements)
            return _case(found.__getitem__, practice, as_of)
        return _case(lambda name: statements[name].rows(cursor, ids), practice, as_of)


def _case(rows: Callable[[str], list[Any]], practice: Practice, as_of: date) -> t.Case | None:
    found = rows("patient")
    if not found:
        return None
    ((birth_date, preferential),) = found

    episode_rows = [dict(zip(EPISODE_FACT_FIELDS, row, strict=True)) for row in rows("episodes")]
    read = {row["pk"] for row in episode_rows}
    agreements_of: defaultdict[int, list[t.Agreement]] = defaultdict(list)
    for row in rows("agreements"):
        request = dict(zip(AGREEMENT_FACT_FIELDS, row, strict=True))
        agreements_of[request["episode_id"]].append(_agreement_facts(request))
    prescriptions_of: defaultdict[int, list[t.Prescription]] = defaultdict(list)
    for episode_id, pk, day, sessions, motivated in rows("prescriptions"):
        prescriptions_of[episode_id].append(t.Prescription(str(pk), day, sessions, motivated))
    # A session of an episode written after the episodes were read waits for the next read.
    # A row starts with (date, pk), and pk is unique: plain tuple order is (date, pk) order,
    # the recording order within a day.
    session_rows = sorted(row for row in rows("sessions") if row[2] in read)
    coverages = [_coverage(row) for row in rows("coverage")]
    overflow: dict[int, int] = {}
    situations: dict[int, int] = {}
    for year, overflow_count, situation_count in rows("prior_uses"):
        if overflow_count:
            overflow[year] = overflow_count
        if situation_count:
            situations[year] = situation_count
    belgian = practice.country == Country.BELGIUM
    tariffs = tuple(t.Tariff(*row) for row in rows("tariffs")) if belgian else ()
    conventions: Periods = defaultdict(list)
    for therapist_id, start, until in rows("conventions") if belgian else ():
        conventions[therapist_id].append((start, until))

    return case_from_rows(
        country=practice.country,
        as_of=as_of,
        birth_date=birth_date,
        preferential=preferential,
        overflow=overflow,
        situations=situations,
        coverages=coverages,
        episodes=tuple(
            _episode_facts_from(
                row,
                tuple(prescriptions_of.get(row["pk"], ())),
                tuple(agreements_of.get(row["pk"], ())),
            )
            for row in episode_rows
        ),
        session_rows=session_rows,
        conventions=conventions,
        tariffs=tariffs,
    )


def _coverage(row: Sequence[Any]) -> Coverage:
    """An unsaved ``Coverage`` with its catalogue package, for ``services._coverage_facts``."""
    own = dict(zip(COVERAGE_FIELDS, row, strict=False))
    package_values = dict(zip(PACKAGE_FIELDS, row[len(COVERAGE_FIELDS) :], strict=True))
    package = InsurerPackage(pk=own["package_id"], **package_values) if own["package_id"] else None
    return Coverage(
        **{name: value for name, value in own.items() if name != "package_id"}, package=package
    )


def patient_quota(*, practice: Practice, patient_id: int, as_of: date) -> t.Result | None:
    """Return the status of the practice's patient ``patient_id``, or ``None`` if it has none.

    ``services.patient_status_in``, read in statements compiled once per connection.
    """
    case = patient_quota_case(practice=practice, patient_id=patient_id, as_of=as_of)
    return None if case is None else engine.evaluate_known(case)
