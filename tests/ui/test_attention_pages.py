"""Needs attention a page at a time (issue 19): the whole list's order and counts, a page shown."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django import urls
from django.test import Client
from django.urls import reverse

from practice import pages
from reimburse.engine.vocabulary import Severity, WarningCode
from reimburse.explain import Reader
from reimburse.selectors import PatientWarning
from tests.factories import EpisodeFactory, PatientFactory, SessionFactory
from tests.ui.conftest import Clinic, add_colleagues_patients

AS_OF = date(2026, 12, 3)
EN = Reader("en", "BE")

# (code, severity, params): a mix the ranking orders by severity, then days left.
KINDS: list[tuple[WarningCode, Severity, dict[str, Any]]] = [
    (WarningCode.PRESCRIPTION_MISSING, Severity.BLOCKING, {"date": "2026-11-02"}),
    (WarningCode.QUOTA_EXHAUSTED, Severity.WARNING, {"counter": "courante", "limit": 18}),
    (WarningCode.PERIOD_ENDING, Severity.WARNING, {"counter": "fa", "end": "2026-12-20"}),
    (WarningCode.AGREEMENT_ENDING, Severity.WARNING, {"until": "2026-12-10"}),
    (WarningCode.QUOTA_LOW, Severity.WARNING, {"counter": "courante", "remaining": 2}),
]


def _warnings(patients: int) -> list[PatientWarning]:
    """Each patient one warning of a kind in turn, the first three times repeated (folded)."""
    rows = []
    for n in range(patients):
        code, severity, params = KINDS[n % len(KINDS)]
        repeats = 3 if n % len(KINDS) == 0 else 1
        rows += [
            PatientWarning(
                patient_id=n + 1,
                patient_name=f"Patient {n + 1:03d}",
                episode_id=1000 + n,
                episode_title="Knee",
                session_id=None,
                code=code,
                severity=severity,
                params=params,
            )
        ] * repeats
    return rows


def _key(row: pages.AttentionRow) -> tuple[int, int | None, str]:
    return (row.patient_id, row.episode_id, row.code)


def test_the_pages_together_are_the_whole_list_in_the_same_order() -> None:
    warnings = _warnings(120)
    whole = pages.attention_page(warnings, EN, as_of=AS_OF)

    shown = [
        pages.attention_page(warnings, EN, as_of=AS_OF, number=n, per_page=50) for n in (1, 2, 3)
    ]

    assert [_key(r) for page in shown for r in page.rows] == [_key(r) for r in whole.rows]
    assert [(p.first, p.last, p.total, p.pages) for p in shown] == [
        (1, 50, 120, 3),
        (51, 100, 120, 3),
        (101, 120, 120, 3),
    ]


def test_every_page_counts_the_whole_list_not_its_own_rows() -> None:
    warnings = _warnings(120)  # 24 blocking rows, 96 warnings, 120 patients

    for number in (1, 3):
        page = pages.attention_page(warnings, EN, as_of=AS_OF, number=number, per_page=50)
        assert [(severity, count) for severity, _label, count in page.counts] == [
            ("blocking", 24),
            ("warning", 96),
        ]
        assert page.patient_count == 120


def test_the_most_urgent_rows_come_first_across_pages() -> None:
    page1 = pages.attention_page(_warnings(120), EN, as_of=AS_OF, number=1, per_page=50)
    page3 = pages.attention_page(_warnings(120), EN, as_of=AS_OF, number=3, per_page=50)

    assert {r.severity for r in page1.rows[:24]} == {"blocking"}
    assert page1.rows[0].more == 2  # a repeated warning is one row that counts the rest
    # The quota-low rows have no deadline: last of the warnings, on the last page.
    assert {r.code for r in page3.rows} == {"quota_low"}


@pytest.mark.parametrize(
    ("asked", "number"),
    [(99, 3), ("3", 3), ("two", 1), (None, 1), ("", 1), ("0", 3), ("-1", 3)],
)
def test_a_page_past_the_end_is_the_last_and_a_word_is_the_first(
    asked: int | str | None, number: int
) -> None:
    """Django's ``Paginator.get_page``: no error page for a stale or edited link."""
    page = pages.attention_page(_warnings(120), EN, as_of=AS_OF, number=asked, per_page=50)
    assert page.number == number
    assert len(page.rows) == (20 if number == 3 else 50)


def test_page_links_keep_the_filters_and_end_at_the_ends() -> None:
    links = pages.AttentionLinks(patient="/patients/{pk}/", page="/", filters={"therapist": "7"})
    first, middle, last = (
        pages.attention_page(_warnings(120), EN, as_of=AS_OF, number=n, per_page=50, links=links)
        for n in (1, 2, 3)
    )

    assert (first.previous_url, first.next_url) == ("", "/?therapist=7&page=2")
    assert (middle.previous_url, middle.next_url) == (
        "/?therapist=7&page=1",
        "/?therapist=7&page=3",
    )
    assert (last.previous_url, last.next_url) == ("/?therapist=7&page=2", "")


def test_a_row_links_to_its_patient_and_episode_from_one_pattern() -> None:
    links = pages.AttentionLinks(patient="/p/{pk}/x/")
    page = pages.attention_page(_warnings(1), EN, as_of=AS_OF, links=links)
    assert page.rows[0].href == "/p/1/x/#episode-1000"


