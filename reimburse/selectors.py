"""Reads of the rule data that the records and the UI need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any, overload

from django.db import connections
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Collate, Concat

from practice.models import Country, Patient, Practice, Therapist, TreatmentSession
from reimburse.attention import urgency
from reimburse.attention.store import attention_update, practice_attention
from reimburse.engine.be import tables as be_tables
from reimburse.engine.nl import tables as nl_tables
from reimburse.engine.vocabulary import Severity, WarningCode
from reimburse.models import AttentionRow, AttentionSnapshot
from reimburse.tariffs import loaded_tariffs

# Most urgent first: severity, then what the practice must act on soonest (exhausted before
# low; pending notifications and agreements; prescriptions; periods ending).
_SEVERITY_RANK = urgency.SEVERITY_RANK
_CODE_RANK = urgency.CODE_RANK


@dataclass(frozen=True)
class PatientWarning:
    """A current warning of one patient, with the names a page or API row needs."""

    patient_id: int
    patient_name: str
    episode_id: int | None
    episode_title: str | None
    session_id: int | None
    code: WarningCode
    severity: Severity
    params: Mapping[str, Any]  # the JSON form (ISO dates, money strings): render with explain

    @property
    def urgency(self) -> tuple[int, int]:
        return urgency.severity_rank(self.severity), urgency.code_rank(self.code)


def practice_warnings(
    *,
    practice: Practice,
    as_of: date,
    therapist: Therapist | None = None,
    severity: str | None = None,
    code: str | None = None,
) -> list[PatientWarning]:
    """Return the practice's current warnings, most urgent first, in a fixed number of queries.

    With ``therapist``: only patients this therapist has a (non-cancelled) session with.
    Warnings naming a session before 1 January of the year before ``as_of`` are left out:
    those sessions are beyond the two-year limit for claims (the patient page shows them).
    """
    patients = _patients_of(practice, therapist)
    rows: list[PatientWarning] = []
    # Only what the practice can still act on (attention.horizon); a patient the rules cannot
    # evaluate is one blocking ``rules_unknown`` row, not a failed list. Each patient's list
    # is stored, and recomputed only when their records changed or the stored list no longer
    # holds for ``as_of`` (``practice_attention``).
    for attention in practice_attention(practice=practice, as_of=as_of, patients=patients):
        for warning in attention.warnings:
            if severity and warning.severity != severity:
                continue
            if code and warning.code != code:
                continue
            rows.append(
                PatientWarning(
                    patient_id=attention.patient_id,
                    patient_name=attention.patient_name,
                    episode_id=int(warning.episode) if warning.episode else None,
                    episode_title=attention.episode_titles.get(warning.episode or ""),
                    session_id=int(warning.session) if warning.session else None,
                    code=warning.code,
                    severity=warning.severity,
                    params=warning.params,
                )
            )
    rows.sort(key=lambda row: (*row.urgency, row.patient_name))
    return rows


def _patients_of(practice: Practice, therapist: Therapist | None) -> QuerySet[Patient] | None:
    """The patients a therapist has a (non-cancelled) session with; None: the whole practice."""
    if therapist is None:
        return None
    return Patient.objects.filter(
        practice=practice,
        episodes__sessions__therapist=therapist,
        episodes__sessions__cancelled_at__isnull=True,
    ).distinct()


@dataclass(frozen=True)
class AttentionCounts:
    """The whole Needs attention list's counts (a warning repeated in an episode is one row)."""

    rows: int
    patients: int
    by_severity: Mapping[str, int]


# Reads of a page while other requests store the lists it shows (``AttentionList._page``).
READ_ATTEMPTS = 3


