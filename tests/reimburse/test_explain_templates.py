"""A sentence written from its template is the sentence its function writes, to the character.

``reason_text`` and ``warning_text`` write a sentence once by its function with placeholders and
then fill that template for every sentence that chose alike (``reimburse.explain``). Here every
reason and warning of the engine's recorded answers on 3,307 generated cases
(``tests/fixtures/engine/oracle.json.gz``: Belgian and Dutch, every code the property tests
reach), in their engine form and their JSON form, is written both ways for every reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from reimburse import explain
from reimburse.codes import examples
from reimburse.engine.types import Reason, Result, Warning
from reimburse.engine.vocabulary import ReasonCode, Severity, WarningCode
from reimburse.explain import (
    Reader,
    params_json,
    reason_json,
    reason_text,
    warning_text,
    written_reason_text,
    written_warning_text,
)
from tests.engine.oracle import recorded_results

READERS = (Reader("en", "BE"), Reader("nl", "BE"), Reader("nl", "NL"), Reader("fr", "BE"))


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return recorded_results()


def _items(results: list[Result]) -> Iterator[Reason | Warning]:
    yield from (item for _, item in examples())  # every code, with sample parameters
    for result in results:
        for outcome in result.sessions:
            yield outcome.reason
        yield from result.warnings


@pytest.fixture(autouse=True)
def no_templates() -> Iterator[None]:
    explain._TEMPLATES.clear()
    yield
    explain._TEMPLATES.clear()


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.language}-{r.country}")
def test_every_recorded_sentence_from_its_template_is_the_one_its_function_writes(
    results: list[Result], reader: Reader
) -> None:
    items = list(_items(results))
    assert len(items) > 50_000
    codes = set()
    for item in items:
        if isinstance(item, Reason):
            expected = written_reason_text(item, reader)
            stored = reason_json(item)  # as stored lists keep it
            assert reason_text(item, reader) == expected, item
            assert reason_text(stored, reader) == expected, stored
        else:
            expected = written_warning_text(item, reader)
            stored = {"code": str(item.code), "params": params_json(item.params)}
            assert warning_text(item, reader) == expected, item
            assert warning_text(stored, reader) == expected, stored
        codes.add(item.code)
    assert codes == set(explain.REASONS) | set(explain.WARNINGS)
    assert explain._TEMPLATES  # and the sentences came from templates


def test_a_sentence_that_chose_alike_asks_no_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = Reader("nl", "BE")
    params: dict[str, object] = {"n": 3, "limit": 18, "year": 2026, "remaining": 15}
    params |= {"restarted": False, "intake": False}
    first = reason_text(Reason(ReasonCode.BE_COURANTE_BEST, params), reader)
    asked: list[str] = []

    def gettext(message: str) -> str:
        asked.append(message)
        return message

    monkeypatch.setattr(translation, "gettext", gettext)

    later = Reason(ReasonCode.BE_COURANTE_BEST, {**params, "n": 4, "remaining": 14})
    fourth = reason_text(later, reader)
    monkeypatch.undo()

    assert asked == []
    assert first.replace("3", "4").replace("15", "14") == fourth
    assert fourth == written_reason_text(later, reader)


def test_a_value_the_sentence_chose_by_gets_its_own_template() -> None:
    reader = Reader("en", "BE")
    params: dict[str, object] = {"n": 1, "limit": 18, "year": 2026, "remaining": 17}
    plain = Reason(ReasonCode.BE_COURANTE_BEST, {**params, "restarted": False, "intake": False})
    intake = Reason(ReasonCode.BE_COURANTE_BEST, {**params, "restarted": False, "intake": True})

    assert reason_text(plain, reader) == written_reason_text(plain, reader)
    assert reason_text(intake, reader) == written_reason_text(intake, reader)
    assert "intake" in reason_text(intake, reader)
    assert "intake" not in reason_text(plain, reader)


def test_money_and_dates_are_written_per_sentence_not_kept_in_the_template() -> None:
    reader = Reader("fr", "BE")
    warnings = [
        Warning(
            WarningCode.PRESCRIPTION_USED_UP,
            Severity.WARNING,
            params={"date": date(2026, 3, day)},
        )
        for day in (14, 15)
    ]

    written = [warning_text(warning, reader) for warning in warnings]

    assert "14/03/2026" in written[0]
    assert "15/03/2026" in written[1]
    assert written == [written_warning_text(warning, reader) for warning in warnings]
