"""Writes of personal data: export one patient, anonymise one patient; each logged.

Keyword-only, one transaction each, the moment passed in (``at``). ``practice`` is the
administrator's practice, ``None`` for a superuser (every practice); a patient of another
practice raises ``NotYourPatient``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation

from practice.models import (
    AgreementAnnex,
    AgreementRequest,
    Episode,
    Patient,
    Practice,
    Prescription,
    TreatmentSession,
)
from privacy.export import export_data, export_page
from privacy.models import PrivacyLogEntry
from privacy.records import RECORD_MODELS, PatientRecords, patient_records
from privacy.retention import Retention
from privacy.selectors import NotYourPatient, is_anonymised, patient_in_scope, patient_retention
from reimburse.models import AttentionSnapshot

__all__ = [
    "ANONYMISED_BIRTH_DAY",
    "ExportFile",
    "NotYourPatient",
    "RetentionNotOver",
    "patient_anonymise",
    "patient_export",
]


def _log(
    *,
    practice: Practice,
    patient_id: int,
    user: Any,
    action: str,
    at: datetime,
    ground: str = "",
    reference: str = "",
) -> PrivacyLogEntry:
    return PrivacyLogEntry.objects.create(
        practice=practice,
        patient_id=patient_id,
        user=user if getattr(user, "pk", None) else None,
        username=user.get_username() if getattr(user, "pk", None) else "",
        action=action,
        ground=ground,
        reference=reference,
        at=at,
    )


# ---------------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes


def _add_patient(
    archive: zipfile.ZipFile,
    records: PatientRecords,
    *,
    at: datetime,
    practice: Practice,
    language: str,
) -> None:
    data = export_data(records, at=at)
    archive.writestr(
        f"patient-{records.patient_id}.json",
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False),
    )
    with translation.override(language):
        page = export_page(records, at=at, practice=practice)
    archive.writestr(f"patient-{records.patient_id}.html", page)


@transaction.atomic
def patient_export(
    *,
    patient_ids: list[int],
    practice: Practice | None,
    user: Any,
    at: datetime,
    language: str,
) -> ExportFile:
    """Return a ZIP with ``patient-<id>.json`` and ``patient-<id>.html`` per patient; log each.

    Refuses the whole export (``NotYourPatient``) if one patient is not the practice's.
    """
    patients = [patient_in_scope(patient_id=pk, practice=practice) for pk in patient_ids]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for patient in patients:
            _add_patient(
                archive,
                patient_records(patient.pk),
                at=at,
                practice=patient.practice,
                language=language,
            )
            _log(
                practice=patient.practice,
                patient_id=patient.pk,
                user=user,
                action=PrivacyLogEntry.Action.EXPORT,
                at=at,
            )
    name = (
        f"patient-{patients[0].pk}.zip"
        if len(patients) == 1
        else f"patients-{timezone.localdate(at).isoformat()}.zip"
    )
    return ExportFile(name=name, content=buffer.getvalue())


# ------------------------------------------------------------------------------- anonymise


class RetentionNotOver(ValidationError):
    """The legal retention period has not ended and no lawful request was named."""

    def __init__(self, retention: Retention) -> None:
        super().__init__(
            "the retention period runs until %(ends_on)s (%(law)s)",
            code="retention_not_over",
            params={"ends_on": retention.ends_on.isoformat(), "law": retention.rule.law},
        )
        self.retention = retention


# Statistics need age bands, not the day of birth: the year is kept and the day becomes
# 1 July, the middle of the year, so an age computed on any date is off by half a year at
# most and not biased one way. (birth_date is a required field: it cannot be emptied.)
ANONYMISED_BIRTH_DAY = (7, 1)

# What each kind of record holds that can identify the patient, and what it becomes. The
# values stay valid for the models' constraints. Dates of sessions, categories, list codes,
# counts, prices, coverage and agreement decisions stay: the practice's statistics need them.
# A callable gets the row's id.
SCRUB: dict[type[models.Model], dict[str, Any]] = {
    Patient: {
        "first_name": "—",
        "last_name": lambda pk: f"#{pk}",
        "national_id": "",
        "external_id": "",
    },
    Episode: {"title": lambda pk: f"#{pk}", "external_id": ""},
    # The prescriber's name and number, with the date, single the patient out in a small town.
    Prescription: {"prescriber": "", "prescriber_number": "", "external_id": ""},
    TreatmentSession: {"external_id": "", "cancel_reason": ""},
    # The insurer's decision id identifies the patient at the insurer; reasons and notes are
    # free text.
    AgreementRequest: {"decision_id": "", "reason_text": "", "notes": ""},
    AgreementAnnex: {"title": ""},
}


@dataclass(frozen=True)
class Anonymised:
    patient_id: int
    already: bool
    retention: Retention


def _scrub_values(model: type[models.Model], pk: int, birth_date: date) -> dict[str, Any]:
    values = {
        name: (value(pk) if callable(value) else value)
        for name, value in SCRUB.get(model, {}).items()
    }
    if model is Patient:
        values["birth_date"] = birth_date
    return values


def _scrub_history(records: PatientRecords, birth_date: date) -> None:
    # History rows are ours to rewrite: .update() on them makes no new version, as wanted.
    for model in RECORD_MODELS:
        history = records.history(model)
        history.update(history_change_reason=None)
        fixed = {k: v for k, v in SCRUB.get(model, {}).items() if not callable(v)}
        if model is Patient:
            fixed["birth_date"] = birth_date
        if fixed:
            history.update(**fixed)
        for name, value in SCRUB.get(model, {}).items():
            if callable(value):
                for pk in records.ids[model]:
                    history.filter(id=pk).update(**{name: value(pk)})


def _scrub_live(records: PatientRecords, birth_date: date, user: Any) -> None:
    # Saved one by one (not .update()): updated_at moves, so API clients' ETags and
    # incremental sync see the change, and the Needs attention signals fire.
    for model in RECORD_MODELS:
        for row in records.live(model):
            values = _scrub_values(model, row.pk, birth_date)
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if not changed:
                continue
            for name, value in changed.items():
                setattr(row, name, value)
            row._history_user = user if getattr(user, "pk", None) else None
            row.save()


def _scrub_message(message: str) -> str:
    # Django's change messages name added/changed/deleted inline rows by their str(), which
    # for coverage and prior use is the patient's name.
    try:
        items = json.loads(message)
    except ValueError:
        return ""
    if not isinstance(items, list):
        return ""
    for item in items:
        for detail in item.values() if isinstance(item, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = "—"
    return json.dumps(items)


def _scrub_admin_log(records: PatientRecords) -> None:
    for model in RECORD_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        ids = {str(pk): pk for pk in records.ids[model]}
        entries = LogEntry.objects.filter(content_type=content_type, object_id__in=list(ids))
        if not entries.exists():
            continue
        names = {str(row.pk): str(row) for row in records.live(model)}
        for entry in entries:
            entry.object_repr = names.get(entry.object_id or "", f"#{entry.object_id}")[:200]
            entry.change_message = _scrub_message(entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])


def _scrub_deliveries(records: PatientRecords, *, practice_id: int) -> None:
    """Blank the external ids that webhook deliveries stored about the patient's records.

    A delivery keeps its payload to be sent again; the practice system's external ids are
    identifying (they are blanked on the records too), ids and codes are not.
    """
    from webhooks.models import Delivery
    from webhooks.signals import RECORDS

    names = {RECORDS[model]: records.ids.get(model, set()) for model in RECORDS}
    # Only the deliveries about this patient are read: a practice may have sent thousands.
    about = Q(payload__data__patient_id=records.patient_id)
    for name, ids in names.items():
        if ids:
            about |= Q(payload__data__model=name, payload__data__id__in=sorted(ids))
    for delivery in Delivery.objects.filter(about, subscription__practice_id=practice_id):
        data = delivery.payload.get("data") if isinstance(delivery.payload, dict) else None
        if not isinstance(data, dict):
            continue
        changed = False
        if data.get("id") in names.get(str(data.get("model")), ()) and data.get("external_id"):
            data["external_id"] = None
            changed = True
        if data.get("patient_id") == records.patient_id and data.get("patient_external_id"):
            data["patient_external_id"] = None
            changed = True
        if changed:
            delivery.save(update_fields=["payload"])


@transaction.atomic
def patient_anonymise(
    *,
    patient_id: int,
    practice: Practice | None,
    user: Any,
    at: datetime,
    ground: str,
    reference: str = "",
) -> Anonymised:
    """Remove the patient's personal fields from their records, their history and the admin log.

    ``ground`` is ``PrivacyLogEntry.Ground``: ``retention_over`` is refused
    (``RetentionNotOver``) before the retention end of the law in force on ``at``'s day;
    ``lawful_request`` needs a ``reference``. Sessions, episodes' categories and counts stay.
    A patient already anonymised is scrubbed again and not logged again (``already=True``).
    """
    reference = reference.strip()
    if ground not in PrivacyLogEntry.Ground.values:
        raise ValidationError({"ground": "choose a ground"}, code="invalid")
    if ground == PrivacyLogEntry.Ground.LAWFUL_REQUEST and not reference:
        raise ValidationError(
            {"reference": "name the request: a written request or a court order"},
            code="required",
        )
    patient = patient_in_scope(patient_id=patient_id, practice=practice)
    # Two administrators anonymising at once make one anonymisation and one log row: the
    # practice row is the lock (the patient's own row may be deleted, only its history left).
    Practice.objects.select_for_update().get(pk=patient.practice_id)
    on = timezone.localdate(at)
    found = patient_retention(patient=patient, on=on)
    already = is_anonymised(patient.pk)
    if not already and ground == PrivacyLogEntry.Ground.RETENTION_OVER and not found.over(on):
        raise RetentionNotOver(found)

    # Done again for a patient already anonymised (each step changes only what is not yet
    # blank): a stale form saved since, or a write through the API, may have put a name back.
    records = patient_records(patient.pk)
    birth_date = date(patient.birth_date.year, *ANONYMISED_BIRTH_DAY)
    _scrub_history(records, birth_date)
    _scrub_live(records, birth_date, user)
    _scrub_admin_log(records)
    _scrub_deliveries(records, practice_id=patient.practice_id)
    # Stored warnings carry episode titles; deleting a snapshot is always safe (recomputed).
    AttentionSnapshot.objects.filter(patient_id=patient.pk).delete()
    if already:
        return Anonymised(patient_id=patient.pk, already=True, retention=found)
    _log(
        practice=patient.practice,
        patient_id=patient.pk,
        user=user,
        action=PrivacyLogEntry.Action.ANONYMISE,
        at=at,
        ground=ground,
        reference=reference,
    )
    return Anonymised(patient_id=patient.pk, already=False, retention=found)
