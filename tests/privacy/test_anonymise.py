"""Anonymise one patient: only after the retention period or on a lawful request; the personal
fields leave the records, every history version and the admin log; the sessions stay."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    AgreementAnnex,
    AgreementRequest,
    Episode,
    Patient,
    Practice,
    Prescription,
    Therapist,
    TreatmentSession,
)
from privacy import services
from privacy.models import PrivacyLogEntry
from privacy.records import RECORD_MODELS, history_model
from reimburse.services import statuses
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)
from tests.privacy.conftest import FIRST, INSZ, NAME, Rich

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LAWFUL = {"ground": "lawful_request", "reference": "Court of first instance Gent, 2026/1234"}
SECRETS = [FIRST, NAME, INSZ, "pms-77", "Dr. Peeters", "12345678901", "D-998", "s-3"]


def _anonymise(rich: Rich, user: User, **kwargs: Any) -> services.Anonymised:
    return services.patient_anonymise(
        patient_id=rich.patient.pk,
        practice=rich.patient.practice,
        user=user,
        at=NOW,
        **kwargs,
    )


def _text_cells_containing(secret: str) -> list[str]:
    """Every history or record table's text cell that still contains ``secret``."""
    found = []
    for model in RECORD_MODELS:
        for table_model in (model, history_model(model)):
            for field in table_model._meta.concrete_fields:
                if field.get_internal_type() not in ("CharField", "TextField"):
                    continue
                hits = table_model._default_manager.filter(
                    **{f"{field.attname}__icontains": secret}
                )
                if hits.exists():
                    found.append(f"{table_model.__name__}.{field.attname}")
    return found


def test_before_the_retention_end_a_plain_anonymisation_is_refused(
    rich: Rich, clinic_user: User
) -> None:
    with pytest.raises(services.RetentionNotOver) as refused:
        _anonymise(rich, clinic_user, ground="retention_over")

    # BE: 30 years after the last session (17 Feb 2025).
    assert refused.value.retention.ends_on == date(2055, 2, 17)
    rich.patient.refresh_from_db()
    assert rich.patient.last_name == NAME
    assert not PrivacyLogEntry.objects.exists()


def test_a_lawful_request_needs_its_reference(rich: Rich, clinic_user: User) -> None:
    with pytest.raises(services.ValidationError):
        _anonymise(rich, clinic_user, ground="lawful_request", reference="  ")
    assert not PrivacyLogEntry.objects.exists()


def test_on_a_lawful_request_no_record_or_history_row_keeps_the_personal_data(
    rich: Rich, clinic_user: User, practice: Practice
) -> None:
    for secret in SECRETS:
        assert _text_cells_containing(secret), f"{secret} should be stored before"
    sessions_before = TreatmentSession.objects.filter(episode__patient=rich.patient).count()

    done = _anonymise(rich, clinic_user, **LAWFUL)

    assert not done.already
    for secret in SECRETS:
        assert _text_cells_containing(secret) == [], secret
    # The birth date keeps only its year, in the records and in every version.
    historical = history_model(Patient)._default_manager.filter(id=rich.patient.pk)
    assert set(historical.values_list("birth_date", flat=True)) == {date(1985, 7, 1)}
    assert set(historical.values_list("national_id", flat=True)) == {""}
    assert historical.count() >= 3  # created, changed, anonymised: versions kept, not deleted
    patient = Patient.objects.get(pk=rich.patient.pk)
    assert (patient.first_name, patient.last_name) == ("—", f"#{patient.pk}")
    assert patient.preferential is True  # not identifying; the quotas need it
    # The treatment stays for the statistics.
    sessions = TreatmentSession.objects.filter(episode__patient=patient)
    assert sessions.count() == sessions_before == 3
    assert sorted(s.date for s in sessions) == [
        date(2025, 2, 3),
        date(2025, 2, 10),
        date(2025, 2, 17),
    ]
    episode = Episode.objects.get(patient=patient)
    assert (episode.category, episode.pathology) == ("e", "e-a")
    assert Prescription.objects.get(episode=episode).sessions == 18
    assert AgreementRequest.objects.get(episode=episode).status == "agreement"
    assert AgreementAnnex.objects.get(request__episode=episode).kind == "medical-report"


def test_the_history_tables_hold_no_name_in_any_column(rich: Rich, clinic_user: User) -> None:
    """A raw scan of every historical table, whatever the ORM thinks its columns are."""
    _anonymise(rich, clinic_user, **LAWFUL)
    with connection.cursor() as cursor:
        for model in RECORD_MODELS:
            table = history_model(model)._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(cell) for cell in row)
                assert NAME not in text and FIRST not in text and INSZ not in text, table


