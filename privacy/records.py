"""Which stored rows belong to one patient, live and in their change history.

A row belongs to the patient if it is theirs now, or if it was deleted and its last history
version was theirs (django-simple-history keeps every version of a deleted row). A row that
moved to another patient belongs to that patient only: its current values are theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Max, QuerySet

from practice.models import (
    AgreementAnnex,
    AgreementRequest,
    Coverage,
    Episode,
    Patient,
    Prescription,
    PriorUse,
    TreatmentSession,
)

# In the order a reader meets them: the patient, their insurance, then the treatment.
RECORD_MODELS: tuple[type[models.Model], ...] = (
    Patient,
    Coverage,
    PriorUse,
    Episode,
    Prescription,
    TreatmentSession,
    AgreementRequest,
    AgreementAnnex,
)


def history_model(model: type[models.Model]) -> type[models.Model]:
    """Return the django-simple-history table of ``model``."""
    found: type[models.Model] = model.history.model  # type: ignore[attr-defined]
    return found


@dataclass
class PatientRecords:
    """The ids of every row of each kind that belongs to one patient."""

    patient_id: int
    ids: dict[type[models.Model], set[int]] = field(default_factory=dict)

    def live(self, model: type[models.Model]) -> QuerySet[Any]:
        return model._default_manager.filter(pk__in=self.ids[model])

    def history(self, model: type[models.Model]) -> QuerySet[Any]:
        return history_model(model)._default_manager.filter(id__in=self.ids[model])

    def last_change(self) -> datetime | None:
        """The latest version of any of the rows (a save of any record is a change)."""
        latest: list[datetime] = []
        for model in RECORD_MODELS:
            found = self.history(model).aggregate(last=Max("history_date"))["last"]
            if found is not None:
                latest.append(found)
        return max(latest) if latest else None


def _ids(model: type[models.Model], parent: str, parent_ids: set[int]) -> set[int]:
    live = set(
        model._default_manager.filter(**{f"{parent}__in": parent_ids}).values_list("pk", flat=True)
    )
    # Deleted rows: in the history, no longer in the table, last seen under these parents.
    history = history_model(model)._default_manager
    gone = history.filter(**{f"{parent}__in": parent_ids}).exclude(id__in=live)
    candidates = set(gone.values_list("id", flat=True).distinct())
    still_there = set(model._default_manager.filter(pk__in=candidates).values_list("pk", flat=True))
    deleted = candidates - still_there
    mine: set[int] = set()
    if deleted:
        # The last version of each deleted row says whose it was.
        last: dict[int, int] = {}
        for row_id, parent_id in (
            history.filter(id__in=deleted)
            .order_by("id", "history_date", "history_id")
            .values_list("id", f"{parent}_id")
        ):
            last[row_id] = parent_id  # ordered: the last assignment is the last version
        mine = {row_id for row_id, parent_id in last.items() if parent_id in parent_ids}
    return live | mine


def patient_records(patient_id: int) -> PatientRecords:
    """Collect the ids of the patient's rows of every kind (a few queries per kind)."""
    records = PatientRecords(patient_id=patient_id, ids={Patient: {patient_id}})
    episodes = _ids(Episode, "patient", {patient_id})
    records.ids[Coverage] = _ids(Coverage, "patient", {patient_id})
    records.ids[PriorUse] = _ids(PriorUse, "patient", {patient_id})
    records.ids[Episode] = episodes
    records.ids[Prescription] = _ids(Prescription, "episode", episodes)
    records.ids[TreatmentSession] = _ids(TreatmentSession, "episode", episodes)
    requests = _ids(AgreementRequest, "episode", episodes)
    records.ids[AgreementRequest] = requests
    records.ids[AgreementAnnex] = _ids(AgreementAnnex, "request", requests)
    return records
