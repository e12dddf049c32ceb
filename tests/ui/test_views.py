"""The therapists' pages, through the Django test client, against the real engine."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from practice import views
from practice.models import Episode, Patient, Practice, TreatmentSession
from reimburse.engine.be import tables as be_tables
from reimburse.models import LoadedTariff
from reimburse.selectors import table_gaps
from tests.factories import (
    CoverageFactory,
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
)
from tests.ui.conftest import Clinic, near_quota_clinic, saved_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _text(response: Any) -> str:
    """The page's visible text, whitespace collapsed (for sentences split over lines)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _field_block(response: Any, name: str) -> str:
    """The ``.field`` block of the form field called ``name`` (label, input, errors, help)."""
    html = response.content.decode()
    for block in re.findall(r'<div class="field.*?</div>', html, flags=re.S):
        if f'name="{name}"' in block:
            return str(block)
    raise AssertionError(f"no field {name!r} on the page")


def _record_data(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    data = {
        "date": clinic.free_day.isoformat(),
        "episode": clinic.episode.pk,
        "minutes": 30,
        "place": "practice",
    }
    return {**data, **changes}


def _urls(clinic: Clinic) -> list[str]:
    pk = clinic.patient.pk
    return [
        reverse("practice:attention"),
        reverse("practice:patients"),
        reverse("practice:patient", args=[pk]),
        reverse("practice:session_new", args=[pk]),
        reverse("practice:plan", args=[pk]),
    ]


# ------------------------------------------------------------------------ access


def test_every_page_asks_an_anonymous_visitor_to_log_in(client: Client, clinic: Clinic) -> None:
    for url in _urls(clinic):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_logs_a_therapist_in(client: Client, clinic: Clinic) -> None:
    response = client.post(
        reverse("login"), {"username": "ann", "password": "secret-pass-123"}, follow=True
    )
    assert "Needs attention" in _text(response)
    assert "Kine Centrum Gent" in _text(response)


def test_log_out_is_a_post_that_returns_to_the_login_page(
    therapist_client: Client, clinic: Clinic
) -> None:
    response = therapist_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert therapist_client.get(reverse("practice:attention")).status_code == 302


def test_a_user_without_a_practice_gets_a_friendly_page(client: Client) -> None:
    client.force_login(saved_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("practice:attention"))
    assert response.status_code == 403
    assert "No practice linked" in _text(response)


@pytest.mark.parametrize("page", ["patient", "session_new", "plan"])
def test_another_practices_patient_is_not_found(therapist_client: Client, page: str) -> None:
    stranger = cast(Patient, PatientFactory())  # in a practice of its own
    EpisodeFactory(patient=stranger)
    assert therapist_client.get(reverse(f"practice:{page}", args=[stranger.pk])).status_code == 404


def test_another_practices_patient_cannot_be_previewed_or_recorded(
    therapist_client: Client, clinic: Clinic
) -> None:
    stranger = cast(Patient, PatientFactory())
    episode = cast(Episode, EpisodeFactory(patient=stranger))
    data = {**_record_data(clinic), "episode": episode.pk, "action": "save"}
    for page in ("session_new", "session_preview"):
        response = therapist_client.post(reverse(f"practice:{page}", args=[stranger.pk]), data)
        assert response.status_code == 404
    assert not TreatmentSession.objects.filter(episode=episode).exists()


def test_an_episode_of_another_patient_is_not_a_choice(
    therapist_client: Client, clinic: Clinic
) -> None:
    other = cast(Episode, EpisodeFactory(patient=PatientFactory(practice=clinic.practice)))
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic, episode=other.pk, action="save"))
    assert response.status_code == 200
    assert "Select a valid choice" in _field_block(response, "episode")
    assert not TreatmentSession.objects.filter(episode=other).exists()


# ------------------------------------------------------------------ needs attention


def test_needs_attention_lists_a_patient_near_the_quota(
    therapist_client: Client, clinic: Clinic
) -> None:
    response = therapist_client.get(reverse("practice:attention"))
    text = _text(response)
    assert "Janssens, Jan" in text
    assert "Quota almost used" in text
    assert reverse("practice:patient", args=[clinic.patient.pk]) in response.content.decode()


