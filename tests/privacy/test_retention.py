"""The retention table: the law in force on a day, and when a record's retention ends (no DB)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from privacy.retention import RULES, CountedFrom, NoRetentionRule, retention, rule_for


@pytest.mark.parametrize(
    ("country", "last_contact", "last_change", "ends_on", "why"),
    [
        # BE, kwaliteitswet art. 35: 30 years from the last contact (the last session).
        ("BE", date(2024, 5, 6), date(2025, 1, 2), date(2054, 5, 6), "BE runs from the contact"),
        # No session at all: the record's last change stands in for the contact.
        ("BE", None, date(2025, 1, 2), date(2055, 1, 2), "BE without a session"),
        # NL, BW 7:454 lid 3: 20 years from the last change in the record.
        ("NL", date(2024, 5, 6), date(2025, 1, 2), date(2045, 1, 2), "NL runs from the change"),
        # 29 February plus whole years lands on 28 February (dateutil's clamping).
        ("BE", date(2024, 2, 29), date(2024, 2, 29), date(2054, 2, 28), "leap day"),
        ("NL", None, date(2024, 2, 29), date(2044, 2, 29), "leap day, leap year end"),
    ],
)
def test_the_retention_ends_by_the_rule_of_the_country(
    country: str, last_contact: date | None, last_change: date, ends_on: date, why: str
) -> None:
    rule = rule_for(country, date(2026, 12, 3))
    found = retention(rule=rule, last_contact=last_contact, last_change=last_change)
    assert found.ends_on == ends_on, why


def test_the_retention_is_over_on_its_end_day_not_the_day_before() -> None:
    found = retention(
        rule=rule_for("BE", date(2026, 12, 3)), last_contact=date(1990, 12, 31), last_change=None
    )
    assert found.ends_on == date(2020, 12, 31)
    assert not found.over(date(2020, 12, 30))
    assert found.over(date(2020, 12, 31))


def test_no_rule_before_the_law_took_effect() -> None:
    with pytest.raises(NoRetentionRule):
        rule_for("NL", date(2019, 12, 31))
    with pytest.raises(NoRetentionRule):
        rule_for("FR", date(2026, 1, 1))


def test_each_rule_cites_its_sources_and_periods_do_not_overlap() -> None:
    for rule in RULES:
        assert rule.sources and all(s.startswith("https://") for s in rule.sources)
        assert rule.law and rule.early_erasure_law
    for country in {r.country for r in RULES}:
        rules = sorted((r for r in RULES if r.country == country), key=lambda r: r.valid_from)
        for before, after in itertools.pairwise(rules):
            assert before.valid_until is not None and before.valid_until <= after.valid_from


def test_the_countries_count_from_what_their_law_says() -> None:
    assert rule_for("BE", date(2026, 1, 1)).counted_from is CountedFrom.LAST_CONTACT
    assert rule_for("BE", date(2026, 1, 1)).years == 30
    assert rule_for("NL", date(2026, 1, 1)).counted_from is CountedFrom.LAST_CHANGE
    assert rule_for("NL", date(2026, 1, 1)).years == 20
