"""Every write to a patient's records makes their stored Needs attention warnings stale.

Connected in ``ReimburseConfig.ready``. Signals rather than calls in each service: the admin,
the importer, the API and the services all save through the models, and a write path added
later is covered without anyone remembering the snapshot (``tests/reimburse/
test_attention_snapshots.py`` walks them). The version is raised in the writer's own
transaction (``store.attention_invalidate``).

What sends no signal is not seen: ``QuerySet.update``, ``bulk_create`` and raw SQL on these
tables must call ``attention_invalidate`` for the patients they touch (or delete
their ``AttentionSnapshot`` rows, which is always safe). No code of the project writes them
so; the benchmark's generator, which does, starts with no snapshots.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save

from practice.models import (
    AgreementRequest,
    ConventionAdherence,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from reimburse.attention.store import attention_invalidate
from reimburse.models import InsurerPackage, LoadedTariff


def _patients_of(instance: Model) -> QuerySet[Patient]:
    """Return the patients whose records ``instance`` is part of (a query, not yet run)."""
    if isinstance(instance, Patient):
        return Patient.objects.filter(pk=instance.pk)
    if isinstance(instance, (Episode, Coverage, PriorUse)):
        return Patient.objects.filter(pk=instance.patient_id)
    if isinstance(instance, (Prescription, TreatmentSession, AgreementRequest)):
        return Patient.objects.filter(episodes=instance.episode_id)
    if isinstance(instance, InsurerPackage):  # the coverage facts of every patient on it
        return Patient.objects.filter(
            pk__in=Coverage.objects.filter(package=instance).values("patient_id")
        )
    if isinstance(instance, LoadedTariff):  # the amounts of every Belgian patient's sessions
        return Patient.objects.filter(practice__country="BE")
    if isinstance(instance, ConventionAdherence):  # the amounts of the practice's sessions
        return Patient.objects.filter(practice__therapists=instance.therapist_id)
    if isinstance(instance, Therapist):  # whose convention periods the practice's case reads
        return Patient.objects.filter(practice=instance.practice_id)
    if isinstance(instance, Practice):  # its country picks the rules
        return Patient.objects.filter(practice=instance)
    raise TypeError(f"no patient records in {type(instance).__name__}")


def _stored_patients_of(instance: Model) -> QuerySet[Patient]:
    """Return the patients whose records hold ``instance`` as it is stored, before a save."""
    if isinstance(instance, Episode):
        return Patient.objects.filter(episodes__pk=instance.pk)
    if isinstance(instance, Coverage):
        return Patient.objects.filter(coverages__pk=instance.pk)
    if isinstance(instance, Prescription):
        return Patient.objects.filter(episodes__prescriptions__pk=instance.pk)
    if isinstance(instance, TreatmentSession):
        return Patient.objects.filter(episodes__sessions__pk=instance.pk)
    if isinstance(instance, AgreementRequest):
        return Patient.objects.filter(episodes__agreement_requests__pk=instance.pk)
    if isinstance(instance, PriorUse):
        return Patient.objects.filter(prior_uses__pk=instance.pk)
    raise TypeError(f"{type(instance).__name__} belongs to no patient")


def _saving(sender: type[Model], instance: Model, update_fields: Any = None, **kwargs: Any) -> None:
    # An update may move a row to another patient (another episode for a session, another
    # patient for an episode): the one it leaves is made stale too. The pages and services
    # never move rows; a shell or a later write path might.
    if instance._state.adding or instance.pk is None:
        return
    owner = "patient" if isinstance(instance, (Episode, Coverage, PriorUse)) else "episode"
    if update_fields is not None and owner not in update_fields:
        return  # the owner is not written (a cancellation, say): nobody is left
    attention_invalidate(patients=_stored_patients_of(instance))


def _saved(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    attention_invalidate(patients=_patients_of(instance))


def _deleted(sender: type[Model], instance: Model, origin: Any = None, **kwargs: Any) -> None:
    # Deleting a patient or a practice deletes the snapshots with it: nothing to mark (and
    # marking would re-create a snapshot of a patient being deleted).
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if isinstance(instance, Patient) or origin_model in (Patient, Practice):
        return
    _saved(sender, instance)


RECORDS = (
    Practice,
    Patient,
    Coverage,
    PriorUse,
    Episode,
    Prescription,
    TreatmentSession,
    AgreementRequest,
    InsurerPackage,
    LoadedTariff,
    Therapist,
    ConventionAdherence,
)
# Rows that belong to a patient.
MOVABLE = (Coverage, PriorUse, Episode, Prescription, TreatmentSession, AgreementRequest)


def connect() -> None:
    for model in RECORDS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"attention-saved-{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"attention-deleted-{model.__name__}"
        )
    for model in MOVABLE:
        pre_save.connect(_saving, sender=model, dispatch_uid=f"attention-saving-{model.__name__}")
