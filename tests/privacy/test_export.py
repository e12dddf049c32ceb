"""Export one patient: a ZIP with everything stored and its history, for their practice only."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.models import Patient, Practice
from privacy import services
from privacy.models import PrivacyLogEntry
from tests.factories import PatientFactory, PracticeFactory, UserFactory
from tests.privacy.conftest import FIRST, INSZ, NAME, Rich

pytestmark = pytest.mark.django_db

KINDS = [
    "patient",
    "coverage",
    "prioruse",
    "episode",
    "prescription",
    "treatmentsession",
    "agreementrequest",
    "agreementannex",
]


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _export_by_button(client: Client, patient: Patient) -> Any:
    return client.post(reverse("admin:practice_patient_personal_data", args=[patient.pk]))


def test_the_button_exports_every_kind_of_record_with_its_history(
    clinic_client: Client, rich: Rich, clinic_user: User
) -> None:
    response = _export_by_button(clinic_client, rich.patient)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _unzip(response.content)
    pk = rich.patient.pk
    assert set(files) == {f"patient-{pk}.json", f"patient-{pk}.html"}
    data = json.loads(files[f"patient-{pk}.json"])
    assert data["patient_id"] == pk
    for kind in KINDS:
        rows = data["records"][kind]
        assert rows, kind
        for row in rows:
            assert row["history"], f"{kind} {row['id']} has no history"
            assert all(
                v["at"] and v["type"] in {"created", "changed", "deleted"} for v in row["history"]
            )
    patient = data["records"]["patient"][0]
    assert patient["values"]["last_name"] == NAME
    assert patient["values"]["national_id"] == INSZ
    assert patient["values"]["birth_date"] == "1985-07-30"
    assert [v["type"] for v in patient["history"]] == ["created", "changed"]
    assert len(data["records"]["treatmentsession"]) == 3
    deleted = [r for r in data["records"]["coverage"] if r["id"] == rich.deleted_coverage_id]
    assert deleted and deleted[0]["deleted"] is True
    assert [v["type"] for v in deleted[0]["history"]] == ["created", "deleted"]
    assert data["privacy_log"] == []  # this export is logged after it is written

    again = json.loads(
        _unzip(_export_by_button(clinic_client, rich.patient).content)[f"patient-{pk}.json"]
    )
    assert [(e["action"], e["user"]) for e in again["privacy_log"]] == [("export", "clinic-admin")]


def test_the_history_says_who_changed_what(
    clinic_client: Client, rich: Rich, clinic_user: User
) -> None:
    # A change made through the admin carries the administrator's name in the history.
    change = reverse("admin:practice_patient_change", args=[rich.patient.pk])
    page = clinic_client.get(change)
    assert page.status_code == 200
    response = clinic_client.post(
        change,
        {
            "first_name": FIRST,
            "last_name": NAME,
            "birth_date": "1985-07-31",
            "national_id": INSZ,
            "preferential": "on",
            **_empty_inlines(page.context["inline_admin_formsets"]),
        },
    )
    assert response.status_code == 302, response.content[:2000]

    files = _unzip(_export_by_button(clinic_client, rich.patient).content)
    data = json.loads(files[f"patient-{rich.patient.pk}.json"])
    last = data["records"]["patient"][0]["history"][-1]
    assert last["user"] == "clinic-admin"
    assert last["values"]["birth_date"] == "1985-07-31"


def _empty_inlines(formsets: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for inline in formsets:
        formset = inline.formset
        prefix = formset.prefix
        found[f"{prefix}-TOTAL_FORMS"] = str(formset.total_form_count())
        found[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for index, form in enumerate(formset.initial_forms):
            for name, _field in form.fields.items():
                value = form.initial.get(name)
                if value is None or name in getattr(inline, "readonly_fields", ()):
                    if name == "id":
                        found[f"{prefix}-{index}-id"] = str(form.instance.pk)
                    continue
                if isinstance(value, bool):
                    if value:
                        found[f"{prefix}-{index}-{name}"] = "on"
                    continue
                found[f"{prefix}-{index}-{name}"] = str(getattr(value, "pk", value))
            found[f"{prefix}-{index}-id"] = str(form.instance.pk)
    return found


def test_the_action_exports_and_logs_each_selected_patient(
    clinic_client: Client, rich: Rich, practice: Practice
) -> None:
    other = PatientFactory.create(practice=practice)
    response = clinic_client.post(
        reverse("admin:practice_patient_changelist"),
        {"action": "export_personal_data", "_selected_action": [rich.patient.pk, other.pk]},
    )
    assert response.status_code == 200
    names = set(_unzip(response.content))
    assert names == {
        f"patient-{rich.patient.pk}.json",
        f"patient-{rich.patient.pk}.html",
        f"patient-{other.pk}.json",
        f"patient-{other.pk}.html",
    }
    logged = PrivacyLogEntry.objects.filter(action="export")
    assert sorted(logged.values_list("patient_id", flat=True)) == sorted(
        [rich.patient.pk, other.pk]
    )
    assert {e.username for e in logged} == {"clinic-admin"}
    assert all(e.practice_id == practice.pk and e.at is not None for e in logged)


def test_another_practices_patient_is_refused(clinic_client: Client, clinic_user: User) -> None:
    stranger = PatientFactory.create(practice=PracticeFactory.create(country="BE"))

    assert _export_by_button(clinic_client, stranger).status_code == 403
    practice = clinic_user.therapist.practice
    with pytest.raises(services.NotYourPatient):
        services.patient_export(
            patient_ids=[stranger.pk],
            practice=practice,
            user=clinic_user,
            at=timezone.now(),
            language="en",
        )
    assert not PrivacyLogEntry.objects.exists()


def test_the_button_needs_a_post(clinic_client: Client, rich: Rich) -> None:
    url = reverse("admin:practice_patient_personal_data", args=[rich.patient.pk])
    assert clinic_client.get(url).status_code == 405
    assert not PrivacyLogEntry.objects.exists()


def test_the_page_is_translated_labelled_and_escaped(
    clinic_client: Client, rich: Rich, practice: Practice
) -> None:
    rich.patient.first_name = '<script>alert("x")</script>'
    rich.patient.save()
    clinic_client.cookies["django_language"] = "fr"
    response = clinic_client.post(
        reverse("admin:practice_patient_personal_data", args=[rich.patient.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    page = _unzip(response.content)[f"patient-{rich.patient.pk}.html"].decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<html lang="fr">' in page
    # Labels, not field names; dates in the reader's locale (French: "30 juillet 1985").
    assert "birth_date" not in page and "national_id" not in page
    assert "30 juillet 1985" in page
    assert NAME in page


def test_the_patient_page_offers_the_export_button(clinic_client: Client, rich: Rich) -> None:
    page = clinic_client.get(reverse("admin:practice_patient_change", args=[rich.patient.pk]))
    url = reverse("admin:practice_patient_personal_data", args=[rich.patient.pk])
    assert f'action="{url}"' in page.content.decode()


def test_a_superuser_may_export_any_practices_patient(rich: Rich) -> None:
    admin = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = _export_by_button(client, rich.patient)
    assert response.status_code == 200
    assert PrivacyLogEntry.objects.get().username == "root"


def test_a_staff_user_without_a_practice_gets_nothing(rich: Rich) -> None:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True))
    assert _export_by_button(client, rich.patient).status_code in (403, 404)
    assert not PrivacyLogEntry.objects.exists()
