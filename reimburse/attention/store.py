"""The stored Needs attention lists: each patient's actionable warnings, kept until they may
change.

Each patient's list is stored (``AttentionSnapshot``) with the version of their records:
every save or delete of a record the bridge reads raises that version in the writer's
transaction (``attention.signals``), and each list holds until the first day it may change
with the same records (``horizon.stable_until``) and while the rules are the same code
(``RULES_FINGERPRINT``). Lists hold codes and parameters, never sentences: each reader sees
them in their own language. Beside each list is what Needs attention ranks it on
(``urgency.ranking``); from the two the database makes the list's ``AttentionRow``s in the
statement that stores them, which the page ranks, counts and pages without reading the lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.dispatch import Signal

from practice.models import Patient, Practice
from reimburse.attention import urgency
from reimburse.attention.compute import actionable_evaluations
from reimburse.engine import types as t
from reimburse.engine.vocabulary import Severity, WarningCode
from reimburse.explain import params_json
from reimburse.models import AttentionSnapshot

# What turns records into Needs attention warnings, hashed: a deploy that changes any of it
# makes every stored list stale. The whole engine package (rules and their data files, at
# every depth), the bridge and this package's own computation; and how a list is stored and
# ranked, so that a list stored by other code (a server not yet updated) is stored again.
_REIMBURSE = Path(__file__).resolve().parents[1]
RULE_SOURCES = ("engine",)
RULE_FILES = (
    "services.py",
    "attention/compute.py",
    "attention/horizon.py",
    "attention/store.py",
    "attention/urgency.py",
)
RULE_SUFFIXES = (".py", ".toml", ".csv")


def rule_files() -> list[Path]:
    """Return every file whose content decides a Needs attention list, in a stable order."""
    found = [
        path
        for folder in RULE_SOURCES
        for path in (_REIMBURSE / folder).rglob("*")
        if path.suffix in RULE_SUFFIXES and "__pycache__" not in path.parts
    ]
    return sorted([*found, *(_REIMBURSE / name for name in RULE_FILES)])


def _rules_fingerprint() -> str:
    """Return a digest of the code and data that turn records into Needs attention warnings.

    Clinic-editable rule data (insurer packages) invalidates through ``attention_invalidate``
    instead.
    """
    digest = hashlib.sha256()
    for path in rule_files():
        digest.update(path.relative_to(_REIMBURSE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


RULES_FINGERPRINT = _rules_fingerprint()

# Up to this many stale patients, and at most half the selection, are named in the queries
# that recompute them; more (a deploy, 1 January: every snapshot is stale at once) and the
# whole selection is recomputed. Naming them costs about 1.5 times as much a patient as the
# whole selection (1,000 of 5,000 bench patients: 1.5 s of 6.7 s on SQLite, 2.1 s of 6.7 s
# on PostgreSQL, measured).
STALE_INLINE = 1000

# Sent where lists are stored, just before, with ``practice``, ``as_of``,
# ``before`` (patient → (the day and the warnings of their previous stored list), for the
# patients that had one) and ``after`` (the snapshots stored: patient, version, warnings).
# The webhooks app announces the differences.
attention_stored = Signal()


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
        f"INSERT INTO {table} (patient_id, version, rules, warnings, ranking) "
        f"SELECT id, 1, '', '[]', '[]' FROM {patient} WHERE id IN ({chosen}) ORDER BY id "
        f"ON CONFLICT (patient_id) DO UPDATE SET version = {table}.version + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _holds(as_of: date) -> Case:
    """Whether a patient's stored list holds for ``as_of``: decided by the database."""
    return Case(
        When(
            Q(attention__computed_version=F("attention__version"))
            & Q(attention__as_of__lte=as_of)
            & Q(attention__valid_until__gt=as_of)
            & Q(attention__rules=RULES_FINGERPRINT),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def _selection(practice: Practice, patients: QuerySet[Patient] | None) -> QuerySet[Patient]:
    chosen = patients if patients is not None else Patient.objects.filter(practice=practice)
    return chosen.filter(practice=practice)


def practice_attention(
    *, practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> list[PatientAttention]:
    """Return every patient's Needs attention warnings, recomputing only what changed.

    The warnings of ``actionable_evaluations``, stored per patient
    (``AttentionSnapshot``) with the version of the patient's records they were computed
    from. A patient's stored warnings are reused while no write has touched their records,
    ``as_of`` is a day they hold for (from the day they were computed until the day before
    ``horizon.stable_until``) and the rules are the same code (``RULES_FINGERPRINT``);
    the others are recomputed in one batch - a fixed number of queries - and stored. Patients
    come in the order of ``patients`` (default: by name).
    """
    chosen = _selection(practice, patients)
    # The versions are read before the records (actionable_evaluations reads them later): a
    # write committed in between raises the version past the one stored with its warnings.
    # Whether a stored list holds is decided by the database: no dates to convert per row.
    people = list(
        chosen.annotate(attention_holds=_holds(as_of)).values_list(
            "pk",
            "first_name",
            "last_name",
            "attention__version",
            "attention_holds",
            "attention__warnings",
            "attention__as_of",
        )
    )
    found: dict[int, PatientAttention] = {}
    stale: dict[int, int] = {}  # patient → the version its records are read at
    before: dict[int, tuple[date | None, list[dict[str, Any]]]] = {}
    for pk, first_name, last_name, version, current, stored, day in people:
        if current:
            found[pk] = _attention_from_snapshot(pk, f"{last_name}, {first_name}", stored)
        else:
            stale[pk] = version or 0
            if version is not None:
                before[pk] = (day, stored or [])
    if stale:
        found.update(
            _recompute(
                practice=practice,
                as_of=as_of,
                patients=patients,
                selected=len(people),
                stale=stale,
                before=before,
                using=chosen.db,
            )
        )
    return [found[pk] for pk, *_ in people if pk in found]


def attention_update(
    *, practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> None:
    """Store the Needs attention lists of ``patients`` that no longer hold for ``as_of``.

    What ``practice_attention`` stores, and the same announcement (``attention_stored``),
    without reading the lists that hold: afterwards every patient's ``AttentionRow``s are
    their list for ``as_of``, to be ranked and paged in SQL.
    """
    chosen = _selection(practice, patients)
    # The patients whose list does not hold, and only theirs: the previous list, for the
    # webhooks. When every list holds, one query that returns nothing.
    stale_people = list(
        chosen.order_by()
        .annotate(attention_holds=_holds(as_of))
        .filter(attention_holds=False)
        .values_list("pk", "attention__version", "attention__warnings", "attention__as_of")
    )
    if not stale_people:
        return
    _recompute(
        practice=practice,
        as_of=as_of,
        patients=patients,
        selected=chosen.count(),
        stale={pk: version or 0 for pk, version, _list, _day in stale_people},
        before={
            pk: (day, stored or [])
            for pk, version, stored, day in stale_people
            if version is not None
        },
        using=chosen.db,
    )


def _recompute(
    *,
    practice: Practice,
    as_of: date,
    patients: QuerySet[Patient] | None,
    selected: int,
    stale: dict[int, int],
    before: dict[int, tuple[date | None, list[dict[str, Any]]]],
    using: str,
) -> dict[int, PatientAttention]:
    """Compute the ``stale`` patients' warnings, announce them and store them: a fixed number
    of queries.

    ``stale`` maps each to the version their records are read at, ``before`` to (the day
    and the warnings of their previous stored list), for those that had one.
    """
    if len(stale) <= STALE_INLINE and 2 * len(stale) <= selected:
        subset: QuerySet[Patient] | None = Patient.objects.filter(pk__in=list(stale))
    else:
        subset = patients  # the whole selection: cheaper than naming thousands
    computed_now = {
        evaluation.patient_id: evaluation
        for evaluation in actionable_evaluations(practice=practice, as_of=as_of, patients=subset)
    }
    found: dict[int, PatientAttention] = {}
    stored = []
    for pk in sorted(stale):  # one lock order for every reader that stores
        evaluation = computed_now.get(pk)
        if evaluation is None:
            continue  # moved to another practice or deleted meanwhile: nothing to show
        attention = PatientAttention(
            patient_id=pk,
            patient_name=evaluation.patient_name,
            warnings=tuple(_stored_form(w) for w in evaluation.result.warnings),
            episode_titles={
                w.episode: evaluation.episode_titles[w.episode]
                for w in evaluation.result.warnings
                if w.episode is not None and w.episode in evaluation.episode_titles
            },
        )
        found[pk] = attention
        stored.append(_snapshot(attention, stale[pk], evaluation.stable_until))
    # Announced before they are stored: should the store fail, the next reader sees the
    # same change with the same event ids, which are kept once.
    attention_stored.send(
        sender=Practice,
        practice=practice,
        as_of=as_of,
        before={pk: before[pk] for pk in stale if pk in before},
        after=stored,
    )
    _store_snapshots(stored, as_of, using=using)
    return found


def _stored_form(warning: t.Warning) -> t.Warning:
    """Return the warning as a stored list keeps it: codes and JSON parameters, no text.

    Computed and stored lists then read alike, whichever a reader gets.
    """
    return replace(warning, params=params_json(warning.params))


def _snapshot(
    attention: PatientAttention, version: int, valid_until: date | None
) -> dict[str, Any]:
    return {
        "patient": attention.patient_id,
        "version": version,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "warnings": [
            {
                "code": w.code,
                "severity": w.severity,
                "episode": w.episode,
                "session": w.session,
                "params": w.params,
                "episode_title": attention.episode_titles.get(w.episode or ""),
            }
            for w in attention.warnings
        ],
    }


def _store_snapshots(snapshots: list[dict[str, Any]], as_of: date, *, using: str) -> None:
    """Store computed warnings, each with the version its records were read at: one query.

    The rows travel as one JSON parameter, so the query count does not grow with the number
    of patients. A row that exists keeps its ``version`` (a write may have raised it since);
    a new one starts at the version read (0: none existed). Each list goes with its ranking
    (``urgency.ranking``), from which the database's triggers make its ``AttentionRow``s in
    this same statement.
    """
    if not snapshots:
        return
    rows = [{**s, "ranking": urgency.ranking(s["warnings"])} for s in snapshots]
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(AttentionSnapshot._meta.db_table)
    if connection.vendor == "postgresql":
        select = (
            "SELECT r.patient, r.version, r.version, %s::date, r.valid_until, %s, r.warnings, "
            "r.ranking FROM jsonb_to_recordset(%s::jsonb) AS r(patient bigint, version bigint, "
            "valid_until date, warnings jsonb, ranking jsonb)"
        )
    else:  # SQLite: JSONField stores text; json() keeps the array as JSON text
        select = (
            "SELECT json_extract(value, '$.patient'), json_extract(value, '$.version'), "
            "json_extract(value, '$.version'), %s, json_extract(value, '$.valid_until'), %s, "
            "json(json_extract(value, '$.warnings')), json(json_extract(value, '$.ranking')) "
            "FROM json_each(%s) WHERE 1 = 1"
        )
    sql = (
        f"INSERT INTO {table} "
        "(patient_id, version, computed_version, as_of, valid_until, rules, warnings, ranking) "
        f"{select} ON CONFLICT (patient_id) DO UPDATE SET "
        "computed_version = excluded.computed_version, as_of = excluded.as_of, "
        "valid_until = excluded.valid_until, rules = excluded.rules, "
        "warnings = excluded.warnings, ranking = excluded.ranking"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, RULES_FINGERPRINT, json.dumps(rows)])


# By value: a dictionary lookup per stored warning instead of an Enum call (thousands a page).
_CODES = {code.value: code for code in WarningCode}
_SEVERITIES = {severity.value: severity for severity in Severity}


def _attention_from_snapshot(pk: int, name: str, stored: list[dict[str, Any]]) -> PatientAttention:
    if not stored:
        return PatientAttention(pk, name, (), {})
    warnings = tuple(
        t.Warning(
            _CODES[w["code"]], _SEVERITIES[w["severity"]], w["episode"], w["session"], w["params"]
        )
        for w in stored
    )
    titles = {w["episode"]: w["episode_title"] for w in stored if w["episode_title"] is not None}
    return PatientAttention(pk, name, warnings, titles)
