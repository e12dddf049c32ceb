"""POST /api/v1/simulate: the simulate contract over HTTP, stateless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from practice.models import Patient, TreatmentSession
from reimburse.simulate import simulate
from tests.api.conftest import errors

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "contract"


def _example(name: str) -> Any:
    return json.loads((CONTRACT / name).read_text())


def _post(api: APIClient, body: Any) -> Any:
    return api.post("/api/v1/simulate", body, format="json")


@pytest.mark.parametrize("case", ["be-courante", "nl-chronic"])
def test_the_answer_is_the_contracts_output(api: APIClient, case: str):
    response = _post(api, _example(f"{case}-input.json"))

    assert response.status_code == 200
    assert response.json() == simulate(_example(f"{case}-input.json"))
    expected = _example(f"{case}-output.json")
    # The contract's wording and rule ids are illustrative; statuses and numbers are not.
    # The examples are v1: v2 adds each session's reason (code and params).
    sessions = response.json()["sessions"]
    assert all(row["reason"]["code"].startswith(case[:2]) for row in sessions)
    for row in (*sessions, *expected["sessions"]):
        row.pop("reason", None)
        del row["explanation"], row["rule"]
    assert sessions == expected["sessions"]
    quotas = response.json()["quotas"]
    # v2: the earlier treatments in ``used`` (NL prior_treatments; BE none in the example).
    assert [q.pop("elsewhere") for q in quotas] == ([19] if case == "nl-chronic" else [0])
    assert quotas == expected["quotas"]


def test_invalid_input_answers_the_contracts_error_object(api: APIClient):
    response = _post(api, _example("invalid-input.json"))

    assert response.status_code == 400
    assert response.json() == _example("invalid-output.json")


def test_malformed_json_is_invalid_input(api: APIClient):
    response = api.post("/api/v1/simulate", '{"country": ', content_type="application/json")

    assert response.status_code == 400
    assert list(errors(response)) == [""]
    assert errors(response)[""].startswith("not valid JSON")


def test_a_repeated_key_is_invalid_input(api: APIClient):
    body = '{"country": "BE", "country": "NL"}'

    response = api.post("/api/v1/simulate", body, content_type="application/json")

    assert response.status_code == 400
    assert "duplicate key 'country'" in errors(response)[""]


def test_a_body_that_is_not_an_object_is_400(api: APIClient):
    response = _post(api, [1, 2])

    assert errors(response) == {"": "expected an object"}


def test_only_json_is_accepted(api: APIClient):
    response = api.post("/api/v1/simulate", "country=BE", content_type="text/plain")

    assert response.status_code == 415
    assert list(errors(response)) == [None]


# Found by the schemathesis run: simulate's parser bounds amounts and dates.
def test_an_absurd_amount_is_invalid_input_not_a_500(api: APIClient):
    body = _example("nl-chronic-input.json")
    body["sessions"][0]["price"] = "35206897005780706376481623544.76"

    response = _post(api, body)

    assert response.status_code == 400
    assert "sessions[0].price" in errors(response)


def test_a_date_at_the_end_of_the_calendar_is_invalid_input_not_a_500(api: APIClient):
    body = _example("be-courante-input.json")
    body["episodes"][0]["prescriptions"][0]["date"] = "9999-12-01"
    body["sessions"][0]["date"] = "9999-12-31"

    response = _post(api, body)

    assert response.status_code == 400
    assert "sessions[0].date" in errors(response)


def test_simulate_writes_nothing(api: APIClient):
    _post(api, _example("be-courante-input.json"))

    assert not Patient.objects.exists()
    assert not TreatmentSession.objects.exists()


def test_simulate_is_post_only(api: APIClient):
    assert api.get("/api/v1/simulate").status_code == 405


def test_unauthenticated_is_401(anonymous: APIClient, db: None):
    assert _post(anonymous, _example("be-courante-input.json")).status_code == 401


# ------------------------------------------------- issue 12: input that crashed or ran unbounded


def test_a_chronic_episode_without_condition_is_invalid_input_not_a_500(api: APIClient):
    body = _example("nl-chronic-input.json")
    del body["episodes"][0]["condition"]

    response = _post(api, body)

    assert response.status_code == 400
    assert errors(response) == {"episodes[0].condition": "required for category chronic"}


def test_an_id_with_a_lone_surrogate_is_invalid_input_not_a_500(api: APIClient):
    text = json.dumps(_example("be-courante-input.json")).replace('"s1"', '"\\ud800"', 1)

    response = api.post("/api/v1/simulate", text, content_type="application/json")

    assert response.status_code == 400
    assert "sessions[0].id" in errors(response)


def test_a_utf8_byte_order_mark_is_accepted(api: APIClient):
    text = "\ufeff" + json.dumps(_example("be-courante-input.json"))

    response = api.post("/api/v1/simulate", text.encode("utf-8"), content_type="application/json")

    assert response.status_code == 200


def test_more_than_the_limits_is_413_with_the_error_object(api: APIClient):
    body = _example("be-courante-input.json")
    body["sessions"] = [
        {"id": f"s{n}", "date": "2024-01-10", "episode": body["episodes"][0]["id"]}
        for n in range(5_001)
    ]

    response = _post(api, body)

    assert response.status_code == 413
    assert errors(response) == {"sessions": "5,001 sessions; at most 5,000 in one call"}


def test_more_than_2_mb_is_413(api: APIClient):
    text = json.dumps(_example("be-courante-input.json"))
    padded = text[:-1] + ', "x": "' + "a" * (2 * 1024 * 1024) + '"}'

    response = api.post("/api/v1/simulate", padded, content_type="application/json")

    assert response.status_code == 413
    assert list(errors(response)) == [""]


def test_a_session_no_rule_covers_is_named_by_its_field(api: APIClient):
    body = _example("nl-chronic-input.json")
    del body["episodes"][0]["first_treatment_on"]
    body["sessions"][0]["date"] = "2010-05-03"

    response = _post(api, body)

    assert response.status_code == 400
    assert list(errors(response)) == ["sessions[0].date"]
    assert "2010-05-03" in errors(response)["sessions[0].date"]


# ----------------------------------------------------------------- v2: language and reasons


def test_every_session_has_a_reason_code_and_every_warning_params(api: APIClient):
    body = _post(api, _example("nl-chronic-input.json")).json()

    assert [s["reason"]["code"] for s in body["sessions"]] == [
        "nl.pay.patient",
        "nl.pay.basic",
        "nl.pay.basic",
    ]
    assert body["sessions"][1]["reason"]["params"] == {
        "year": 2025,
        "price": "40.00",
        "part": "40.00",
        "left": "20.00",
        "basis": {
            "code": "nl.basic.chronic",
            "params": {"n": 21, "starts": True, "term_end": None, "term_known": True},
        },
    }
    assert all("params" in w for w in body["warnings"])


def test_lang_nl_writes_belgian_dutch_with_belgian_dates(api: APIClient):
    case = {**_example("be-courante-input.json"), "lang": "nl"}

    body = _post(api, case).json()

    assert body["sessions"][0]["explanation"] == (
        "Zitting 1 van 18 aan normaal tarief voor deze situatie in 2024; nog 17 over dit jaar; "
        "intake aangerekend met deze eerste zitting van de behandeling."
    )


def test_lang_fr_writes_french(api: APIClient):
    case = {**_example("be-courante-input.json"), "lang": "fr"}

    body = _post(api, case).json()

    assert body["sessions"][1]["explanation"] == (
        "Séance 2 sur 18 au tarif normal pour cette situation en 2024 ; encore 16 cette année."
    )


def test_lang_nl_in_the_netherlands_writes_their_words_dates_and_money(api: APIClient):
    case = {**_example("nl-chronic-input.json"), "lang": "nl"}

    body = _post(api, case).json()

    assert body["sessions"][1]["explanation"] == (
        "Behandeling 21: vanaf hier vergoedt de basisverzekering; €\xa040,00 gaat naar het eigen "
        "risico van 2025 (nog €\xa020,00)."
    )


def test_without_lang_the_accept_language_header_decides(api: APIClient):
    response = api.post(
        "/api/v1/simulate",
        _example("be-courante-input.json"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9",
    )

    assert response.json()["sessions"][2]["explanation"].startswith("Séance 3 sur 18")


def test_an_unknown_lang_is_invalid_input(api: APIClient):
    response = _post(api, {**_example("be-courante-input.json"), "lang": "de"})

    assert errors(response) == {"lang": "unknown language 'de'; expected one of en, nl, fr"}


def test_v2_agreements_codes_and_sessions_elsewhere_end_to_end(api: APIClient):
    body = {
        "country": "BE",
        "as_of": "2026-03-31",
        "lang": "nl",
        "patient": {"birth_date": "1970-01-01", "situations_elsewhere": {"2026": 1}},
        "episodes": [
            {
                "id": "knee",
                "category": "courante",
                "pathology": "co-3-2-5-1",
                "prescriptions": [{"id": "rx", "date": "2026-03-01", "sessions": 9}],
                "prior_sessions": {"2026": 4},
                "agreements": [
                    {
                        "status": "wfi-physiotherapist",
                        "reason": "WFI_AGREE_SRV_PHYSIO_004",
                        "decision_id": "D-42",
                    }
                ],
            }
        ],
        "sessions": [{"id": "s1", "date": "2026-03-02", "episode": "knee"}],
    }

    out = _post(api, body).json()

    (session,) = out["sessions"]
    assert (session["status"], session["ordinal"], session["reason"]["code"]) == (
        "pending",
        5,
        "be.agreement.waiting",
    )
    assert "WFI_AGREE_SRV_PHYSIO_004" in session["explanation"]
    assert out["quotas"][0]["elsewhere"] == 4
    (waiting,) = [w for w in out["warnings"] if w["code"] == "agreement_waiting"]
    assert waiting["params"]["decision_id"] == "D-42"
    assert waiting["severity"] == "blocking"


def _be_session_case(day: str, **session: Any) -> dict[str, Any]:
    return {
        "country": "BE",
        "as_of": day,
        "lang": "fr",
        "patient": {"birth_date": "1970-01-01"},
        "episodes": [
            {
                "id": "back",
                "category": "courante",
                "prescriptions": [{"id": "rx", "date": day, "sessions": 9}],
            }
        ],
        "sessions": [{"id": "s1", "date": day, "episode": "back", **session}],
    }


def test_v2_a_non_conventioned_session_without_price_has_null_fee_and_patient(api: APIClient):
    """Contract v2: the fee is the practice's price (null when not given); 2024: −25 %."""
    response = _post(api, _be_session_case("2024-06-03", conventioned=False))

    assert response.status_code == 200, response.content
    assert response.json()["sessions"][0]["amounts"] == {
        "fee": None,
        "insurer": "17.81",
        "patient": None,
    }


