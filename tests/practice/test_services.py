"""The write services: validation per field, idempotent creates, history-preserving cancels."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from practice import services
from practice.models import Prescription, TreatmentSession
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VALID_INSZ = "85.07.30-033.28"  # python-stdnum's own example, formatted
VALID_BSN = "1112.22.333"


def _patient_kwargs(**overrides: Any) -> dict[str, Any]:
    return {"first_name": "An", "last_name": "Peeters", "birth_date": date(1985, 7, 30)} | overrides


# ------------------------------------------------------------------------ national ids


def test_a_valid_insz_is_stored_compact() -> None:
    practice = PracticeFactory.create(country="BE")
    patient, created = services.patient_create(
        practice=practice, national_id=VALID_INSZ, **_patient_kwargs()
    )
    assert created
    assert patient.national_id == "85073003328"


def test_an_invalid_insz_is_an_error_on_national_id() -> None:
    practice = PracticeFactory.create(country="BE")
    with pytest.raises(ValidationError) as raised:
        services.patient_create(practice=practice, national_id="85073003329", **_patient_kwargs())
    assert "national_id" in raised.value.message_dict


def test_a_dutch_practice_validates_a_bsn() -> None:
    practice = PracticeFactory.create(country="NL")
    patient, _ = services.patient_create(
        practice=practice, national_id=VALID_BSN, **_patient_kwargs()
    )
    assert patient.national_id == "111222333"
    with pytest.raises(ValidationError) as raised:
        services.patient_create(practice=practice, national_id="111222334", **_patient_kwargs())
    assert "national_id" in raised.value.message_dict


def test_an_insz_is_not_a_valid_bsn() -> None:
    practice = PracticeFactory.create(country="NL")
    with pytest.raises(ValidationError):
        services.patient_create(practice=practice, national_id=VALID_INSZ, **_patient_kwargs())


def test_patient_update_normalises_the_national_id() -> None:
    patient = PatientFactory.create(practice__country="BE")
    services.patient_update(patient=patient, national_id=VALID_INSZ)
    patient.refresh_from_db()
    assert patient.national_id == "85073003328"


def test_two_patients_of_a_practice_cannot_share_a_national_id() -> None:
    practice = PracticeFactory.create(country="BE")
    services.patient_create(practice=practice, national_id=VALID_INSZ, **_patient_kwargs())
    with pytest.raises(ValidationError) as raised:
        services.patient_create(practice=practice, national_id=VALID_INSZ, **_patient_kwargs())
    assert "national_id" in raised.value.message_dict


# ------------------------------------------------------------------- idempotent creates


def test_creating_a_patient_twice_with_an_external_id_returns_the_same_row() -> None:
    practice = PracticeFactory.create()
    first, created = services.patient_create(
        practice=practice, external_id="pms-1", **_patient_kwargs()
    )
    again, created_again = services.patient_create(
        practice=practice, external_id="pms-1", **_patient_kwargs()
    )
    assert created and not created_again
    assert again.pk == first.pk


def test_a_patient_repeat_with_another_name_is_a_conflict_naming_the_field() -> None:
    practice = PracticeFactory.create()
    services.patient_create(practice=practice, external_id="pms-1", **_patient_kwargs())
    with pytest.raises(services.ConflictingRecord) as raised:
        services.patient_create(
            practice=practice, external_id="pms-1", **_patient_kwargs(first_name="Other")
        )
    assert raised.value.message_dict == {
        "first_name": ["differs from the row already stored under this id: stored An, sent Other"]
    }


def test_a_repeat_compares_the_national_id_in_its_compact_form() -> None:
    practice = PracticeFactory.create(country="BE")
    first, _ = services.patient_create(
        practice=practice, external_id="pms-1", national_id=VALID_INSZ, **_patient_kwargs()
    )
    again, created = services.patient_create(
        practice=practice, external_id="pms-1", national_id="85073003328", **_patient_kwargs()
    )
    assert again.pk == first.pk and not created


def test_a_second_patient_with_a_national_id_is_a_conflict() -> None:
    practice = PracticeFactory.create(country="BE")
    services.patient_create(practice=practice, national_id=VALID_INSZ, **_patient_kwargs())
    with pytest.raises(services.ConflictingRecord) as raised:
        services.patient_create(
            practice=practice, national_id=VALID_INSZ, external_id="x", **_patient_kwargs()
        )
    assert list(raised.value.message_dict) == ["national_id"]


def test_recording_a_session_twice_with_an_external_id_returns_the_same_row() -> None:
    episode = EpisodeFactory.create()
    first, created = services.session_record(
        episode=episode, date=date(2025, 3, 3), external_id="s-1"
    )
    again, created_again = services.session_record(
        episode=episode, date=date(2025, 3, 3), external_id="s-1"
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert TreatmentSession.objects.count() == 1


def test_a_session_repeat_with_another_date_and_length_names_both_fields() -> None:
    episode = EpisodeFactory.create()
    services.session_record(episode=episode, date=date(2025, 3, 3), external_id="s-1")
    with pytest.raises(services.ConflictingRecord) as raised:
        services.session_record(
            episode=episode, date=date(2025, 3, 4), minutes=45, external_id="s-1"
        )
    assert raised.value.message_dict == {
        "date": [
            "differs from the row already stored under this id: stored 2025-03-03, sent 2025-03-04"
        ],
        "minutes": ["differs from the row already stored under this id: stored 30, sent 45"],
    }
    assert TreatmentSession.objects.count() == 1


def test_another_patients_session_id_is_a_conflict_not_their_session() -> None:
    practice = PracticeFactory.create()
    mine = EpisodeFactory.create(patient__practice=practice)
    theirs = EpisodeFactory.create(patient__practice=practice)
    services.session_record(episode=theirs, date=date(2025, 3, 3), external_id="s-1")
    with pytest.raises(services.ConflictingRecord) as raised:
        services.session_record(episode=mine, date=date(2025, 3, 3), external_id="s-1")
    assert list(raised.value.message_dict) == ["episode"]


def test_another_patients_episode_id_is_a_conflict_naming_the_patient() -> None:
    practice = PracticeFactory.create(country="BE")
    mine, theirs = PatientFactory.create_batch(2, practice=practice)
    services.episode_create(patient=theirs, title="Back", category="courante", external_id="e")
    with pytest.raises(services.ConflictingRecord) as raised:
        services.episode_create(patient=mine, title="Back", category="courante", external_id="e")
    assert list(raised.value.message_dict) == ["patient"]


def test_an_episode_repeat_compares_the_fields_it_sends() -> None:
    patient = PatientFactory.create(practice__country="BE")
    values = {"title": "Knee", "category": "fa", "pathology": "fa-1", "external_id": "e"}
    services.episode_create(patient=patient, notified_on=date(2025, 3, 1), **values)
    with pytest.raises(services.ConflictingRecord) as raised:
        services.episode_create(patient=patient, notified_on=date(2025, 3, 2), **values)
    assert list(raised.value.message_dict) == ["notified_on"]


def test_a_prescription_repeat_with_other_sessions_is_a_conflict() -> None:
    episode = EpisodeFactory.create()
    services.prescription_create(
        episode=episode, date=date(2025, 1, 2), sessions=9, external_id="r"
    )
    with pytest.raises(services.ConflictingRecord) as raised:
        services.prescription_create(
            episode=episode, date=date(2025, 1, 2), sessions=18, external_id="r"
        )
    assert list(raised.value.message_dict) == ["sessions"]


def test_an_episode_stores_its_patients_practice() -> None:
    patient = PatientFactory.create()
    episode, _ = services.episode_create(patient=patient, title="Back", category="courante")
    assert episode.practice_id == patient.practice_id


def test_the_database_refuses_two_episodes_with_one_external_id_in_a_practice() -> None:
    episode = EpisodeFactory.create(external_id="e-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory.create(patient__practice=episode.practice, external_id="e-1")
    # Another practice may use the same id.
    EpisodeFactory.create(external_id="e-1")


def test_one_form_key_records_one_session() -> None:
    episode = EpisodeFactory.create()
    key = uuid.uuid4()
    first, created = services.session_record(
        episode=episode, date=date(2025, 3, 3), submission_key=key
    )
    again, created_again = services.session_record(
        episode=episode, date=date(2025, 3, 3), submission_key=key
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    services.session_record(episode=episode, date=date(2025, 3, 3), submission_key=uuid.uuid4())
    assert TreatmentSession.objects.count() == 2


def test_setting_a_years_coverage_twice_keeps_one_row() -> None:
    patient = PatientFactory.create(practice__country="NL")
    first, created = services.coverage_set(patient=patient, year=2025, treatments=9)
    again, created_again = services.coverage_set(patient=patient, year=2025, treatments=12)
    assert (created, created_again, again.pk, again.treatments) == (True, False, first.pk, 12)


def test_episode_and_prescription_creates_are_idempotent_too() -> None:
    patient = PatientFactory.create(practice__country="BE")
    episode, _ = services.episode_create(
        patient=patient, title="Back", category="courante", external_id="e-1"
    )
    same, created = services.episode_create(
        patient=patient, title="Back", category="courante", external_id="e-1"
    )
    assert same.pk == episode.pk and not created
    rx, _ = services.prescription_create(
        episode=episode, date=date(2025, 1, 2), sessions=9, external_id="rx-1"
    )
    rx_again, created = services.prescription_create(
        episode=episode, date=date(2025, 1, 2), sessions=9, external_id="rx-1"
    )
    assert rx_again.pk == rx.pk and not created


# ------------------------------------------------------------------------- validation


def test_a_therapist_of_another_practice_is_rejected() -> None:
    episode = EpisodeFactory.create()
    stranger = TherapistFactory.create()  # its own practice
    with pytest.raises(ValidationError) as raised:
        services.session_record(episode=episode, date=date(2025, 3, 3), therapist=stranger)
    assert "therapist" in raised.value.message_dict


def test_a_category_of_the_other_country_is_rejected() -> None:
    patient = PatientFactory.create(practice__country="BE")
    with pytest.raises(ValidationError) as raised:
        services.episode_create(patient=patient, title="Knee", category="osteoarthritis")
    assert "category" in raised.value.message_dict


@pytest.mark.parametrize(
    ("category", "pathology", "field"),
    [
        ("fa", "", "pathology"),  # Fa needs its list code
        ("fb", "fb-52", "pathology"),  # fb-52 does not exist in the source list
        ("e", "fa-1", "pathology"),  # a code of another list
        ("courante", "fa-1", "pathology"),  # courante has no list code
    ],
)
def test_list_codes_are_checked_against_the_category(
    category: str, pathology: str, field: str
) -> None:
    patient = PatientFactory.create(practice__country="BE")
    with pytest.raises(ValidationError) as raised:
        services.episode_create(patient=patient, title="x", category=category, pathology=pathology)
    assert field in raised.value.message_dict


def test_a_known_list_code_is_accepted() -> None:
    patient = PatientFactory.create(practice__country="BE")
    episode, created = services.episode_create(
        patient=patient, title="Knee", category="fa", pathology="fa-1"
    )
    assert created and episode.pathology == "fa-1"


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("e", "e-h-2"),  # an E sub-item (MyCareNet splits e-h into e-h-1 … e-h-6)
        ("e", "e-h"),  # its letter, as contract v1 names E pathologies (e-a … e-l): still valid
        ("e", "eb-13"),  # an eb code: epidermolysis bullosa, in no e-a … e-l item
        ("courante", "co-1-3-4-0"),  # low back pain, no laterality
        ("courante", ""),  # optional on a courante episode
        ("perinatal", "m-1"),
        ("palliative", "p-1"),
        ("fa", "fa-2-b"),
    ],
)
def test_official_pathology_situation_codes_are_accepted(category: str, code: str) -> None:
    patient = PatientFactory.create(practice__country="BE")
    episode, _ = services.episode_create(
        patient=patient, title="Situation", category=category, pathology=code
    )
    assert episode.pathology == code


@pytest.mark.parametrize(
    ("category", "code", "message"),
    [
        ("courante", "e-h-2", "the code 'e-h-2' is not for 'courante' episodes; expected co-*"),
        ("e", "co-1-3-4-0", "the code 'co-1-3-4-0' is not for 'e' episodes; expected e-*, eb-*"),
        ("e", "e-m", "unknown pathology-situation code 'e-m'"),
        ("fb", "", "a pathology-situation code is required for category 'fb'"),
        ("fa", "dh-1", "the code 'dh-1' is not for 'fa' episodes; expected fa-*"),
    ],
)
def test_a_code_of_another_family_is_refused(category: str, code: str, message: str) -> None:
    patient = PatientFactory.create(practice__country="BE")
    with pytest.raises(ValidationError) as raised:
        services.episode_create(patient=patient, title="X", category=category, pathology=code)
    assert raised.value.message_dict == {"pathology": [message]}


def test_sessions_at_another_practice_are_counted_per_calendar_year() -> None:
    episode = EpisodeFactory.create(patient__practice__country="BE")
    services.episode_update(
        episode=episode, prior_sessions={"2026": 7}, first_session_on=date(2026, 2, 2)
    )
    episode.refresh_from_db()
    assert episode.prior_sessions == {"2026": 7}
    with pytest.raises(ValidationError) as raised:
        services.episode_update(episode=episode, prior_sessions={"last year": 7})
    assert raised.value.message_dict == {"prior_sessions": ["not a calendar year: 'last year'"]}
    with pytest.raises(ValidationError) as raised:
        services.episode_update(episode=episode, prior_sessions={"2026": -1})
    assert "prior_sessions" in raised.value.message_dict


def test_used_elsewhere_of_a_treatment_allowance_is_a_whole_number() -> None:
    patient = PatientFactory.create(practice__country="NL")
    with pytest.raises(ValidationError) as raised:
        services.coverage_set(
            patient=patient, year=2026, treatments=9, used_elsewhere=Decimal("2.5")
        )
    assert "used_elsewhere" in raised.value.message_dict
    coverage, _ = services.coverage_set(
        patient=patient, year=2026, treatments=9, used_elsewhere=Decimal(3)
    )
    assert coverage.used_elsewhere == 3


def test_prescriptions_are_only_for_belgian_practices() -> None:
    episode = EpisodeFactory.create(patient__practice__country="NL", category="regular")
    with pytest.raises(ValidationError) as raised:
        services.prescription_create(episode=episode, date=date(2025, 1, 2), sessions=9)
    assert "episode" in raised.value.message_dict


def test_a_prescription_of_zero_sessions_is_rejected_by_the_service() -> None:
    episode = EpisodeFactory.create()
    with pytest.raises(ValidationError) as raised:
        services.prescription_create(episode=episode, date=date(2025, 1, 2), sessions=0)
    assert "sessions" in raised.value.message_dict


def test_supplementary_coverage_is_only_for_dutch_patients() -> None:
    patient = PatientFactory.create(practice__country="BE")
    with pytest.raises(ValidationError):
        services.coverage_set(patient=patient, year=2025, treatments=9)


def test_coverage_gives_treatments_or_a_budget_not_both() -> None:
    patient = PatientFactory.create(practice__country="NL")
    with pytest.raises(ValidationError) as raised:
        services.coverage_set(patient=patient, year=2025, treatments=9, budget=Decimal("300"))
    assert "budget" in raised.value.message_dict


def test_coverage_keeps_one_row_per_year_and_says_when_it_created_it() -> None:
    patient = PatientFactory.create(practice__country="NL")
    first, created = services.coverage_set(patient=patient, year=2025, treatments=9)
    again, created_again = services.coverage_set(patient=patient, year=2025, treatments=12)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.treatments == 12


def test_a_budget_cannot_be_added_to_a_year_counted_in_treatments() -> None:
    patient = PatientFactory.create(practice__country="NL")
    services.coverage_set(patient=patient, year=2025, treatments=9)
    with pytest.raises(ValidationError) as raised:
        services.coverage_set(patient=patient, year=2025, budget=Decimal("300"))
    assert "budget" in raised.value.message_dict


# ----------------------------------------------------------------------------- cancel


def test_cancelling_a_session_keeps_the_row_with_who_and_when() -> None:
    session = SessionFactory.create()
    user = UserFactory.create()
    services.session_cancel(session=session, by=user, reason="patient ill")
    session.refresh_from_db()
    assert TreatmentSession.objects.filter(pk=session.pk).exists()
    assert session.cancelled_at is not None
    assert session.cancelled_by == user
    assert session.cancel_reason == "patient ill"
    assert session.history.count() == 2  # created + cancelled, kept by simple-history


def test_cancelling_twice_keeps_the_first_cancellation() -> None:
    session = SessionFactory.create()
    first, second = UserFactory.create(), UserFactory.create()
    services.session_cancel(session=session, by=first)
    services.session_cancel(session=session, by=second)
    session.refresh_from_db()
    assert session.cancelled_by == first


# ------------------------------------------------------------------------ constraints


def test_the_database_refuses_a_prescription_of_zero_sessions() -> None:
    episode = EpisodeFactory.create()
    with pytest.raises(IntegrityError):
        Prescription.objects.create(
            practice=episode.patient.practice, episode=episode, date=date(2025, 1, 2), sessions=0
        )


def test_the_database_refuses_a_cancel_without_author() -> None:
    from django.utils import timezone

    session = SessionFactory.create()
    with pytest.raises(IntegrityError):
        TreatmentSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())


def test_the_database_refuses_a_duplicate_external_id_in_one_practice() -> None:
    session = SessionFactory.create(external_id="dup")
    with pytest.raises(IntegrityError):
        SessionFactory.create(episode=session.episode, external_id="dup")


@pytest.mark.parametrize(
    ("field", "value"),
    [("riziv_number", "5-123456789"), ("riziv_number", "1234567890"), ("agb_code", "1234567")],
)
def test_the_database_refuses_a_malformed_riziv_number_or_agb_code(field: str, value: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapistFactory.create(**{field: value})


def test_a_compact_riziv_number_and_agb_code_are_accepted() -> None:
    therapist = TherapistFactory.create(riziv_number="51234567890", agb_code="12345678")
    therapist.full_clean()
