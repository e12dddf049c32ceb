"""Within one ``reading`` the catalogue's answers are remembered: the sentences stay the same.

A result's sentences are written inside one ``reading`` that asks the catalogue once per
message; a sentence in another reader's language written in the middle of it, or after it,
must still be in that reader's language.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from reimburse.codes import examples
from reimburse.engine.types import Reason, Warning
from reimburse.explain import Reader, reading, reason_text, warning_text

READERS = (Reader("en", "BE"), Reader("nl", "BE"), Reader("nl", "NL"), Reader("fr", "BE"))
ITEMS = [item for _, item in examples()]


def render(item: Reason | Warning, reader: Reader) -> str:
    return reason_text(item, reader) if isinstance(item, Reason) else warning_text(item, reader)


def alone(reader: Reader) -> list[str]:
    """Each sentence written on its own, in a language that is not the reader's."""
    with translation.override("en" if reader.language != "en" else "fr"):
        return [render(item, reader) for item in ITEMS]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.language}-{r.country}")
def test_every_sentence_written_in_one_reading_is_the_sentence_written_alone(
    reader: Reader,
) -> None:
    with reading(reader):
        together = [render(item, reader) for item in ITEMS]

    assert together == alone(reader)


def test_a_sentence_for_another_reader_inside_a_reading_is_in_that_readers_language() -> None:
    dutch, french = Reader("nl", "BE"), Reader("fr", "BE")

    with reading(dutch):
        mixed = [(render(item, dutch), render(item, french)) for item in ITEMS]
        after = [render(item, dutch) for item in ITEMS]

    assert [d for d, _ in mixed] == after == alone(dutch)
    assert [f for _, f in mixed] == alone(french)


def test_a_reading_leaves_no_words_behind() -> None:
    dutch, french = Reader("nl", "BE"), Reader("fr", "BE")
    with reading(dutch):
        for item in ITEMS:
            render(item, dutch)

    with translation.override(french.translation):
        # In the caller's own language: no switch, so only a leftover memo could go wrong.
        assert [render(item, french) for item in ITEMS] == alone(french)
        assert translation.get_language() == "fr"


def test_a_language_switched_by_hand_inside_a_reading_does_not_change_its_readers_words() -> None:
    dutch = Reader("nl", "BE")
    with reading(dutch):
        with translation.override("fr"):  # code of its own, not through reading()
            switched = [render(item, dutch) for item in ITEMS]
        after = [render(item, dutch) for item in ITEMS]

    assert switched == after == alone(dutch)
