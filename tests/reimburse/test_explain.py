"""Every reason and warning code, written in English, Belgian Dutch, Dutch of the
Netherlands and French (issue 14): no missing translation, no English left, no internal name,
and dates and money as the practice's country writes them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from reimburse import explain
from reimburse.codes import REASON_EXAMPLES, WARNING_EXAMPLES, examples
from reimburse.engine.types import Reason, Warning
from reimburse.engine.vocabulary import SEVERITY, ReasonCode, WarningCode
from reimburse.explain import Reader, reason_text, warning_text

R = ReasonCode
W = WarningCode
D = date(2026, 3, 14)
D2 = date(2026, 5, 4)
MONEY = Decimal("30.80")

READERS = {
    "en-BE": Reader("en", "BE"),
    "nl-BE": Reader("nl", "BE"),
    "nl-NL": Reader("nl", "NL"),
    "fr-BE": Reader("fr", "BE"),
}
ENGLISH = re.compile(
    r"\b(the|session|sessions|treatment|treatments|not|left|and|with|from|pays|used|"
    r"cover|insurance|period|rate)\b",
    re.IGNORECASE,
)
BELGIAN = re.compile(r"zitting|kinesi|terugbeta|gekend|ziekenfonds", re.IGNORECASE)
# An internal name has an underscore (child_series), or is a lower-case list name.
INTERNAL = re.compile(r"_|\bfa\b|\bfb\b|%\(")


def render(item: Reason | Warning, reader: Reader) -> str:
    return reason_text(item, reader) if isinstance(item, Reason) else warning_text(item, reader)


def test_every_code_of_the_vocabulary_has_a_sentence_and_samples() -> None:
    assert set(explain.REASONS) == set(ReasonCode)
    assert set(explain.WARNINGS) == set(WarningCode)
    assert set(REASON_EXAMPLES) == set(ReasonCode)
    assert set(WARNING_EXAMPLES) == set(WarningCode)
    assert set(explain.WARNING_LABELS) == set(WarningCode)


@pytest.mark.parametrize(("sample", "item"), examples(), ids=[name for name, _ in examples()])
def test_each_code_reads_in_every_language_without_english_or_internal_names(
    sample: str, item: Reason | Warning
) -> None:
    texts = {name: render(item, reader) for name, reader in READERS.items()}
    # The fund's own reason (WFI_AGREE_SRV_PHYSIO_004) is shown as it gave it.
    given = str(item.params.get("reason") or "")
    if given:
        texts = {name: text.replace(given, "") for name, text in texts.items()}
    for name, text in texts.items():
        assert text.strip(), name
        assert not INTERNAL.search(text), (name, text)
    for name in ("nl-BE", "nl-NL", "fr-BE"):
        assert not ENGLISH.search(texts[name]), (name, texts[name])
    assert not BELGIAN.search(texts["nl-NL"]), texts["nl-NL"]


def test_dates_are_written_as_each_country_writes_them() -> None:
    warning = Warning(W.AGREEMENT_ENDING, SEVERITY[W.AGREEMENT_ENDING], params={"until": D})
    assert "14/03/2026" in warning_text(warning, Reader("nl", "BE"))
    assert "14/03/2026" in warning_text(warning, Reader("fr", "BE"))
    assert "14-03-2026" in warning_text(warning, Reader("nl", "NL"))


def test_money_is_written_as_each_language_writes_it() -> None:
    reason = Reason(
        R.NL_PAY_DEDUCTIBLE,
        {"year": 2026, "price": MONEY, "part": MONEY, "left": Decimal("1234.50")},
    )
    assert reason_text(reason, Reader("nl", "NL")) == (
        "€\xa030,80 gaat naar het eigen risico van 2026 (nog €\xa01.234,50)"
    )
    # CLDR separates the amount and the sign with a no-break space.
    assert "30,80\xa0€" in reason_text(reason, Reader("fr", "BE"))
    assert "€30.80" in reason_text(reason, Reader("en", "NL"))


def test_the_json_form_of_params_reads_the_same_as_the_engine_values() -> None:
    """Stored lists and API clients hold ISO dates and money strings."""
    reason = Reason(R.BE_PRESCRIPTION_LATE, {"prescribed": D, "deadline": D2})
    stored = explain.reason_json(reason)
    assert stored == {
        "code": "be.prescription.late",
        "params": {"prescribed": "2026-03-14", "deadline": "2026-05-04"},
    }
    for reader in READERS.values():
        assert reason_text(stored, reader) == reason_text(reason, reader)


def test_a_dutch_reason_reads_its_basis_first() -> None:
    basis = Reason(R.NL_CHRONIC_FIRST, {"n": 5, "adult_n": 5, "first": 20})
    reason = Reason(
        R.NL_PAY_PATIENT, {"year": 2026, "price": MONEY, "cover": False, "basis": basis}
    )
    assert reason_text(reason, Reader("nl", "NL")) == (
        "Behandeling 5 van de eerste 20 van een indicatie op de chronische lijst: niet uit de "
        "basisverzekering; geen aanvullende dekking in 2026, dus de patiënt betaalt €\xa030,80."
    )
