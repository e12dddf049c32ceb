"""The one bridge between stored records and the pure engine.

Rows become engine facts here, the engine is called with an explicit ``as_of``, and the
outcome comes back as engine value types. Nothing else calls the engine with ORM objects.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value

from practice.models import (
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    TreatmentSession,
)
from reimburse import engine
from reimburse.engine import belgium, history
from reimburse.engine import types as t
from reimburse.engine.errors import EngineError
from reimburse.models import AttentionSnapshot

# The episode columns the engine reads; ``_episode_facts_from`` takes them as a mapping, so
# model instances and ``values()`` rows become the same facts.
EPISODE_FACT_FIELDS = (
    "pk",
    "category",
    "pathology",
    "notified_on",
    "agreement_from",
    "agreement_until",
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
    fields = {name: getattr(episode, name) for name in EPISODE_FACT_FIELDS}
    return _episode_facts_from(fields, prescriptions)


def _episode_facts_from(
    episode: Mapping[str, Any], prescriptions: tuple[t.Prescription, ...]
) -> t.Episode:
    agreement = (
        t.Agreement(start=episode["agreement_from"], until=episode["agreement_until"])
        if episode["agreement_from"]
        else None
    )
    referral = (
        t.Referral(date=episode["referral_date"], by=episode["referral_by"])
        if episode["referral_date"] and episode["referral_by"]
        else None
    )
    return t.Episode(
        id=str(episode["pk"]),
        category=episode["category"],
        pathology=episode["pathology"] or None,
        notified_on=episode["notified_on"],
        agreement=agreement,
        prescriptions=prescriptions,
        condition=episode["condition"] or None,
        term_months=episode["term_months"],
        gold_class=episode["gold_class"] or None,
        gold_stage=episode["gold_stage"] or 2,
        prior_treatments=episode["prior_treatments"],
        first_treatment_on=episode["first_treatment_on"],
        referral=referral,
        extension=episode["extension"],
    )


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
    )


def patient_case(*, patient: Patient, as_of: date) -> t.Case:
    """Build the engine case for a patient whose episodes and coverage are prefetched."""
    episodes = list(patient.episodes.all())
    sessions = [
        t.Session(
            id=str(session.pk),
            date=session.date,
            episode=str(episode.pk),
            minutes=session.minutes,
            place=session.place,
            price=session.price,
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
    return t.Case(
        country=patient.practice.country,  # type: ignore[arg-type]
        as_of=as_of,
        patient=t.Patient(
            birth_date=patient.birth_date,
            preferential=patient.preferential,
            coverage=tuple(_coverage_facts(c) for c in patient.coverages.all()),
            deductible_remaining=deductible,
        ),
        episodes=tuple(_episode_facts(e) for e in episodes),
        sessions=tuple(sessions),
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
            ),
        ),
        Prefetch("coverages", queryset=Coverage.objects.select_related("package")),
    )


def patient_status(*, patient: Patient, as_of: date) -> t.Result:
    """Return how a stored patient's sessions are reimbursed, with quotas and warnings."""
    loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    return engine.evaluate_known(patient_case(patient=loaded, as_of=as_of))


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
    """Yield each patient with its status, loading all their records in a few queries."""
    for patient in patients_for_evaluation(patients):
        yield patient, engine.evaluate_known(patient_case(patient=patient, as_of=as_of))


@dataclass(frozen=True)
class PatientEvaluation:
    """A patient's result with the few names a practice-wide list shows beside it."""

    patient_id: int
    patient_name: str  # as ``Patient.__str__``: "last name, first name"
    episode_titles: Mapping[str, str]  # engine episode id → title
    result: t.Result
    # With ``actionable_only``: the first day its warnings may differ, the records unchanged
    # (``engine.history.stable_until``).
    stable_until: date | None = None


