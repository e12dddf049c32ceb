"""``manage.py simulate``: the contract's JSON on standard output, exit 2 on invalid input.

Most tests stand a stub jurisdiction in for the engine that returns the contract example's
outcome, so the command and the output rendering are checked against the example files (as
JSON; the sentences, which the contract calls illustrative, are checked as this product writes
them from the reasons), whatever state the rules are in. Two more run the real engines on the
examples.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from reimburse import engine
from reimburse.engine.types import (
    BeAmounts,
    Case,
    NlAmounts,
    Pool,
    Quota,
    Reason,
    Result,
    SessionOutcome,
    Warning,
)
from reimburse.engine.vocabulary import ReasonCode, Severity, Status, WarningCode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "fixtures" / "contract"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def be_example_result() -> Result:
    """Return the outcome of ``be-courante-output.json`` as engine values."""
    amounts = BeAmounts(fee=Decimal("30.00"), insurer=Decimal("23.75"), patient=Decimal("6.25"))

    def outcome(n: int, day: date, extra_codes: tuple[str, ...]) -> SessionOutcome:
        params = {"n": n, "limit": 18, "year": 2024, "remaining": 18 - n, "restarted": False}
        return SessionOutcome(
            id=f"s{n}",
            date=day,
            episode="lowback",
            status="best",
            ordinal=n,
            code="567011",
            extra_codes=extra_codes,
            amounts=amounts,
            rule="BE.C1",
            reason=Reason(ReasonCode.BE_COURANTE_BEST, {**params, "intake": bool(extra_codes)}),
        )

    year = (date(2024, 1, 1), date(2024, 12, 31))
    return Result(
        country="BE",
        as_of=date(2024, 1, 15),
        sessions=(
            outcome(1, date(2024, 1, 10), ("567033",)),
            outcome(2, date(2024, 1, 12), ()),
            outcome(3, date(2024, 1, 15), ()),
        ),
        quotas=(Quota("lowback", "courante", *year, limit=18, used=3),),
        pools=(Pool("overflow", *year, limit=54, used=0),),
        warnings=(),
    )


def nl_example_result() -> Result:
    """Return the outcome of ``nl-chronic-output.json`` as engine values."""

    def amounts(insurer: str, deductible: str, patient: str) -> NlAmounts:
        return NlAmounts(
            price=Decimal("40.00"),
            insurer=Decimal(insurer),
            deductible=Decimal(deductible),
            patient=Decimal(patient),
        )

    def outcome(
        n: int, day: date, status: Status, code: str, money: NlAmounts, why: Reason
    ) -> SessionOutcome:
        return SessionOutcome(
            id=f"t{n}",
            date=day,
            episode="cva",
            status=status,
            ordinal=n,
            code=code,
            extra_codes=(),
            amounts=money,
            rule="NL.B2",
            reason=why,
        )

    def basic(n: int, *, part: str, left: str) -> Reason:
        chronic = {"n": n, "starts": n == 21, "term_end": None, "term_known": True}
        params = {"year": 2025, "price": Decimal("40.00"), "part": Decimal(part)}
        return Reason(
            ReasonCode.NL_PAY_DEDUCTIBLE,
            {
                **params,
                "left": Decimal(left),
                "basis": Reason(ReasonCode.NL_CHRONIC_BASIC, chronic),
            },
        )

    year = (date(2025, 1, 1), date(2025, 12, 31))
    return Result(
        country="NL",
        as_of=date(2025, 3, 20),
        sessions=(
            outcome(
                20,
                date(2025, 3, 13),
                Status.PATIENT,
                "008",
                amounts("0.00", "0.00", "40.00"),
                Reason(
                    ReasonCode.NL_PAY_PATIENT,
                    {
                        "year": 2025,
                        "price": Decimal("40.00"),
                        "cover": False,
                        "basis": Reason(
                            ReasonCode.NL_CHRONIC_FIRST, {"n": 20, "adult_n": 20, "first": 20}
                        ),
                    },
                ),
            ),
            outcome(
                21,
                date(2025, 3, 17),
                Status.BASIC,
                "001",
                amounts("0.00", "40.00", "40.00"),
                basic(21, part="40.00", left="20.00"),
            ),
            outcome(
                22,
                date(2025, 3, 20),
                Status.BASIC,
                "001",
                amounts("20.00", "20.00", "20.00"),
                basic(22, part="20.00", left="0.00"),
            ),
        ),
        quotas=(Quota("cva", "chronic", date(2024, 10, 1), None, limit=None, used=22),),
        pools=(
            Pool("supplementary", *year, limit=0, used=0),
            # Deliberately unrounded: the output still gives money with two decimals.
            Pool("deductible", *year, limit=Decimal("60"), used=Decimal("60.0")),
        ),
        warnings=(
            Warning(
                WarningCode.ALLOWANCE_EXHAUSTED,
                Severity.INFO,
                params={"year": 2025, "cover": False},
            ),
        ),
    )


class StubJurisdiction:
    """Answer every case with one fixed result, remembering the cases it was given."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.cases: list[Case] = []

    def evaluate(self, case: Case, *, outcomes: bool = True) -> Result:
        self.cases.append(case)
        return self.result


