"""Writes to the practice's records: keyword-only, typed, one transaction each.

Invalid input raises ``django.core.exceptions.ValidationError`` with a message per field, so
the API, the forms and the importer can all show the problem next to the field it concerns.
Creates that carry an ``external_id`` are safe to repeat, also at the same moment: a repeat with
the same values gets the existing row back with ``created=False``; one with other values raises
``ConflictingRecord`` naming each field that differs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

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
from reimburse.engine.nl.tables import CHRONIC_KEYS
from reimburse.engine.types import BE_CATEGORIES, BE_PATHOLOGIES, NL_CATEGORIES

M = TypeVar("M", bound=models.Model)

NATIONAL_ID_TAKEN = "another patient of this practice has this id"

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


class ConflictingRecord(ValidationError):
    """A create clashes with a stored row: its external id (or form key) was used with other
    values, or a value another row holds must be unique. One message per field that clashes.

    A ``ValidationError``, so forms and the admin show it by the field; the API answers 409.
    """


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _differences(row: models.Model, values: dict[str, Any]) -> dict[str, str]:
    """Name each field whose stored value is not the one this create would store."""
    found: dict[str, str] = {}
    for name, sent in values.items():
        field = row._meta.get_field(name)
        assert isinstance(field, models.Field)  # values name concrete fields only
        stored = getattr(row, field.attname)
        if isinstance(sent, models.Model):
            sent = sent.pk
        if stored != sent:
            found[name] = (
                "differs from the row already stored under this id: "
                f"stored {_shown(stored)}, sent {_shown(sent)}"
            )
    return found


def _same_or_conflict(row: M, values: dict[str, Any]) -> tuple[M, bool]:
    """Return a repeat's stored row, or refuse a repeat whose values differ from it."""
    differences = _differences(row, values)
    if differences:
        raise ConflictingRecord(differences)
    return row, False


def _existing(model: type[M], practice: Practice, external_id: str) -> M | None:
    if not external_id:
        return None
    return model._default_manager.filter(practice=practice, external_id=external_id).first()


