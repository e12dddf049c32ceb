"""The admin: quota columns and filters from the engine, practice scope, tokens, import/export."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    ApiToken,
    Episode,
    ImportJob,
    Patient,
    Practice,
    Therapist,
    TreatmentSession,
)
from reimburse import engine
from reimburse.engine import types as t
from reimburse.engine.vocabulary import Severity, WarningCode
from tests import importing
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VALID_INSZ = "85073003328"


class StubJurisdiction:
    """A small stand-in for the engines: 18 per episode, and the warnings the filters use.

    - ``quota_low`` / ``quota_exhausted`` from the sessions left of 18 per episode;
    - ``notification_missing`` for an fa/fb episode without ``notified_on``;
    - ``prescription_late_start`` when the first session is more than 60 days after the
      episode's first prescription.
    """

    def evaluate(self, case: t.Case, *, outcomes: bool = True) -> t.Result:
        quotas, warnings = [], []
        for episode in case.episodes:
            sessions = [s for s in case.sessions if s.episode == episode.id]
            quota = t.Quota(
                episode=episode.id,
                counter="courante",
                period_start=date(case.as_of.year, 1, 1),
                period_end=date(case.as_of.year, 12, 31),
                limit=18,
                used=len(sessions),
            )
            quotas.append(quota)
            if quota.remaining == 0:
                warnings.append(
                    t.Warning(
                        WarningCode.QUOTA_EXHAUSTED,
                        Severity.WARNING,
                        episode.id,
                        params={"counter": "courante", "limit": 18},
                    )
                )
            elif quota.remaining is not None and quota.remaining <= 3:
                warnings.append(
                    t.Warning(
                        WarningCode.QUOTA_LOW,
                        Severity.WARNING,
                        episode.id,
                        params={"counter": "courante", "remaining": quota.remaining},
                    )
                )
            if episode.category in ("fa", "fb") and episode.notified_on is None:
                warnings.append(
                    t.Warning(
                        WarningCode.NOTIFICATION_MISSING,
                        Severity.BLOCKING,
                        episode.id,
                        params={"category": episode.category},
                    )
                )
            late = bool(episode.prescriptions and sessions) and (
                (sessions[0].date - episode.prescriptions[0].date).days > 60
            )
            if late:
                first = sessions[0].date
                warnings.append(
                    t.Warning(
                        WarningCode.PRESCRIPTION_LATE_START,
                        Severity.BLOCKING,
                        episode.id,
                        params={"prescribed": first, "deadline": first, "date": first},
                    )
                )
        return t.Result(
            country=case.country,
            as_of=case.as_of,
            sessions=(),
            quotas=tuple(quotas),
            pools=(t.Pool("overflow", date(case.as_of.year, 1, 1), None, 54, 0),),
            warnings=tuple(warnings),
        )


@pytest.fixture(autouse=True)
def stub_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubJurisdiction()
    monkeypatch.setattr(engine, "JURISDICTIONS", {"BE": stub, "NL": stub})


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(name="Kine Gent", country="BE")


@pytest.fixture
def clinic_admin(practice: Practice) -> User:
    user = UserFactory.create(username="clinic-admin", is_staff=True)
    user.save()  # the factory sets the password without saving it; login checks its hash
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def clinic_client(clinic_admin: User) -> Client:
    client = Client()
    client.force_login(clinic_admin)
    return client


def _patient_with_sessions(practice: Practice, used: int, title: str = "Back pain") -> Patient:
    episode = EpisodeFactory.create(patient__practice=practice, title=title)
    today = timezone.localdate()
    for number in range(used):
        SessionFactory.create(episode=episode, date=today - timedelta(days=number))
    return episode.patient


PATIENTS_URL = reverse("admin:practice_patient_changelist")


# ------------------------------------------------------------------------- changelist


def test_the_patient_list_shows_the_tightest_quota_and_the_warning_count(
    admin_client: Client, practice: Practice
) -> None:
    patient = _patient_with_sessions(practice, used=15)
    response = admin_client.get(PATIENTS_URL)
    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == patient.pk)
    from practice.admin_filters import state_of

    state = state_of(row)
    assert state is not None
    assert state.quota == "3 left of 18 (Back pain)"
    assert state.warning_count == 1
    assert "3 left of 18 (Back pain)" in response.content.decode()


def test_the_patient_list_evaluates_the_page_in_a_fixed_number_of_queries(
    admin_client: Client,
) -> None:
    def queries_with(count: int) -> int:
        Patient.objects.all().delete()
        practice = PracticeFactory.create()
        for _ in range(count):
            _patient_with_sessions(practice, used=2)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(PATIENTS_URL).status_code == 200
        return len(captured.captured_queries)

    assert queries_with(2) == queries_with(10)


def _listed(client: Client, query: str) -> set[int]:
    response = client.get(f"{PATIENTS_URL}?{query}")
    assert response.status_code == 200
    return {p.pk for p in response.context["cl"].result_list}


def test_the_quota_filters_pick_near_and_exhausted_patients(
    admin_client: Client, practice: Practice
) -> None:
    fresh = _patient_with_sessions(practice, used=2)
    near = _patient_with_sessions(practice, used=16)
    exhausted = _patient_with_sessions(practice, used=18)
    assert _listed(admin_client, "quota=low") == {near.pk}
    assert _listed(admin_client, "quota=exhausted") == {exhausted.pk}
    assert _listed(admin_client, "") == {fresh.pk, near.pk, exhausted.pk}


def test_the_pending_filter_picks_missing_notifications(
    admin_client: Client, practice: Practice
) -> None:
    pending = EpisodeFactory.create(
        patient__practice=practice, category="fa", pathology="fa-1"
    ).patient
    EpisodeFactory.create(
        patient__practice=practice, category="fa", pathology="fa-1", notified_on=date(2025, 1, 1)
    )
    assert _listed(admin_client, "pending=notification") == {pending.pk}
    assert _listed(admin_client, "pending=any") == {pending.pk}


def test_the_prescription_filter_picks_late_starts(
    admin_client: Client, practice: Practice
) -> None:
    late = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=late, date=date(2025, 1, 2))
    SessionFactory.create(episode=late, date=date(2025, 4, 1))
    on_time = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=on_time, date=date(2025, 1, 2))
    SessionFactory.create(episode=on_time, date=date(2025, 1, 10))
    assert _listed(admin_client, "prescription=late_start") == {late.patient.pk}


def test_patients_are_searched_by_name_national_id_and_external_id(
    admin_client: Client, practice: Practice
) -> None:
    wanted = PatientFactory.create(
        practice=practice, last_name="Vermeulen", national_id=VALID_INSZ, external_id="pms-77"
    )
    PatientFactory.create(practice=practice, last_name="Other")
    for term in ("Vermeulen", VALID_INSZ, "pms-77"):
        assert _listed(admin_client, f"q={term}") == {wanted.pk}


# ---------------------------------------------------------------------------- scoping


def test_a_clinic_administrator_sees_only_their_practice(
    clinic_client: Client, practice: Practice
) -> None:
    own = PatientFactory.create(practice=practice)
    other = PatientFactory.create(practice=PracticeFactory.create())
    assert _listed(clinic_client, "") == {own.pk}
    change = reverse("admin:practice_patient_change", args=[other.pk])
    response = clinic_client.get(change)
    assert response.status_code == 302  # the admin's "does not exist" redirect
    history = reverse("admin:practice_patient_history", args=[other.pk])
    assert clinic_client.get(history).status_code == 404
    assert (
        clinic_client.get(reverse("admin:practice_patient_history", args=[own.pk])).status_code
        == 200
    )


def test_a_clinic_administrator_gets_only_their_practice_in_choices(
    clinic_client: Client, practice: Practice
) -> None:
    EpisodeFactory.create(patient__practice=practice)
    foreign = EpisodeFactory.create(patient__practice=PracticeFactory.create())
    response = clinic_client.get(reverse("admin:practice_treatmentsession_add"))
    assert response.status_code == 200
    episodes = response.context["adminform"].form.fields["episode"].queryset
    assert foreign not in episodes


def test_a_clinic_administrator_creates_a_patient_in_their_practice_through_the_service(
    clinic_client: Client, practice: Practice
) -> None:
    response = clinic_client.post(
        reverse("admin:practice_patient_add"),
        {
            "first_name": "An",
            "last_name": "Peeters",
            "birth_date": "1985-07-30",
            "national_id": "85.07.30-033.28",
            "external_id": "",
            "episodes-TOTAL_FORMS": "0",
            "episodes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    patient = Patient.objects.get()
    assert patient.practice == practice
    assert patient.national_id == VALID_INSZ  # normalised by patient_create


def test_an_invalid_national_id_is_shown_on_the_field(clinic_client: Client) -> None:
    response = clinic_client.post(
        reverse("admin:practice_patient_add"),
        {"first_name": "An", "last_name": "P", "birth_date": "1985-07-30", "national_id": "123"},
    )
    assert response.status_code == 200
    assert "national_id" in response.context["adminform"].form.errors
    assert not Patient.objects.exists()


def test_a_staff_user_who_is_not_a_clinic_administrator_sees_nothing(practice: Practice) -> None:
    user = UserFactory.create(is_staff=True)
    user.save()
    TherapistFactory.create(user=user, practice=practice)  # role therapist
    client = Client()
    client.force_login(user)
    assert client.get(PATIENTS_URL).status_code == 403


# --------------------------------------------------------------------------- sessions


def test_sessions_are_cancelled_by_the_admin_action_not_deleted(
    clinic_client: Client, clinic_admin: User, practice: Practice
) -> None:
    session = SessionFactory.create(episode__patient__practice=practice)
    url = reverse("admin:practice_treatmentsession_changelist")
    chosen = {"action": "cancel_sessions", "_selected_action": [session.pk]}
    # First a confirmation page that asks why; nothing is cancelled yet.
    asked = clinic_client.post(url, chosen)
    assert asked.status_code == 200
    assert b'name="reason"' in asked.content
    without_reason = clinic_client.post(url, {**chosen, "confirm": "yes", "reason": ""})
    assert without_reason.status_code == 200
    session.refresh_from_db()
    assert session.cancelled_at is None

    response = clinic_client.post(url, {**chosen, "confirm": "yes", "reason": "entered twice"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at is not None and session.cancelled_by == clinic_admin
    assert session.cancel_reason == "entered twice"
    assert session.history.latest().history_change_reason == "entered twice"
    delete = reverse("admin:practice_treatmentsession_delete", args=[session.pk])
    assert clinic_client.post(delete, {"post": "yes"}).status_code == 403
    assert TreatmentSession.objects.filter(pk=session.pk).exists()


def test_even_a_superuser_cannot_delete_a_session(admin_client: Client) -> None:
    session = SessionFactory.create()
    delete = reverse("admin:practice_treatmentsession_delete", args=[session.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


# ------------------------------------------------------------------------------ tokens


def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(
    clinic_client: Client, practice: Practice
) -> None:
    response = clinic_client.post(
        reverse("admin:practice_apitoken_add"), {"name": "PMS"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.practice == practice
    shown = [str(m) for m in response.context["messages"]]
    (with_key,) = [m for m in shown if "not shown again" in m]
    raw_key = with_key.rsplit(" ", 1)[-1]
    assert raw_key.startswith(token.prefix)
    assert token.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    page = clinic_client.get(reverse("admin:practice_apitoken_change", args=[token.pk]))
    assert token.key_hash not in page.content.decode()
    assert raw_key not in page.content.decode()  # never again


def test_a_token_is_revoked_by_the_admin_action(clinic_client: Client, practice: Practice) -> None:
    from practice.tokens import api_token_create

    token, _key = api_token_create(practice=practice, name="PMS")
    clinic_client.post(
        reverse("admin:practice_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


# ----------------------------------------------------------------------- import/export


def _import(client: Client, model: str, csv_text: str) -> str:
    return importing.page(client, importing.job_of(importing.upload(client, model, csv_text)))


def test_a_patient_import_with_a_bad_national_id_reports_that_row_and_saves_nothing(
    clinic_client: Client,
) -> None:
    page = _import(
        clinic_client,
        "patient",
        "external_id,first_name,last_name,birth_date,national_id,preferential\n"
        "p-1,An,Peeters,1985-07-30,85.07.30-033.28,0\n"
        "p-2,Bert,Claes,1990-01-01,12345678901,0\n",
    )
    assert "not a valid INSZ/NISS number" in page
    assert "/confirm/" not in page  # no confirm step offered
    assert not Patient.objects.exists()


def test_a_clean_patient_import_previews_then_saves_through_the_service(
    clinic_client: Client, practice: Practice
) -> None:
    page = _import(
        clinic_client,
        "patient",
        "external_id,first_name,last_name,birth_date,national_id,preferential\n"
        "p-1,An,Peeters,1985-07-30,85.07.30-033.28,0\n",
    )
    assert not Patient.objects.exists()  # the check is a dry run
    assert "/confirm/" in page


def test_a_session_import_with_an_unknown_episode_reports_that_row_and_saves_nothing(
    clinic_client: Client, practice: Practice
) -> None:
    episode = EpisodeFactory.create(patient__practice=practice)
    foreign = EpisodeFactory.create(patient__practice=PracticeFactory.create())
    page = _import(
        clinic_client,
        "treatmentsession",
        "external_id,episode,date,therapist,minutes,place,price\n"
        f"s-1,{episode.pk},2025-03-03,,30,practice,\n"
        f"s-2,{foreign.pk},2025-03-04,,30,practice,\n",
    )
    assert f"no episode &#x27;{foreign.pk}&#x27; in this practice" in page or (
        f"no episode '{foreign.pk}' in this practice" in page
    )
    assert not TreatmentSession.objects.exists()


def test_the_quota_report_export_is_a_csv_per_quota_pool_and_warning(
    clinic_client: Client, practice: Practice
) -> None:
    patient = _patient_with_sessions(practice, used=16)
    response = clinic_client.post(
        PATIENTS_URL, {"action": "export_quota_report", "_selected_action": [patient.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    assert header[:5] == ["patient_id", "patient", "external_id", "as_of", "kind"]
    assert [row[4] for row in rows] == ["quota", "pool", "warning"]
    quota = dict(zip(header, rows[0], strict=True))
    assert (quota["episode"], quota["name"], quota["limit"], quota["remaining"]) == (
        "Back pain",
        "courante",
        "18",
        "2",
    )
    assert rows[2][header.index("name")] == "quota_low"
    assert rows[2][header.index("message")] == (
        "Courante sessions at the best rate: only 2 left in this period."
    )


def test_sessions_export_as_csv(clinic_client: Client, practice: Practice) -> None:
    SessionFactory.create(episode__patient__practice=practice, external_id="s-9")
    SessionFactory.create(
        episode__patient__practice=PracticeFactory.create(), external_id="foreign"
    )
    response = clinic_client.post(
        reverse("admin:practice_treatmentsession_export"),
        {"format": "0", "resource": "0", "sessionresource_external_id": "on"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "s-9" in body and "foreign" not in body


def test_episode_admin_pages_render(admin_client: Client, practice: Practice) -> None:
    episode = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=episode)
    SessionFactory.create(episode=episode)
    url = reverse("admin:practice_episode_change", args=[episode.pk])
    assert admin_client.get(url).status_code == 200
    assert Episode.objects.count() == 1


def test_confirming_a_clean_import_saves_the_rows_through_the_service(
    clinic_client: Client, practice: Practice
) -> None:
    job = importing.upload_and_confirm(
        clinic_client,
        "patient",
        b"external_id,first_name,last_name,birth_date,national_id,preferential\n"
        b"p-1,An,Peeters,1985-07-30,85.07.30-033.28,0\n",
    )
    assert (job.status, job.new) == (ImportJob.Status.DONE, 1)
    patient = Patient.objects.get()
    assert (patient.practice, patient.national_id, patient.external_id) == (
        practice,
        VALID_INSZ,
        "p-1",
    )


def test_an_episode_with_an_unknown_list_code_is_refused_on_its_field(
    clinic_client: Client, practice: Practice
) -> None:
    patient = PatientFactory.create(practice=practice)
    response = clinic_client.post(
        reverse("admin:practice_episode_add"),
        {
            "patient": patient.pk,
            "title": "Knee",
            "category": "fa",
            "pathology": "fa-99",
            "prior_treatments": "0",
        },
    )
    assert response.status_code == 200
    assert "pathology" in response.context["adminform"].form.errors
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    "model",
    [
        "practice",
        "therapist",
        "patient",
        "coverage",
        "episode",
        "prescription",
        "treatmentsession",
        "apitoken",
    ],
)
def test_every_admin_page_renders_for_a_clinic_administrator(
    clinic_client: Client, admin_client: Client, practice: Practice, model: str
) -> None:
    episode = EpisodeFactory.create(patient__practice=practice)
    PrescriptionFactory.create(episode=episode)
    SessionFactory.create(episode=episode)
    for client in (clinic_client, admin_client):
        assert client.get(reverse(f"admin:practice_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert clinic_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(reverse("admin:reimburse_insurerpackage_changelist")).status_code == 200
