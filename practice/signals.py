"""Model signal receivers of the practice's records."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import Signal

from practice.models import Episode

# Sent by the task worker after an import's rows are committed, as
# ``import_finished.send(sender=ImportJob, job=job)`` (a hook for the post_import event).
import_finished = Signal()


def episode_practice_from_patient(sender: type[Episode], instance: Episode, **kwargs: Any) -> None:
    """Store an episode's practice from its patient when the code that built it did not.

    ``Episode.practice`` exists for the database's unique external id per practice; it is
    always the patient's practice. ``episode_create`` sets it; this fills it for code that
    saves an ``Episode`` it built itself (fixtures, scripts). ``bulk_create`` sends no signal:
    pass ``practice`` there.
    """
    if instance.practice_id is None and instance.patient_id is not None:
        instance.practice_id = instance.patient.practice_id


def connect() -> None:
    pre_save.connect(episode_practice_from_patient, sender=Episode, dispatch_uid="episode_practice")
