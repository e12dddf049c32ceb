"""Every record the bridge reads makes a stored Needs attention list stale when it is written.

The stored lists are invalidated by signals on the models in ``attention.signals.RECORDS``.
A model the bridge reads and that is not there (a new fact the rules use: a convention status,
an agreement) would leave lists stale after a write. This reads the tables the bridge's
queries touch and checks each against the list.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.models import Patient
from reimburse.attention.signals import RECORDS
from reimburse.services import patient_status, practice_cases
from tests.factories import (
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def _tables_read(run: object) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        run()  # type: ignore[operator]
    found: set[str] = set()
    for query in queries.captured_queries:
        found |= set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z_0-9]+)"?', query["sql"]))
    return found


def _models_of(tables: set[str]) -> set[type]:
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    return {by_table[table] for table in tables if table in by_table}


@pytest.mark.parametrize("country", ["BE", "NL"])
def test_every_model_the_bridge_reads_invalidates_the_stored_lists(country: str) -> None:
    practice = PracticeFactory.create(country=country)
    patient = PatientFactory.create(practice=practice)
    episode = EpisodeFactory.create(
        patient=patient, category="courante" if country == "BE" else "regular"
    )
    PrescriptionFactory.create(episode=episode, date=date(2025, 2, 1))
    SessionFactory.create(episode=episode, date=date(2025, 2, 3))
    if country == "NL":
        CoverageFactory.create(patient=patient, package=InsurerPackageFactory.create())

    read = _models_of(
        _tables_read(lambda: list(practice_cases(practice=practice, as_of=AS_OF)))
        | _tables_read(
            lambda: patient_status(patient=Patient.objects.get(pk=patient.pk), as_of=AS_OF)
        )
    )

    assert read, "no table recognised: the pattern no longer matches the SQL"
    assert read <= set(RECORDS), read - set(RECORDS)
