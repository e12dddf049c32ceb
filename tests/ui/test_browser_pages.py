"""Issue 19 in Debian's Chromium: Needs attention's next page and an older year of a patient's
sessions load in place with htmx, and the URL keeps the page and the filter."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from practice import pages
from tests.factories import EpisodeFactory, PatientFactory, PrescriptionFactory, SessionFactory
from tests.ui.conftest import CHROMIUM, PASSWORD, Clinic, near_quota_clinic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)",
    ),
]

DESK: ViewportSize = {"width": 1366, "height": 900}


@pytest.fixture
def clinic_with_history(transactional_db: Any) -> Clinic:
    from django.utils import timezone

    today = timezone.localdate()
    clinic = near_quota_clinic(today=today)
    old = EpisodeFactory(patient=clinic.patient, title="Old shoulder", category="courante")
    PrescriptionFactory(episode=old, date=date(clinic.year - 3, 3, 1), sessions=9)
    for n in range(4):
        SessionFactory(
            episode=old,
            therapist=clinic.therapist,
            date=date(clinic.year - 3, 3, 2) + timedelta(days=n),
        )
    for n in range(2):  # two more rows of this therapist's, without prescriptions
        episode = EpisodeFactory(
            patient=PatientFactory(practice=clinic.practice, last_name=f"Extra{n}")
        )
        SessionFactory(episode=episode, therapist=clinic.therapist, date=date(clinic.year, 2, 2))
    return clinic


def _log_in(page: Page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username]").fill("ann")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").last.click()


def test_the_next_page_of_needs_attention_swaps_in_and_keeps_the_filter(
    page: Page, live_server: Any, clinic_with_history: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ATTENTION_PER_PAGE", 1)  # the live server runs in this process
    clinic = clinic_with_history
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/?therapist={clinic.therapist.pk}")
    expect(page.locator(".pager__range").first).to_have_text("1–1 of 3")

    page.locator("a[rel=next]").first.click()

    expect(page.locator(".pager__range").first).to_have_text("2–2 of 3")
    assert page.url.endswith(f"/?therapist={clinic.therapist.pk}&page=2")
    expect(page.locator(".attention__row")).to_have_count(1)


def test_an_older_year_loads_in_place(
    page: Page, live_server: Any, clinic_with_history: Clinic
) -> None:
    clinic = clinic_with_history
    year = clinic.year - 3
    page.set_viewport_size(DESK)
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/patients/{clinic.patient.pk}/")
    older = page.locator(".year--later", has_text=f"{year} · 4 sessions")
    expect(older).to_have_count(1)
    url = page.url

    older.get_by_role("link").click()

    expect(page.get_by_text(f"2 March {year}")).to_be_visible()
    expect(page.locator(".year--later", has_text=f"{year}")).to_have_count(0)
    assert page.url == url  # loaded into the page, not a new page