class AttentionList(Sequence[tuple["PatientWarning", int]]):
    """Needs attention's rows, most urgent first, ranked and counted by the database.

    A page of it (``listing[50:100]``) is one query for the rows and one for the stored lists
    of the patients shown (no other list is read): each row a ``PatientWarning`` with how
    many more sessions of its episode have the same warning. The order is
    ``practice_warnings`` ranked as the page ranks it (``urgency``): severity, the days left
    before the warning's date (none: a limit is reached; after every dated one: no date), the
    kind of warning, the patient's name (patients of the very same name: by id). Its length
    is the whole list's, for a ``Paginator``; read it by slices.
    """

    def __init__(self, rows: QuerySet[AttentionRow], as_of: date) -> None:
        self._rows = rows
        self._as_of = as_of

    @cached_property
    def counts(self) -> AttentionCounts:
        found = self._rows.aggregate(
            rows=Count("pk"),
            patients=Count("patient", distinct=True),
            **{str(s): Count("pk", filter=Q(severity=s)) for s in Severity},
        )
        return AttentionCounts(
            rows=found["rows"],
            patients=found["patients"],
            by_severity={str(s): found[str(s)] for s in Severity},
        )

    def __len__(self) -> int:
        return self.counts.rows

    @overload
    def __getitem__(self, index: int) -> tuple[PatientWarning, int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[PatientWarning, int]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[PatientWarning, int] | list[tuple[PatientWarning, int]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if index.stop is not None and index.start is not None and index.stop <= index.start:
            return []
        # The rows are ranked by one statement and their stored lists read by another: a list
        # stored in between by another request (a write's check, the refresh) no longer says
        # what its rows were ranked on. Such a page is read again (the rows change in the
        # statement that stores the list); a row whose list still disagrees is left out.
        for _attempt in range(READ_ATTEMPTS):
            page, stale = self._page(index)
            if not stale:
                return page
        return page

    def _page(self, index: slice) -> tuple[list[tuple[PatientWarning, int]], bool]:
        """Return a page's rows, and whether a stored list disagreed with its ranked rows."""
        ranked = list(
            self._ranked().values_list(
                "patient_id",
                "position",
                "more",
                "code",
                "severity",
                "patient__first_name",
                "patient__last_name",
            )[index]
        )
        # The stored lists of the patients shown: read after ranking, not carried through it.
        lists = dict(
            AttentionSnapshot.objects.using(self._rows.db)
            .filter(patient_id__in={pk for pk, *_ in ranked})
            .values_list("patient_id", "warnings")
        )
        page: list[tuple[PatientWarning, int]] = []
        stale = False
        for pk, position, more, code, severity, first, last in ranked:
            stored = lists.get(pk) or ()
            if position >= len(stored) or (
                (stored[position]["code"], stored[position]["severity"]) != (code, severity)
            ):
                stale = True
                continue
            page.append((_patient_warning(pk, f"{last}, {first}", stored[position]), more))
        return page, stale

    def _ranked(self) -> QuerySet[AttentionRow]:
        as_of = self._as_of
        # The days left, as the page counts them (actions.days_left): 0 for a limit reached
        # and for a date that is today, then the dates to come, then no date (or one past).
        days_group = Case(
            When(reached=True, then=Value(0)),
            When(deadline=as_of, then=Value(0)),
            When(deadline__gt=as_of, then=Value(1)),
            default=Value(2),
        )
        days = Case(When(reached=False, deadline__gt=as_of, then=F("deadline")), default=None)
        name = Concat("patient__last_name", Value(", "), "patient__first_name")
        # By code point, as Python compares the names (SQLite's default collation does).
        ordered = Collate(name, "C") if connections[self._rows.db].vendor == "postgresql" else name
        return self._rows.order_by(
            "severity_rank", days_group, days, "code_rank", ordered, "patient_id", "position"
        )


def attention_list(
    *, practice: Practice, as_of: date, therapist: Therapist | None = None
) -> AttentionList:
    """Return Needs attention for ``practice`` (or ``therapist``'s patients) on ``as_of``.

    The rows of ``practice_warnings``, each warning repeated in an episode folded into one,
    ranked, counted and paged by the database: the patients whose stored list no longer
    holds are computed again first (``attention_update``), and no list is read but those of
    the rows shown.
    """
    patients = _patients_of(practice, therapist)
    attention_update(practice=practice, as_of=as_of, patients=patients)
    rows = AttentionRow.objects.filter(lead=True, patient__practice=practice)
    if patients is not None:
        rows = rows.filter(patient__in=patients)
    return AttentionList(rows, as_of)


# By value: a dictionary lookup per warning instead of an Enum call.
_CODES = {code.value: code for code in WarningCode}
_SEVERITIES = {severity.value: severity for severity in Severity}


def _patient_warning(patient_id: int, name: str, stored: Mapping[str, Any]) -> PatientWarning:
    """Return a warning of a stored list (``AttentionSnapshot.warnings``) as the selectors do."""
    episode, session = stored["episode"], stored["session"]
    return PatientWarning(
        patient_id=patient_id,
        patient_name=name,
        episode_id=int(episode) if episode else None,
        episode_title=stored["episode_title"] if episode else None,
        session_id=int(session) if session else None,
        code=_CODES[stored["code"]],
        severity=_SEVERITIES[stored["severity"]],
        params=stored["params"],
    )


# How far around today the practice's sessions are checked against the tables: the recent
# weeks a practice still bills, and the sessions already planned.
GAP_WINDOW_BEFORE = 90
GAP_WINDOW_AFTER = 60


def table_gaps(*, practice: Practice, as_of: date) -> list[dict[str, Any]]:
    """Say once for the practice what the tables lack for its recent and planned sessions.

    Belgium: the first session date around ``as_of`` with no tariff for the standard courante
    session (``tariff_unknown``); the Netherlands: a year of its sessions whose statutory
    eigen risico is not known (``deductible_unknown``). Each is ``{"code", "params"}`` like a
    stored warning, written for the reader with ``explain.warning_text``.
    """
    first = as_of - timedelta(days=GAP_WINDOW_BEFORE)
    last = as_of + timedelta(days=GAP_WINDOW_AFTER)
    window = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    sessions = TreatmentSession.objects.filter(
        practice=practice, cancelled_at__isnull=True, date__gte=first, date__lte=last
    )
    # The tables are asked about every day of the window first; the sessions only about the
    # days the tables lack (most days, none: no query), not read and sorted all.
    if practice.country == Country.BELGIUM:
        code = be_tables.STANDARD_SESSION_CODE
        loaded = loaded_tariffs()
        missing = [d for d in window if be_tables.tariff_for(code, d, loaded) is None]
        # As runs of days: each a range of the (practice, date) index, not a filter on the rows.
        runs: list[list[date]] = []
        for d in missing:
            if runs and runs[-1][1] + timedelta(days=1) == d:
                runs[-1][1] = d
            else:
                runs.append([d, d])
        within = Q()
        for start_day, end_day in runs:
            within |= Q(date__gte=start_day, date__lte=end_day)
        found = sessions.filter(within).order_by("date").values_list("date", flat=True)
        day = found.first() if runs else None
        if day is None:
            return []
        start, end = be_tables.tariff_gap(code, day, loaded)
        params = {"code": code, "date": day, "start": start, "end": end}
        return [{"code": WarningCode.TARIFF_UNKNOWN, "params": params}]
    unknown = sorted({d.year for d in window if nl_tables.statutory_deductible(d.year) is None})
    return [
        {"code": WarningCode.DEDUCTIBLE_UNKNOWN, "params": {"year": year}}
        for year in unknown
        if sessions.filter(date__year=year).exists()
    ]
