"""Fuzz the API against its own OpenAPI schema with schemathesis, in-process and bounded.

Every operation gets a bounded number of generated requests (valid and invalid ones),
authenticated with a real token, against a practice holding a few records; path ids are drawn
from those records half of the time so reads, changes and cancels reach real rows. Checks: no
5xx, and every status code, content type and body is the one the schema documents.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from practice.models import Practice, Therapist
from practice.tokens import api_token_create
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    PriorUseFactory,
    SessionFactory,
    TherapistFactory,
)

# Bounded for CI (about 40 s, same examples every run); a deeper, random local run:
#   API_FUZZ_EXAMPLES=300 API_FUZZ_RANDOM=1 .venv/bin/pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("API_FUZZ_RANDOM")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _records(practice: Practice) -> dict[str, list[int]]:
    """A practice's patients with episodes, prescriptions, sessions and coverage; ids by path."""
    therapist = TherapistFactory.create(practice=practice)
    patients = [PatientFactory.create(practice=practice) for _ in range(2)]
    episodes = [EpisodeFactory.create(patient=p) for p in patients]
    prescriptions = [PrescriptionFactory.create(episode=e, date=date(2025, 2, 3)) for e in episodes]
    sessions = [
        SessionFactory.create(episode=e, therapist=therapist, date=date(2025, 2, day))
        for e in episodes
        for day in (5, 7)
    ]
    requests = [
        AgreementRequestFactory.create(
            episode=episodes[0], kind="physiotherapy-common-2-and-more", status="draft",
            granted_from=None, granted_until=None, prescription=prescriptions[0],
        ),
        AgreementRequestFactory.create(
            episode=episodes[1], kind="physiotherapy-common-2-and-more", decision_id="D-1",
        ),
    ]  # fmt: skip
    prior_uses = [PriorUseFactory.create(patient=patients[0], situations=1)]
    nl_patient = PatientFactory.create(practice=PracticeFactory.create(country="NL"))
    coverage = [CoverageFactory.create(patient=nl_patient)]  # another practice's: must 404
    return {
        "patients": [p.pk for p in patients],
        "episodes": [e.pk for e in episodes],
        "prescriptions": [rx.pk for rx in prescriptions],
        "sessions": [s.pk for s in sessions],
        "coverage": [c.pk for c in coverage],
        "agreement-requests": [r.pk for r in requests],
        "prior-use": [u.pk for u in prior_uses],
    }


# The schema is served in-process by the WSGI app; serving it needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
# Set on schemathesis's own config: it overrides @settings(derandomize=...) while it keeps an
# example database, which would also write .hypothesis/ files into the working tree.
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, deterministic=DERANDOMIZE, database="none"
)


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's transaction open across requests, as Django's test client does.

    schemathesis calls the WSGI handler directly, whose request signals would close the
    connection (and roll back the test's records) on PostgreSQL.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_practice(db: None, in_process_requests: None) -> tuple[str, dict[str, list[int]]]:
    """A practice with a few records, and an API key of it."""
    practice = PracticeFactory.create(country="BE")
    admin = TherapistFactory.create(practice=practice, role=Therapist.Role.ADMINISTRATOR)
    _token, key = api_token_create(practice=practice, name="fuzz", created_by=admin.user)
    return key, _records(practice)


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(
    case: Any, data: st.DataObject, fuzz_practice: tuple[str, dict[str, list[int]]]
) -> None:
    key, ids = fuzz_practice
    resource = case.operation.path.split("/")[3]
    # Half the time, aim at a row that exists so reads, changes and cancels go deep.
    if "id" in (case.path_parameters or {}) and resource in ids and data.draw(st.booleans()):
        case.path_parameters["id"] = data.draw(st.sampled_from(ids[resource]))
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
