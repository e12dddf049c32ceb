"""Issue 18: the patient page in plain words — Dutch cover, long histories, search, print."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from practice import pages
from practice.models import Episode, Patient
from reimburse.engine import types as t
from tests.factories import (
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
)
from tests.ui.conftest import saved_user


def _text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


# ----------------------------------------------------------------------- Dutch cover (item 4)


def test_no_supplementary_cover_is_a_sentence_not_a_red_empty_bar() -> None:
    bar = pages.pool_bar(t.Pool("supplementary", *YEAR_2026, 0, 0))
    assert bar.state == "none"
    assert bar.year == 2026


def test_a_supplementary_allowance_used_up_stays_red() -> None:
    assert pages.pool_bar(t.Pool("supplementary", *YEAR_2026, 9, 9)).state == "exhausted"


def test_an_eigen_risico_paid_in_full_is_good_news() -> None:
    paid = pages.pool_bar(t.Pool("deductible", *YEAR_2026, Decimal("385"), Decimal("385")))
    assert paid.state == "paid"


@pytest.mark.parametrize(
    ("born", "shown"),
    [
        (date(2016, 5, 1), False),  # 10 all year: no eigen risico
        (date(2008, 12, 31), True),  # turns 18 on 31 December 2026: adult from then
        (date(2009, 1, 1), False),  # turns 18 on 1 January 2027
        (date(1980, 1, 1), True),
    ],
)
def test_a_child_has_no_eigen_risico_bar(born: date, shown: bool) -> None:
    pools = [t.Pool("deductible", *YEAR_2026, Decimal("385"), Decimal("0"))]
    assert bool(pages.patient_pools(pools, birth_date=born)) is shown


def test_no_cover_warning_is_labelled_no_cover_not_used_up() -> None:
    none = pages.warning_label("allowance_exhausted", {"year": 2026, "cover": False})
    used_up = pages.warning_label("allowance_exhausted", {"year": 2026, "limit": 9})
    assert str(none) == "No supplementary cover"
    assert str(used_up) != str(none)


def test_a_package_of_another_year_asks_to_check_this_years_package() -> None:
    assert pages.package_year_notice(year=2026, package_year=2026) == ""
    assert pages.package_year_notice(year=2026, package_year=None) == ""
    assert pages.package_year_notice(year=2026, package_year=2025) == (
        "Coverage year 2026, package of 2025: check the insurer's 2026 package."
    )


def _dutch_patient(client: Client, **patient: Any) -> tuple[Patient, Episode]:
    practice = PracticeFactory(name="Fysio Utrecht", country="NL")
    user = saved_user(username="noor")
    TherapistFactory(practice=practice, user=user)
    found = cast(Patient, PatientFactory(practice=practice, last_name="Smit", **patient))
    episode = cast(Episode, EpisodeFactory(patient=found, title="Knie", category="regular"))
    client.force_login(user)
    return found, episode


@pytest.mark.django_db
def test_dutch_patient_without_cover_reads_no_supplementary_cover(
    client: Client, today: date
) -> None:
    patient, episode = _dutch_patient(client)
    SessionFactory(episode=episode, date=today, price="45.00")
    page = _text(client.get(reverse("practice:patient", args=[patient.pk])))
    assert f"No supplementary cover in {today.year}" in page
    assert "Supplementary cover used up" not in page
    assert "0 / 0" not in page


@pytest.mark.django_db
def test_patient_page_flags_a_coverage_pointing_at_last_years_package(
    client: Client, today: date
) -> None:
    patient, _episode = _dutch_patient(client)
    package = InsurerPackageFactory(year=today.year - 1, insurer="Zorg NL", name="Extra")
    CoverageFactory(patient=patient, year=today.year, package=package, treatments=None)
    page = _text(client.get(reverse("practice:patient", args=[patient.pk])))
    assert (
        f"Coverage year {today.year}, package of {today.year - 1}: "
        f"check the insurer's {today.year} package."
    ) in page
    assert "Zorg NL Extra" in page


# ------------------------------------------------------------------------ find and print (item 6)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["Jan Janssens", "Janssens Jan", "jans", "71.09.30-011.61", "710930", "71093001161"],
)
def test_search_finds_a_patient_by_full_name_or_national_id_in_any_form(
    therapist_client: Client, clinic: Any, query: str
) -> None:
    clinic.patient.national_id = "71093001161"
    clinic.patient.save()
    other = PatientFactory(practice=clinic.practice, first_name="Jan", last_name="Peeters")
    response = therapist_client.get(reverse("practice:patients"), {"q": query})
    page = _text(response)
    assert "Janssens, Jan" in page
    assert "71.09.30-011.61" in page  # shown formatted
    if query != "jans":
        assert f"{other.last_name}, Jan" not in page


@pytest.mark.django_db
def test_search_needs_every_word_to_match(therapist_client: Client, clinic: Any) -> None:
    response = therapist_client.get(reverse("practice:patients"), {"q": "Jan Peeters"})
    assert "Janssens, Jan" not in _text(response)


@pytest.mark.django_db
def test_patient_page_has_a_print_button_and_a_print_header(
    therapist_client: Client, clinic: Any
) -> None:
    response = therapist_client.get(reverse("practice:patient", args=[clinic.patient.pk]))
    html = response.content.decode()
    assert "data-print" in html
    assert "js/print.js" in html
    assert 'class="printonly printhead">Kine Centrum Gent' in html


# ------------------------------------------------------------------------- locale (item 7)


@pytest.mark.parametrize(
    ("typed", "price"),
    [("42,50", "42.50"), ("42.50", "42.50"), ("1.234,50", "1234.50"), ("€ 42,50", "42.50")],
)
def test_the_price_field_reads_a_comma_as_the_decimal_separator(typed: str, price: str) -> None:
    from practice.forms import PriceField

    assert PriceField(max_digits=10, decimal_places=2).clean(typed) == Decimal(price)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "money"), [("nl", "€ 45,00"), ("fr", "45,00 €"), ("en", "€45.00")]
)
def test_dutch_money_is_written_as_the_language_writes_it(
    client: Client, today: date, language: str, money: str
) -> None:
    patient, episode = _dutch_patient(client, birth_date=date(1950, 1, 1))
    CoverageFactory(patient=patient, year=today.year, treatments=None, deductible_remaining=0)
    SessionFactory(episode=episode, date=today, price="45.00")
    client.cookies["django_language"] = language
    page = _text(client.get(reverse("practice:patient", args=[patient.pk])))
    assert money.replace("\u00a0", " ") in page.replace("\u00a0", " ")


# ------------------------------------------------------------------- long histories (item 5)


def _row(day: date) -> pages.SessionRow:
    return pages.SessionRow(
        id=str(day), date=day, ordinal=1, status="best", status_label="", code=None, explanation=""
    )


def test_sessions_are_grouped_by_year_with_only_the_current_year_open() -> None:
    rows = [_row(date(2026, 3, 1)), _row(date(2026, 1, 2)), _row(date(2025, 12, 31))]
    groups = pages.by_year(rows, as_of=date(2026, 6, 1))
    assert [(g.year, len(g.sessions), g.open) for g in groups] == [
        (2026, 2, True),
        (2025, 1, False),
    ]


def test_without_sessions_this_year_the_newest_year_is_open() -> None:
    groups = pages.by_year([_row(date(2024, 5, 1)), _row(date(2023, 5, 1))], as_of=date(2026, 1, 5))
    assert [(g.year, g.open) for g in groups] == [(2024, True), (2023, False)]


def test_the_overflow_pool_is_shown_only_with_a_courante_episode() -> None:
    pools = [t.Pool("overflow", *YEAR_2026, 54, 0)]
    assert pages.patient_pools(pools, birth_date=date(1970, 1, 1), has_courante=True)
    assert not pages.patient_pools(pools, birth_date=date(1970, 1, 1), has_courante=False)


@pytest.mark.django_db
def test_patient_page_says_how_many_treatments_came_before_elsewhere(
    client: Client, today: date
) -> None:
    patient, episode = _dutch_patient(client)
    episode.prior_treatments = 19
    episode.save()
    SessionFactory(episode=episode, date=today, price="45.00")
    SessionFactory(episode=episode, date=today.replace(year=today.year - 1), price="45.00")
    response = client.get(reverse("practice:patient", args=[patient.pk]))
    page = _text(response)
    assert "19 earlier treatments elsewhere" in page
    html = response.content.decode()
    assert f"{today.year} · 1 session" in page and f"{today.year - 1} · 1 session" in page
    assert html.count('<details class="year" open>') == 1


# -------------------------------------------------------------------- accessibility (item 9)


@pytest.mark.django_db
def test_pages_have_a_skip_link_a_favicon_and_language_names_with_their_visible_text(
    therapist_client: Client, clinic: Any
) -> None:
    html = therapist_client.get(reverse("practice:patients")).content.decode()
    assert 'class="skiplink" href="#content"' in html
    assert 'id="content"' in html
    assert 'rel="icon"' in html
    assert 'aria-label="NL – Nederlands"' in html
    assert therapist_client.get("/favicon.ico").status_code == 302


@pytest.mark.parametrize(
    ("language", "country", "written"),
    [("nl", "BE", "14/03/2026"), ("fr", "BE", "14/03/2026"), ("nl", "NL", "14-03-2026")],
)
def test_the_day_tag_writes_a_date_as_the_country_does(
    language: str, country: str, written: str
) -> None:
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load locale_format %}{% day when %}")
    with translation.override(language):
        text = template.render(Context({"when": date(2026, 3, 14), "practice_country": country}))
    assert text == written
