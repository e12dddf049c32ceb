"""The engine gives, to the byte, the answers recorded before it was made faster (issue 19).

``tests/fixtures/engine/oracle.json.gz`` holds 3,307 generated cases (the property tests'
strategies, Belgian cases with minutes, prices, care elsewhere and loaded tariffs varied, Dutch
cases, prescriptions by the hundred, the benchmark's patient-years) with every outcome, reason
and its parameters, quota, pool and warning the engine gave at commit 066cf68, with and without
outcomes. ``scripts/engine_oracle.py --record`` wrote it; re-record only for a change of rules.
Re-recorded on 2026-12-04 for one: January 2025 had no convention, so its sessions are priced by
the practice's price (``tables.NO_CONVENTION``); 264 of the 3,307 cases changed, each only by
that rule (with the table emptied the engine gave every recorded answer again). And again on
the same day for a second: of two courante episodes with one official code whose first sessions
fall on one day, ``duplicate_situation`` names the one listed later in the input (the contract's
order), not the later by episode id; 13 cases changed, each only in those warnings. And for a
third: the Dutch deductible pool's ``elsewhere`` is euros (``"0.00"``) as its limit and use are;
the 1,650 Dutch cases changed only in that field. And for a fourth: a Dutch day with a
basic-covered session has its one reimbursed treatment whatever the input's order (A5), so a
session listed before it that day is the patient's (``NL.A5``); 36 cases changed, the first
changed session of each being such a one.
"""

from __future__ import annotations

import json

import pytest

from reimburse.engine import evaluate
from tests.engine import oracle
from tests.engine.oracle import answers, decode

CHUNKS = 8


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, object]]:
    return oracle.recorded()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_recorded_case_gets_the_recorded_answers(
    recorded: list[dict[str, object]], chunk: int
) -> None:
    assert len(recorded) == 3307
    for index in range(chunk, len(recorded), CHUNKS):
        row = recorded[index]
        now = json.loads(json.dumps(answers(evaluate, decode(row["case"]))))
        assert now == row["answers"], f"case {index}"
