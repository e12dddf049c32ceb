"""Issue 18 in Debian's Chromium: a late prescription's card, correcting a session, the
same-day warning before save, in Dutch and French, at 1366 and 820 px."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.factories import EpisodeFactory, PatientFactory, PrescriptionFactory, SessionFactory
from tests.ui.conftest import CHROMIUM, PASSWORD, Clinic, near_quota_clinic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)",
    ),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESK: ViewportSize = {"width": 1366, "height": 900}
TABLET: ViewportSize = {"width": 820, "height": 1180}


@pytest.fixture
def day_clinic(transactional_db: Any) -> tuple[Clinic, Any]:
    from django.utils import timezone

    today = timezone.localdate()
    clinic = near_quota_clinic(today=today)
    late = PatientFactory(practice=clinic.practice, first_name="Pieter", last_name="Goossens")
    shoulder = EpisodeFactory(patient=late, title="Schouder", category="courante")
    PrescriptionFactory(episode=shoulder, date=today - timedelta(days=100), sessions=9)
    for n in range(3):
        SessionFactory(episode=shoulder, therapist=clinic.therapist, date=today - timedelta(n))
    return clinic, late


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _log_in(page: Page, base: str, language: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username]").fill("ann")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").last.click()
    page.locator(f"button[name=language][value={language}]").click()


def test_a_late_prescription_card_says_it_covers_nothing_in_dutch(
    page: Page, live_server: Any, day_clinic: tuple[Clinic, Any]
) -> None:
    _clinic, late = day_clinic
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "nl")
    row = page.locator(".attention__row", has_text="Goossens, Pieter").first
    expect(row).to_contain_text("Te doen: Vraag de arts om een nieuw voorschrift.")
    _shot(page, "day-needs-attention-nl")

    page.goto(f"{live_server.url}/patients/{late.pk}/")
    card = page.locator(".rx")
    expect(card).to_contain_text("Dekt niets")
    expect(card).not_to_contain_text("6 over")
    expect(page.locator(".warning", has_text="Voorschrift te laat gestart")).to_have_count(1)
    _shot(page, "day-late-prescription-nl")
    page.set_viewport_size(TABLET)
    assert _fits(page)
    _shot(page, "day-late-prescription-nl--tab")


def test_a_therapist_corrects_then_cancels_a_session_in_french(
    page: Page, live_server: Any, day_clinic: tuple[Clinic, Any]
) -> None:
    clinic, _late = day_clinic
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "fr")
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/")
    page.locator(f"#episode-{clinic.episode.pk} tbody tr").first.get_by_role(
        "link", name="Corriger"
    ).click()
    expect(page.get_by_role("heading", name="Corriger", exact=True)).to_be_visible()
    page.get_by_label("Minutes").fill("45")
    page.get_by_label("Motif de la correction").fill("durée mal encodée")
    _shot(page, "day-correct-session-fr")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator(".message--success")).to_contain_text("corrigée")
    first_row = page.locator(f"#episode-{clinic.episode.pk} tbody tr").first
    expect(first_row).to_contain_text("45′")

    first_row.get_by_role("link", name="Corriger").click()
    page.get_by_label("Motif de l'annulation").fill("patient absent")
    page.get_by_role("button", name="Annuler la séance").click()
    expect(page.locator(".message--success")).to_contain_text("annulée")
    expect(page.locator(f"#episode-{clinic.episode.pk} .bar").first).to_contain_text("15 / 18")
    page.set_viewport_size(TABLET)
    assert _fits(page)


def test_the_record_form_warns_before_a_second_session_that_day_in_dutch(
    page: Page, live_server: Any, day_clinic: tuple[Clinic, Any]
) -> None:
    clinic, _late = day_clinic
    taken = clinic.episode.sessions.order_by("date").last()
    assert taken is not None
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "nl")
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/sessions/new/")
    page.get_by_label("Datum").fill(taken.date.isoformat())
    page.get_by_role("button", name="Zitting opslaan").click()

    expect(page.locator("#same-day")).to_contain_text("Deze patiënt heeft al een zitting op")
    expect(page.locator("#preview")).to_contain_text("Niet terugbetaald")
    assert clinic.episode.sessions.count() == 16
    _shot(page, "day-same-day-warning-nl")
    page.set_viewport_size(TABLET)
    assert _fits(page)

    page.get_by_role("button", name="Toch opslaan").click()
    expect(page.locator(".message--success")).to_be_visible()
    assert clinic.episode.sessions.count() == 17
