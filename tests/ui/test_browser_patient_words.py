"""Issue 18 in Debian's Chromium: a Dutch patient without supplementary cover, search by full
name, the print sheet, and an axe-core scan of the main pages (serious or critical fails)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
)
from tests.ui.conftest import CHROMIUM, PASSWORD, Clinic, near_quota_clinic, saved_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)",
    ),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# axe-core 4.14.1 (npm, MPL-2.0), vendored: the CI machines have no internet at test time.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESK: ViewportSize = {"width": 1366, "height": 900}
TABLET: ViewportSize = {"width": 820, "height": 1180}


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _log_in(page: Page, base: str, username: str, language: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").last.click()
    page.locator(f"button[name=language][value={language}]").click()


@pytest.fixture
def dutch_patient(transactional_db: Any) -> Any:
    from django.utils import timezone

    today = timezone.localdate()
    practice = PracticeFactory(name="Fysio Utrecht", country="NL")
    TherapistFactory(practice=practice, user=saved_user(username="noor"))
    patient = PatientFactory(practice=practice, first_name="Eva", last_name="Smit")
    episode = EpisodeFactory(patient=patient, title="Knie", category="regular")
    SessionFactory(episode=episode, date=today, price="45.00")
    return patient


def test_a_dutch_patient_without_supplementary_cover_reads_so_in_dutch(
    page: Page, live_server: Any, dutch_patient: Any
) -> None:
    from django.utils import timezone

    year = timezone.localdate().year
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "noor", "nl")
    page.goto(f"{live_server.url}/patients/{dutch_patient.pk}/")
    expect(page.locator(".bar--none")).to_contain_text(f"Geen aanvullende dekking in {year}")
    expect(page.locator(".bar--exhausted")).to_have_count(0)
    expect(page.get_by_text("Aanvullende dekking op")).to_have_count(0)
    _shot(page, "day-nl-no-cover-nl")
    page.set_viewport_size(TABLET)
    # The money column is on screen at 820 px: not scrolled off inside its box.
    cell = page.locator(".table--sessions td.num").last
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 820
    _shot(page, "day-nl-no-cover-nl--tab")


@pytest.fixture
def clinic(transactional_db: Any) -> Clinic:
    from django.utils import timezone

    clinic = near_quota_clinic(today=timezone.localdate())
    clinic.patient.national_id = "71093001161"
    clinic.patient.save()
    PatientFactory(practice=clinic.practice, first_name="Jan", last_name="Peeters")
    return clinic


def test_search_by_full_name_and_formatted_national_id(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "ann", "nl")
    for query in ("Jan Janssens", "Janssens Jan", "71.09.30-011.61"):
        page.goto(f"{live_server.url}/patients/")
        page.locator("input[name=q]").fill(query)
        page.locator("input[name=q]").press("Enter")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Janssens, Jan")
        expect(rows.first).to_contain_text("71.09.30-011.61")
    _shot(page, "day-search-full-name-nl")


def test_the_print_sheet_shows_the_patient_without_navigation_or_buttons(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url, "ann", "fr")
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/")
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".pagehead__actions")).to_be_hidden()
    expect(page.locator(".printhead")).to_contain_text("Kine Centrum Gent")
    expect(page.locator("h1")).to_have_text("Jan Janssens")
    expect(page.locator(".bar").first).to_be_visible()
    _shot(page, "day-print-sheet-fr")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    page.set_viewport_size(DESK)
    page.goto(live_server.url + "/accounts/login/")
    found = {"login": _axe(page)}
    _log_in(page, live_server.url, "ann", "nl")
    pages = {
        "attention": "/",
        "patients": "/patients/?q=Jan",
        "patient": f"/patients/{clinic.patient.pk}/",
        "record": f"/patients/{clinic.patient.pk}/sessions/new/",
        "plan": f"/patients/{clinic.patient.pk}/plan/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        found[name] = _axe(page)
    serious = {
        name: [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in violations]
        for name, violations in found.items()
        if violations
    }
    assert serious == {}
