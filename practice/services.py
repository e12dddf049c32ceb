"""Writes to the practice's records: keyword-only, typed, one transaction each.

Invalid input raises ``django.core.exceptions.ValidationError`` with a message per field, so
the API, the forms and the importer can all show the problem next to the field it concerns.
Creates that carry an ``external_id`` are safe to repeat: the existing row comes back with
``created=False``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from stdnum.be import nn as be_nn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as nl_bsn

from practice.models import (
    Country,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    Therapist,
    TreatmentSession,
)
from reimburse.engine.be import situations
from reimburse.engine.nl.tables import CHRONIC_KEYS
from reimburse.engine.types import BE_CATEGORIES, NL_CATEGORIES

M = TypeVar("M", bound=models.Model)

GOLD_CLASSES = ("A", "B1", "B2", "C", "D")


def national_id_compact(*, country: str, value: str) -> str:
    """Return the compact form of an INSZ/NISS (BE) or BSN (NL); raise when it is invalid."""
    if not value:
        return ""
    try:
        if country == Country.BELGIUM:
            return str(be_nn.validate(value))
        return str(nl_bsn.validate(value))
    except StdnumError as error:
        kind = "INSZ/NISS number" if country == Country.BELGIUM else "BSN"
        raise ValidationError({"national_id": f"not a valid {kind}: {error}"}) from error


def _existing(model: type[M], practice: Practice, external_id: str) -> M | None:
    if not external_id:
        return None
    return model._default_manager.filter(practice=practice, external_id=external_id).first()


def _create_once(
    model: type[M], *, practice: Practice, external_id: str, **fields: Any
) -> tuple[M, bool]:
    """Create a row, or return the one a repeated request with the same external id made."""
    found = _existing(model, practice, external_id)
    if found is not None:
        return found, False
    try:
        # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            return model._default_manager.create(
                practice=practice, external_id=external_id, **fields
            ), True
    except IntegrityError:
        found = _existing(model, practice, external_id)
        if found is None:
            raise
        return found, False


# -------------------------------------------------------------------------------- patients


@transaction.atomic
def patient_create(
    *,
    practice: Practice,
    first_name: str,
    last_name: str,
    birth_date: date,
    national_id: str = "",
    preferential: bool = False,
    external_id: str = "",
) -> tuple[Patient, bool]:
    """Create a patient of the practice (or return the one with this external id)."""
    found = _existing(Patient, practice, external_id)
    if found is not None:
        return found, False
    compact = national_id_compact(country=practice.country, value=national_id)
    if compact and Patient.objects.filter(practice=practice, national_id=compact).exists():
        raise ValidationError({"national_id": "another patient of this practice has this id"})
    if preferential and practice.country != Country.BELGIUM:
        raise ValidationError({"preferential": "preferential status exists only in Belgium"})
    return _create_once(
        Patient,
        practice=practice,
        external_id=external_id,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        national_id=compact,
        preferential=preferential,
    )


@transaction.atomic
def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's details; the national id is validated and stored compact."""
    allowed = {"first_name", "last_name", "birth_date", "national_id", "preferential"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed"))
    if "national_id" in fields:
        fields["national_id"] = national_id_compact(
            country=patient.practice.country, value=fields["national_id"]
        )
        clash = Patient.objects.filter(
            practice=patient.practice, national_id=fields["national_id"]
        ).exclude(pk=patient.pk)
        if fields["national_id"] and clash.exists():
            raise ValidationError({"national_id": "another patient of this practice has this id"})
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.save()
    return patient


# -------------------------------------------------------------------------------- episodes


def _episode_errors(country: str, fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    category = fields.get("category", "")
    allowed = BE_CATEGORIES if country == Country.BELGIUM else NL_CATEGORIES
    if category not in allowed:
        errors["category"] = f"unknown category {category!r}; expected one of {', '.join(allowed)}"
    pathology = fields.get("pathology", "")
    if pathology or category in situations.REQUIRED:
        error = pathology_error(category=category, code=pathology)
        if error:
            errors["pathology"] = error
    if category == "chronic":
        condition = fields.get("condition", "")
        if condition not in CHRONIC_KEYS:
            errors["condition"] = f"unknown chronic-list condition {condition!r}"
    gold_class = fields.get("gold_class", "")
    if gold_class and gold_class not in GOLD_CLASSES:
        errors["gold_class"] = f"unknown GOLD class {gold_class!r}; expected one of A, B1, B2, C, D"
    if category == "copd" and not gold_class:
        errors["gold_class"] = "a COPD episode needs its GOLD class"
    prior_error = prior_sessions_error(fields.get("prior_sessions") or {})
    if prior_error:
        errors["prior_sessions"] = prior_error
    if country != Country.BELGIUM and (
        fields.get("prior_sessions") or fields.get("first_session_on")
    ):
        field = "prior_sessions" if fields.get("prior_sessions") else "first_session_on"
        errors[field] = "sessions at another practice per situation are for Belgian practices"
    if fields.get("referral_date") and not fields.get("referral_by"):
        errors["referral_by"] = "say who referred the patient (gp or specialist)"
    return errors


def pathology_error(*, category: str, code: str) -> str:
    """Say why an official pathology-situation code does not fit the category ('' if it does)."""
    if not situations.FAMILIES.get(category):
        return "" if not code else "a pathology-situation code is only for Belgian episodes"
    if not code:
        return f"a pathology-situation code is required for category {category!r}"
    if code not in situations.situations():
        return f"unknown pathology-situation code {code!r}"
    if not situations.accepts(category, code):
        families = ", ".join(f"{f}-*" for f in situations.FAMILIES[category])
        return f"the code {code!r} is not for {category!r} episodes; expected {families}"
    return ""


def prior_sessions_error(value: Any) -> str:
    """Say what is wrong with sessions at another practice per year ('' if nothing)."""
    if not isinstance(value, dict):
        return 'give sessions per calendar year, e.g. {"2026": 7}'
    for year, count in value.items():
        if not (str(year).isdigit() and 1900 <= int(year) <= 2100):
            return f"not a calendar year: {str(year)[:20]!r}"
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 32767:
            return f"sessions in {year}: a whole number from 0"
    return ""


EPISODE_FIELDS = (
    "title",
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


@transaction.atomic
def episode_create(
    *, patient: Patient, title: str, category: str, external_id: str = "", **fields: Any
) -> tuple[Episode, bool]:
    """Open an episode for a patient (or return the one with this external id)."""
    practice = patient.practice
    if external_id:
        found = Episode.objects.filter(patient__practice=practice, external_id=external_id).first()
        if found is not None:
            return found, False
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "unknown field"))
    values = {"title": title, "category": category, **fields}
    errors = _episode_errors(practice.country, values)
    if errors:
        raise ValidationError(errors)
    episode = Episode.objects.create(patient=patient, external_id=external_id, **values)
    return episode, True


@transaction.atomic
def episode_update(*, episode: Episode, **fields: Any) -> Episode:
    """Change an episode (notification, agreement, referral …), validated as on creation."""
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "unknown field"))
    values = {name: getattr(episode, name) for name in EPISODE_FIELDS} | fields
    errors = _episode_errors(episode.patient.practice.country, values)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.save()
    return episode


