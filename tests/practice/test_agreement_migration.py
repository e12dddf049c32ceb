"""The data migration moves each episode's agreement dates into an agreement request."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("practice", "0004_agreement_requests_and_use_elsewhere")]
AFTER = [("practice", "0006_drop_episode_agreement_dates")]


@pytest.mark.django_db(transaction=True)
def test_episode_agreement_dates_become_granted_requests() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    practice = old.get_model("practice", "Practice").objects.create(name="Old", country="BE")
    patient = old.get_model("practice", "Patient").objects.create(
        practice=practice, first_name="A", last_name="B", birth_date=date(1970, 1, 1)
    )
    Episode = old.get_model("practice", "Episode")
    e = Episode.objects.create(
        patient=patient, title="MS", category="e", pathology="eb-13",
        agreement_from=date(2025, 1, 1), agreement_until=date(2025, 12, 31),
    )  # fmt: skip
    Episode.objects.create(patient=patient, title="Back", category="courante")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = list(new.get_model("practice", "AgreementRequest").objects.values())

    assert [
        (r["episode_id"], r["kind"], r["status"], r["granted_from"], r["granted_until"])
        for r in rows
    ] == [(e.pk, "physiotherapy-eb", "agreement", date(2025, 1, 1), date(2025, 12, 31))]
    assert rows[0]["practice_id"] == practice.pk
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
