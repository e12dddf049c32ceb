"""The data migration that makes episode external ids unique per practice."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("practice", "0009_episode_practice_and_session_submission_key")]
AFTER = [("practice", "0011_episode_external_id_unique_per_practice")]


@pytest.mark.django_db(transaction=True)
def test_duplicated_episode_ids_are_kept_renamed_and_every_episode_gets_its_practice() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Practice = apps.get_model("practice", "Practice")
    Patient = apps.get_model("practice", "Patient")
    Episode = apps.get_model("practice", "Episode")
    practice = Practice.objects.create(name="P", country="BE")
    other = Practice.objects.create(name="Q", country="BE")
    patient = Patient.objects.create(
        practice=practice, first_name="A", last_name="B", birth_date=date(1980, 1, 1)
    )
    stranger = Patient.objects.create(
        practice=other, first_name="C", last_name="D", birth_date=date(1980, 1, 1)
    )
    first, second, third = (
        Episode.objects.create(patient=patient, title="Knee", category="courante", external_id="e1")
        for _ in range(3)
    )
    elsewhere = Episode.objects.create(
        patient=stranger, title="Knee", category="courante", external_id="e1"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    Episode = apps.get_model("practice", "Episode")
    stored = dict(Episode.objects.values_list("pk", "external_id"))
    assert stored == {
        first.pk: "e1",
        second.pk: f"e1~dup{second.pk}",
        third.pk: f"e1~dup{third.pk}",
        elsewhere.pk: "e1",
    }
    # Leave the database as the other tests expect it: every migration applied.
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    practices = dict(Episode.objects.values_list("pk", "practice_id"))
    assert practices == {
        first.pk: practice.pk,
        second.pk: practice.pk,
        third.pk: practice.pk,
        elsewhere.pk: other.pk,
    }