def practice_evaluations(
    *,
    practice: Practice,
    as_of: date,
    patients: QuerySet[Patient] | None = None,
    actionable_only: bool = False,
) -> Iterator[PatientEvaluation]:
    """Evaluate every patient of the practice (or of ``patients``, a subset of it) as of a day.

    The same facts as ``patient_case``, read as plain rows with one query per table for the
    whole practice — five or six queries whatever the number of patients — rather than model
    instances: for a practice-wide list, building half a million model instances cost more
    than the engine itself. Patients come in the order of ``patients`` (default: by name).

    With ``actionable_only`` (Needs attention) the result holds only what the practice can
    still act on: no warning naming a session before 1 January of the year before ``as_of``,
    no quota of an episode that lies wholly before it and cannot warn (``engine.history``),
    and no session outcomes (``sessions`` is empty); every other warning and pool is what the
    full evaluation gives. For a Belgian practice the episodes ``engine.history.unloaded``
    leaves out are not even read (``_unread_episodes``, one more query).

    Sessions on dates no rule covers are left out with a ``rules_unknown`` warning, as on
    every screen (``engine.evaluate_known``). A patient whose records the rules cannot
    evaluate otherwise (an unknown category or episode, an uncovered date that is no
    session's) gets a result with no sessions, quotas or pools and one blocking
    ``rules_unknown`` warning giving the engine's reason; the others are unaffected.
    """
    chosen = patients if patients is not None else Patient.objects.filter(practice=practice)
    chosen = chosen.filter(practice=practice)
    subset = patients is not None
    people = list(chosen.values_list("pk", "first_name", "last_name", "birth_date", "preferential"))

    def of_chosen(rows: QuerySet[Any], path: str) -> QuerySet[Any]:
        # The whole practice: its own index; a subset: a semi-join, never a long IN list.
        return rows.filter(**{f"{path}__in": chosen.values("pk")}) if subset else rows

    # Needs attention never reads the sessions of the episodes ``engine.history.unloaded``
    # leaves out: the episode rows say which they are (``unread``), and the sessions of the
    # others are read through their episode (index ``session_episode_date_idx``).
    episode_rows = Episode.objects.filter(patient__practice=practice).order_by("created_at", "pk")
    session_rows = TreatmentSession.objects.filter(practice=practice, cancelled_at__isnull=True)
    if actionable_only and practice.country == "BE":
        unread = _unread_episodes(practice, as_of, chosen if subset else None).values("pk")
        episode_rows = episode_rows.annotate(unread=Q(pk__in=unread))
        session_rows = session_rows.filter(
            episode__in=Episode.objects.filter(patient__practice=practice)
            .exclude(pk__in=unread)
            .order_by()
            .values("pk")
        )
    else:
        episode_rows = episode_rows.annotate(unread=Value(False))

    episodes_of: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    unread_of: defaultdict[int, list[t.Episode]] = defaultdict(list)
    unread_ids: set[int] = set()
    for row in of_chosen(episode_rows, "patient").values(
        "patient_id", "title", "unread", *EPISODE_FACT_FIELDS
    ):
        if row["unread"]:
            unread_ids.add(row["pk"])
            unread_of[row["patient_id"]].append(_episode_facts_from(row, ()))
        else:
            episodes_of[row["patient_id"]].append(row)

    prescriptions_of: defaultdict[int, list[t.Prescription]] = defaultdict(list)
    rx_rows = Prescription.objects.filter(practice=practice).order_by("date", "pk")
    for episode_id, pk, day, sessions, motivated in of_chosen(
        rx_rows, "episode__patient"
    ).values_list("episode_id", "pk", "date", "sessions", "second_session_motivated"):
        if episode_id not in unread_ids:
            prescriptions_of[episode_id].append(t.Prescription(str(pk), day, sessions, motivated))

    patient_of_episode = {
        row["pk"]: patient_id for patient_id, rows in episodes_of.items() for row in rows
    }
    sessions_of: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in of_chosen(session_rows.order_by(), "episode__patient").values_list(
        "date", "pk", "episode_id", "minutes", "place", "price"
    ):
        owner = patient_of_episode.get(row[2])
        if owner is not None:  # else its episode was written after the episodes were read
            sessions_of[owner].append(row)

    coverages_of: defaultdict[int, list[Coverage]] = defaultdict(list)
    coverage_rows = Coverage.objects.filter(patient__practice=practice).select_related("package")
    for coverage in of_chosen(coverage_rows, "patient"):
        coverages_of[coverage.patient_id].append(coverage)

    def evaluate(case: t.Case, unread: Sequence[t.Episode]) -> tuple[t.Result, date | None]:
        try:
            if actionable_only:
                relevant = history.relevant_case(case)
                # Needs attention shows warnings only: no session outcomes are built.
                result = engine.evaluate_known(relevant, outcomes=False)
                result = history.actionable(result, relevant)
                return result, history.stable_until(case, result, unread)
            return engine.evaluate_known(case), None
        except EngineError as error:  # RulesNotInForce not a session's, UnknownCategory…
            # Needs attention tries it again the next day: the rules may cover that day.
            tomorrow = case.as_of + timedelta(days=1)
            return _rules_unknown(case, error), tomorrow if actionable_only else None

    for pk, first_name, last_name, birth_date, preferential in people:
        episodes = episodes_of.get(pk, [])
        # Input position is the tie-breaker within a day: keep the recording order. A row
        # starts with (date, pk), and pk is unique: plain tuple order is (date, pk) order.
        rows = sorted(sessions_of.get(pk, []))
        coverages = coverages_of.get(pk, [])
        case = t.Case(
            country=practice.country,  # type: ignore[arg-type]
            as_of=as_of,
            patient=t.Patient(
                birth_date=birth_date,
                preferential=preferential,
                coverage=tuple(_coverage_facts(c) for c in coverages),
                deductible_remaining={
                    c.year: c.deductible_remaining
                    for c in coverages
                    if c.deductible_remaining is not None
                },
            ),
            episodes=tuple(
                _episode_facts_from(e, tuple(prescriptions_of.get(e["pk"], ()))) for e in episodes
            ),
            sessions=tuple(
                t.Session(str(spk), day, str(episode), minutes, place, price)
                for day, spk, episode, minutes, place, price in rows
            ),
        )
        result, stable_until = evaluate(case, unread_of.get(pk, ()))
        yield PatientEvaluation(
            patient_id=pk,
            patient_name=f"{last_name}, {first_name}",
            episode_titles={str(e["pk"]): e["title"] for e in episodes},
            result=result,
            stable_until=stable_until,
        )


