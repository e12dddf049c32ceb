"""The patient page renders its recent years; older years load on demand (issue 19)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, cast
from unittest import mock

import pytest
from django import urls
from django.test import Client
from django.urls import reverse

from practice import pages
from practice.models import Episode, Therapist
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
)
from tests.ui.conftest import Clinic

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _older_year(clinic: Clinic, years_back: int = 3, sessions: int = 5) -> int:
    """Give the clinic's patient an older episode with ``sessions`` covered sessions."""
    year = clinic.year - years_back
    old = EpisodeFactory(patient=clinic.patient, title="Old shoulder", category="courante")
    PrescriptionFactory(episode=old, date=date(year, 3, 1), sessions=9)
    for n in range(sessions):
        SessionFactory(
            episode=old, therapist=clinic.therapist, date=date(year, 3, 2) + timedelta(days=n)
        )
    return year


def test_an_older_year_is_its_count_and_a_link_not_its_rows(
    therapist_client: Client, clinic: Clinic
) -> None:
    year = _older_year(clinic)
    old = clinic.patient.episodes.get(title="Old shoulder")

    response = therapist_client.get(reverse("practice:patient", args=[clinic.patient.pk]))

    html, text = response.content.decode(), _text(response)
    assert f"{year} · 5 sessions" in text
    assert f"{clinic.year} · 16 sessions" in text
    assert text.count("Best rate") == 16  # this year's rows only
    page = reverse("practice:patient", args=[clinic.patient.pk])
    fragment = reverse("practice:session_year", args=[clinic.patient.pk, old.pk, year])
    assert f'href="{page}?year={year}#episode-{old.pk}-{year}"' in html
    assert f'hx-get="{fragment}"' in html


def test_the_fragment_has_that_years_rows_as_the_page_would_show_them(
    therapist_client: Client, clinic: Clinic
) -> None:
    year = _older_year(clinic)
    old = clinic.patient.episodes.get(title="Old shoulder")

    response = therapist_client.get(
        reverse("practice:session_year", args=[clinic.patient.pk, old.pk, year])
    )

    assert response.status_code == 200
    text = _text(response)
    assert b"<html" not in response.content
    assert text.count("Best rate") == 5
    assert f"2 March {year}" in text and f"6 March {year}" in text
    first = old.sessions.order_by("date").values_list("pk", flat=True)[0]
    edit = reverse("practice:session_edit", args=[clinic.patient.pk, first])
    assert f'href="{edit}"' in response.content.decode()


def test_without_javascript_the_year_asked_for_is_shown_on_the_page(
    therapist_client: Client, clinic: Clinic
) -> None:
    year = _older_year(clinic)

    response = therapist_client.get(
        reverse("practice:patient", args=[clinic.patient.pk]), {"year": year}
    )

    assert _text(response).count("Best rate") == 16 + 5


def test_a_year_without_sessions_says_so(therapist_client: Client, clinic: Clinic) -> None:
    response = therapist_client.get(
        reverse("practice:session_year", args=[clinic.patient.pk, clinic.episode.pk, 2019])
    )
    assert response.status_code == 200
    assert "No sessions in 2019." in _text(response)


def test_another_practices_fragment_is_not_found(
    client: Client, clinic: Clinic, today: date
) -> None:
    year = _older_year(clinic)
    old = clinic.patient.episodes.get(title="Old shoulder")
    stranger = cast(
        Therapist, TherapistFactory(practice=PracticeFactory(name="Elsewhere", country="BE"))
    )
    client.force_login(stranger.user)

    url = reverse("practice:session_year", args=[clinic.patient.pk, old.pk, year])
    assert client.get(url).status_code == 404


def test_another_patients_episode_is_not_found(therapist_client: Client, clinic: Clinic) -> None:
    other = cast(Episode, EpisodeFactory(patient=PatientFactory(practice=clinic.practice)))
    SessionFactory(episode=other, date=date(clinic.year, 2, 2))

    url = reverse("practice:session_year", args=[clinic.patient.pk, other.pk, clinic.year])
    assert therapist_client.get(url).status_code == 404


def test_the_year_of_a_session_a_current_warning_names_is_shown(
    therapist_client: Client, clinic: Clinic
) -> None:
    """Last year's sessions without a prescription can still be claimed once it comes."""
    last_year = clinic.year - 1
    knee = EpisodeFactory(patient=clinic.patient, title="Knee", category="courante")
    SessionFactory(episode=knee, therapist=clinic.therapist, date=date(last_year, 5, 5))

    text = _text(therapist_client.get(reverse("practice:patient", args=[clinic.patient.pk])))

    assert f"{last_year} · 1 session" in text
    assert f"5 May {last_year}" in text  # its row, not only its count


def test_rows_are_linked_without_reversing_a_url_per_row(
    therapist_client: Client, clinic: Clinic
) -> None:
    """``{% url %}`` imports ``django.urls.reverse`` as it renders: its calls are counted."""
    url = reverse("practice:patient", args=[clinic.patient.pk])
    with mock.patch("django.urls.reverse", wraps=urls.reverse) as sixteen:
        therapist_client.get(url)
    SessionFactory(episode=clinic.episode, therapist=clinic.therapist, date=date(clinic.year, 3, 3))
    with mock.patch("django.urls.reverse", wraps=urls.reverse) as seventeen:
        response = therapist_client.get(url)

    assert _text(response).count("Best rate") == 17
    assert seventeen.call_count == sixteen.call_count


def test_the_years_shown_are_this_years_on_and_those_asked_for() -> None:
    as_of = date(2026, 6, 1)
    years = [2022, 2023, 2025, 2026, 2027]
    assert pages.years_shown(years, as_of=as_of) == {2026, 2027}
    assert pages.years_shown(years, as_of=as_of, also=[2023, 2019]) == {2023, 2026, 2027}
    # An episode that ended before this year is all collapsed when the patient came this year,
    assert pages.years_shown([2023, 2024], as_of=as_of, patient_years=[2024, 2026]) == set()
    # and shows the patient's newest year when they did not.
    assert pages.years_shown([2023, 2024], as_of=as_of, patient_years=[2023, 2024]) == {2024}