def test_without_rows_the_page_is_empty_and_counts_nothing() -> None:
    page = pages.attention_page([], EN, as_of=AS_OF, number=4, per_page=50)
    assert (page.rows, page.total, page.first, page.last, page.next_url) == ([], 0, 0, 0, "")


# ------------------------------------------------------------------------- the page itself


def _text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _more_patients(clinic: Clinic, count: int) -> None:
    """``count`` more patients of the clinic's therapist, each with a session but no
    prescription (one blocking row each)."""
    for n in range(count):
        episode = EpisodeFactory(
            patient=PatientFactory(practice=clinic.practice, last_name=f"Extra{n:02d}")
        )
        SessionFactory(
            episode=episode, therapist=clinic.therapist, date=date(clinic.year, 2, 2 + n)
        )


@pytest.mark.django_db
def test_the_therapist_filter_stays_in_the_page_links(
    therapist_client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ATTENTION_PER_PAGE", 1)
    add_colleagues_patients(clinic)  # two rows of a colleague's patients
    _more_patients(clinic, 2)  # with Janssens: three rows of this therapist's
    url = reverse("practice:attention")
    mine = {"therapist": clinic.therapist.pk}

    first = therapist_client.get(url, mine)
    assert "1–1 of 3" in _text(first)
    assert f'href="{url}?therapist={clinic.therapist.pk}&amp;page=2"' in first.content.decode()

    pages_text = [_text(therapist_client.get(url, {**mine, "page": n})) for n in (1, 2, 3)]
    names = ["Janssens", "Extra00", "Extra01"]
    assert sorted(name for name in names for text in pages_text if name in text) == sorted(names)
    assert not any("Maes" in text or "Wouters" in text for text in pages_text)
    assert "3–3 of 3" in _text(therapist_client.get(url, {**mine, "page": 40}))  # the last


@pytest.mark.django_db
def test_the_whole_practice_pages_through_every_row(
    therapist_client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ATTENTION_PER_PAGE", 2)
    add_colleagues_patients(clinic)
    url = reverse("practice:attention")

    first, second = (therapist_client.get(url, {"page": n}) for n in (1, 2))

    assert "1–2 of 3" in _text(first) and "3–3 of 3" in _text(second)
    # The counts are the whole list's on every page.
    assert "3 patients need attention" in _text(first)
    assert "3 patients need attention" in _text(second)
    assert 'rel="next"' in first.content.decode() and 'rel="next"' not in second.content.decode()


@pytest.mark.django_db
def test_an_htmx_page_is_the_list_alone_with_its_links(
    therapist_client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ATTENTION_PER_PAGE", 1)
    _more_patients(clinic, 1)
    response = therapist_client.get(
        reverse("practice:attention"), {"page": 2}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert b"<html" not in response.content
    assert 'hx-get="/?page=1"' in html and 'hx-target="#attention-list"' in html


@pytest.mark.django_db
def test_rows_are_linked_without_reversing_a_url_per_row(
    therapist_client: Client, clinic: Clinic
) -> None:
    """``{% url %}`` imports ``django.urls.reverse`` as it renders: its calls are counted."""
    url = reverse("practice:attention")
    with mock.patch("django.urls.reverse", wraps=urls.reverse) as one_row:
        therapist_client.get(url)
    _more_patients(clinic, 5)
    with mock.patch("django.urls.reverse", wraps=urls.reverse) as six_rows:
        response = therapist_client.get(url)

    assert "6 patients need attention" in _text(response)
    assert six_rows.call_count == one_row.call_count  # the page's own links only
    assert reverse("practice:patient", args=[clinic.patient.pk]) in response.content.decode()


# --------------------------------------------------------------- in the reader's language

# The English words of the paged list's own sentences (issue 19). Until the lead regenerates
# the catalogues with this branch's msgids, they are English in every language: the test is
# then expected to fail, and must pass once they are translated.
PAGER_ENGLISH = re.compile(r"\b(of|Previous|Next)\b|Pages of the list")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_paged_list_reads_in_dutch_and_french(
    client: Client, language: str, monkeypatch: pytest.MonkeyPatch, today: date
) -> None:
    from tests.ui.conftest import french_clinic

    monkeypatch.setattr(pages, "ATTENTION_PER_PAGE", 1)
    clinic = french_clinic(today=today)
    _more_patients(clinic, 1)
    client.force_login(clinic.therapist.user)
    client.cookies["django_language"] = language

    response = client.get(reverse("practice:attention"), {"page": 2})
    main = re.search(r"<main.*?</main>", response.content.decode(), flags=re.S)
    assert main is not None
    pager = re.findall(r'<nav class="pager.*?</nav>', main.group(0), flags=re.S)
    assert pager, "the list has more than one page"
    words = PAGER_ENGLISH.findall(re.sub(r"<[^>]+>", " ", " ".join(pager)))
    labels = re.findall(r'aria-label="([^"]*)"', " ".join(pager))
    assert words == [] and not any(PAGER_ENGLISH.search(label) for label in labels)
