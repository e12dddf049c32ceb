"""The simulate contract's input: every problem is reported with its field, valid input parses.

Each table row edits one valid case (``BE`` or ``NL`` below) in one place and names the one
error that edit must produce: the field and the exact message.
"""

# ruff: noqa: E501 -- the table of problems reads best one row per line, messages whole.

from __future__ import annotations

import copy
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reimburse.engine.types import (
    Agreement,
    Case,
    Coverage,
    Episode,
    Patient,
    Prescription,
    Referral,
    Session,
)
from reimburse.simulate import (
    FieldError,
    InputTooLarge,
    InvalidInput,
    load_json,
    parse_case,
    simulate,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "contract"
DELETE = object()

BE: dict[str, Any] = {
    "country": "BE",
    "as_of": "2025-06-30",
    "patient": {"birth_date": "1971-09-30", "preferential": True},
    "episodes": [
        {
            "id": "back",
            "category": "courante",
            "prescriptions": [
                {"id": "rx1", "date": "2025-01-08", "sessions": 9},
                {"id": "rx2", "date": "2025-03-01", "sessions": 9},
            ],
        },
        {
            "id": "knee",
            "category": "fa",
            "pathology": "fa-16",
            "notified_on": "2025-02-03",
            "agreement": {"from": "2025-02-01", "until": "2025-12-31"},
        },
    ],
    "sessions": [
        {"id": "s1", "date": "2025-01-10", "episode": "back"},
        {"id": "s2", "date": "2025-02-04", "episode": "knee", "minutes": 20, "place": "home"},
    ],
}

NL: dict[str, Any] = {
    "country": "NL",
    "as_of": "2025-03-20",
    "patient": {
        "birth_date": "1958-02-11",
        "coverage": [{"year": 2025, "insurer": "Example Zorg", "treatments": 9}],
        "deductible_remaining": {"2025": "60.00"},
    },
    "episodes": [
        {
            "id": "cva",
            "category": "chronic",
            "condition": "cva",
            "referral": {"date": "2024-09-20", "by": "specialist"},
        },
        {"id": "lungs", "category": "copd", "gold_class": "B1", "gold_stage": 3},
    ],
    "sessions": [{"id": "t1", "date": "2025-03-13", "episode": "cva", "price": "40.00"}],
}

CASES = {"BE": BE, "NL": NL}


def edited(base: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """Return a copy of ``base`` with the value at ``path`` (``a.b[0].c``) set or deleted.

    An index one past the end of a list appends.
    """
    doc = copy.deepcopy(base)
    steps: list[str | int] = [
        int(index) if index else name for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    ]
    parent: Any = doc
    for step in steps[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[steps[-1]]
    elif isinstance(parent, list) and steps[-1] == len(parent):
        parent.append(value)
    else:
        parent[steps[-1]] = value
    return doc


def errors_of(data: object) -> list[FieldError]:
    with pytest.raises(InvalidInput) as raised:
        parse_case(data)
    return raised.value.errors


# One edit, one error: (case, path edited, new value or DELETE, field reported, message).
# fmt: off
ONE_PROBLEM = [
    # The top level: every key is required, none may be unknown.
    ("BE", "countri", "BE", "countri", "unknown key"),
    ("BE", "as_of", DELETE, "as_of", "required"),
    ("BE", "as_of", None, "as_of", "required"),
    ("BE", "country", DELETE, "country", "required"),
    ("BE", "patient", DELETE, "patient", "required"),
    ("BE", "episodes", DELETE, "episodes", "required"),
    ("BE", "sessions", DELETE, "sessions", "required"),
    ("BE", "country", "FR", "country", "unknown country 'FR'; expected one of BE, NL"),
    ("BE", "country", "be", "country", "unknown country 'be'; expected one of BE, NL"),
    # Dates: ISO calendar days that exist.
    ("BE", "as_of", "2025-02-30", "as_of", "not a date: '2025-02-30'"),
    ("BE", "as_of", "2025-02-29", "as_of", "not a date: '2025-02-29'"),
    ("BE", "as_of", "30/06/2025", "as_of", "not a date: '30/06/2025'"),
    ("BE", "as_of", "20250630", "as_of", "not a date: '20250630'"),
    ("BE", "as_of", 20250630, "as_of", "not a date: 20250630"),
    # The patient.
    ("BE", "patient", "Jan", "patient", "expected an object"),
    ("BE", "patient.birth_date", DELETE, "patient.birth_date", "required"),
    ("BE", "patient.prefferential", True, "patient.prefferential", "unknown key"),
    ("BE", "patient.preferential", "yes", "patient.preferential", "expected true or false, not 'yes'"),
    ("BE", "patient.coverage", [], "patient.coverage", "only for NL"),
    ("NL", "patient.preferential", True, "patient.preferential", "only for BE"),
    ("NL", "patient.coverage", {}, "patient.coverage", "expected a list"),
    ("NL", "patient.coverage[0]", 2025, "patient.coverage[0]", "expected an object"),
    ("NL", "patient.coverage[0].year", DELETE, "patient.coverage[0].year", "required"),
    ("NL", "patient.coverage[0].year", "2025", "patient.coverage[0].year", "not an integer: '2025'"),
    ("NL", "patient.coverage[0].insurance", "X", "patient.coverage[0].insurance", "unknown key"),
    ("NL", "patient.coverage[0].treatments", -1, "patient.coverage[0].treatments", "must be at least 0"),
    ("NL", "patient.coverage[0].carry_over_max", -1, "patient.coverage[0].carry_over_max", "must be at least 0"),
    ("NL", "patient.coverage[0].budget", "250.00", "patient.coverage[0]", "give treatments or budget, not both"),
    ("NL", "patient.coverage[1]", {"year": 2025}, "patient.coverage[1].year", "duplicate year 2025"),
    ("NL", "patient.deductible_remaining", [], "patient.deductible_remaining", "expected an object"),
    ("NL", "patient.deductible_remaining.this year", "60.00", "patient.deductible_remaining.this year", "not a year: 'this year'"),
    # Money: strings with at most two decimals or integers; never floats, never negative.
    ("NL", "patient.deductible_remaining.2025", 60.5, "patient.deductible_remaining.2025", "not an amount: 60.5; give money as a string like '40.50'"),
    ("NL", "patient.deductible_remaining.2025", "60.005", "patient.deductible_remaining.2025", "not an amount: '60.005'"),
    ("NL", "patient.deductible_remaining.2025", "60,00", "patient.deductible_remaining.2025", "not an amount: '60,00'"),
    ("NL", "patient.deductible_remaining.2025", "-10.00", "patient.deductible_remaining.2025", "must not be negative"),
    ("NL", "sessions[0].price", 40.0, "sessions[0].price", "not an amount: 40.0; give money as a string like '40.50'"),
    ("NL", "sessions[0].price", True, "sessions[0].price", "not an amount: true"),
    ("NL", "sessions[0].price", "1e3", "sessions[0].price", "not an amount: '1e3'"),
    # Episodes: ids, categories.
    ("BE", "episodes", {}, "episodes", "expected a list"),
    ("BE", "episodes[2]", "neck", "episodes[2]", "expected an object"),
    ("BE", "episodes[2]", {"category": "e", "pathology": "e-a"}, "episodes[2].id", "required"),
    ("BE", "episodes[2]", {"id": "", "category": "courante"}, "episodes[2].id", "must not be empty"),
    ("BE", "episodes[2]", {"id": 7, "category": "courante"}, "episodes[2].id", "expected a string, not 7"),
    ("BE", "episodes[2]", {"id": "back", "category": "courante"}, "episodes[2].id", "duplicate episode id 'back'"),
    ("BE", "episodes[0].category", DELETE, "episodes[0].category", "required"),
    ("BE", "episodes[0].category", "courant", "episodes[0].category", "unknown category 'courant'; expected one of courante, fa, fb, e, perinatal, palliative"),
    ("BE", "episodes[0].category", "chronic", "episodes[0].category", "unknown category 'chronic'; expected one of courante, fa, fb, e, perinatal, palliative"),
    ("NL", "episodes[1].category", "courante", "episodes[1].category", "unknown category 'courante'; expected one of regular, chronic, osteoarthritis, claudication, pelvic_floor, copd, rheumatoid_arthritis"),
    # BE list codes: required for fa, fb and e; from that category's list.
    ("BE", "episodes[1].pathology", DELETE, "episodes[1].pathology", "required for category fa"),
    ("BE", "episodes[1].category", "fb", "episodes[1].pathology", "unknown pathology 'fa-16' for category fb; expected an official code fb-…"),
    ("BE", "episodes[0].pathology", "fa-1", "episodes[0].pathology", "unknown pathology 'fa-1' for category courante; expected an official code co-…"),
    ("BE", "episodes[0].pathology", "co-1-3-4-9", "episodes[0].pathology", "unknown pathology 'co-1-3-4-9' for category courante; expected an official code co-…"),
    ("BE", "episodes[1].pathology", "dh-1", "episodes[1].pathology", "unknown pathology 'dh-1' for category fa; expected an official code fa-…"),
    ("BE", "episodes[1].agreements", [{"status": "agreement"}], "episodes[1].agreements[0].from", "required for status agreement"),
    ("BE", "episodes[1].agreements", [{"status": "approved"}], "episodes[1].agreements[0].status", "unknown status 'approved'; expected one of agreement, partialAgreement, intreatment, wfi-physiotherapist, wfi-prescriptor, wfi-serviceprovider, refusal"),
    ("BE", "episodes[1].prior_sessions", {"2025": -1}, "episodes[1].prior_sessions.2025", "must be at least 0"),
    ("BE", "episodes[1].prior_sessions", {"last year": 3}, "episodes[1].prior_sessions.last year", "not a year: 'last year'"),
    ("BE", "episodes[0].first_session_on", "2025-01-01", "episodes[0].first_session_on", "only for categories fa, fb"),
    ("BE", "episodes[1].first_session_on", "2025-02-05", "episodes[1].first_session_on", "after the episode's first session (2025-02-04)"),
    ("BE", "patient.overflow_elsewhere", {"2025": "3"}, "patient.overflow_elsewhere.2025", "not an integer: '3'"),
    ("NL", "patient.situations_elsewhere", {"2025": 1}, "patient.situations_elsewhere", "only for BE"),
    ("NL", "patient.coverage[0].used_elsewhere", -2, "patient.coverage[0].used_elsewhere", "must be at least 0"),
    ("BE", "episodes[1].notified_on", "2025-13-01", "episodes[1].notified_on", "not a date: '2025-13-01'"),
    ("BE", "episodes[0].notified_on", "2025-01-08", "episodes[0].notified_on", "only for categories fa, fb"),
    ("BE", "episodes[1].condition", "cva", "episodes[1].condition", "only for NL"),
    # BE agreements and prescriptions.
    ("BE", "episodes[1].agreement", "yes", "episodes[1].agreement", "expected an object"),
    ("BE", "episodes[1].agreement.from", DELETE, "episodes[1].agreement.from", "required"),
    ("BE", "episodes[1].agreement.to", "2025-12-31", "episodes[1].agreement.to", "unknown key"),
    ("BE", "episodes[1].agreement.until", "2025-01-31", "episodes[1].agreement.until", "before from (2025-02-01)"),
    ("BE", "episodes[0].prescriptions[0].date", DELETE, "episodes[0].prescriptions[0].date", "required"),
    ("BE", "episodes[0].prescriptions[0].sessions", DELETE, "episodes[0].prescriptions[0].sessions", "required"),
    ("BE", "episodes[0].prescriptions[0].sessions", 0, "episodes[0].prescriptions[0].sessions", "must be at least 1"),
    ("BE", "episodes[0].prescriptions[0].sessions", "9", "episodes[0].prescriptions[0].sessions", "not an integer: '9'"),
    ("BE", "episodes[0].prescriptions[0].sessions", 9.5, "episodes[0].prescriptions[0].sessions", "not an integer: 9.5"),
    ("BE", "episodes[0].prescriptions[0].sessions", True, "episodes[0].prescriptions[0].sessions", "not an integer: true"),
    ("BE", "episodes[0].prescriptions[0].second_session_motivated", "no", "episodes[0].prescriptions[0].second_session_motivated", "expected true or false, not 'no'"),
    ("BE", "episodes[0].prescriptions[1].id", "rx1", "episodes[0].prescriptions[1].id", "duplicate prescription id 'rx1'"),
    ("NL", "episodes[0].prescriptions", [], "episodes[0].prescriptions", "only for BE"),
    ("NL", "episodes[0].pathology", "fa-1", "episodes[0].pathology", "only for BE"),
    # NL episodes.
    ("NL", "episodes[0].category", "regular", "episodes[0].condition", "only for category chronic"),
    ("NL", "episodes[0].term_months", 0, "episodes[0].term_months", "must be at least 1"),
    ("NL", "episodes[0].prior_treatments", -1, "episodes[0].prior_treatments", "must be at least 0"),
    ("NL", "episodes[0].first_treatment_on", "2024-10-32", "episodes[0].first_treatment_on", "not a date: '2024-10-32'"),
    ("NL", "episodes[0].extension", "yes", "episodes[0].extension", "expected true or false, not 'yes'"),
    ("NL", "episodes[0].condition", DELETE, "episodes[0].condition", "required for category chronic"),
    ("NL", "episodes[0].first_treatment_on", "2025-03-14", "episodes[0].first_treatment_on", "after the episode's first session (2025-03-13)"),
    ("NL", "patient.birth_date", "2025-03-14", "patient.birth_date", "after the first session (2025-03-13)"),
    ("NL", "episodes[0].first_treatment_on", "1958-02-10", "episodes[0].first_treatment_on", "before the patient's birth (1958-02-11)"),
    ("BE", "episodes[1].first_session_on", "1971-09-29", "episodes[1].first_session_on", "before the patient's birth (1971-09-30)"),
    ("NL", "sessions[0].id", "\ud800", "sessions[0].id", "not valid Unicode text: '\\ud800' (a lone surrogate)"),
    ("NL", "episodes[0].gold_class", "A", "episodes[0].gold_class", "only for category copd"),
    ("NL", "episodes[1].gold_class", "E", "episodes[1].gold_class", "unknown GOLD class 'E'; expected one of A, B1, B2, C, D"),
    ("NL", "episodes[1].gold_stage", 0, "episodes[1].gold_stage", "must be at least 1"),
    ("NL", "episodes[1].gold_stage", 5, "episodes[1].gold_stage", "must be at most 4"),
    ("NL", "episodes[0].referral.by", "physio", "episodes[0].referral.by", "unknown referrer 'physio'; expected one of gp, specialist"),
    ("NL", "episodes[0].referral.by", DELETE, "episodes[0].referral.by", "required"),
    ("NL", "episodes[0].referral.date", DELETE, "episodes[0].referral.date", "required"),
    ("NL", "episodes[0].referral", "gp", "episodes[0].referral", "expected an object"),
    # Sessions.
    ("BE", "sessions", {}, "sessions", "expected a list"),
    ("BE", "sessions[0].id", DELETE, "sessions[0].id", "required"),
    ("BE", "sessions[0].date", DELETE, "sessions[0].date", "required"),
    ("BE", "sessions[0].episode", DELETE, "sessions[0].episode", "required"),
    ("BE", "sessions[1].id", "s1", "sessions[1].id", "duplicate session id 's1'"),
    ("BE", "sessions[0].date", "2025-02-30", "sessions[0].date", "not a date: '2025-02-30'"),
    ("BE", "sessions[0].episode", "b", "sessions[0].episode", "no episode with id 'b'"),
    ("BE", "sessions[0].minutes", 0, "sessions[0].minutes", "must be at least 1"),
    ("BE", "sessions[0].minutes", "30", "sessions[0].minutes", "not an integer: '30'"),
    ("BE", "sessions[0].place", "clinic", "sessions[0].place", "unknown place 'clinic'; expected one of practice, home"),
    ("NL", "sessions[0].conventioned", False, "sessions[0].conventioned", "only for BE"),
    ("BE", "sessions[0].conventioned", "no", "sessions[0].conventioned", "expected true or false, not 'no'"),
    ("BE", "sessions[0].duration", 30, "sessions[0].duration", "unknown key"),
]
# fmt: on


@pytest.mark.parametrize(
    ("country", "path", "value", "field", "message"),
    ONE_PROBLEM,
    ids=[f"{row[0]}:{row[1]}={row[2]!r}" for row in ONE_PROBLEM],
)
def test_one_wrong_value_is_reported_at_its_field(
    country: str, path: str, value: object, field: str, message: str
) -> None:
    assert errors_of(edited(CASES[country], path, value)) == [FieldError(field, message)]


def test_an_unknown_chronic_condition_lists_at_least_the_contract_conditions() -> None:
    contract_conditions = [
        "cva", "spinal_cord", "ms", "parkinson", "peripheral_nerve_motor",
        "motor_development_delay", "cerebellar", "muscle_disease", "myasthenia",
        "progressive_scoliosis", "juvenile_osteochondrosis", "amputation", "radicular_motor",
        "frozen_shoulder", "whiplash", "pelvic_instability_postpartum",
        "fracture_conservative", "post_operative", "lymphoedema", "pad_fontaine_3",
    ]  # fmt: skip
    [error] = errors_of(edited(NL, "episodes[0].condition", "stroke"))
    assert error.field == "episodes[0].condition"
    prefix = "unknown condition 'stroke'; expected one of "
    assert error.message.startswith(prefix)
    assert set(contract_conditions) <= set(error.message.removeprefix(prefix).split(", "))


@pytest.mark.parametrize("condition", ["cva", "whiplash", "pad_fontaine_3", "post_operative"])
def test_a_chronic_condition_of_the_contract_list_is_accepted(condition: str) -> None:
    case = parse_case(edited(NL, "episodes[0].condition", condition))
    assert case.episodes[0].condition == condition


@pytest.mark.parametrize("code", ["fa-1", "fa-2-b", "fa-16", "fa-17"])
def test_every_fa_list_code_is_accepted(code: str) -> None:
    assert parse_case(edited(BE, "episodes[1].pathology", code)).episodes[1].pathology == code


@pytest.mark.parametrize("letter", "abcdefghijkl")
def test_every_e_pathology_of_contract_v1_is_still_accepted(letter: str) -> None:
    """v1 names E pathologies e-a … e-l, and "a v1 input is a valid v2 input": e-h too,
    although the official list splits it into e-h-1 … e-h-6."""
    data = copy.deepcopy(BE)
    data["episodes"][1] = {
        "id": "knee",
        "category": "e",
        "pathology": f"e-{letter}",
        "agreement": {"from": "2025-02-01", "until": "2025-12-31"},
    }
    assert parse_case(data).episodes[1].pathology == f"e-{letter}"


def test_the_invalid_example_yields_exactly_the_contract_errors() -> None:
    data = json.loads((EXAMPLES / "invalid-input.json").read_text())
    expected = json.loads((EXAMPLES / "invalid-output.json").read_text())
    with pytest.raises(InvalidInput) as raised:
        parse_case(data)
    assert raised.value.as_dict() == expected


def test_every_problem_is_reported_in_reading_order() -> None:
    data = {
        "sessions": [{"id": "s1", "date": "2025-1-6", "episode": "back", "minutes": -5}],
        "country": "BE",
        "as_of": "2025-06-30",
        "patient": {"birth_date": "1971-02-30", "preferential": 1},
        "episodes": [
            {"id": "back", "category": "fb", "prescriptions": [{"id": "rx", "sessions": 0}]},
            {"id": "back", "category": "e", "pathology": "e-z", "gold_stage": 3},
        ],
        "extra": True,
    }
    assert [(e.field, e.message) for e in errors_of(data)] == [
        ("extra", "unknown key"),
        ("patient.birth_date", "not a date: '1971-02-30'"),
        ("patient.preferential", "expected true or false, not 1"),
        ("episodes[0].pathology", "required for category fb"),
        ("episodes[0].prescriptions[0].date", "required"),
        ("episodes[0].prescriptions[0].sessions", "must be at least 1"),
        ("episodes[1].gold_stage", "only for NL"),
        ("episodes[1].id", "duplicate episode id 'back'"),
        (
            "episodes[1].pathology",
            "unknown pathology 'e-z' for category e; expected an official code e-…, eb-…",
        ),
        ("sessions[0].date", "not a date: '2025-1-6'"),
        ("sessions[0].minutes", "must be at least 1"),
    ]


def test_an_invalid_country_still_reports_the_other_problems() -> None:
    data = {
        "country": "FR",
        "as_of": "2025-06-30",
        "patient": {"birth_date": "1971-09-30", "preferential": True, "coverage": []},
        "episodes": [{"id": "a", "category": "anything", "pathology": "fa-99", "condition": "cva"}],
        "sessions": [{"id": "s1", "date": "2025-02-30", "episode": "a", "price": "40.00"}],
    }
    [country, pathology, session_date] = errors_of(data)
    assert country == FieldError("country", "unknown country 'FR'; expected one of BE, NL")
    assert pathology.field == "episodes[0].pathology"
    assert pathology.message == "unknown pathology 'fa-99'"
    assert session_date == FieldError("sessions[0].date", "not a date: '2025-02-30'")


def test_an_unreadable_episode_list_does_not_flag_every_session() -> None:
    assert errors_of(edited(BE, "episodes", "none")) == [FieldError("episodes", "expected a list")]


def test_a_session_may_name_an_episode_that_has_other_problems() -> None:
    errors = errors_of(edited(BE, "episodes[1].category", "fx"))
    assert [e.field for e in errors] == ["episodes[1].category"]


@pytest.mark.parametrize("data", [[], "case", None, 3])
def test_a_document_that_is_not_an_object_is_reported_at_the_root(data: object) -> None:
    assert errors_of(data) == [FieldError("", "expected an object")]


def test_json_that_does_not_parse_is_reported_at_the_root() -> None:
    with pytest.raises(InvalidInput) as raised:
        load_json('{"country": "BE",')
    [error] = raised.value.errors
    assert error.field == ""
    assert error.message.startswith("not valid JSON: ")


def test_a_key_given_twice_in_json_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        load_json('{"country": "BE", "country": "NL"}')
    assert raised.value.errors == [FieldError("", "not valid JSON: duplicate key 'country'")]


# ------------------------------------------------------------------------------- valid input


def test_the_belgian_example_parses_to_engine_facts() -> None:
    data = load_json((EXAMPLES / "be-courante-input.json").read_bytes())
    assert parse_case(data) == Case(
        country="BE",
        as_of=date(2024, 1, 15),
        patient=Patient(birth_date=date(1971, 9, 30), preferential=False),
        episodes=(
            Episode(
                id="lowback",
                category="courante",
                prescriptions=(Prescription(id="rx1", date=date(2024, 1, 8), sessions=9),),
            ),
        ),
        sessions=(
            Session(id="s1", date=date(2024, 1, 10), episode="lowback"),
            Session(id="s2", date=date(2024, 1, 12), episode="lowback"),
            Session(id="s3", date=date(2024, 1, 15), episode="lowback"),
        ),
    )


def test_the_dutch_example_parses_to_engine_facts() -> None:
    data = load_json((EXAMPLES / "nl-chronic-input.json").read_bytes())
    price = Decimal("40.00")
    assert parse_case(data) == Case(
        country="NL",
        as_of=date(2025, 3, 20),
        patient=Patient(
            birth_date=date(1958, 2, 11),
            coverage=(
                Coverage(year=2025, insurer="Example Zorg", package="Aanvullend 2", treatments=0),
            ),
            deductible_remaining={2025: Decimal("60.00")},
        ),
        episodes=(
            Episode(
                id="cva",
                category="chronic",
                condition="cva",
                prior_treatments=19,
                first_treatment_on=date(2024, 10, 1),
                referral=Referral(date=date(2024, 9, 20), by="specialist"),
            ),
        ),
        sessions=(
            Session(id="t20", date=date(2025, 3, 13), episode="cva", price=price),
            Session(id="t21", date=date(2025, 3, 17), episode="cva", price=price),
            Session(id="t22", date=date(2025, 3, 20), episode="cva", price=price),
        ),
    )


def test_belgian_keys_parse_to_their_values() -> None:
    case = parse_case(BE)
    back, knee = case.episodes
    assert case.patient.preferential is True
    assert back.prescriptions[1] == Prescription(id="rx2", date=date(2025, 3, 1), sessions=9)
    assert (knee.pathology, knee.notified_on) == ("fa-16", date(2025, 2, 3))
    assert knee.agreements == (Agreement(start=date(2025, 2, 1), until=date(2025, 12, 31)),)
    assert case.sessions[1] == Session(
        id="s2", date=date(2025, 2, 4), episode="knee", minutes=20, place="home"
    )


def test_an_open_ended_agreement_has_no_end() -> None:
    case = parse_case(edited(BE, "episodes[1].agreement.until", None))
    assert case.episodes[1].agreements == (Agreement(start=date(2025, 2, 1), until=None),)


def test_copd_keys_parse_to_their_values() -> None:
    lungs = parse_case(NL).episodes[1]
    assert (lungs.gold_class, lungs.gold_stage) == ("B1", 3)


def test_absent_keys_take_the_contract_defaults() -> None:
    data = {
        "country": "NL",
        "as_of": "2025-06-30",
        "patient": {"birth_date": "1980-01-01", "coverage": [{"year": 2025}]},
        "episodes": [{"id": "lungs", "category": "copd"}],
        "sessions": [{"id": "s1", "date": "2025-01-06", "episode": "lungs"}],
    }
    case = parse_case(data)
    assert case.patient.preferential is False
    assert case.patient.deductible_remaining == {}
    assert case.patient.coverage == (
        Coverage(year=2025, insurer="", package="", treatments=None, budget=None, carry_over_max=0),
    )
    [lungs] = case.episodes
    assert (lungs.gold_class, lungs.gold_stage) == (None, 2)
    assert (lungs.prior_treatments, lungs.term_months, lungs.referral) == (0, None, None)
    assert lungs.extension is False
    [session] = case.sessions
    assert (session.minutes, session.place, session.price) == (30, "practice", None)


def test_a_prescription_is_not_second_session_motivated_unless_it_says_so() -> None:
    assert parse_case(BE).episodes[0].prescriptions[0].second_session_motivated is False
    motivated = edited(BE, "episodes[0].prescriptions[0].second_session_motivated", True)
    assert parse_case(motivated).episodes[0].prescriptions[0].second_session_motivated is True


def test_null_means_absent_for_optional_keys() -> None:
    data = edited(NL, "episodes[0].referral", None)
    data["sessions"][0].update(minutes=None, place=None, price=None)
    case = parse_case(data)
    assert case.episodes[0].referral is None
    assert case.sessions[0] == Session(id="t1", date=date(2025, 3, 13), episode="cva")


@pytest.mark.parametrize(
    ("given", "amount"),
    [("40.00", "40.00"), ("40.5", "40.50"), ("40", "40.00"), (40, "40.00"), ("0", "0.00")],
)
def test_money_is_a_string_or_an_integer_kept_to_the_cent(given: object, amount: str) -> None:
    price = parse_case(edited(NL, "sessions[0].price", given)).sessions[0].price
    assert price == Decimal(amount)
    assert str(price) == amount


def test_a_euro_budget_parses_as_money() -> None:
    data = edited(NL, "patient.coverage[0].treatments", DELETE)
    data["patient"]["coverage"][0].update(budget="250", carry_over_max=3)
    [coverage] = parse_case(data).patient.coverage
    assert (coverage.treatments, coverage.budget, coverage.carry_over_max) == (
        None,
        Decimal("250.00"),
        3,
    )


def test_the_29th_of_february_of_a_leap_year_is_a_date() -> None:
    case = parse_case(edited(BE, "sessions[0].date", "2024-02-29"))
    assert case.sessions[0].date == date(2024, 2, 29)


def test_empty_episode_and_session_lists_are_a_valid_case() -> None:
    data = {**BE, "episodes": [], "sessions": []}
    assert parse_case(data).sessions == ()


def test_an_episode_changed_to_e_reports_its_pathology_and_its_notification() -> None:
    """A notification is for Fa and Fb only (FA4, FB4): on an E episode it is an error too."""
    assert errors_of(edited(BE, "episodes[1].category", "e")) == [
        FieldError(
            "episodes[1].pathology",
            "unknown pathology 'fa-16' for category e; expected an official code e-…, eb-…",
        ),
        FieldError("episodes[1].notified_on", "only for categories fa, fb"),
    ]


def test_a_key_with_a_lone_surrogate_is_reported_with_the_surrogate_escaped() -> None:
    (error,) = errors_of(edited(BE, "patient.\ud800", True))
    assert error == FieldError("patient.\\ud800", "unknown key")
    json.dumps(error.field, ensure_ascii=False).encode("utf-8")  # can be written out


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    text = json.dumps(BE)
    assert load_json(("\ufeff" + text).encode("utf-8")) == BE
    assert load_json("\ufeff" + text) == BE


def test_more_sessions_or_episodes_than_one_call_takes_are_too_large() -> None:
    """Contract v2 limits: 5,000 sessions and 500 episodes per call."""
    many = edited(
        BE,
        "sessions",
        [{"id": f"s{n}", "date": "2025-01-10", "episode": "back"} for n in range(5_001)],
    )
    many["episodes"] = [{"id": f"e{n}", "category": "courante"} for n in range(501)]
    with pytest.raises(InputTooLarge) as raised:
        parse_case(many)
    assert raised.value.errors == [
        FieldError("episodes", "501 episodes; at most 500 in one call"),
        FieldError("sessions", "5,001 sessions; at most 5,000 in one call"),
    ]


def test_exactly_the_limits_are_accepted() -> None:
    case = edited(
        BE,
        "sessions",
        [{"id": f"s{n}", "date": "2025-01-10", "episode": "back"} for n in range(5_000)],
    )
    assert len(parse_case(case).sessions) == 5_000


def test_more_than_2_mb_of_json_is_too_large() -> None:
    text = json.dumps(BE)
    padded = text[:-1] + ', "x": "' + "a" * (2 * 1024 * 1024) + '"}'
    with pytest.raises(InputTooLarge) as raised:
        load_json(padded.encode())
    assert raised.value.errors[0].field == ""


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("e", "e-h-2"),
        ("e", "eb-13"),
        ("courante", "co-1-3-4-0"),
        ("perinatal", "m-1"),
        ("palliative", "p-1"),
        ("fa", "fa-2-b"),
    ],
)
def test_the_official_mycarenet_codes_of_the_category_are_accepted(
    category: str, code: str
) -> None:
    """Contract v2: every code of the official list that fits the category."""
    case = edited(BE, "episodes[1].category", category)
    case = edited(case, "episodes[1].pathology", code)
    if category not in ("fa", "fb"):
        case = edited(case, "episodes[1].notified_on", DELETE)
    assert parse_case(case).episodes[1].pathology == code


def test_eagreement_decisions_parse_with_their_status_and_reason() -> None:
    case = edited(
        BE,
        "episodes[0].agreements",
        [
            {"status": "refusal", "decision_id": "D1", "reason": "REF_AGREE_ALL_999"},
            {"status": "wfi-physiotherapist", "reason": "WFI_AGREE_SRV_PHYSIO_004: onset date"},
            {"from": "2025-06-01", "until": "2025-12-31", "status": "partialAgreement"},
        ],
    )
    (refusal, waiting, partial) = parse_case(case).episodes[0].agreements
    assert (refusal.status, refusal.start, refusal.decision_id, refusal.reason) == (
        "refusal",
        None,
        "D1",
        "REF_AGREE_ALL_999",
    )
    assert waiting.status == "wfi-physiotherapist" and not waiting.granted
    assert partial.covers(date(2025, 6, 1)) and not partial.covers(date(2026, 1, 1))


def test_sessions_used_elsewhere_parse_per_year() -> None:
    case = edited(BE, "episodes[0].prior_sessions", {"2025": 7})
    case = edited(case, "patient.overflow_elsewhere", {"2025": 12})
    case = edited(case, "patient.situations_elsewhere", {"2025": 1})
    parsed = parse_case(case)
    assert parsed.episodes[0].prior_sessions == {2025: 7}
    assert parsed.patient.overflow_elsewhere == {2025: 12}
    assert parsed.patient.situations_elsewhere == {2025: 1}
    nl = parse_case(edited(NL, "patient.coverage[0].used_elsewhere", 4))
    assert nl.patient.coverage[0].used_elsewhere == 4


def test_each_session_before_the_rules_is_named_with_its_own_date() -> None:
    """A case dated before a rule table (COPD caps from 2019) is an input error at each such
    session, each message giving that session's day, not the first one the engine met."""
    data = {
        "country": "NL",
        "as_of": "2018-06-30",
        "patient": {"birth_date": "1950-01-01"},
        "episodes": [
            {
                "id": "c",
                "category": "copd",
                "gold_class": "C",
                "referral": {"date": "2018-01-02", "by": "gp"},
            }
        ],
        "sessions": [
            {"id": "t1", "date": "2018-03-05", "episode": "c"},
            {"id": "t2", "date": "2018-04-02", "episode": "c"},
        ],
    }
    with pytest.raises(InvalidInput) as raised:
        simulate(data)
    found = [(e.field, e.message) for e in raised.value.errors]
    assert found == [
        ("sessions[0].date", "no COPD caps known for 2018-03-05 (they start on 2019-01-01)"),
        ("sessions[1].date", "no COPD caps known for 2018-04-02 (they start on 2019-01-01)"),
    ]


def test_a_session_of_another_episode_is_not_named_with_the_uncovered_ones() -> None:
    """The COPD caps do not reach 2018; a regular episode's session that year is judged by its
    own rules, so only the COPD session is the input error."""
    data = {
        "country": "NL",
        "as_of": "2019-06-30",
        "patient": {"birth_date": "1950-01-01"},
        "episodes": [
            {
                "id": "c",
                "category": "copd",
                "gold_class": "C",
                "referral": {"date": "2018-01-02", "by": "gp"},
            },
            {"id": "r", "category": "regular"},
        ],
        "sessions": [
            {"id": "t1", "date": "2018-03-05", "episode": "c"},
            {"id": "x", "date": "2018-04-01", "episode": "r", "price": "40.00"},
            {"id": "t2", "date": "2019-03-04", "episode": "c"},
        ],
    }
    with pytest.raises(InvalidInput) as raised:
        simulate(data)
    assert [e.field for e in raised.value.errors] == ["sessions[0].date"]
