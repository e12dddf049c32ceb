"""Writes to the practice's records: keyword-only, typed, one transaction each.

Invalid input raises ``django.core.exceptions.ValidationError`` with a message per field, so
the API, the forms and the importer can all show the problem next to the field it concerns.
Creates that carry an ``external_id`` are safe to repeat, also at the same moment: a repeat with
the same values gets the existing row back with ``created=False``; one with other values raises
``ConflictingRecord`` naming each field that differs.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
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
        kind = gettext("INSZ/NISS number") if country == Country.BELGIUM else "BSN"
        message = gettext("not a valid %(kind)s: %(error)s") % {"kind": kind, "error": error}
        raise ValidationError({"national_id": message}) from error


# ------------------------------------------------------------------ versions (optimistic locks)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RecordChanged(Exception):
    """The record changed since the version the caller based its change on."""

    def __init__(self, current: str) -> None:
        super().__init__(f"the record is now at version {current}")
        self.current = current


class SessionCancelled(Exception):
    """A cancelled session is kept as it was cancelled: it cannot be changed."""


def record_version(row: Any) -> str:
    """Return the opaque version of a row: its last change, in microseconds since 1970.

    Every save moves ``updated_at`` (``auto_now``), so two versions of a row never share it.
    """
    updated_at: datetime = row.updated_at
    return str((updated_at - _EPOCH) // timedelta(microseconds=1))


def _lock_current(row: M, expected_versions: Collection[str] | None) -> M:
    """Re-read ``row`` locked until the transaction ends; refuse it if it is not as expected.

    ``expected_versions`` None means "whatever its version"; otherwise the row's current
    version must be one of them, else ``RecordChanged`` (someone else's change would be lost).
    """
    current = type(row)._default_manager.select_for_update().get(pk=row.pk)
    if expected_versions is not None and record_version(current) not in expected_versions:
        raise RecordChanged(record_version(current))
    return current


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
def patient_update(
    *, patient: Patient, expected_versions: Collection[str] | None = None, **fields: Any
) -> Patient:
    """Change a patient's details; the national id is validated and stored compact.

    With ``expected_versions``, refuse (``RecordChanged``) unless the patient is still at one.
    """
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
    patient = _lock_current(patient, expected_versions)
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
def episode_update(
    *, episode: Episode, expected_versions: Collection[str] | None = None, **fields: Any
) -> Episode:
    """Change an episode (notification, agreement, referral …), validated as on creation.

    With ``expected_versions``, refuse (``RecordChanged``) unless the episode is still at one.
    """
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "unknown field"))
    episode = _lock_current(episode, expected_versions)
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


PRESCRIPTION_CHANGEABLE = (
    "date",
    "sessions",
    "prescriber",
    "prescriber_number",
    "second_session_motivated",
)


@transaction.atomic
def prescription_update(
    *, prescription: Prescription, expected_versions: Collection[str] | None = None, **fields: Any
) -> Prescription:
    """Correct a prescription (its date, number of sessions, prescriber), checked as on creation.

    It stays with its episode. With ``expected_versions``, refuse (``RecordChanged``) unless the
    prescription is still at one of them.
    """
    unknown = set(fields) - set(PRESCRIPTION_CHANGEABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed"))
    if "sessions" in fields and fields["sessions"] < 1:
        raise ValidationError({"sessions": "a prescription prescribes at least one session"})
    prescription = _lock_current(prescription, expected_versions)
    for name, value in fields.items():
        setattr(prescription, name, value)
    prescription.save()
    return prescription


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
    kind: str = TreatmentSession.Kind.PHYSIOTHERAPY,
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
        "kind": kind,
    }
    found = _existing(TreatmentSession, practice, external_id) or _submitted(submission_key)
    if found is not None:
        return _same_or_conflict(found, values)
    errors = _session_errors(practice, values)
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


SESSION_CHANGEABLE = ("date", "therapist", "minutes", "place", "price", "kind")


def _session_errors(practice: Practice, fields: dict[str, Any]) -> dict[str, str]:
    """Check a session's values, all of them on a create, the changed ones on an update."""
    errors: dict[str, str] = {}
    therapist = fields.get("therapist")
    if therapist is not None and therapist.practice_id != practice.pk:
        errors["therapist"] = "this therapist works for another practice"
    if "minutes" in fields and fields["minutes"] < 1:
        errors["minutes"] = "a session lasts at least one minute"
    if "place" in fields and fields["place"] not in TreatmentSession.Place.values:
        errors["place"] = f"unknown place {fields['place']!r}; expected practice or home"
    price = fields.get("price")
    if price is not None and price < 0:
        errors["price"] = "a price cannot be negative"
    kind = fields.get("kind")
    if kind is not None and kind not in TreatmentSession.Kind.values:
        expected = ", ".join(TreatmentSession.Kind.values)
        errors["kind"] = f"unknown kind {kind!r}; expected one of {expected}"
    return errors


@transaction.atomic
def session_update(
    *, session: TreatmentSession, expected_versions: Collection[str] | None = None, **fields: Any
) -> TreatmentSession:
    """Correct a session (move it to another day, change its therapist, length, place, price).

    It stays with its episode and keeps its external id; a cancelled session cannot be changed
    (``SessionCancelled``). With ``expected_versions``, refuse (``RecordChanged``) unless the
    session is still at one of them.
    """
    unknown = set(fields) - set(SESSION_CHANGEABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed"))
    errors = _session_errors(session.practice, fields)
    if errors:
        raise ValidationError(errors)
    # Serialise writers per patient so concurrent sessions see a consistent quota.
    Patient.objects.select_for_update().filter(pk=session.episode.patient_id).first()
    session = _lock_current(session, expected_versions)
    if session.cancelled_at is not None:
        raise SessionCancelled(f"session {session.pk} is cancelled")
    for name, value in fields.items():
        setattr(session, name, value)
    session.save()
    return session


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
    # The history row keeps the reason too, beside who and when (django-simple-history).
    session._change_reason = reason  # type: ignore[attr-defined]
    session._history_user = by  # type: ignore[attr-defined]
    session.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    return session


@transaction.atomic
def session_correct(
    *,
    session: TreatmentSession,
    by: User,
    reason: str,
    episode: Episode,
    date: date,
    minutes: int,
) -> TreatmentSession:
    """Correct a recorded session's episode, date or minutes; the history keeps the reason.

    The episode must be one of the same patient's: moving a session to another patient is a
    cancellation and a new session.
    """
    errors: dict[str, str] = {}
    if session.cancelled_at is not None:
        errors["session"] = "a cancelled session cannot be corrected"
    if episode.patient_id != session.episode.patient_id:
        errors["episode"] = "the episode belongs to another patient"
    if minutes < 1:
        errors["minutes"] = "a session lasts at least one minute"
    if not reason.strip():
        errors["reason"] = "say why the session is corrected"
    if errors:
        raise ValidationError(errors)
    Patient.objects.select_for_update().filter(pk=session.episode.patient_id).first()
    session.episode = episode
    session.date = date
    session.minutes = minutes
    session._change_reason = reason  # type: ignore[attr-defined]
    session._history_user = by  # type: ignore[attr-defined]
    session.save(update_fields=["episode", "date", "minutes", "updated_at"])
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
def coverage_update(
    *, coverage: Coverage, expected_versions: Collection[str] | None = None, **fields: Any
) -> Coverage:
    """Change a year's coverage, checked as ``coverage_set`` checks it.

    With ``expected_versions``, refuse (``RecordChanged``) unless the row is still at one.
    """
    coverage = _lock_current(coverage, expected_versions)
    coverage, _created = coverage_set(patient=coverage.patient, year=coverage.year, **fields)
    return coverage


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
