"""A practice system's sync, written against the client openapi-python-client generates.

CI generates the client from the project's own schema, type-checks this script with
``mypy --strict`` and runs it against a live server: practice and therapists, create,
correct (with If-Match, and a stale one refused), list the changes since, read a quota.
It imports nothing but the generated package and the standard library.

    python .ci/api_client/sync.py http://127.0.0.1:8123 <API key>
"""

from __future__ import annotations

import datetime
import sys
import uuid
from urllib.parse import parse_qs, urlparse

from physiotherapy_reimbursement_api_client import AuthenticatedClient
from physiotherapy_reimbursement_api_client.api.episodes import episodes_create
from physiotherapy_reimbursement_api_client.api.patients import (
    patients_create,
    patients_quota_retrieve,
)
from physiotherapy_reimbursement_api_client.api.practice import practice_retrieve
from physiotherapy_reimbursement_api_client.api.prescriptions import prescriptions_create
from physiotherapy_reimbursement_api_client.api.sessions import (
    sessions_create,
    sessions_list,
    sessions_partial_update,
)
from physiotherapy_reimbursement_api_client.api.therapists import therapists_list
from physiotherapy_reimbursement_api_client.models import (
    CategoryEnum,
    CountryEnum,
    EpisodeRequest,
    Error,
    PaginatedSessionList,
    PatchedSessionUpdateRequest,
    Patient,
    PatientRequest,
    Practice,
    PrescriptionRequest,
    Session,
    SessionCreateRequest,
    SimulateResult,
)
from physiotherapy_reimbursement_api_client.models import Episode as EpisodeModel
from physiotherapy_reimbursement_api_client.models import Prescription as PrescriptionModel
from physiotherapy_reimbursement_api_client.types import UNSET, Unset

DAY = datetime.date(2026, 3, 2)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"sync check failed: {what}")
    print(f"ok  {what}")


def changed_since(client: AuthenticatedClient, since: datetime.datetime) -> list[Session]:
    """Every session changed at or after ``since``, following the cursor to the end."""
    rows: list[Session] = []
    cursor: str | Unset = UNSET
    while True:
        page = sessions_list.sync(client=client, updated_since=since, page_size=2, cursor=cursor)
        assert isinstance(page, PaginatedSessionList), page
        rows += page.results
        if not isinstance(page.next_, str):
            return rows
        cursor = parse_qs(urlparse(page.next_).query)["cursor"][0]


def main(base_url: str, key: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=key)
    run = uuid.uuid4().hex[:8]

    practice = practice_retrieve.sync(client=client)
    assert isinstance(practice, Practice), practice
    check(practice.country == CountryEnum.BE, f"the token's practice is {practice.name} (BE)")
    therapists = therapists_list.sync(client=client)
    assert therapists is not None and not isinstance(therapists, Error), therapists
    therapist = therapists.results[0].id
    check(isinstance(therapist, int), f"therapist ids come from the API ({therapist})")

    patient = patients_create.sync(
        client=client,
        body=PatientRequest(
            first_name="Sync",
            last_name=f"Check {run}",
            birth_date=datetime.date(1980, 5, 17),
            external_id=f"ci-{run}-p",
        ),
    )
    assert isinstance(patient, Patient), patient
    episode = episodes_create.sync(
        client=client,
        body=EpisodeRequest(
            patient=patient.id,
            title="Low back pain",
            category=CategoryEnum.COURANTE,
            external_id=f"ci-{run}-e",
        ),
    )
    assert isinstance(episode, EpisodeModel), episode
    prescription = prescriptions_create.sync(
        client=client,
        body=PrescriptionRequest(
            episode=episode.id, date=DAY, sessions=9, external_id=f"ci-{run}-rx"
        ),
    )
    assert isinstance(prescription, PrescriptionModel), prescription
    created = sessions_create.sync_detailed(
        client=client,
        body=SessionCreateRequest(
            episode=episode.id, date=DAY, therapist=therapist, external_id=f"ci-{run}-s"
        ),
    )
    session = created.parsed
    assert isinstance(session, Session), session
    check(created.status_code == 201, f"session {session.id} recorded (201)")
    read_at = session.updated_at
    etag = created.headers["ETag"]

    moved = sessions_partial_update.sync_detailed(
        session.id,
        client=client,
        body=PatchedSessionUpdateRequest(date=DAY + datetime.timedelta(days=2)),
        if_match=etag,
    )
    assert isinstance(moved.parsed, Session), moved.parsed
    check(
        moved.status_code == 200 and moved.parsed.date == DAY + datetime.timedelta(days=2),
        "the appointment moved two days with If-Match (200), same id and external_id",
    )
    check(moved.parsed.minutes == session.minutes, "what the change did not name is kept")
    stale = sessions_partial_update.sync_detailed(
        session.id,
        client=client,
        body=PatchedSessionUpdateRequest(minutes=45),
        if_match=etag,
    )
    check(
        stale.status_code == 412 and isinstance(stale.parsed, Error),
        "a change based on the old ETag is refused (412)",
    )

    changes = changed_since(client, read_at)
    check(
        [row.id for row in changes if row.id == session.id] == [session.id],
        f"the moved session is in the changes since {read_at.isoformat()}",
    )

    quota = patients_quota_retrieve.sync(patient.id, client=client, as_of=DAY)
    assert isinstance(quota, SimulateResult), quota
    (courante,) = [q for q in quota.quotas if q.episode == str(episode.id)]
    check(courante.used == 1, f"the quota counts the session ({courante.counter} used 1)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
