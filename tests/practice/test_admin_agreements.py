"""The admin: official situation codes offered by label, agreement requests, use elsewhere."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.models import AgreementAnnex, AgreementRequest, Practice, PriorUse, Therapist
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice() -> Practice:
    return PracticeFactory.create(name="Kine Gent", country="BE")


@pytest.fixture
def clinic_client(practice: Practice) -> Client:
    user: User = UserFactory.create(username="clinic-admin", is_staff=True)
    user.save()
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("nl", "co-1-3-4-0 — Wervelzuil Rug (Lumbaal - Sacraal) Lage rugpijn"),
        ("fr", "co-1-3-4-0 — Colonne vertébrale Dos (Lombo-sacral) Lombalgie"),
    ],
)
def test_the_episode_form_offers_the_official_codes_labelled_in_the_users_language(
    clinic_client: Client, language: str, label: str
) -> None:
    response = clinic_client.get(
        reverse("admin:practice_episode_add"), headers={"accept-language": language}
    )

    page = response.content.decode()
    assert 'list="id_pathology-situations"' in page
    assert f'<option value="co-1-3-4-0">{label}' in page
    assert page.count("<option value=") >= 312


def test_an_agreement_request_is_prepared_and_decided_in_the_admin(
    clinic_client: Client, practice: Practice
) -> None:
    episode = EpisodeFactory.create(
        patient__practice=practice, category="e", pathology="e-j-2", title="Lungs"
    )
    PrescriptionFactory.create(episode=episode)
    add = clinic_client.post(
        reverse("admin:practice_agreementrequest_add"),
        {
            "episode": episode.pk,
            "kind": "physiotherapy-e",
            "assessment_dates": '["2026-02-03"]',
            "status": "draft",
            "annexes-TOTAL_FORMS": "1",
            "annexes-INITIAL_FORMS": "0",
            "annexes-0-kind": "medical-report",
            "annexes-0-title": "Report",
        },
    )
    assert add.status_code == 302, add.context and add.context["adminform"].form.errors
    request = AgreementRequest.objects.get()
    assert request.assessment_dates == ["2026-02-03"] and request.status == "draft"
    assert AgreementAnnex.objects.get().kind == "medical-report"

    change = clinic_client.post(
        reverse("admin:practice_agreementrequest_change", args=[request.pk]),
        {
            "kind": "physiotherapy-e",
            "assessment_dates": '["2026-02-03"]',
            "prescription": request.prescription_id,
            "status": "agreement",
            "decision_id": "PAPER-1",
            "granted_from": "2026-02-01",
            "annexes-TOTAL_FORMS": "0",
            "annexes-INITIAL_FORMS": "0",
        },
    )
    assert change.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_id) == ("agreement", "PAPER-1")
    assert request.history.count() == 2


def test_a_granted_status_without_a_start_is_refused_on_its_field(
    clinic_client: Client, practice: Practice
) -> None:
    episode = EpisodeFactory.create(patient__practice=practice, category="e", pathology="e-a")
    response = clinic_client.post(
        reverse("admin:practice_agreementrequest_add"),
        {
            "episode": episode.pk,
            "kind": "physiotherapy-e",
            "assessment_dates": "[]",
            "status": "agreement",
            "annexes-TOTAL_FORMS": "0",
            "annexes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "granted_from" in response.context["adminform"].form.errors
    assert not AgreementRequest.objects.exists()


def test_use_at_another_practice_is_entered_on_the_patient(
    clinic_client: Client, practice: Practice
) -> None:
    patient = PatientFactory.create(practice=practice)
    url = reverse("admin:practice_patient_change", args=[patient.pk])
    page = clinic_client.get(url).content.decode()
    assert "prior_uses-TOTAL_FORMS" in page

    response = clinic_client.post(
        url,
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "birth_date": patient.birth_date.isoformat(),
            "national_id": "",
            "episodes-TOTAL_FORMS": "0",
            "episodes-INITIAL_FORMS": "0",
            "prior_uses-TOTAL_FORMS": "1",
            "prior_uses-INITIAL_FORMS": "0",
            "prior_uses-0-year": "2026",
            "prior_uses-0-overflow": "3",
            "prior_uses-0-situations": "1",
        },
    )
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    assert (PriorUse.objects.get().overflow, PriorUse.objects.get().situations) == (3, 1)