def test_v2_a_non_conventioned_price_gives_the_patient_share(api: APIClient):
    response = _post(api, _be_session_case("2025-01-20", conventioned=False, price="37.00"))

    assert response.json()["sessions"][0]["amounts"] == {
        "fee": "37.00",
        "insurer": "23.75",
        "patient": "13.25",
    }


def test_v2_a_session_without_a_tariff_says_so_in_the_readers_language(api: APIClient):
    response = _post(api, _be_session_case("2026-03-02"))

    body = response.json()
    assert body["sessions"][0]["code"] == "567011"
    assert body["sessions"][0]["amounts"] is None
    (warning,) = [w for w in body["warnings"] if w["code"] == "tariff_unknown"]
    assert warning["severity"] == "info" and warning["session"] == "s1"
    assert warning["params"]["code"] == "567011"
    assert "Aucun tarif du code 567011" in warning["message"]


@pytest.mark.parametrize(
    ("preferential", "amounts"),
    [
        (False, {"fee": "30.80", "insurer": "24.55", "patient": "6.25"}),
        (True, {"fee": "30.80", "insurer": "28.30", "patient": "2.50"}),
    ],
    ids=["regular", "preferential"],
)
def test_v2_a_courante_session_after_the_2025_indexation(
    api: APIClient, preferential: bool, amounts: dict[str, str]
):
    """Issue 15, update note §1.2 example 1 (Helan 2025): 30.80 with the fixed share."""
    body = _be_session_case("2025-03-10")
    body["patient"]["preferential"] = preferential
    response = _post(api, body)

    assert response.json()["sessions"][0]["amounts"] == amounts


def test_v2_a_non_conventioned_session_after_may_2025_gets_75_percent(api: APIClient):
    """Update note §1.2 example 2: 24.55 × 0.75 = 18.4125 → 18.41; the patient 37.00 − 18.41."""
    response = _post(api, _be_session_case("2025-06-02", conventioned=False, price="37.00"))

    assert response.json()["sessions"][0]["amounts"] == {
        "fee": "37.00",
        "insurer": "18.41",
        "patient": "18.59",
    }


def test_simulate_gives_only_the_contracts_warnings(api: APIClient):
    """prescription_low is the product's (Needs attention), not the contract's: left out."""
    from tests.engine.be.builders import episode, every, run, rx, sessions

    back = episode("back", "courante", rx("2025-03-10", 2, id="rx"))
    found = run([back], sessions("back", every("2025-03-10", 1)), "2025-03-10")
    assert "prescription_low" in {w.code for w in found.warnings}  # the engine gives it
    body = _be_session_case("2025-03-10")
    body["episodes"][0]["prescriptions"][0]["sessions"] = 2
    response = _post(api, body)

    assert response.status_code == 200
    codes = {w["code"] for w in response.json()["warnings"]}
    assert "prescription_low" not in codes