def test_needs_attention_filters_by_therapist(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    colleague = TherapistFactory(practice=clinic.practice, user__first_name="Bart")
    theirs = EpisodeFactory(patient=PatientFactory(practice=clinic.practice, last_name="Maes"))
    # Bart's patient has sessions but no prescription: a blocking warning.
    SessionFactory(episode=theirs, therapist=colleague, date=date(today.year, 2, 2))
    url = reverse("practice:attention")

    everyone = _text(therapist_client.get(url))
    assert "Janssens" in everyone and "Maes" in everyone
    # Most urgent first: the blocking prescription warning comes before the low quota.
    assert everyone.index("Maes") < everyone.index("Janssens")

    mine = _text(therapist_client.get(url, {"therapist": clinic.therapist.pk}))
    assert "Janssens" in mine and "Maes" not in mine


def test_needs_attention_answers_htmx_with_the_list_only(therapist_client: Client) -> None:
    response = therapist_client.get(reverse("practice:attention"), headers=HTMX)
    assert b"<html" not in response.content
    assert "Janssens, Jan" in _text(response)
    assert "HX-Request" in response["Vary"]


def test_needs_attention_says_so_when_nothing_needs_attention(
    therapist_client: Client, clinic: Clinic
) -> None:
    TreatmentSession.objects.filter(episode=clinic.episode).delete()
    assert "Nothing needs attention" in _text(therapist_client.get(reverse("practice:attention")))


def test_needs_attention_says_once_for_the_practice_when_recent_sessions_have_no_tariff(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    """Issue 15: a practice whose recent sessions fall where no tariff is loaded is told once,
    in words, above the list (not on every patient's row)."""
    code = be_tables.STANDARD_SESSION_CODE
    SessionFactory(episode=clinic.episode, therapist=clinic.therapist, date=today)
    response = therapist_client.get(reverse("practice:attention"))
    text = _text(response)
    if be_tables.tariff_for(code, today) is not None:
        assert "For the whole practice" not in text
        return
    assert "For the whole practice" in text
    assert f"No tariff of code {code} is known" in text
    assert text.count(f"No tariff of code {code}") == 1


def test_needs_attention_has_no_practice_notice_when_recent_sessions_are_priced(
    therapist_client: Client, clinic: Clinic
) -> None:
    # Long-past sessions only: nothing recent or planned to price.
    TreatmentSession.objects.filter(episode=clinic.episode).update(date=date(2024, 3, 4))
    text = _text(therapist_client.get(reverse("practice:attention")))
    assert "For the whole practice" not in text


def test_table_gaps_name_the_first_unpriced_day_around_as_of(clinic: Clinic) -> None:
    code = be_tables.STANDARD_SESSION_CODE
    TreatmentSession.objects.filter(episode=clinic.episode).delete()
    priced = date(2024, 3, 4)
    assert be_tables.tariff_for(code, priced) is not None
    SessionFactory(episode=clinic.episode, therapist=clinic.therapist, date=priced)
    assert table_gaps(practice=clinic.practice, as_of=priced) == []
    unpriced = date(2026, 3, 2)
    assert be_tables.tariff_for(code, unpriced) is None
    SessionFactory(episode=clinic.episode, therapist=clinic.therapist, date=unpriced)
    start, end = be_tables.tariff_gap(code, unpriced)
    assert table_gaps(practice=clinic.practice, as_of=unpriced) == [
        {
            "code": "tariff_unknown",
            "params": {"code": code, "date": unpriced, "start": start, "end": end},
        }
    ]


def test_a_tariff_table_the_clinic_loaded_closes_the_gap(clinic: Clinic) -> None:
    code = be_tables.STANDARD_SESSION_CODE
    unpriced = date(2026, 3, 2)
    assert be_tables.tariff_for(code, unpriced) is None
    SessionFactory(episode=clinic.episode, therapist=clinic.therapist, date=unpriced)
    LoadedTariff.objects.create(
        code=code,
        valid_from=date(2026, 1, 1),
        fee=Decimal("31.50"),
        insurer=Decimal("25.25"),
        insurer_preferential=Decimal("29.00"),
        confidence="O",
        source="test table",
        file_name="riziv-2026.csv",
    )
    assert table_gaps(practice=clinic.practice, as_of=unpriced) == []


def test_table_gaps_name_a_dutch_year_without_a_deductible() -> None:
    practice = cast(Practice, PracticeFactory(country="NL"))
    episode = EpisodeFactory(patient=PatientFactory(practice=practice), category="regular")
    SessionFactory(episode=episode, date=date(2027, 1, 11))
    assert table_gaps(practice=practice, as_of=date(2026, 12, 20)) == [
        {"code": "deductible_unknown", "params": {"year": 2027}}
    ]
    assert table_gaps(practice=practice, as_of=date(2027, 3, 1)) == [
        {"code": "deductible_unknown", "params": {"year": 2027}}
    ]
    assert table_gaps(practice=practice, as_of=date(2026, 6, 1)) == []


# ---------------------------------------------------------------------- patient page


def test_patient_page_shows_quota_sessions_warnings_and_prescriptions(
    therapist_client: Client, clinic: Clinic
) -> None:
    response = therapist_client.get(reverse("practice:patient", args=[clinic.patient.pk]))
    text = _text(response)
    assert "Low back pain" in text
    assert "16 / 18" in text  # the quota bar
    assert f"1 January {clinic.year} – 31 December {clinic.year}" in text  # the period
    assert "2 left" in text
    assert "Quota almost used" in text
    assert text.count("Best rate") == 16  # a status per session
    assert "Dr. Claes" in text
    assert "16 of 18 prescribed sessions used" in text


def test_patient_page_queries_do_not_grow_with_sessions(
    client: Client, django_assert_max_num_queries: Any, today: date
) -> None:
    clinic = near_quota_clinic(today=today, sessions=30)
    client.force_login(clinic.therapist.user)
    # 12, and three for agreements and use elsewhere: the requests the engine reads, the
    # patient's uses at another practice, and every request with what "ready to send" reads;
    # and the tariffs a Belgian clinic loaded and its therapists' convention periods.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("practice:patient", args=[clinic.patient.pk]))
    assert response.status_code == 200


# ------------------------------------------------------------------- record a session


def test_record_form_shows_errors_next_to_the_fields(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    response = therapist_client.post(
        url, _record_data(clinic, date="", minutes=0, action="preview")
    )
    assert response.status_code == 200
    assert "This field is required." in _field_block(response, "date")
    assert "greater than or equal to 1" in _field_block(response, "minutes")
    assert "field--error" not in _field_block(response, "place")
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 16


def test_service_errors_appear_next_to_their_field(
    therapist_client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ValidationError({"minutes": "a session lasts at least one minute"})

    monkeypatch.setattr(views, "session_record", refuse)
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic, action="save"))
    assert "a session lasts at least one minute" in _field_block(response, "minutes")


def test_preview_shows_the_session_and_the_quota_after_it_without_saving(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic, action="preview"))
    text = _text(response)
    assert "Session 17" in text
    assert "17 / 18" in text
    assert "1 left" in text
    assert "<html" in response.content.decode()  # without JavaScript: the whole page
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 16


def test_htmx_preview_returns_the_form_with_the_preview_and_saves_nothing(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_preview", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic), headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="record-form"' in html
    assert "Session 17" in _text(response)
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 16


def test_htmx_preview_of_bad_input_shows_the_errors_at_the_fields(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_preview", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic, minutes="abc"), headers=HTMX)
    assert "Enter a whole number." in _field_block(response, "minutes")


def test_save_records_exactly_one_session_through_the_service(
    therapist_client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    record = views.session_record

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return record(**kwargs)

    monkeypatch.setattr(views, "session_record", spy)
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    response = therapist_client.post(url, _record_data(clinic, action="save"))

    assert response.status_code == 302
    assert response["Location"].endswith(f"#episode-{clinic.episode.pk}")
    assert len(calls) == 1
    saved = TreatmentSession.objects.filter(episode=clinic.episode, date=clinic.free_day).get()
    assert saved.therapist == clinic.therapist
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 17

    page = _text(therapist_client.get(response["Location"]))
    assert "17 / 18" in page
    assert "recorded" in page


def _form_key(response: Any) -> str:
    found = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', response.content.decode())
    assert found, "the record form carries a one-time key"
    return found.group(1)


def test_saving_one_form_twice_records_one_session(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    key = _form_key(therapist_client.get(url))
    data = _record_data(clinic, action="save", submission_key=key)

    first = therapist_client.post(url, data)
    second = therapist_client.post(url, data)  # the double click

    assert (first.status_code, second.status_code) == (302, 302)
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 17
    assert _form_key(therapist_client.get(url)) != key, "each displayed form has its own key"


def test_a_saved_form_sent_again_with_another_date_records_nothing(
    therapist_client: Client, clinic: Clinic
) -> None:
    url = reverse("practice:session_new", args=[clinic.patient.pk])
    key = _form_key(therapist_client.get(url))
    therapist_client.post(url, _record_data(clinic, action="save", submission_key=key))
    other_day = (clinic.free_day.replace(day=1)).isoformat()

    again = therapist_client.post(
        url, _record_data(clinic, action="save", submission_key=key, date=other_day)
    )

    assert again.status_code == 200
    assert "This form was already saved." in _text(again)
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 17


# ------------------------------------------------------------------------ plan ahead


def test_plan_ahead_shows_each_planned_session_and_saves_nothing(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    first = date(clinic.year, 3, 2)
    plan: dict[str, Any] = {
        "episode": clinic.episode.pk,
        "first": first.isoformat(),
        "per_week": 2,
        "weeks": 6,
        "minutes": 30,
        "place": "practice",
    }
    response = therapist_client.get(reverse("practice:plan", args=[clinic.patient.pk]), plan)
    text = _text(response)
    assert "12 planned sessions" in text
    assert "2 × Best rate" in text  # sessions 17 and 18; the prescription runs out after
    assert response.content.decode().count("<tr>") == 1 + 12
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 16


def test_plan_ahead_without_a_plan_shows_the_form(therapist_client: Client, clinic: Clinic) -> None:
    response = therapist_client.get(reverse("practice:plan", args=[clinic.patient.pk]))
    assert response.status_code == 200
    assert "Show the plan" in _text(response)
    assert "<table" not in response.content.decode()


def test_plan_ahead_rejects_more_than_26_weeks(therapist_client: Client, clinic: Clinic) -> None:
    plan: dict[str, Any] = {
        "episode": clinic.episode.pk,
        "first": "2026-03-02",
        "per_week": 2,
        "weeks": 27,
    }
    response = therapist_client.get(reverse("practice:plan", args=[clinic.patient.pk]), plan)
    assert "less than or equal to 26" in _field_block(response, "weeks")


# ------------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "Points d'attention"), ("nl", "Aandachtspunten"), ("en", "Needs attention")],
)
def test_language_switch_translates_the_pages(
    therapist_client: Client, language: str, heading: str
) -> None:
    response = therapist_client.post(
        reverse("set_language"), {"language": language, "next": "/"}, follow=True
    )
    assert f"<h1>{heading}</h1>" in response.content.decode().replace("&#x27;", "'")


def test_french_record_page_uses_physiotherapy_vocabulary(
    therapist_client: Client, clinic: Clinic
) -> None:
    therapist_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    text = _text(therapist_client.get(reverse("practice:session_new", args=[clinic.patient.pk])))
    assert "Enregistrer une séance" in text


# ------------------------------------------------------------------------ Netherlands


def test_a_dutch_practice_records_a_price_and_sees_money_pools(client: Client) -> None:
    practice = PracticeFactory(name="Fysio Utrecht", country="NL")
    user = saved_user(username="noor")
    TherapistFactory(practice=practice, user=user)
    patient = cast(
        Patient, PatientFactory(practice=practice, first_name="Noor", last_name="Visser")
    )
    episode = cast(
        Episode, EpisodeFactory(patient=patient, title="Knee strain", category="regular")
    )
    CoverageFactory(patient=patient, year=2026, treatments=9)
    SessionFactory(episode=episode, date=date(2026, 3, 2), price="45.00")
    client.force_login(user)

    page = _text(client.get(reverse("practice:patient", args=[patient.pk])))
    assert "Knee strain" in page
    assert "Supplementary insurance" in page

    url = reverse("practice:session_new", args=[patient.pk])
    data = {
        "date": "2026-03-09",
        "episode": episode.pk,
        "minutes": 30,
        "place": "practice",
        "price": "45.00",
        "action": "preview",
    }
    response = client.post(url, data)
    assert 'name="price"' in response.content.decode()
    assert "Session 2" in _text(response)
    assert "€0.00" in _text(response)  # the supplementary package pays it all (en_GB money)