# --------------------------------------------------------------------------- prescriptions


@transaction.atomic
def prescription_create(
    *,
    episode: Episode,
    date: date,
    sessions: int,
    prescriber: str = "",
    prescriber_number: str = "",
    second_session_motivated: bool = False,
    external_id: str = "",
) -> tuple[Prescription, bool]:
    """Record a BE prescription for an episode (or return the one with this external id)."""
    practice = episode.patient.practice
    found = _existing(Prescription, practice, external_id)
    if found is not None:
        return found, False
    if practice.country != Country.BELGIUM:
        raise ValidationError({"episode": "prescriptions are recorded for Belgian practices only"})
    if sessions < 1:
        raise ValidationError({"sessions": "a prescription prescribes at least one session"})
    return _create_once(
        Prescription,
        practice=practice,
        external_id=external_id,
        episode=episode,
        date=date,
        sessions=sessions,
        prescriber=prescriber,
        prescriber_number=prescriber_number,
        second_session_motivated=second_session_motivated,
    )


# -------------------------------------------------------------------------------- sessions


@transaction.atomic
def session_record(
    *,
    episode: Episode,
    date: date,
    therapist: Therapist | None = None,
    minutes: int = 30,
    place: str = TreatmentSession.Place.PRACTICE,
    price: Decimal | None = None,
    external_id: str = "",
) -> tuple[TreatmentSession, bool]:
    """Record a session (done or planned), or return the one with this external id."""
    practice = episode.patient.practice
    found = _existing(TreatmentSession, practice, external_id)
    if found is not None:
        return found, False
    errors: dict[str, str] = {}
    if therapist is not None and therapist.practice_id != practice.pk:
        errors["therapist"] = "this therapist works for another practice"
    if minutes < 1:
        errors["minutes"] = "a session lasts at least one minute"
    if place not in TreatmentSession.Place.values:
        errors["place"] = f"unknown place {place!r}; expected practice or home"
    if price is not None and price < 0:
        errors["price"] = "a price cannot be negative"
    if errors:
        raise ValidationError(errors)
    # Serialise writers per patient so concurrent sessions see a consistent quota.
    Patient.objects.select_for_update().filter(pk=episode.patient_id).first()
    return _create_once(
        TreatmentSession,
        practice=practice,
        external_id=external_id,
        episode=episode,
        therapist=therapist,
        date=date,
        minutes=minutes,
        place=place,
        price=price,
    )


