"""Reads for the personal-data pages: a patient's retention, and whether they are anonymised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils import timezone

from practice.models import Patient, Practice, TreatmentSession
from privacy.models import PrivacyLogEntry
from privacy.records import history_model, patient_records
from privacy.retention import Retention, retention, rule_for


class NotYourPatient(Exception):
    """The patient does not exist or belongs to another practice than the administrator's."""


def patient_in_scope(*, patient_id: int, practice: Practice | None) -> Patient:
    """Return the patient if ``practice`` may see them (``None``: a superuser, any practice).

    A deleted patient is returned as their last history version (an unsaved ``Patient``):
    django-simple-history keeps every version of a deleted row, so their data is still here.
    """
    patient = Patient.objects.select_related("practice").filter(pk=patient_id).first()
    if patient is None:
        last: Any = (
            history_model(Patient)
            ._default_manager.filter(id=patient_id)
            .order_by("-history_date", "-history_id")
            .first()
        )
        patient = last.instance if last is not None else None
    if patient is None or (practice is not None and patient.practice_id != practice.pk):
        raise NotYourPatient(patient_id)
    return patient


def patient_retention(*, patient: Patient, on: date) -> Retention:
    """Return the patient's last contact, last change and retention end under the law of ``on``.

    Last contact: the last session not cancelled. Last change: the latest history version of
    any of their records, as a local date.
    """
    records = patient_records(patient.pk)
    last_session = TreatmentSession.objects.filter(
        pk__in=records.ids[TreatmentSession], cancelled_at=None
    ).aggregate(last=Max("date"))["last"]
    changed = records.last_change() or patient.updated_at
    return retention(
        rule=rule_for(patient.practice.country, on),
        last_contact=last_session,
        last_change=timezone.localdate(changed),
    )


def is_anonymised(patient_id: int) -> bool:
    return PrivacyLogEntry.objects.filter(
        patient_id=patient_id, action=PrivacyLogEntry.Action.ANONYMISE
    ).exists()


@dataclass(frozen=True)
class AnonymiseRow:
    """One line of the anonymisation confirmation page."""

    patient: Patient
    retention: Retention
    over: bool
    anonymised: bool


def anonymise_preview(*, patients: list[Patient], on: date) -> list[AnonymiseRow]:
    """Return, per patient, the retention and whether anonymising needs a lawful request."""
    done = set(
        PrivacyLogEntry.objects.filter(
            patient_id__in=[p.pk for p in patients], action=PrivacyLogEntry.Action.ANONYMISE
        ).values_list("patient_id", flat=True)
    )
    rows = []
    for patient in patients:
        found = patient_retention(patient=patient, on=on)
        rows.append(
            AnonymiseRow(
                patient=patient,
                retention=found,
                over=found.over(on),
                anonymised=patient.pk in done,
            )
        )
    return rows