@pytest.fixture
def stub_engines(monkeypatch: pytest.MonkeyPatch) -> dict[str, StubJurisdiction]:
    stubs = {
        "BE": StubJurisdiction(be_example_result()),
        "NL": StubJurisdiction(nl_example_result()),
    }
    for country, stub in stubs.items():
        monkeypatch.setitem(engine.JURISDICTIONS, country, stub)
    return stubs


def run(path: str) -> tuple[str, str]:
    """Run the command in-process and return its standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    call_command("simulate", path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_invalid(path: str) -> Any:
    """Run the command on invalid input and return the error object it printed."""
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("simulate", path, stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 2
    return json.loads(out.getvalue())


# -------------------------------------------------------------------------- valid input


@pytest.mark.parametrize("name", ["be-courante", "nl-chronic"])
def test_a_valid_case_prints_the_contract_output(
    name: str, stub_engines: dict[str, StubJurisdiction]
) -> None:
    out, err = run(str(EXAMPLES / f"{name}-input.json"))
    assert without_sentences(json.loads(out)) == without_sentences(example(f"{name}-output.json"))
    assert err == ""


# What the product writes for the examples' stub outcomes, in English (the default language).
EXAMPLE_SENTENCES = {
    "be-courante": (
        [
            "Session 1 of 18 at the best rate for this situation in 2024; 17 left this year; "
            "intake billed with this first session of the treatment.",
            "Session 2 of 18 at the best rate for this situation in 2024; 16 left this year.",
            "Session 3 of 18 at the best rate for this situation in 2024; 15 left this year.",
        ],
        [],
    ),
    "nl-chronic": (
        [
            "Treatment 20 of the first 20 of a chronic-list indication: not basic; no "
            "supplementary cover in 2025, so the patient pays €40.00.",
            "Treatment 21: basic insurance pays from here; €40.00 goes to the 2025 eigen risico "
            "(€20.00 left).",
            "Treatment 22: basic insurance pays; the last €20.00 of the 2025 eigen risico, the "
            "insurer pays €20.00.",
        ],
        [
            "No supplementary physiotherapy cover in 2025: treatments basic insurance does not "
            "pay are for the patient."
        ],
    ),
}


@pytest.mark.parametrize("name", ["be-courante", "nl-chronic"])
def test_the_sentences_are_written_from_the_reasons(
    name: str, stub_engines: dict[str, StubJurisdiction]
) -> None:
    out, _ = run(str(EXAMPLES / f"{name}-input.json"))
    output = json.loads(out)
    explanations, messages = EXAMPLE_SENTENCES[name]
    assert [s["explanation"] for s in output["sessions"]] == explanations
    assert [w["message"] for w in output["warnings"]] == messages


def without_sentences(output: dict[str, Any]) -> dict[str, Any]:
    """The output without the parts the contract calls illustrative or v1 lacks."""
    result = copy.deepcopy(output)
    for row in result["sessions"]:
        for key in ("explanation", "reason"):
            row.pop(key, None)
    for row in result["warnings"]:
        for key in ("message", "params"):
            row.pop(key, None)
    for row in (*result["quotas"], *result["pools"]):
        row.pop("elsewhere", None)  # v2: what came from another practice
    return result


def test_the_output_is_indented_and_keeps_non_ascii_text(
    stub_engines: dict[str, StubJurisdiction], tmp_path: Path
) -> None:
    data = example("be-courante-input.json")
    data["episodes"][0]["id"] = "épaule"
    for session in data["sessions"]:
        session["episode"] = "épaule"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out, _ = run(str(path))
    assert out.startswith('{\n  "country": "BE",\n')
    assert stub_engines["BE"].cases[0].episodes[0].id == "épaule"


def test_the_engine_gets_the_parsed_case(stub_engines: dict[str, StubJurisdiction]) -> None:
    run(str(EXAMPLES / "nl-chronic-input.json"))
    [case] = stub_engines["NL"].cases
    assert (case.as_of, case.sessions[0].price) == (date(2025, 3, 20), Decimal("40.00"))


def test_a_dash_reads_the_case_from_standard_input(
    stub_engines: dict[str, StubJurisdiction], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (EXAMPLES / "be-courante-input.json").read_text()
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    out, _ = run("-")
    assert without_sentences(json.loads(out)) == without_sentences(
        example("be-courante-output.json")
    )


def test_output_money_always_has_two_decimals(stub_engines: dict[str, StubJurisdiction]) -> None:
    out, _ = run(str(EXAMPLES / "nl-chronic-input.json"))
    deductible = json.loads(out)["pools"][1]
    assert (deductible["limit"], deductible["used"], deductible["remaining"]) == (
        "60.00",
        "60.00",
        "0.00",
    )


# ------------------------------------------------------------------------ invalid input


def test_the_invalid_example_prints_exactly_the_contract_errors() -> None:
    assert run_invalid(str(EXAMPLES / "invalid-input.json")) == example("invalid-output.json")


def test_a_file_that_is_not_json_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"country": "BE", ')
    [error] = run_invalid(str(path))["errors"]
    assert error["field"] == ""
    assert error["message"].startswith("not valid JSON: ")


def test_a_missing_file_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    assert run_invalid(str(path)) == {
        "errors": [{"field": "", "message": f"cannot read {path}: No such file or directory"}]
    }


def test_invalid_standard_input_is_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("not json"))
    [error] = run_invalid("-")["errors"]
    assert error["message"].startswith("not valid JSON: ")


def manage(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a child process, as a script would."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_from_the_shell_invalid_input_exits_2_with_the_error_object_and_no_traceback() -> None:
    done = manage("simulate", str(EXAMPLES / "invalid-input.json"))
    assert done.returncode == 2
    assert json.loads(done.stdout) == example("invalid-output.json")
    assert done.stderr.strip() == "CommandError: invalid input: 4 problems"


def test_from_the_shell_broken_json_on_standard_input_exits_2() -> None:
    done = manage("simulate", "-", stdin="{")
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"][0]["field"] == ""
    assert "Traceback" not in done.stderr


# -------------------------------------------------------------------------- real engines


def comparable(output: dict[str, Any]) -> dict[str, Any]:
    """Keep what the rules decide; rule ids, wording and severities are illustrative."""
    decided = ("id", "date", "episode", "status", "ordinal", "code", "extra_codes", "amounts")
    return {
        "country": output["country"],
        "as_of": output["as_of"],
        "sessions": [{key: s[key] for key in decided} for s in output["sessions"]],
        "quotas": [{k: v for k, v in q.items() if k != "elsewhere"} for q in output["quotas"]],
        "pools": [{k: v for k, v in p.items() if k != "elsewhere"} for p in output["pools"]],
        "warnings": [(w["code"], w["episode"], w["session"]) for w in output["warnings"]],
    }


def test_the_belgian_engine_answers_the_belgian_example() -> None:
    out, _ = run(str(EXAMPLES / "be-courante-input.json"))
    assert comparable(json.loads(out)) == comparable(example("be-courante-output.json"))


def test_the_dutch_engine_answers_the_dutch_example() -> None:
    out, _ = run(str(EXAMPLES / "nl-chronic-input.json"))
    assert comparable(json.loads(out)) == comparable(example("nl-chronic-output.json"))


def test_from_the_shell_a_chronic_episode_without_condition_exits_2_without_a_traceback() -> None:
    case = example("nl-chronic-input.json")
    del case["episodes"][0]["condition"]
    done = manage("simulate", "-", stdin=json.dumps(case))
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "errors": [{"field": "episodes[0].condition", "message": "required for category chronic"}]
    }
    assert "Traceback" not in done.stderr


def test_from_the_shell_a_lone_surrogate_exits_2_without_a_traceback() -> None:
    text = json.dumps(example("be-courante-input.json")).replace('"s1"', '"\\ud800"', 1)
    done = manage("simulate", "-", stdin=text)
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"][0]["field"] == "sessions[0].id"
    assert "Traceback" not in done.stderr
