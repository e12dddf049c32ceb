"""One home for every code: the vocabulary, the documented table, and what the engine gives."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from reimburse.codes import REASON_EXAMPLES, WARNING_EXAMPLES, codes_table
from reimburse.engine import evaluate
from reimburse.engine.types import Case
from reimburse.engine.vocabulary import REASON_PARAMS, WARNING_PARAMS, ReasonCode, WarningCode
from tests.engine.be.test_properties import cases as be_cases
from tests.engine.nl.test_properties import cases as nl_cases

DOCS = Path(__file__).resolve().parents[2] / "docs" / "codes.md"


def test_docs_codes_md_is_the_table_the_code_writes() -> None:
    """Regenerate it with ``manage.py codes_table`` after changing a code."""
    with translation.override("en"):
        assert DOCS.read_text(encoding="utf-8") == codes_table()


def test_every_code_declares_its_parameters_and_the_examples_use_only_those() -> None:
    assert set(REASON_PARAMS) == set(ReasonCode)
    assert set(WARNING_PARAMS) == set(WarningCode)
    for code, samples in REASON_EXAMPLES.items():
        for sample in samples:
            assert set(sample) <= set(REASON_PARAMS[code]), code
    for wcode, wsamples in WARNING_EXAMPLES.items():
        for sample in wsamples:
            assert set(sample) <= set(WARNING_PARAMS[wcode]), wcode


@settings(max_examples=150, deadline=None)
@given(case=st.one_of(be_cases(), nl_cases()))
def test_the_engine_gives_only_declared_parameters(case: Case) -> None:
    result = evaluate(case)
    for outcome in result.sessions:
        reason = outcome.reason
        assert set(reason.params) <= set(REASON_PARAMS[reason.code]), reason
        basis = reason.params.get("basis")
        if basis is not None:
            assert set(basis.params) <= set(REASON_PARAMS[basis.code]), basis  # type: ignore[attr-defined]
    for warning in result.warnings:
        assert set(warning.params) <= set(WARNING_PARAMS[warning.code]), warning
