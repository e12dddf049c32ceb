"""Reads of the rule data that the records and the UI need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from practice.models import Country, Patient, Practice, Therapist, TreatmentSession
from reimburse.attention.store import practice_attention
from reimburse.engine.be import tables as be_tables
from reimburse.engine.nl import tables as nl_tables
from reimburse.engine.vocabulary import Severity, WarningCode
from reimburse.tariffs import loaded_tariffs

# Most urgent first: severity, then what the practice must act on soonest (exhausted before
# low; pending notifications and agreements; prescriptions; periods ending).
_SEVERITY_RANK = {"blocking": 0, "warning": 1, "info": 2}
_CODE_RANK = {
    code: rank
    for rank, codes in enumerate(
        (
            ("quota_exhausted", "pool_exhausted", "allowance_exhausted", "situations_exceeded"),
            ("notification_missing", "agreement_missing", "referral_missing"),
            ("prescription_late_start", "prescription_missing", "prescription_used_up"),
            ("quota_low", "pool_low", "allowance_low"),
            ("period_ended", "period_ending", "agreement_ending"),
        )
    )
    for code in codes
}


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
        return _SEVERITY_RANK.get(self.severity, 3), _CODE_RANK.get(self.code, 9)


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
    patients = None
    if therapist is not None:
        patients = Patient.objects.filter(
            practice=practice,
            episodes__sessions__therapist=therapist,
            episodes__sessions__cancelled_at__isnull=True,
        ).distinct()
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
    days = (
        TreatmentSession.objects.filter(
            practice=practice,
            cancelled_at__isnull=True,
            date__gte=as_of - timedelta(days=GAP_WINDOW_BEFORE),
            date__lte=as_of + timedelta(days=GAP_WINDOW_AFTER),
        )
        .values_list("date", flat=True)
        .distinct()
        .order_by("date")
    )
    if practice.country == Country.BELGIUM:
        code = be_tables.STANDARD_SESSION_CODE
        loaded = loaded_tariffs()
        day = next((d for d in days if be_tables.tariff_for(code, d, loaded) is None), None)
        if day is None:
            return []
        start, end = be_tables.tariff_gap(code, day, loaded)
        params = {"code": code, "date": day, "start": start, "end": end}
        return [{"code": WarningCode.TARIFF_UNKNOWN, "params": params}]
    years = sorted({d.year for d in days})
    return [
        {"code": WarningCode.DEDUCTIBLE_UNKNOWN, "params": {"year": year}}
        for year in years
        if nl_tables.statutory_deductible(year) is None
    ]
