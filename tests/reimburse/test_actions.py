"""Every warning says what to do, in the reader's language (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest

from reimburse.actions import ACTIONS, action_text, days_left
from reimburse.codes import WARNING_EXAMPLES
from reimburse.engine.vocabulary import WarningCode
from reimburse.explain import Reader


def test_every_warning_code_has_an_action() -> None:
    assert set(ACTIONS) == set(WarningCode)


@pytest.mark.parametrize("code", list(WarningCode))
@pytest.mark.parametrize("country", ["BE", "NL"])
def test_each_action_is_translated_into_dutch_and_french(code: WarningCode, country: str) -> None:
    params = WARNING_EXAMPLES[code][0]
    english = action_text(code, params, Reader("en", country))
    dutch = action_text(code, params, Reader("nl", country))
    french = action_text(code, params, Reader("fr", country))

    assert english and english.endswith(".")
    assert dutch != english
    assert french != english


def test_the_agreement_action_names_the_situation_to_request_it_for() -> None:
    params = {"category": "courante", "rank": 2, "year": 2026}
    assert action_text("agreement_missing", params, Reader("en", "BE")) == (
        "Request the advising physician's agreement for courante situation 2."
    )


@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        ("agreement_ending", {"until": "2026-12-23"}, 20),
        ("period_ending", {"counter": "fa", "end": "2026-12-03"}, 0),
        ("agreement_ending", {"until": "2026-12-01"}, None),  # already past: no day left
        ("quota_low", {"counter": "courante", "remaining": 2}, None),
    ],
)
def test_days_left_count_to_the_date_a_warning_is_about(
    code: str, params: dict[str, object], expected: int | None
) -> None:
    assert days_left(code, params, date(2026, 12, 3)) == expected