@transaction.atomic
def session_cancel(*, session: TreatmentSession, by: User, reason: str = "") -> TreatmentSession:
    """Cancel a session: it stays on record with who cancelled it and when."""
    if session.cancelled_at is not None:
        return session
    session.cancelled_at = timezone.now()
    session.cancelled_by = by
    session.cancel_reason = reason
    session.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    return session


# -------------------------------------------------------------------------------- coverage


COVERAGE_FIELDS = (
    "package",
    "insurer",
    "package_name",
    "treatments",
    "budget",
    "carry_over_max",
    "deductible_remaining",
    "used_elsewhere",
)


@transaction.atomic
def coverage_set(*, patient: Patient, year: int, **fields: Any) -> tuple[Coverage, bool]:
    """Set an NL patient's supplementary coverage (and deductible left) for one year.

    One row per patient and year: returns it with ``created=True`` when the year was new.
    """
    if patient.practice.country != Country.NETHERLANDS:
        raise ValidationError({"patient": "supplementary coverage is recorded for Dutch practices"})
    unknown = set(fields) - set(COVERAGE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "unknown field"))
    coverage = Coverage.objects.select_for_update().filter(patient=patient, year=year).first()
    merged = {name: getattr(coverage, name, None) for name in ("treatments", "budget")} | fields
    if merged.get("treatments") is not None and merged.get("budget") is not None:
        raise ValidationError({"budget": "give treatments per year or a budget, not both"})
    used = fields.get("used_elsewhere")
    if used is not None and used < 0:
        raise ValidationError({"used_elsewhere": "cannot be negative"})
    if used is not None and merged.get("budget") is None and used != int(used):
        raise ValidationError({"used_elsewhere": "a number of treatments (a budget takes euros)"})
    if coverage is None:
        return Coverage.objects.create(patient=patient, year=year, **fields), True
    for name, value in fields.items():
        setattr(coverage, name, value)
    coverage.save()
    return coverage, False
