"""Anonymising reaches webhook payloads, and a second anonymisation scrubs what came back."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from practice.models import Patient
from privacy import services
from privacy.models import PrivacyLogEntry
from tests.factories import EpisodeFactory, PatientFactory, PracticeFactory, UserFactory
from webhooks.models import Delivery
from webhooks.services import subscription_create

pytestmark = pytest.mark.django_db


def _anonymise(patient: Patient, user: object) -> services.Anonymised:
    return services.patient_anonymise(
        patient_id=patient.pk,
        practice=None,
        user=user,
        at=timezone.now(),
        ground="lawful_request",
        reference="written request of 2 March 2026",
    )


def test_webhook_payloads_lose_the_external_ids_of_the_patients_records() -> None:
    practice = PracticeFactory.create(country="BE")
    subscription_create(
        practice=practice, url="https://example.com/h", event_types=["record.changed"]
    )
    patient = PatientFactory.create(practice=practice, external_id="pms-77")
    EpisodeFactory.create(patient=patient, title="Knee", external_id="ep-secret")
    assert "pms-77" in json.dumps(list(Delivery.objects.values_list("payload", flat=True)))
    user = UserFactory.create(is_superuser=True, is_staff=True)

    _anonymise(patient, user)

    payloads = json.dumps(list(Delivery.objects.values_list("payload", flat=True)))
    assert "pms-77" not in payloads
    assert "ep-secret" not in payloads


def test_a_name_written_back_after_anonymising_is_removed_again_without_a_second_log() -> None:
    patient = PatientFactory.create(first_name="Griet", last_name="Vermeulen")
    user = UserFactory.create(is_superuser=True, is_staff=True)
    _anonymise(patient, user)
    # A stale admin form saved afterwards puts the name back.
    Patient.objects.filter(pk=patient.pk).update(first_name="Griet", last_name="Vermeulen")

    again = _anonymise(patient, user)

    assert again.already
    patient.refresh_from_db()
    assert "Griet" not in (patient.first_name, patient.last_name)
    assert "Vermeulen" not in (patient.first_name, patient.last_name)
    assert PrivacyLogEntry.objects.filter(patient_id=patient.pk, action="anonymise").count() == 1
