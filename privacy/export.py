"""One patient's stored data as a machine-readable JSON file and a page the patient can read.

Both come from the same rows (``privacy.records``): each record's current values, or the
note that it was deleted, and every history version with who made it and when. The JSON
keeps codes and ISO dates; the page shows labels (the fields' ``verbose_name``), the
choices' display names and dates in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from practice.models import Practice, Therapist, TreatmentSession
from privacy.models import PrivacyLogEntry
from privacy.records import RECORD_MODELS, PatientRecords

FORMAT = "reimburse-patient-export/1"

# Not shown on the patient's page: internal keys that mean nothing to a reader.
HIDDEN_ON_PAGE = frozenset({"id", "submission_key"})

# Labels for the fields declared without a translated verbose_name.
FIELD_LABELS: dict[str, Any] = {
    "practice": _("practice"),
    "patient": _("patient"),
    "episode": _("episode"),
    "therapist": _("therapist"),
    "request": _("agreement request"),
    "package": _("insurer package"),
    "cancelled_by": _("cancelled by"),
    "created_at": _("created on"),
    "updated_at": _("last changed on"),
}

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.Field)]


def _values(model: type[models.Model], row: models.Model) -> dict[str, Any]:
    return {f.name: _json_value(getattr(row, f.attname)) for f in _fields(model)}


def _kind(model: type[models.Model]) -> str:
    return model._meta.model_name or model.__name__.lower()


def export_data(records: PatientRecords, *, at: datetime) -> dict[str, Any]:
    """Return everything stored about the patient as JSON-ready data (ids, codes, ISO dates)."""
    users = dict(get_user_model()._default_manager.values_list("pk", "username"))
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": at.isoformat(),
        "patient_id": records.patient_id,
        "records": {},
    }
    for model in RECORD_MODELS:
        live = {row.pk: row for row in records.live(model)}
        versions: dict[int, list[dict[str, Any]]] = {}
        for version in records.history(model).order_by("history_date", "history_id"):
            versions.setdefault(version.id, []).append(
                {
                    "history_id": version.history_id,
                    "at": version.history_date.isoformat(),
                    "type": HISTORY_TYPES.get(version.history_type, version.history_type),
                    "user": users.get(version.history_user_id),
                    "change_reason": version.history_change_reason,
                    "values": _values(model, version),
                }
            )
        rows = []
        for row_id in sorted(records.ids[model]):
            current = live.get(row_id)
            rows.append(
                {
                    "id": row_id,
                    "deleted": current is None,
                    "values": _values(model, current) if current is not None else None,
                    "history": versions.get(row_id, []),
                }
            )
        data["records"][_kind(model)] = rows
    # Who exported or anonymised this patient's data before (GDPR art. 15: to whom disclosed).
    data["privacy_log"] = [
        {
            "at": entry.at.isoformat(),
            "action": entry.action,
            "ground": entry.ground,
            "reference": entry.reference,
            "user": entry.username,
        }
        for entry in PrivacyLogEntry.objects.filter(patient_id=records.patient_id).order_by(
            "at", "id"
        )
    ]
    return data


# ------------------------------------------------------------------------------ the page


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class Version:
    at: str
    user: str
    what: str
    changes: tuple[Line, ...]


@dataclass(frozen=True)
class Record:
    title: str
    deleted: bool
    lines: tuple[Line, ...]
    versions: tuple[Version, ...]


@dataclass(frozen=True)
class Section:
    title: str
    records: tuple[Record, ...]


def label_of(field: models.Field[Any, Any]) -> str:
    """The field's translated label; never its raw name where a label exists."""
    if isinstance(field.verbose_name, Promise):
        return str(field.verbose_name)
    if field.name in FIELD_LABELS:
        return str(FIELD_LABELS[field.name])
    return str(field.verbose_name)


class _Names:
    """Readable names of the rows a record points at: the patient's own rows read once per
    kind, any other row (practice, therapist, package, user) once by its key."""

    def __init__(self, records: PatientRecords) -> None:
        self.records = records
        self.cache: dict[type[models.Model], dict[Any, str]] = {}

    def name(self, model: type[models.Model], pk: Any) -> str:
        names = self.cache.get(model)
        if names is None:
            names = self.cache[model] = self._own(model)
        if pk not in names and model not in RECORD_MODELS:
            rows = model._default_manager.filter(pk=pk)
            if model is Therapist:
                rows = rows.select_related("user")
            names.update({row.pk: str(row) for row in rows})
        return names.get(pk, f"#{pk}")

    def _own(self, model: type[models.Model]) -> dict[Any, str]:
        if model not in RECORD_MODELS:
            return {}
        rows = self.records.live(model)
        if model is TreatmentSession:
            rows = rows.select_related("episode")  # its __str__ reads the episode's title
        return {row.pk: str(row) for row in rows}


def _shown(field: models.Field[Any, Any], value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.ForeignKey):
        return names.name(field.related_model, value)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) if value else "—"
    return str(value)


def _lines(
    model: type[models.Model], row: models.Model, names: _Names, only: set[str] | None = None
) -> tuple[Line, ...]:
    return tuple(
        Line(label_of(f), _shown(f, getattr(row, f.attname), names))
        for f in _fields(model)
        if f.name not in HIDDEN_ON_PAGE and (only is None or f.name in only)
    )


def export_page(records: PatientRecords, *, at: datetime, practice: Practice) -> str:
    """Return the patient's readable page, in the active language (no raw field names)."""
    names = _Names(records)
    users = {
        u.pk: (u.get_full_name() or u.get_username())
        for u in get_user_model()._default_manager.all()
    }
    what = {"+": gettext("Created"), "~": gettext("Changed"), "-": gettext("Deleted")}
    sections = []
    for model in RECORD_MODELS:
        live = {row.pk: row for row in records.live(model)}
        versions: dict[int, list[Any]] = {}
        for version in records.history(model).order_by("history_date", "history_id"):
            versions.setdefault(version.id, []).append(version)
        shown = []
        for row_id in sorted(records.ids[model]):
            current = live.get(row_id)
            history = versions.get(row_id, [])
            shown_versions = []
            previous: Any = None
            for version in history:
                changed = {
                    f.name
                    for f in _fields(model)
                    if previous is None
                    or getattr(version, f.attname) != getattr(previous, f.attname)
                }
                changes = (
                    () if version.history_type == "-" else _lines(model, version, names, changed)
                )
                shown_versions.append(
                    Version(
                        at=formats.date_format(
                            timezone.localtime(version.history_date), "DATETIME_FORMAT"
                        ),
                        user=users.get(version.history_user_id, "—"),
                        what=what.get(version.history_type, str(version.history_type)),
                        changes=changes,
                    )
                )
                previous = version
            last = current if current is not None else (history[-1] if history else None)
            title = names.name(model, row_id) if current is not None else f"#{row_id}"
            shown.append(
                Record(
                    title=title,
                    deleted=current is None,
                    lines=_lines(model, last, names) if last is not None else (),
                    versions=tuple(shown_versions),
                )
            )
        sections.append(Section(title=str(model._meta.verbose_name_plural), records=tuple(shown)))
    return render_to_string(
        "privacy/patient_export.html",
        {
            "sections": sections,
            "practice": practice.name,
            "patient_id": records.patient_id,
            "exported_at": formats.date_format(timezone.localtime(at), "DATETIME_FORMAT"),
            "language": get_language() or "en",
        },
    )