def test_the_admin_log_keeps_no_name(rich: Rich, clinic_user: User) -> None:
    patient_type = ContentType.objects.get_for_model(Patient)
    LogEntry.objects.create(
        user=clinic_user,
        content_type=patient_type,
        object_id=str(rich.patient.pk),
        object_repr=str(rich.patient),
        action_flag=CHANGE,
        change_message=json.dumps(
            [{"added": {"name": "coverage", "object": f"{NAME}, {FIRST} 2026"}}]
        ),
    )
    episode = Episode.objects.get(patient=rich.patient)
    LogEntry.objects.create(
        user=clinic_user,
        content_type=ContentType.objects.get_for_model(Episode),
        object_id=str(episode.pk),
        object_repr=str(episode),
        action_flag=ADDITION,
        change_message="[]",
    )

    _anonymise(rich, clinic_user, **LAWFUL)

    for entry in LogEntry.objects.all():
        assert NAME not in entry.object_repr and FIRST not in entry.object_repr
        assert NAME not in entry.change_message
    assert LogEntry.objects.get(content_type=patient_type).object_repr == f"#{rich.patient.pk}, —"


def test_other_patients_quotas_do_not_change(
    rich: Rich, clinic_user: User, practice: Practice
) -> None:
    other = PatientFactory.create(practice=practice, last_name="Other")
    episode = EpisodeFactory.create(patient=other, category="courante")
    for day in range(1, 8):
        SessionFactory.create(episode=episode, date=date(2026, 3, day))
    as_of = date(2026, 12, 3)

    def quotas() -> Any:
        found = dict(statuses(patients=Patient.objects.filter(pk=other.pk), as_of=as_of))
        result = found[Patient.objects.get(pk=other.pk)]
        return (result.quotas, result.pools, result.warnings, result.sessions)

    before = quotas()
    _anonymise(rich, clinic_user, **LAWFUL)
    assert quotas() == before
    assert before[0]  # there are quotas to compare


def test_anonymising_twice_changes_nothing_more_and_logs_once(
    rich: Rich, clinic_user: User
) -> None:
    _anonymise(rich, clinic_user, **LAWFUL)
    versions = {m: history_model(m)._default_manager.count() for m in RECORD_MODELS}

    again = _anonymise(rich, clinic_user, ground="retention_over")

    assert again.already
    assert {m: history_model(m)._default_manager.count() for m in RECORD_MODELS} == versions
    logged = PrivacyLogEntry.objects.get()
    assert (logged.action, logged.ground, logged.reference) == (
        "anonymise",
        "lawful_request",
        LAWFUL["reference"],
    )
    assert (logged.patient_id, logged.username, logged.at) == (rich.patient.pk, "clinic-admin", NOW)


def test_another_practices_patient_is_refused(rich: Rich, clinic_user: User) -> None:
    with pytest.raises(services.NotYourPatient):
        services.patient_anonymise(
            patient_id=rich.patient.pk,
            practice=PracticeFactory.create(country="BE"),
            user=clinic_user,
            at=NOW,
            **LAWFUL,
        )
    assert Patient.objects.get(pk=rich.patient.pk).last_name == NAME


def test_after_the_retention_end_no_request_is_needed(
    practice: Practice, clinic_user: User
) -> None:
    patient = PatientFactory.create(practice=practice, last_name=NAME)
    SessionFactory.create(episode__patient=patient, date=date(1996, 12, 2))
    # The record's rows were written "now" (the test): the BE rule runs from the last session.
    done = services.patient_anonymise(
        patient_id=patient.pk, practice=practice, user=clinic_user, at=NOW, ground="retention_over"
    )
    assert done.retention.ends_on == date(2026, 12, 2)
    assert Patient.objects.get(pk=patient.pk).last_name == f"#{patient.pk}"


def test_a_dutch_record_runs_from_its_last_change(clinic_user: User) -> None:
    dutch = PracticeFactory.create(country="NL")
    patient = PatientFactory.create(practice=dutch)
    SessionFactory.create(episode__patient=patient, date=date(1990, 1, 1))
    # Its last change is today (the rows were just written): 20 years to go.
    with pytest.raises(services.RetentionNotOver) as refused:
        services.patient_anonymise(
            patient_id=patient.pk, practice=None, user=clinic_user, at=NOW, ground="retention_over"
        )
    assert refused.value.retention.ends_on == date(timezone.localdate().year + 20, *_month_day())


def _month_day() -> tuple[int, int]:
    today = timezone.localdate()
    return today.month, today.day


# ------------------------------------------------------------------------------- the admin


def _action(client: Client, patient: Patient, **data: str) -> Any:
    return client.post(
        reverse("admin:practice_patient_changelist"),
        {"action": "anonymise_patients", "_selected_action": [patient.pk], **data},
    )


