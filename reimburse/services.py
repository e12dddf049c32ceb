"""The one bridge between stored records and the pure engine.

Rows become engine facts here, the engine is called with an explicit ``as_of``, and the
outcome comes back as engine value types. Nothing else calls the engine with ORM objects.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, DateField, F, Field, Func, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, TruncDate

from practice.models import (
    AgreementRequest,
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
from reimburse.engine.errors import EngineError, RulesNotInForce, UnknownValue
from reimburse.engine.vocabulary import SEVERITY, AgreementStatus, WarningCode
from reimburse.tariffs import loaded_tariffs

# The episode columns the engine reads; ``_episode_facts_from`` takes them as a mapping, so
# model instances and ``values()`` rows become the same facts.
EPISODE_FACT_FIELDS = (
    "pk",
    "category",
    "pathology",
    "notified_on",
    "prior_sessions",
    "first_session_on",
    "condition",
    "term_months",
    "gold_class",
    "gold_stage",
    "prior_treatments",
    "first_treatment_on",
    "referral_date",
    "referral_by",
    "extension",
)


# An episode row as ``practice_cases`` reads it (``episode_rows``): the fact fields from the
# fourth column on.
EPISODE_ROW = ("pk", "patient_id", "title", *EPISODE_FACT_FIELDS[1:])
_FACT_COLUMNS = slice(3, len(EPISODE_ROW))


# The agreement-request columns the engine reads (``_agreement_facts``).
AGREEMENT_FACT_FIELDS = (
    "pk",
    "episode_id",
    "status",
    "decision_id",
    "decision_date",
    "granted_from",
    "granted_until",
    "reason_code",
    "reason_text",
    "created_at",
)


def agreement_requests_in_order() -> QuerySet[AgreementRequest]:
    """The requests the engine reads, in the order it weighs them.

    A request not sent yet is no fact for the fund. The rest come in the order of their
    decisions (then of their creation): where two decisions concern one day, the engine lets the
    last one hold (a refusal followed by a new request's agreement; an extension).
    """
    return (
        AgreementRequest.objects.exclude(status=AgreementRequest.Status.DRAFT)
        .annotate(decided=Coalesce("decision_date", TruncDate("created_at")))
        .order_by("decided", "created_at", "pk")
    )


def _agreement_facts(request: Mapping[str, Any]) -> t.Agreement:
    reason = ": ".join(part for part in (request["reason_code"], request["reason_text"]) if part)
    return t.Agreement(
        start=request["granted_from"],
        until=request["granted_until"],
        status=AgreementStatus(request["status"]),
        decision_id=request["decision_id"],
        reason=reason,
    )


def _episode_facts(episode: Episode) -> t.Episode:
    prescriptions = tuple(
        t.Prescription(
            id=str(rx.pk),
            date=rx.date,
            sessions=rx.sessions,
            second_session_motivated=rx.second_session_motivated,
        )
        for rx in episode.prescriptions.all()
    )
    agreements = tuple(
        _agreement_facts({name: getattr(r, name) for name in AGREEMENT_FACT_FIELDS})
        for r in episode.agreement_requests.all()  # prefetched: agreement_requests_in_order
    )
    fields = {name: getattr(episode, name) for name in EPISODE_FACT_FIELDS}
    return _episode_facts_from(fields, prescriptions, agreements)


def _per_year(value: Mapping[str, Any] | None) -> dict[int, int]:
    """JSON's {"2026": 7} as the engine's {2026: 7} (the services validated it)."""
    return {int(year): int(count) for year, count in (value or {}).items()}


def _episode_facts_from(
    episode: Mapping[str, Any],
    prescriptions: tuple[t.Prescription, ...],
    agreements: tuple[t.Agreement, ...] = (),
) -> t.Episode:
    return _episode_fact_of(
        [episode[name] for name in EPISODE_FACT_FIELDS], prescriptions, agreements
    )


def _episode_fact_of(
    values: Sequence[Any],
    prescriptions: tuple[t.Prescription, ...],
    agreements: tuple[t.Agreement, ...],
) -> t.Episode:
    """The facts of an episode's ``EPISODE_FACT_FIELDS`` values, in that order."""
    (
        pk,
        category,
        pathology,
        notified_on,
        prior_sessions,
        first_session_on,
        condition,
        term_months,
        gold_class,
        gold_stage,
        prior_treatments,
        first_treatment_on,
        referral_date,
        referral_by,
        extension,
    ) = values
    # ``episode_fact`` inlined, as ``_session_facts`` does for sessions: the instance gets its
    # ``__dict__`` whole (a call with sixteen keywords cost more than the fact's own work).
    episode: t.Episode = _new(t.Episode)
    _set(
        episode,
        "__dict__",
        {
            "id": str(pk),
            "category": category,
            "pathology": pathology or None,
            "notified_on": notified_on,
            "agreements": agreements,
            "prescriptions": prescriptions,
            "prior_sessions": _per_year(prior_sessions) if prior_sessions else {},
            "first_session_on": first_session_on,
            "condition": condition or None,
            "term_months": term_months,
            "gold_class": gold_class or None,
            "gold_stage": gold_stage or 2,
            "prior_treatments": prior_treatments,
            "first_treatment_on": first_treatment_on,
            "referral": t.Referral(date=referral_date, by=referral_by)
            if referral_date and referral_by
            else None,
            "extension": extension,
        },
    )
    return episode


# ------------------------------------------------------------------ facts without __init__

# A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``: for the
# half million sessions of a large practice that cost more than reading their rows. These two
# build the same objects (equal, same hash, every field set) by filling the instance's
# ``__dict__`` at once; they name every field without defaults, so that a field added to the
# type breaks ``tests/reimburse/test_fast_facts.py``, not the answers. Only for types without
# ``__post_init__`` (nothing to check).
_new = object.__new__


def session_fact(
    id: str,
    date: date,
    episode: str,
    minutes: int,
    place: str,
    price: Decimal | None,
    conventioned: bool,
    kind: str,
) -> t.Session:
    """Return ``t.Session(...)`` of these values, built without the dataclass ``__init__``."""
    session: t.Session = _new(t.Session)
    session.__dict__.update(
        {
            "id": id,
            "date": date,
            "episode": episode,
            "minutes": minutes,
            "place": place,
            "price": price,
            "conventioned": conventioned,
            "kind": kind,
        }
    )
    return session


def episode_fact(
    *,
    id: str,
    category: str,
    pathology: str | None,
    notified_on: date | None,
    agreements: tuple[t.Agreement, ...],
    prescriptions: tuple[t.Prescription, ...],
    prior_sessions: Mapping[int, int],
    first_session_on: date | None,
    condition: str | None,
    term_months: int | None,
    gold_class: str | None,
    gold_stage: int,
    prior_treatments: int,
    first_treatment_on: date | None,
    referral: t.Referral | None,
    extension: bool,
) -> t.Episode:
    """Return ``t.Episode(...)`` of these values, built without the dataclass ``__init__``."""
    episode: t.Episode = _new(t.Episode)
    episode.__dict__.update(
        id=id,
        category=category,
        pathology=pathology,
        notified_on=notified_on,
        agreements=agreements,
        prescriptions=prescriptions,
        prior_sessions=prior_sessions,
        first_session_on=first_session_on,
        condition=condition,
        term_months=term_months,
        gold_class=gold_class,
        gold_stage=gold_stage,
        prior_treatments=prior_treatments,
        first_treatment_on=first_treatment_on,
        referral=referral,
        extension=extension,
    )
    return episode


# Converted values a column may share between its rows (nothing mutable: a JSON dict is not).
_SHAREABLE = (date, datetime, Decimal, bool, int, float, str, type(None))


class _Converted(dict[Any, Any]):
    """A column's values as the ORM converts them, each distinct raw value converted once."""

    def __init__(self, converters: list[Any], expression: Any, connection: Any) -> None:
        super().__init__()
        self.converters, self.expression, self.connection = converters, expression, connection

    def convert(self, raw: Any) -> Any:
        value = raw
        for converter in self.converters:
            value = converter(value, self.expression, self.connection)
        return value

    def __missing__(self, raw: Any) -> Any:
        value = self.convert(raw)
        if isinstance(value, _SHAREABLE):
            self[raw] = value
        return value


class _Decoded(_Converted):
    """A column whose converted values are only read: shared between rows, even a dict."""

    def __missing__(self, raw: Any) -> Any:
        value = self[raw] = self.convert(raw)
        return value


def plain_rows(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Return the rows of a ``values_list`` query as tuples, as the ORM would convert them.

    The ORM converts every value of every row in Python (SQLite returns dates as text);
    here each distinct value of a column is converted once - a practice's sessions fall on
    a few thousand days - and a column the database returns as is is not touched, so the
    rows cost about what fetching them costs.
    """
    fetched, columns = _fetched_rows(rows)
    return _converted_rows(fetched, columns)


def fetched_date(name: str, vendor: str) -> Any:
    """Return the date column ``name`` for ``values_list``, fetched as the database keeps it.

    Django has SQLite's driver parse every value of a column declared ``date`` in Python
    (a call per row); ``+"date"`` (SQLite's unary plus returns its operand unchanged) is
    no declared column, so the ISO text comes as it is and ``plain_rows`` converts each
    distinct day once. Other databases return dates as dates: the column itself.
    """
    if vendor == "sqlite":
        return Func(F(name), template="+%(expressions)s", output_field=DateField())
    return F(name)


def _fetched_rows(rows: QuerySet[Any]) -> tuple[list[tuple[Any, ...]], dict[int, _Converted]]:
    """Return a ``values_list`` query's rows as the driver gives them, and per column that
    the ORM converts (by position) its conversion."""
    compiler = rows.query.get_compiler(rows.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return [], {}
    with compiler.connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched: list[tuple[Any, ...]] = cursor.fetchall()
    width = compiler.col_count
    if compiler.has_extra_select:
        fetched = [row[:width] for row in fetched]
    converters = compiler.get_converters([s[0] for s in compiler.select[:width]])
    return fetched, {
        position: _Converted(functions, expression, compiler.connection)
        for position, (functions, expression) in converters.items()
    }


def _converted_rows(
    fetched: list[tuple[Any, ...]], columns: Mapping[int, _Converted]
) -> list[tuple[Any, ...]]:
    if not columns:
        return fetched
    converted = []
    for fetched_row in fetched:
        row = list(fetched_row)
        for position, column in columns.items():
            raw = row[position]
            try:
                row[position] = column[raw]
            except TypeError:  # an unhashable raw value (a buffer): converted on its own
                row[position] = column.convert(raw)
        converted.append(tuple(row))
    return converted


def _coverage_facts(coverage: Coverage) -> t.Coverage:
    """Convert a year's coverage row, filling what it leaves open from the catalogue package."""
    package = coverage.package

    def pick(own: object, from_package: object) -> object:
        return own if own is not None else from_package

    treatments = pick(coverage.treatments, package.treatments if package else None)
    budget = pick(coverage.budget, package.budget if package else None)
    carry = pick(coverage.carry_over_max, package.carry_over_max if package else 0)
    sub_limits = (
        {"manual_therapy": package.manual_therapy_limit}
        if package and package.manual_therapy_limit is not None
        else {}
    )
    return t.Coverage(
        year=coverage.year,
        insurer=coverage.insurer or (package.insurer if package else ""),
        package=coverage.package_name or (package.name if package else ""),
        treatments=treatments,  # type: ignore[arg-type]
        budget=budget,  # type: ignore[arg-type]
        carry_over_max=carry or 0,  # type: ignore[arg-type]
        pays_chronic_first_20=bool(package and package.pays_chronic_first_20),
        sub_limits=sub_limits,
        # Euros against a budget, else a count of treatments (the service keeps it whole).
        used_elsewhere=coverage.used_elsewhere
        if budget is not None
        else int(coverage.used_elsewhere),
    )


def tariffs_for(country: str) -> tuple[t.Tariff, ...]:
    """Return the tariff rows the clinic loaded, for a Belgian case (one query), else none."""
    return loaded_tariffs() if country == "BE" else ()


Periods = dict[int, list[tuple[date, date | None]]]


def not_conventioned(practice_id: int, country: str) -> Periods:
    """Return, per therapist of a Belgian practice, the periods they did not adhere to the
    convention (one query; none for a Dutch practice)."""
    if country != Country.BELGIUM:
        return {}
    periods: Periods = defaultdict(list)
    # Filtered on the therapists' practice through a subquery on their ids, unordered: the
    # rows alone (no join with the users the therapists' default ordering names).
    therapists = Therapist.objects.filter(practice_id=practice_id).order_by().values("pk")
    for therapist_id, start, until in (
        ConventionAdherence.objects.filter(therapist_id__in=therapists, adheres=False)
        .order_by()
        .values_list("therapist_id", "valid_from", "valid_until")
    ):
        periods[therapist_id].append((start, until))
    return periods


def _conventioned(periods: Periods, therapist_id: int | None, day: date) -> bool:
    """Tell whether the session's physiotherapist adhered to the convention on ``day``."""
    if therapist_id is None:
        return True
    return not any(
        start <= day and (until is None or day < until)
        for start, until in periods.get(therapist_id, ())
    )


def patient_case(
    *,
    patient: Patient,
    as_of: date,
    tariffs: tuple[t.Tariff, ...] | None = None,
    conventions: Periods | None = None,
) -> t.Case:
    """Build the engine case for a patient whose episodes and coverage are prefetched.

    ``tariffs``, ``conventions``: the loaded tariff rows and the periods the practice's
    therapists did not adhere to the convention, when the caller has read them already.
    """
    if conventions is None:
        conventions = not_conventioned(patient.practice_id, patient.practice.country)
    episodes = list(patient.episodes.all())
    sessions = [
        t.Session(
            id=str(session.pk),
            date=session.date,
            episode=str(episode.pk),
            minutes=session.minutes,
            place=session.place,
            price=session.price,
            conventioned=_conventioned(conventions, session.therapist_id, session.date),
            kind=session.kind,
        )
        for episode in episodes
        for session in episode.sessions.all()
    ]
    # Input position is the tie-breaker within a day: keep the recording order.
    sessions.sort(key=lambda s: (s.date, int(s.id)))
    deductible: dict[int, Decimal] = {
        c.year: c.deductible_remaining
        for c in patient.coverages.all()
        if c.deductible_remaining is not None
    }
    prior_uses = list(patient.prior_uses.all())
    return t.Case(
        country=patient.practice.country,  # type: ignore[arg-type]
        as_of=as_of,
        patient=t.Patient(
            birth_date=patient.birth_date,
            preferential=patient.preferential,
            overflow_elsewhere={u.year: u.overflow for u in prior_uses if u.overflow},
            situations_elsewhere={u.year: u.situations for u in prior_uses if u.situations},
            coverage=tuple(_coverage_facts(c) for c in patient.coverages.all()),
            deductible_remaining=deductible,
        ),
        episodes=tuple(_episode_facts(e) for e in episodes),
        sessions=tuple(sessions),
        tariffs=tariffs_for(patient.practice.country) if tariffs is None else tariffs,
    )


def patients_for_evaluation(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Prefetch everything ``patient_case`` reads, in a fixed number of queries."""
    active_sessions = TreatmentSession.objects.filter(cancelled_at__isnull=True).order_by(
        "date", "id"
    )
    return patients.select_related("practice").prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("prescriptions", queryset=Prescription.objects.order_by("date", "id")),
                Prefetch("sessions", queryset=active_sessions),
                Prefetch("agreement_requests", queryset=agreement_requests_in_order()),
            ),
        ),
        Prefetch("coverages", queryset=Coverage.objects.select_related("package")),
        "prior_uses",
    )


def patient_status(*, patient: Patient, as_of: date) -> t.Result:
    """Return how a stored patient's sessions are reimbursed, with quotas and warnings."""
    loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    return engine.evaluate_known(patient_case(patient=loaded, as_of=as_of))


def patient_status_in(*, practice: Practice, patient_id: int, as_of: date) -> t.Result | None:
    """Return the status of the practice's patient ``patient_id``, or ``None`` if it has none.

    ``patient_status`` from plain rows (``practice_cases``): the patient is read once, with
    their records, and no model instance is built.
    """
    for found in practice_cases(
        practice=practice, as_of=as_of, patients=Patient.objects.filter(pk=patient_id)
    ):
        return engine.evaluate_known(found.case)
    return None


def patient_status_with(
    *, patient: Patient, as_of: date, extra_sessions: Sequence[t.Session]
) -> t.Result:
    """Return a prefetched patient's status as if unsaved sessions were recorded now (what-if).

    They are appended last, so on a day that already has a session a proposed one comes
    second, as it would once saved (a day's stored sessions keep their recording order).
    """
    case = patient_case(patient=patient, as_of=as_of)
    return engine.evaluate_known(replace(case, sessions=(*case.sessions, *extra_sessions)))


def statuses(*, patients: QuerySet[Patient], as_of: date) -> Iterable[tuple[Patient, t.Result]]:
    """Yield each patient with its status, loading all their records in a few queries.

    A patient the rules cannot evaluate gets ``rules_unknown`` alone; the others are unaffected.
    """
    tariffs: dict[str, tuple[t.Tariff, ...]] = {}  # by country: read once for the list
    conventions: dict[int, Periods] = {}  # by practice: read once for the list
    for patient in patients_for_evaluation(patients):
        country = patient.practice.country
        if country not in tariffs:
            tariffs[country] = tariffs_for(country)
        if patient.practice_id not in conventions:
            conventions[patient.practice_id] = not_conventioned(patient.practice_id, country)
        case = patient_case(
            patient=patient,
            as_of=as_of,
            tariffs=tariffs[country],
            conventions=conventions[patient.practice_id],
        )
        try:
            yield patient, engine.evaluate_known(case)
        except EngineError as error:
            yield patient, rules_unknown(case, error)


@dataclass(frozen=True)
class PatientCase:
    """A patient's engine case with the few names a practice-wide list shows beside it."""

    patient_id: int
    patient_name: str  # as ``Patient.__str__``: "last name, first name"
    episode_titles: Mapping[str, str]  # engine episode id → title
    case: t.Case
    # The episodes left unread (``skip``): their facts without sessions or prescriptions.
    unread: tuple[t.Episode, ...] = ()


@dataclass(frozen=True)
class PatientEvaluation:
    """A patient's result with the few names a practice-wide list shows beside it."""

    patient_id: int
    patient_name: str  # as ``Patient.__str__``: "last name, first name"
    episode_titles: Mapping[str, str]  # engine episode id → title
    result: t.Result
    # Needs attention only: the first day its warnings may differ, the records unchanged.
    stable_until: date | None = None


def ids_sql(ids: Collection[int], vendor: str) -> RawSQL:
    """Return a subquery of ``ids`` for ``field__in=``, the ids bound as one parameter.

    Whatever their number: no parameter list without end (SQLite's limit, PostgreSQL's
    parsing), and a selection computed once in Python is not evaluated again by each query
    that uses it.
    """
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [_array_literal(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(sorted(ids))])


def _array_literal(ids: Collection[int]) -> str:
    # An array literal in one text parameter: psycopg dumps a list of ints one by one.
    return "{" + ",".join(map(str, sorted(ids))) + "}"


def not_among(field: str, ids: Collection[int], vendor: str) -> Q | Func:
    """Return a filter keeping the rows whose ``field`` is none of ``ids`` (one parameter).

    On PostgreSQL ``NOT (field = ANY(array))``, an array the server hashes once and tests
    each row the scan reads against; ``exclude(field__in=ids_sql(...))``, a hashed subplan,
    cost 30-40 ms more of the server's CPU on the sessions of 5,000 patients (12,809
    episodes skipped of 25,406).
    """
    if vendor == "postgresql":
        return Func(
            F(field),
            Value(_array_literal(ids)),
            arg_joiner=" = ANY(",
            template="NOT (%(expressions)s::bigint[]))",
            output_field=BooleanField(),
        )
    return ~Q(**{f"{field}__in": ids_sql(ids, vendor)})


def case_from_rows(
    *,
    country: str,
    as_of: date,
    birth_date: date,
    preferential: bool,
    overflow: dict[int, int],
    situations: dict[int, int],
    coverages: Sequence[Coverage],
    episodes: tuple[t.Episode, ...],
    session_rows: Iterable[Sequence[Any]],
    conventions: Periods,
    tariffs: tuple[t.Tariff, ...],
) -> t.Case:
    """Return a patient's engine case from plain rows read for it.

    ``session_rows``: ``(date, pk, episode_id, minutes, place, price, therapist_id, kind)``
    in the order the engine takes them; ``coverages`` with their catalogue package.
    """
    return _case_of(
        country=country,
        as_of=as_of,
        birth_date=birth_date,
        preferential=preferential,
        overflow=overflow,
        situations=situations,
        coverages=coverages,
        episodes=episodes,
        sessions=_session_facts(session_rows, conventions),
        tariffs=tariffs,
    )


def _case_of(
    *,
    country: str,
    as_of: date,
    birth_date: date,
    preferential: bool,
    overflow: dict[int, int],
    situations: dict[int, int],
    coverages: Sequence[Coverage],
    episodes: tuple[t.Episode, ...],
    sessions: tuple[t.Session, ...],
    tariffs: tuple[t.Tariff, ...],
) -> t.Case:
    # ``t.Patient(...)`` and ``t.Case(...)`` with their ``__dict__`` filled at once, as the
    # sessions' facts are: the two keyword calls cost 8 µs a patient, these 2.6 µs.
    # ``tests/reimburse/test_fast_facts.py`` compares the cases with ``patient_case``'s.
    patient: t.Patient = _new(t.Patient)
    _set(
        patient,
        "__dict__",
        {
            "birth_date": birth_date,
            "preferential": preferential,
            "overflow_elsewhere": overflow,
            "situations_elsewhere": situations,
            "coverage": tuple([_coverage_facts(c) for c in coverages]) if coverages else (),
            "deductible_remaining": {
                c.year: c.deductible_remaining
                for c in coverages
                if c.deductible_remaining is not None
            },
        },
    )
    case: t.Case = _new(t.Case)
    _set(
        case,
        "__dict__",
        {
            "country": country,
            "as_of": as_of,
            "patient": patient,
            "episodes": episodes,
            "sessions": sessions,
            "tariffs": tariffs,
        },
    )
    return case


_set = object.__setattr__


def _prescription_fact(id: str, day: date, sessions: int, motivated: bool) -> t.Prescription:
    """Return ``t.Prescription(id, day, sessions, motivated)``, its check included, with its
    ``__dict__`` filled at once (1.4 µs where the call took 2.0)."""
    if sessions <= 0:  # ``t.Prescription.__post_init__``
        raise ValueError("a prescription prescribes at least one session")
    prescription: t.Prescription = _new(t.Prescription)
    _set(
        prescription,
        "__dict__",
        {"id": id, "date": day, "sessions": sessions, "second_session_motivated": motivated},
    )
    return prescription


def _session_facts(
    rows: Iterable[Sequence[Any]],
    conventions: Periods,
    days: Mapping[Any, date] | None = None,
    prices: Mapping[Any, Decimal | None] | None = None,
    *,
    names: Mapping[int, str] | None = None,
    therapists: bool = True,
) -> tuple[t.Session, ...]:
    """Return ``session_fact`` of each of ``case_from_rows``' ``session_rows``.

    ``days``, ``prices``: the conversion of the fetched value of those columns (SQLite's
    text), else they are taken as they are; a minutes, place or kind of None is the usual
    one (``USUAL_SESSION``). ``names``: each episode id's text, if known.
    ``therapists`` false: the rows have no ``therapist_id`` (``(date, pk, episode_id,
    minutes, place, price, kind)``) and every session is conventioned - for a practice none
    of whose therapists ever left the convention. Inlined (a call per session cost a fifth
    of building them): each instance gets its ``__dict__`` whole, as ``session_fact`` fills
    it, a copy of one with every key that is then filled (a dict display of eight keys cost
    a quarter more).
    """
    new, Session, fields = _new, t.Session, _SESSION_FIELDS.copy
    named = _Text() if names is None else names
    facts: list[t.Session] = []
    append = facts.append
    therapist = None
    for row in rows:
        if therapists:
            day, pk, episode, minutes, place, price, therapist, kind = row
        else:
            day, pk, episode, minutes, place, price, kind = row
        if days is not None:
            day = days[day]
        if prices is not None:
            price = prices[price]
        values = fields()
        values["id"] = str(pk)
        values["date"] = day
        values["episode"] = named[episode]
        # None: the usual value, the template's (the columns are never NULL).
        if minutes is not None:
            values["minutes"] = minutes
        if place is not None:
            values["place"] = place
        values["price"] = price
        # Most therapists have no period outside the convention: no scan.
        if therapist in conventions:
            values["conventioned"] = _conventioned(conventions, therapist, day)
        if kind is not None:
            values["kind"] = kind
        session = new(Session)
        _set(session, "__dict__", values)
        append(session)
    return tuple(facts)


# A session's usual minutes, place and kind: the model's defaults. ``practice_cases`` has the
# database send each as NULL when a session has it (``NULLIF``): the driver then makes no
# object for it (a new string a row for the place and the kind), and every such session holds
# the same three objects. The 249,569 sessions of the benchmark's practice on PostgreSQL:
# their read 0.27 -> 0.22 s of CPU (the server's with this process's), their facts 0.137 ->
# 0.122 s; ``practice_cases`` 0.650 -> 0.571 s.
_USUAL_FIELDS = [
    cast("Field[Any, Any]", TreatmentSession._meta.get_field(name))
    for name in ("minutes", "place", "kind")
]
# The plain value, not the choices' member: the engine's facts hold plain text.
USUAL_SESSION: dict[str, Any] = {
    field.name: getattr(field.get_default(), "value", field.get_default())
    for field in _USUAL_FIELDS
}
_UNUSUAL = {
    f"u_{field.name}": NullIf(
        F(field.name), Value(USUAL_SESSION[field.name]), output_field=type(field)()
    )
    for field in _USUAL_FIELDS
}

# ``session_fact``'s keys, in its order; "conventioned" true unless a row says otherwise, the
# usual minutes, place and kind unless it says another.
_SESSION_FIELDS: dict[str, Any] = {
    "id": None,
    "date": None,
    "episode": None,
    "minutes": USUAL_SESSION["minutes"],
    "place": USUAL_SESSION["place"],
    "price": None,
    "conventioned": True,
    "kind": USUAL_SESSION["kind"],
}


class _Text(dict[int, str]):
    """Each id's text, made once."""

    def __missing__(self, key: int) -> str:
        text = self[key] = str(key)
        return text


def _sorts_as_dates(days: Mapping[Any, date], fetched: list[tuple[Any, ...]]) -> bool:
    """Tell whether the fetched values of the first column sort as their dates do.

    SQLite's ISO text ("2025-01-31") does: the rows can be sorted before their dates are
    converted. Checked on the values, as they are distinct, not assumed of the driver.
    """
    raw = sorted({row[0] for row in fetched})
    return all(a < b for a, b in pairwise(days[value] for value in raw))


def practice_cases(
    *,
    practice: Practice,
    as_of: date,
    patients: QuerySet[Patient] | None = None,
    skip: Collection[int] = frozenset(),
    episodes: Sequence[tuple[Any, ...]] | None = None,
) -> Iterator[PatientCase]:
    """Build the engine case of every patient of the practice (or of ``patients``, a subset).

    The same facts as ``patient_case``, read as plain rows with one query per table for the
    whole practice - seven whatever the number of patients - rather than model instances: for
    a practice-wide list, building half a million model instances cost more than the engine
    itself. Patients come in the order of ``patients`` (default: by name). The sessions and
    prescriptions of the episodes in ``skip`` are not read; those episodes come back in
    ``unread``. ``episodes``: the rows of the practice's (or the subset's) episodes as
    ``episode_rows`` gives them, when the caller read them already: not read again.
    """
    chosen = patients if patients is not None else Patient.objects.filter(practice=practice)
    chosen = chosen.filter(practice=practice)
    subset = patients is not None
    people = plain_rows(
        chosen.values_list("pk", "first_name", "last_name", "birth_date", "preferential")
    )

    vendor = connections[chosen.db].vendor
    # A subset is named by the ids just read, bound as one parameter: the subset's query is
    # not compiled into (nor evaluated by) each of the queries below.
    chosen_ids = ids_sql([pk for pk, *_ in people], vendor) if subset else None

    def of_chosen(rows: QuerySet[Any], path: str) -> QuerySet[Any]:
        # The whole practice: its own index; a subset: its ids, never a long IN list.
        return rows.filter(**{f"{path}__in": chosen_ids}) if subset else rows

    session_rows = TreatmentSession.objects.filter(practice=practice, cancelled_at__isnull=True)

    # The agreements of every episode, read ones and unread ones alike (horizon weighs both).
    agreements_of: defaultdict[int, list[t.Agreement]] = defaultdict(list)
    request_rows = agreement_requests_in_order().filter(practice=practice)
    for request in plain_rows(
        of_chosen(request_rows, "episode__patient").values_list(*AGREEMENT_FACT_FIELDS)
    ):
        agreements_of[request[1]].append(
            _agreement_facts(dict(zip(AGREEMENT_FACT_FIELDS, request, strict=True)))
        )

    # Rows stay plain tuples until their patient's case is built: objects made for every
    # patient at once would outlive many garbage collections, each visiting all of them.
    prescriptions_of: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rx_rows = Prescription.objects.filter(practice=practice).order_by("date", "pk")
    if skip:
        rx_rows = rx_rows.filter(not_among("episode_id", skip, vendor))
    for prescription in plain_rows(
        of_chosen(rx_rows, "episode__patient")
        .annotate(day=fetched_date("date", vendor))
        .values_list("episode_id", "pk", "day", "sessions", "second_session_motivated")
    ):
        prescriptions_of[prescription[0]].append(prescription)

    episodes_of: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    unread_of: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    patient_of_episode: dict[int, int] = {}
    if episodes is None:
        episodes = episode_rows(
            of_chosen(Episode.objects.filter(patient__practice=practice), "patient")
        )
    for episode in episodes:
        pk, patient_id = episode[0], episode[1]
        if pk in skip:
            unread_of[patient_id].append(episode)
        else:
            episodes_of[patient_id].append(episode)
            patient_of_episode[pk] = patient_id
    names = {pk: str(pk) for pk in patient_of_episode}  # the engine's episode ids

    if skip and vendor == "sqlite":
        # Through the episodes that are read (index ``session_episode_date_idx``): SQLite
        # took 0.41 s of CPU to leave the skipped ones out of the practice's 500,000
        # sessions, 0.33 s to read these 250,000 (5,000 patients). PostgreSQL scans the table
        # faster than it probes the index 12,000 times (0.28 against 0.31 s).
        session_rows = session_rows.filter(episode__in=ids_sql(patient_of_episode, vendor))
    elif skip:
        session_rows = session_rows.filter(not_among("episode_id", skip, vendor))
    # A session's therapist matters only if one of the practice's left the convention for a
    # while: else the column is not read (0.03-0.04 s of CPU, the server's with this
    # process's, of the 250,000 sessions' 0.65 s on PostgreSQL).
    conventions = not_conventioned(practice.pk, practice.country)
    therapist = ("therapist_id",) if conventions else ()
    # The sessions stay as fetched until their facts are built: their date and price are
    # converted there (SQLite's text), not in a pass of their own. Their usual minutes, place
    # and kind come as NULL (``USUAL_SESSION``): the driver makes no object of a NULL.
    fetched, columns = _fetched_rows(
        of_chosen(session_rows.order_by(), "episode__patient")
        .annotate(day=fetched_date("date", vendor), **_UNUSUAL)
        .values_list(
            "day", "pk", "episode_id", "u_minutes", "u_place", "price", *therapist, "u_kind"
        )
    )
    days, prices = columns.pop(0, None), columns.pop(5, None)
    # An expression's integer column gets ``int()`` a row (0.03 s here): the drivers return
    # a smallint as an int already.
    columns.pop(3, None)
    if days is not None and not _sorts_as_dates(days, fetched):
        columns[0], days = days, None
    fetched = _converted_rows(fetched, columns)  # any other column a driver leaves raw
    sessions_of: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for session in fetched:
        owner = patient_of_episode.get(session[2])
        if owner is not None:  # else its episode was written after the episodes were read
            sessions_of[owner].append(session)

    coverages_of: defaultdict[int, list[Coverage]] = defaultdict(list)
    coverage_rows = Coverage.objects.filter(patient__practice=practice).select_related("package")
    for coverage in of_chosen(coverage_rows, "patient"):
        coverages_of[coverage.patient_id].append(coverage)

    tariffs = tariffs_for(practice.country)
    overflow_of: defaultdict[int, dict[int, int]] = defaultdict(dict)
    situations_of: defaultdict[int, dict[int, int]] = defaultdict(dict)
    prior_rows = PriorUse.objects.filter(patient__practice=practice)
    for patient_id, year, overflow, situations in plain_rows(
        of_chosen(prior_rows, "patient").values_list("patient_id", "year", "overflow", "situations")
    ):
        if overflow:
            overflow_of[patient_id][year] = overflow
        if situations:
            situations_of[patient_id][year] = situations

    def episode_facts(row: tuple[Any, ...], read: bool) -> t.Episode:
        pk = row[0]
        prescriptions = (
            tuple(
                [
                    _prescription_fact(str(rx), day, sessions, motivated)
                    for _, rx, day, sessions, motivated in prescriptions_of.get(pk, ())
                ]
            )
            if read
            else ()
        )
        # The row is (pk, patient_id, title, the other fact fields in their order, and any
        # columns the caller added).
        values = (pk, *row[_FACT_COLUMNS])
        return _episode_fact_of(values, prescriptions, tuple(agreements_of.get(pk, ())))

    for pk, first_name, last_name, birth_date, preferential in people:
        episodes = episodes_of.get(pk, [])
        # Input position is the tie-breaker within a day: keep the recording order. A row
        # starts with (date, pk), and pk is unique: plain tuple order is (date, pk) order.
        rows = sessions_of.get(pk, [])
        rows.sort()
        case = _case_of(
            country=practice.country,
            as_of=as_of,
            birth_date=birth_date,
            preferential=preferential,
            overflow=overflow_of.get(pk, {}),
            situations=situations_of.get(pk, {}),
            coverages=coverages_of.get(pk, []),
            episodes=tuple([episode_facts(row, read=True) for row in episodes]),
            sessions=_session_facts(
                rows, conventions, days, prices, names=names, therapists=bool(conventions)
            ),
            tariffs=tariffs,
        )
        yield PatientCase(
            patient_id=pk,
            patient_name=f"{last_name}, {first_name}",
            episode_titles={names[row[0]]: row[2] for row in episodes},
            case=case,
            unread=tuple([episode_facts(row, read=False) for row in unread_of.get(pk, ())]),
        )


def episode_rows(episodes: QuerySet[Episode], *extra: str) -> list[tuple[Any, ...]]:
    """Return the rows ``practice_cases`` reads of ``episodes``, in the order it takes them.

    Each row is ``EPISODE_ROW`` converted as the ORM would, then the ``extra`` columns (the
    queryset's annotations): a caller that decides something from the episodes first reads
    them once, in one query, for both.
    """
    fetched, columns = _fetched_rows(
        episodes.order_by("created_at", "pk").values_list(*EPISODE_ROW, *extra)
    )
    # ``prior_sessions`` is only read, into each fact's own dict (``_per_year``): its JSON is
    # decoded once per distinct text (nearly all "{}"), not once per episode.
    at = EPISODE_ROW.index("prior_sessions")
    if at in columns:
        column = columns[at]
        columns[at] = _Decoded(column.converters, column.expression, column.connection)
    return _converted_rows(fetched, columns)


def practice_evaluations(
    *, practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> Iterator[PatientEvaluation]:
    """Evaluate every patient of the practice (or of ``patients``) over their whole history.

    Sessions on dates no rule covers are left out with a ``rules_unknown`` warning, as on
    every screen (``engine.evaluate_known``); a patient the rules cannot evaluate otherwise
    gets ``rules_unknown`` alone (``rules_unknown``), and the others are unaffected.
    """
    for found in practice_cases(practice=practice, as_of=as_of, patients=patients):
        try:
            result = engine.evaluate_known(found.case)
        except EngineError as error:
            result = rules_unknown(found.case, error)
        yield PatientEvaluation(found.patient_id, found.patient_name, found.episode_titles, result)


def rules_unknown(case: t.Case, error: EngineError) -> t.Result:
    """Return the result of a case the rules cannot evaluate: one blocking warning, why."""
    code = WarningCode.RULES_UNKNOWN
    warning = t.Warning(code, SEVERITY[code], params=error_params(error))
    return t.Result(case.country, case.as_of, (), (), (), (warning,))


def error_params(error: EngineError) -> dict[str, object]:
    """Say what the rules could not read, as a warning's parameters (no sentence)."""
    if isinstance(error, RulesNotInForce):
        return {"problem": "date", "date": error.day}
    if isinstance(error, UnknownValue):
        return {"problem": error.kind, "value": str(error.value), "where": error.owner}
    return {"problem": "records"}