def _create_once(
    model: type[M],
    *,
    practice: Practice,
    external_id: str,
    values: dict[str, Any],
    unique: dict[str, str] | None = None,
) -> tuple[M, bool]:
    """Create a row, or return the one a repeat with the same external id made.

    Race-safe: the insert runs in a savepoint, and the loser of a race with the same external
    id gets the winner's row (or a conflict when its values differ). ``unique`` maps another
    field with a unique constraint per practice to the message of its conflict.
    """
    found = _existing(model, practice, external_id)
    if found is not None:
        return _same_or_conflict(found, values)
    try:
        # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            return model._default_manager.create(
                practice=practice, external_id=external_id, **values
            ), True
    except IntegrityError:
        found = _existing(model, practice, external_id)
        if found is not None:
            return _same_or_conflict(found, values)
        for name, message in (unique or {}).items():
            taken = model._default_manager.filter(practice=practice, **{name: values[name]})
            if values[name] and taken.exists():
                raise ConflictingRecord({name: message}) from None
        raise


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
    """Create a patient of the practice (or return the one with this external id).

    Another patient with the same national id is a ``ConflictingRecord``, as is a repeat of the
    external id with other values.
    """
    compact = national_id_compact(country=practice.country, value=national_id)
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "birth_date": birth_date,
        "national_id": compact,
        "preferential": preferential,
    }
    found = _existing(Patient, practice, external_id)
    if found is not None:
        return _same_or_conflict(found, values)
    if compact and Patient.objects.filter(practice=practice, national_id=compact).exists():
        raise ConflictingRecord({"national_id": NATIONAL_ID_TAKEN})
    if preferential and practice.country != Country.BELGIUM:
        raise ValidationError({"preferential": "preferential status exists only in Belgium"})
    return _create_once(
        Patient,
        practice=practice,
        external_id=external_id,
        values=values,
        unique={"national_id": NATIONAL_ID_TAKEN},
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
            raise ValidationError({"national_id": NATIONAL_ID_TAKEN})
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
    if category in BE_PATHOLOGIES:
        if not pathology:
            errors["pathology"] = f"a list code is required for category {category!r}"
        elif pathology not in BE_PATHOLOGIES[category]:
            errors["pathology"] = (
                f"unknown list code {pathology!r} for {category!r}; "
                f"expected one of {', '.join(BE_PATHOLOGIES[category])}"
            )
    elif pathology:
        errors["pathology"] = "a list code is only for fa, fb and e episodes"
    if category == "chronic":
        condition = fields.get("condition", "")
        if condition not in CHRONIC_KEYS:
            errors["condition"] = f"unknown chronic-list condition {condition!r}"
    gold_class = fields.get("gold_class", "")
    if gold_class and gold_class not in GOLD_CLASSES:
        errors["gold_class"] = f"unknown GOLD class {gold_class!r}; expected one of A, B1, B2, C, D"
    if category == "copd" and not gold_class:
        errors["gold_class"] = "a COPD episode needs its GOLD class"
    start, until = fields.get("agreement_from"), fields.get("agreement_until")
    if until is not None and (start is None or until < start):
        errors["agreement_until"] = "the agreement must start before it ends"
    if fields.get("referral_date") and not fields.get("referral_by"):
        errors["referral_by"] = "say who referred the patient (gp or specialist)"
    return errors


EPISODE_FIELDS = (
    "title",
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


@transaction.atomic
def episode_create(
    *, patient: Patient, title: str, category: str, external_id: str = "", **fields: Any
) -> tuple[Episode, bool]:
    """Open an episode for a patient (or return the one with this external id).

    A repeat is compared on the fields it sends: another patient, title, category or any given
    field is a ``ConflictingRecord``.
    """
    practice = patient.practice
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "unknown field"))
    values = {"patient": patient, "title": title, "category": category, **fields}
    found = _existing(Episode, practice, external_id)
    if found is not None:
        return _same_or_conflict(found, values)
    errors = _episode_errors(practice.country, values)
    if errors:
        raise ValidationError(errors)
    return _create_once(Episode, practice=practice, external_id=external_id, values=values)


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
    values = {
        "episode": episode,
        "date": date,
        "sessions": sessions,
        "prescriber": prescriber,
        "prescriber_number": prescriber_number,
        "second_session_motivated": second_session_motivated,
    }
    found = _existing(Prescription, practice, external_id)
    if found is not None:
        return _same_or_conflict(found, values)
    if practice.country != Country.BELGIUM:
        raise ValidationError({"episode": "prescriptions are recorded for Belgian practices only"})
    if sessions < 1:
        raise ValidationError({"sessions": "a prescription prescribes at least one session"})
    return _create_once(Prescription, practice=practice, external_id=external_id, values=values)


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
    submission_key: UUID | None = None,
) -> tuple[TreatmentSession, bool]:
    """Record a session (done or planned), or return the one with this external id.

    ``submission_key`` is the one-time key of a form: a second submit of the same form (a
    double click) returns the session the first one recorded. A repeat with other values is a
    ``ConflictingRecord``.
    """
    practice = episode.patient.practice
    values = {
        "episode": episode,
        "therapist": therapist,
        "date": date,
        "minutes": minutes,
        "place": place,
        "price": price,
    }
    found = _existing(TreatmentSession, practice, external_id) or _submitted(submission_key)
    if found is not None:
        return _same_or_conflict(found, values)
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
    # A twin submit of the same form waited for the lock above; its session is visible now.
    found = _submitted(submission_key)
    if found is not None:
        return _same_or_conflict(found, values)
    return _create_once(
        TreatmentSession,
        practice=practice,
        external_id=external_id,
        values={**values, "submission_key": submission_key},
    )


def _submitted(submission_key: UUID | None) -> TreatmentSession | None:
    if submission_key is None:
        return None
    return TreatmentSession.objects.filter(submission_key=submission_key).first()


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
    # Lock the patient, not the coverage row: a year's first row does not exist yet to lock,
    # and two first writes at once would otherwise both insert (one would fail).
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    coverage = Coverage.objects.filter(patient=patient, year=year).first()
    merged = {name: getattr(coverage, name, None) for name in ("treatments", "budget")} | fields
    if merged.get("treatments") is not None and merged.get("budget") is not None:
        raise ValidationError({"budget": "give treatments per year or a budget, not both"})
    if coverage is None:
        return Coverage.objects.create(patient=patient, year=year, **fields), True
    for name, value in fields.items():
        setattr(coverage, name, value)
    coverage.save()
    return coverage, False