def test_the_admin_shows_the_retention_before_confirming(clinic_client: Client, rich: Rich) -> None:
    response = _action(clinic_client, rich.patient)

    assert response.status_code == 200
    page = response.content.decode()
    assert "kwaliteitswet" in page and "art. 35" in page
    assert "30 years" in page
    assert "Feb. 17, 2055" in page  # the retention end, in the reader's locale
    assert "a court order or another legal obligation" in page
    assert Patient.objects.get(pk=rich.patient.pk).last_name == NAME


def test_the_admin_refuses_without_a_request_and_anonymises_with_one(
    clinic_client: Client, rich: Rich
) -> None:
    refused = _action(clinic_client, rich.patient, confirm="yes", ground="retention_over")
    assert refused.status_code == 302
    assert Patient.objects.get(pk=rich.patient.pk).last_name == NAME

    missing = _action(clinic_client, rich.patient, confirm="yes", ground="lawful_request")
    assert missing.status_code == 200  # the form again, with the reference asked for
    assert Patient.objects.get(pk=rich.patient.pk).last_name == NAME

    done = _action(clinic_client, rich.patient, confirm="yes", **LAWFUL)
    assert done.status_code == 302
    assert Patient.objects.get(pk=rich.patient.pk).last_name == f"#{rich.patient.pk}"
    assert PrivacyLogEntry.objects.filter(action="anonymise").count() == 1


def test_the_admin_action_never_reaches_another_practice(clinic_client: Client) -> None:
    stranger = PatientFactory.create(practice=PracticeFactory.create(), last_name=NAME)
    _action(clinic_client, stranger, confirm="yes", **LAWFUL)
    assert Patient.objects.get(pk=stranger.pk).last_name == NAME
    assert not PrivacyLogEntry.objects.exists()


def test_the_log_is_read_only_in_the_admin(
    clinic_client: Client, rich: Rich, clinic_user: User
) -> None:
    _anonymise(rich, clinic_user, **LAWFUL)
    entry = PrivacyLogEntry.objects.get()
    other = PrivacyLogEntry.objects.create(
        practice=PracticeFactory.create(),
        patient_id=999,
        action="export",
        username="someone",
        at=NOW,
    )

    listing = clinic_client.get(reverse("admin:privacy_privacylogentry_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [entry]  # not another practice's
    change = reverse("admin:privacy_privacylogentry_change", args=[entry.pk])
    assert clinic_client.get(change).status_code == 200
    assert clinic_client.post(change, {"reference": "edited"}).status_code == 403
    delete = reverse("admin:privacy_privacylogentry_delete", args=[entry.pk])
    assert clinic_client.post(delete, {"post": "yes"}).status_code == 403
    assert clinic_client.get(reverse("admin:privacy_privacylogentry_add")).status_code == 403
    assert (
        clinic_client.get(
            reverse("admin:privacy_privacylogentry_change", args=[other.pk])
        ).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.reference == LAWFUL["reference"]


# ------------------------------------------------------------------- a deleted patient


def test_a_deleted_patients_history_is_anonymised_too(rich: Rich, clinic_user: User) -> None:
    """Deleting a patient leaves every version in the history; the command clears them."""
    pk = rich.patient.pk
    Patient.objects.get(pk=pk).delete()
    assert _text_cells_containing(NAME)  # the delete kept the name in the history

    out = io.StringIO()
    call_command(
        "anonymise_patient",
        str(pk),
        "--user",
        "clinic-admin",
        "--lawful-request",
        "written request of 2 March 2026 (BW 7:455)",
        stdout=out,
    )

    assert "anonymised" in out.getvalue()
    for secret in SECRETS:
        assert _text_cells_containing(secret) == [], secret
    logged = PrivacyLogEntry.objects.get()
    assert (logged.patient_id, logged.action) == (pk, "anonymise")


def test_a_deleted_patient_of_another_practice_is_refused(rich: Rich) -> None:
    pk = rich.patient.pk
    Patient.objects.get(pk=pk).delete()
    outsider = UserFactory.create(username="other-admin", is_staff=True)
    TherapistFactory.create(
        user=outsider, practice=PracticeFactory.create(), role=Therapist.Role.ADMINISTRATOR
    )
    with pytest.raises(CommandError):
        call_command("anonymise_patient", str(pk), "--user", "other-admin", "--lawful-request", "x")
    assert _text_cells_containing(NAME)


def test_the_command_refuses_before_the_retention_end_without_a_request(
    rich: Rich, clinic_user: User
) -> None:
    with pytest.raises(CommandError, match="retention period runs until 2055-02-17"):
        call_command(
            "anonymise_patient", str(rich.patient.pk), "--user", "clinic-admin", "--retention-over"
        )
