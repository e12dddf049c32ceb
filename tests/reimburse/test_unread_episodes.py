"""The episodes Needs attention leaves unread are those ``horizon.unloaded`` names, read in SQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.models import Episode, Patient
from reimburse import services
from reimburse.attention.compute import unread_episodes
from reimburse.attention.horizon import unloaded
from tests.factories import EpisodeFactory, PatientFactory, SessionFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 12, 15)  # the cut: 1 January 2024


def _from_history(patient: Patient) -> set[int]:
    loaded = services.patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    return {int(pk) for pk in unloaded(services.patient_case(patient=loaded, as_of=AS_OF))}


def _old_courante(patient: Patient, *days: date, **fields: object) -> Episode:
    episode = EpisodeFactory.create(patient=patient, category="courante", **fields)
    for day in days:
        SessionFactory.create(episode=episode, date=day)
    return episode


def test_an_old_episode_begun_at_another_practice_is_read() -> None:
    """``horizon._began_elsewhere``: its sessions elsewhere count in its periods and years."""
    patient = PatientFactory.create()
    quiet = _old_courante(patient, date(2022, 3, 1))
    prior = _old_courante(patient, date(2022, 5, 2), prior_sessions={"2022": 3})
    first = _old_courante(patient, date(2022, 9, 5), first_session_on=date(2022, 8, 1))

    found = unread_episodes(patient.practice, AS_OF)

    assert found == _from_history(patient) == {quiet.pk}
    assert prior.pk not in found and first.pk not in found


def test_a_day_shared_with_an_episode_that_is_read_reads_the_patient_whole() -> None:
    patient = PatientFactory.create()
    # Its span (March to October 2022) holds a day of the episode read, but no day is shared.
    spanning = _old_courante(patient, date(2022, 3, 1), date(2022, 10, 3))
    read = EpisodeFactory.create(patient=patient, category="e")
    for day in (date(2022, 6, 1), date(2025, 6, 2)):
        SessionFactory.create(episode=read, date=day)
    alone = PatientFactory.create(practice=patient.practice)
    other = _old_courante(alone, date(2022, 6, 1))

    assert unread_episodes(patient.practice, AS_OF) == {spanning.pk, other.pk}
    assert _from_history(patient) == {spanning.pk}

    SessionFactory.create(episode=spanning, date=date(2022, 6, 1))  # now it shares a day
    with CaptureQueriesContext(connection) as queries:
        found = unread_episodes(patient.practice, AS_OF)

    assert found == {other.pk}
    assert _from_history(patient) == set()
    # The episodes, the old days of the episodes read, the days of the one whose span holds one.
    assert len(queries.captured_queries) == 3


def test_two_episodes_read_on_one_old_day_read_the_patient_whole() -> None:
    patient = PatientFactory.create()
    old = _old_courante(patient, date(2021, 2, 1))
    for _ in range(2):
        read = EpisodeFactory.create(patient=patient, category="e")
        for day in (date(2022, 6, 1), date(2025, 6, 2)):
            SessionFactory.create(episode=read, date=day)

    assert unread_episodes(patient.practice, AS_OF) == _from_history(patient) == set()
    assert old.pk