# Up to this many patients with a shared day are named in the SQL; more, and the query that
# finds them is repeated as a subquery instead (slower, never a parameter list without end).
SHARED_DAY_PATIENTS_INLINE = 500


def _unread_episodes(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> QuerySet[Episode]:
    """Return the practice's Belgian episodes ``engine.history.unloaded`` leaves out, in SQL.

    The candidates: episodes of a category in ``unloaded_categories`` with sessions, none on
    or after that category's day, with no agreement ending within ``belgium.ENDING_SOON`` of
    ``as_of``. Left out: the candidates of the patients none of whose days before the cut
    has a session of an episode that is not a candidate and one of another episode. Finding
    those patients costs one query here; the queryset returned is evaluated again by each query
    that uses it (about 0.05 s on SQLite and 0.12 s on PostgreSQL at 5,000 patients).
    With ``patients`` (some of the practice's), only their episodes are looked at.
    """
    active = TreatmentSession.objects.filter(cancelled_at__isnull=True)
    by_day: defaultdict[date, list[str]] = defaultdict(list)
    for category, before in history.unloaded_categories(as_of).items():
        by_day[before].append(category)
    categories = Q()
    for before, names in by_day.items():
        later = active.filter(episode=OuterRef("pk"), date__gte=before)
        categories |= Q(~Exists(later), category__in=names)
    episodes = Episode.objects.filter(patient__practice=practice).order_by()
    if patients is not None:  # every query below goes through these episodes
        episodes = episodes.filter(patient__in=patients.values("pk"))
    candidates = (
        episodes.filter(categories, Exists(active.filter(episode=OuterRef("pk"))))
        .exclude(agreement_until__range=(as_of, as_of + belgium.ENDING_SOON))
        .values("pk")
    )
    # The old sessions of the episodes that are read, each with a session of another episode
    # of the patient on its day (SQLite probes ``session_episode_date_idx`` per session;
    # PostgreSQL hashes the practice's old sessions: 0.12 s and 0.26 s at 5,000 patients).
    cut = history.cut_date(as_of)
    same_day = active.filter(
        practice=practice,
        date__lt=cut,
        episode__patient=OuterRef("episode__patient"),
        date=OuterRef("date"),
    ).exclude(episode=OuterRef("episode"))
    if patients is not None and connections[episodes.db].vendor == "postgresql":
        # Else PostgreSQL hashes every old session of the practice; SQLite, which probes the
        # index per row, would evaluate this for each (5 s instead of 1.5 s for 1,000 of
        # 5,000 patients, measured).
        same_day = same_day.filter(episode__in=episodes)
    shared_day: QuerySet[Any] = (
        active.filter(
            practice=practice, date__lt=cut, episode__in=episodes.exclude(pk__in=candidates)
        )
        .filter(Exists(same_day))
        .values_list("episode__patient", flat=True)
        .distinct()
        .order_by()
    )
    shared = list(shared_day[: SHARED_DAY_PATIENTS_INLINE + 1])
    return episodes.filter(pk__in=candidates).exclude(
        patient__in=shared if len(shared) <= SHARED_DAY_PATIENTS_INLINE else shared_day
    )


# ----------------------------------------------------------- Needs attention, incrementally


def _rules_fingerprint() -> str:
    """Return a digest of the code that turns records into Needs attention warnings.

    The engine (rules, dated tables, history cut) and this bridge: a deploy that changes
    either makes every stored snapshot stale. Clinic-editable rule data (insurer packages)
    invalidates through ``attention_invalidate`` instead.
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [*sorted((here / "engine").glob("*.py")), here / "services.py"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


RULES_FINGERPRINT = _rules_fingerprint()

# Up to this many stale patients, and at most half the selection, are named in the queries
# that recompute them; more (a deploy, 1 January: every snapshot is stale at once) and the
# whole selection is recomputed. Naming them costs about 1.5 times as much a patient as the
# whole selection (1,000 of 5,000 bench patients: 1.5 s of 6.7 s on SQLite, 2.1 s of 6.7 s
# on PostgreSQL, measured).
STALE_INLINE = 1000


@dataclass(frozen=True)
class PatientAttention:
    """A patient's actionable warnings (Needs attention), with the names a row shows."""

    patient_id: int
    patient_name: str  # as ``Patient.__str__``: "last name, first name"
    warnings: tuple[t.Warning, ...]
    episode_titles: Mapping[str, str]  # engine episode id → title, for the episodes named


def attention_invalidate(*, patients: QuerySet[Patient]) -> None:
    """Mark the Needs attention snapshots of ``patients`` stale, in the caller's transaction.

    One statement whatever the number of patients: each snapshot's ``version`` goes up by
    one (a patient without a snapshot gets one at version 1 with nothing computed). Raising
    the version on a row that exists, or inserting it, conflicts with a concurrent read that
    stores a snapshot, so a read that began before this write never stores warnings that
    look current afterwards (see ``practice_attention``).
    """
    connection = connections[patients.db]
    quote = connection.ops.quote_name
    table = quote(AttentionSnapshot._meta.db_table)
    chosen, params = (
        patients.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    )
    # The WHERE also keeps SQLite from reading ON CONFLICT as a join constraint; rows are
    # locked in patient order, as ``practice_attention`` stores them, so that a write raising
    # many versions (a practice saved) and a read storing many snapshots cannot deadlock.
    patient = quote(Patient._meta.db_table)
    sql = (
        f"INSERT INTO {table} (patient_id, version, rules, warnings) "
        f"SELECT id, 1, '', '[]' FROM {patient} WHERE id IN ({chosen}) ORDER BY id "
        f"ON CONFLICT (patient_id) DO UPDATE SET version = {table}.version + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def practice_attention(
    *, practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> list[PatientAttention]:
    """Return every patient's Needs attention warnings, recomputing only what changed.

    The warnings of ``practice_evaluations(actionable_only=True)``, stored per patient
    (``AttentionSnapshot``) with the version of the patient's records they were computed
    from. A patient's stored warnings are reused while no write has touched their records,
    ``as_of`` is a day they hold for (from the day they were computed until the day before
    ``engine.history.stable_until``) and the rules are the same code (``RULES_FINGERPRINT``);
    the others are recomputed in one batch - a fixed number of queries - and stored. Patients
    come in the order of ``patients`` (default: by name).
    """
    chosen = patients if patients is not None else Patient.objects.filter(practice=practice)
    chosen = chosen.filter(practice=practice)
    # The versions are read before the records (practice_evaluations reads them later): a
    # write committed in between raises the version past the one stored with its warnings.
    people = list(
        chosen.values_list(
            "pk",
            "first_name",
            "last_name",
            "attention__version",
            "attention__computed_version",
            "attention__as_of",
            "attention__valid_until",
            "attention__rules",
            "attention__warnings",
        )
    )
    found: dict[int, PatientAttention] = {}
    stale: dict[int, int] = {}  # patient → the version its records are read at
    for pk, first_name, last_name, version, computed, day, until, rules, stored in people:
        current = computed is not None and computed == version
        holds = day is not None and until is not None and day <= as_of < until
        if current and holds and rules == RULES_FINGERPRINT:
            found[pk] = _attention_from_snapshot(pk, f"{last_name}, {first_name}", stored)
        else:
            stale[pk] = version or 0
    if stale:
        if len(stale) <= STALE_INLINE and 2 * len(stale) <= len(people):
            subset: QuerySet[Patient] | None = Patient.objects.filter(pk__in=list(stale))
        else:
            subset = patients  # the whole selection: cheaper than naming thousands
        computed_now = {
            evaluation.patient_id: evaluation
            for evaluation in practice_evaluations(
                practice=practice, as_of=as_of, patients=subset, actionable_only=True
            )
        }
        stored = []
        for pk in sorted(stale):  # one lock order for every reader that stores
            evaluation = computed_now.get(pk)
            if evaluation is None:
                continue  # moved to another practice or deleted meanwhile: nothing to show
            attention = PatientAttention(
                patient_id=pk,
                patient_name=evaluation.patient_name,
                warnings=evaluation.result.warnings,
                episode_titles={
                    w.episode: evaluation.episode_titles[w.episode]
                    for w in evaluation.result.warnings
                    if w.episode is not None and w.episode in evaluation.episode_titles
                },
            )
            found[pk] = attention
            stored.append(_snapshot(attention, stale[pk], evaluation.stable_until))
        _store_snapshots(stored, as_of, using=chosen.db)
    return [found[pk] for pk, *_ in people if pk in found]


def _snapshot(
    attention: PatientAttention, version: int, valid_until: date | None
) -> dict[str, Any]:
    return {
        "patient": attention.patient_id,
        "version": version,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "warnings": [
            {**asdict(w), "episode_title": attention.episode_titles.get(w.episode or "")}
            for w in attention.warnings
        ],
    }


def _store_snapshots(snapshots: list[dict[str, Any]], as_of: date, *, using: str) -> None:
    """Store computed warnings, each with the version its records were read at: one query.

    The rows travel as one JSON parameter, so the query count does not grow with the number
    of patients. A row that exists keeps its ``version`` (a write may have raised it since);
    a new one starts at the version read (0: none existed).
    """
    if not snapshots:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(AttentionSnapshot._meta.db_table)
    if connection.vendor == "postgresql":
        rows = (
            "SELECT r.patient, r.version, r.version, %s::date, r.valid_until, %s, r.warnings "
            "FROM jsonb_to_recordset(%s::jsonb) "
            "AS r(patient bigint, version bigint, valid_until date, warnings jsonb)"
        )
    else:  # SQLite: JSONField stores text; json() keeps the array as JSON text
        rows = (
            "SELECT json_extract(value, '$.patient'), json_extract(value, '$.version'), "
            "json_extract(value, '$.version'), %s, json_extract(value, '$.valid_until'), %s, "
            "json(json_extract(value, '$.warnings')) FROM json_each(%s) WHERE 1 = 1"
        )
    sql = (
        f"INSERT INTO {table} "
        "(patient_id, version, computed_version, as_of, valid_until, rules, warnings) "
        f"{rows} ON CONFLICT (patient_id) DO UPDATE SET "
        "computed_version = excluded.computed_version, as_of = excluded.as_of, "
        "valid_until = excluded.valid_until, rules = excluded.rules, "
        "warnings = excluded.warnings"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, RULES_FINGERPRINT, json.dumps(snapshots)])


def _attention_from_snapshot(pk: int, name: str, stored: list[dict[str, Any]]) -> PatientAttention:
    warnings = tuple(
        t.Warning(w["code"], w["severity"], w["message"], w["episode"], w["session"])
        for w in stored
    )
    titles = {w["episode"]: w["episode_title"] for w in stored if w["episode_title"] is not None}
    return PatientAttention(pk, name, warnings, titles)


def _rules_unknown(case: t.Case, error: EngineError) -> t.Result:
    """Return the result of a case the rules cannot evaluate: one blocking warning, why."""
    warning = t.Warning(
        "rules_unknown",
        "blocking",
        f"The reimbursement rules cannot evaluate this patient's records: {error}",
    )
    return t.Result(case.country, case.as_of, (), (), (), (warning,))
