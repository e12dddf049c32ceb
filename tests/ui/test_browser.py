"""A therapist's day in Debian's Chromium: log in, see who needs attention, record a session.

The screenshots the README points to are written to ``artifacts/screenshots/`` on every run.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.ui.conftest import CHROMIUM, PASSWORD, Clinic, add_colleagues_patients, near_quota_clinic

pytestmark = [
    pytest.mark.browser,
    # A developer machine may lack Debian's Chromium; CI installs it and must not skip.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)",
    ),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAPTOP: ViewportSize = {"width": 1280, "height": 860}
TABLET: ViewportSize = {"width": 800, "height": 1100}


@pytest.fixture
def browser_clinic(transactional_db: Any) -> Clinic:
    # The live server runs in another thread: the rows must be committed, hence transactional.
    from django.utils import timezone

    clinic = near_quota_clinic(today=timezone.localdate())
    add_colleagues_patients(clinic)
    return clinic


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fits(page: Page) -> bool:
    """No horizontal scrolling: the page fits the viewport's width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _log_in(page: Page, base: str, *, shot: str | None = None) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    if shot:
        _shot(page, shot)
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_therapist_records_a_session_after_previewing_it(
    page: Page, live_server: Any, browser_clinic: Clinic
) -> None:
    clinic = browser_clinic
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server.url, shot="login")

    # Needs attention: the patient with 2 sessions left at the best rate.
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()
    row = page.locator(".attention__row", has_text="Janssens, Jan")
    expect(row).to_contain_text("Quota almost used")
    expect(row).to_contain_text("Courante sessions at the best rate: only 2 left in this period.")
    _shot(page, "needs-attention")

    # The patient page: the quota bar, the sessions and the prescription.
    row.get_by_role("link", name="Janssens, Jan").click()
    expect(page.get_by_role("heading", name="Jan Janssens", level=1)).to_be_visible()
    bar = page.locator(f"#episode-{clinic.episode.pk} .bar").first
    expect(bar).to_contain_text("16 / 18")
    expect(page.locator(".rx")).to_contain_text("16 of 18 prescribed sessions used")

    # Record a session: the preview (htmx, in place) says what it will be; nothing saved yet.
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("Date").fill(clinic.free_day.isoformat())
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Session 17")
    expect(preview).to_contain_text("Best rate")
    expect(preview).to_contain_text("17 / 18")
    expect(preview).to_contain_text("1 left")
    assert "/sessions/new/" in page.url  # swapped in place, no navigation
    _shot(page, "record-session-preview")

    # Save: back on the patient page, the quota bar counts the new session.
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".message--success")).to_contain_text("recorded")
    expect(page.locator(f"#episode-{clinic.episode.pk} .bar").first).to_contain_text("17 / 18")
    first_row = page.locator(f"#episode-{clinic.episode.pk} tbody tr").first
    expect(first_row).to_contain_text("17")
    _shot(page, "patient")

    # The same page on a tablet: no sideways scrolling.
    page.set_viewport_size(TABLET)
    assert _fits(page)
    _shot(page, "patient-tablet")

    # Switch to French: the page comes back in French.
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Séances")).to_be_visible()
    expect(page.get_by_role("link", name="Enregistrer une séance")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _shot(page, "patient-fr")


def test_plan_ahead_shows_the_rates_without_saving(
    page: Page, live_server: Any, browser_clinic: Clinic
) -> None:
    clinic = browser_clinic
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/plan/")
    page.get_by_label("First session").fill(date(clinic.year, 3, 2).isoformat())
    page.get_by_label("Weeks").fill("3")
    page.get_by_role("button", name="Show the plan").click()
    expect(page.get_by_role("heading", name="6 planned sessions")).to_be_visible()
    expect(page.locator("#plan tbody tr")).to_have_count(6)
    expect(page.locator("#plan")).to_contain_text("2 × Best rate")
    _shot(page, "plan-ahead")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_label("Search").fill("wout")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(1)  # htmx, as you type
    page.get_by_label("Search").fill("")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(3)
    _shot(page, "patients")

    page.set_viewport_size(TABLET)
    assert _fits(page)
    page.goto(f"{live_server.url}/")
    assert _fits(page)
    _shot(page, "needs-attention-tablet")


# ---------------------------------------------------------------- in the reader's language

ENGLISH = re.compile(
    r"\b(the|session|sessions|treatment|treatments|not|left|and|with|from|pays|used|"
    r"cover|insurance|period|rate|best|reduced|pending|deductible)\b",
    re.IGNORECASE,
)


def _english_in(page: Page) -> list[str]:
    """The English words on the page, outside the records the practice typed itself."""
    text = page.locator("main").inner_text()
    return ENGLISH.findall(text)


def test_a_belgian_therapist_reads_french_and_a_dutch_one_dutch(
    page: Page, live_server: Any, transactional_db: Any
) -> None:
    """Issue 14: no English sentence on Needs attention and the patient page."""
    from django.utils import timezone

    from tests.ui.conftest import dutch_clinic, french_clinic

    today = timezone.localdate()
    belgian = french_clinic(today=today)
    dutch = dutch_clinic(today=today)
    page.set_viewport_size(LAPTOP)
    for clinic, username, language, heading in (
        (belgian, "claire", "fr", "Points d'attention"),
        (dutch, "daan", "nl", "Aandachtspunten"),
    ):
        page.context.clear_cookies()
        page.goto(live_server.url + "/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("button[type=submit]").last.click()
        page.locator(f"button[name=language][value={language}]").click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.locator(".attention__row").count() >= 1
        assert _english_in(page) == [], (username, "attention")
        _shot(page, f"needs-attention-{language}-{clinic.practice.country.lower()}")
        page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/")
        expect(page.locator("td.explanation").first).to_be_visible()
        assert _english_in(page) == [], (username, "patient")
        _shot(page, f"patient-{language}-{clinic.practice.country.lower()}")


def test_a_waiting_request_shows_its_reason_and_what_is_missing_in_dutch(
    page: Page, live_server: Any, browser_clinic: Clinic
) -> None:
    """Issue 16: the fund asked for information; the therapist sees why and what to add."""
    from tests.ui.agreements import WFI_CODE, WFI_TEXT, add_waiting_e_request

    episode, _request = add_waiting_e_request(browser_clinic)
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server.url)
    page.locator("button[name=language][value=nl]").click()
    page.goto(f"{live_server.url}/patients/{browser_clinic.patient.pk}/")

    card = page.locator(f"[data-testid=agreements-{episode.pk}]")
    expect(card).to_contain_text("Kennisgevingen en akkoordaanvragen")
    expect(card).to_contain_text("Wacht op informatie van de kinesitherapeut")
    expect(card).to_contain_text(f"{WFI_CODE}: {WFI_TEXT}")
    expect(card).to_contain_text("Aanvraag E: ontbreekt nog voor het verstuurd kan worden:")
    expect(card.locator(".missing li")).to_have_text(
        ["Het RIZIV-nummer van de voorschrijver", "Bijlage: Radiologisch protocol"]
    )
    card.scroll_into_view_if_needed()
    _shot(page, "patient-agreement-waiting-nl")


def test_a_double_click_on_save_records_one_session(
    page: Page, live_server: Any, browser_clinic: Clinic
) -> None:
    from practice.models import TreatmentSession

    clinic = browser_clinic
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/sessions/new/")
    page.get_by_label("Date").fill(clinic.free_day.isoformat())

    page.get_by_role("button", name="Save session").dblclick()

    expect(page.locator(".message--success")).to_contain_text("recorded")
    assert TreatmentSession.objects.filter(episode=clinic.episode).count() == 17
