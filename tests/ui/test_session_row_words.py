"""The patient page writes a session row's words once per page: the same text as written per row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import formats, translation

from practice import pages
from reimburse.explain import Reader


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_rows_day_is_the_day_format_written_once_a_month(language: str) -> None:
    days = [date(2024, 12, 25) + timedelta(days=n) for n in range(0, 800, 7)]
    days += [date(2024, 2, 29), date(2025, 1, 1), date(2025, 12, 31)]
    with translation.override(language):
        words = pages._RowWords(Reader(language, "BE"))
        written = [words.day(d) for d in days]
        expected = [formats.date_format(d, pages.DAY_FORMAT) for d in days]
    assert written == expected
    assert len(words.months) < len(days) / 3  # once a month, not once a row
