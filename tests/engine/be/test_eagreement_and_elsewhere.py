"""Contract v2, Belgium: agreements as the eAgreement flow reports them, the official
pathology-situation codes, and sessions used at another practice (issue 16)."""

from __future__ import annotations

from datetime import date

import pytest

from reimburse.engine import evaluate
from reimburse.engine.types import Agreement, Case, Patient, Result, Session
from reimburse.engine.vocabulary import AgreementStatus
from tests.engine.be.builders import d, episode, every, of, run, rx, sessions

S = AgreementStatus


def warnings(result: Result, code: str) -> list[object]:
    return [w for w in result.warnings if w.code == code]


def _second_situation(*agreements: Agreement) -> Result:
    """C6: an ankle (first situation of 2026), then a shoulder that needs an agreement."""
    ankle = episode("ankle", "courante", rx("2026-01-05"))
    shoulder = episode("shoulder", "courante", rx("2026-03-01"), agreements=agreements)
    listed = [
        *sessions("ankle", every("2026-01-06", 3, 2)),
        *sessions("shoulder", every("2026-03-02", 4, 2)),
    ]
    return run([ankle, shoulder], listed, "2026-03-31")


# ----------------------------------------------------------------------- agreements (v2)


@pytest.mark.parametrize(
    "status", [S.IN_TREATMENT, S.WFI_PHYSIOTHERAPIST, S.WFI_PRESCRIPTOR, S.WFI_SERVICE_PROVIDER]
)
def test_a_request_without_decision_leaves_the_sessions_pending_with_its_reason(
    status: AgreementStatus,
) -> None:
    """C6, contract v2: waiting → pending + agreement_waiting, the fund's reason in params."""
    reason = "WFI_AGREE_SRV_PHYSIO_004: previous pathological situation missing"
    result = _second_situation(Agreement(None, status=status, reason=reason, decision_id="D7"))

    shoulder = of(result, "shoulder")
    assert {o.status for o in shoulder} == {"pending"}
    assert {o.reason.code for o in shoulder} == {"be.agreement.waiting"}
    (warning,) = warnings(result, "agreement_waiting")
    assert (warning.severity, warning.episode, warning.session) == (  # type: ignore[attr-defined]
        "blocking",
        "shoulder",
        "shoulder-1",
    )
    assert warning.params == {  # type: ignore[attr-defined]
        "category": "courante",
        "status": status,
        "reason": reason,
        "decision_id": "D7",
    }
    assert not warnings(result, "agreement_missing")
    # Pending sessions use the quota (decision 8): 4 of the shoulder's 18.
    quota = next(q for q in result.quotas if q.episode == "shoulder")
    assert quota.used == 4


def test_a_refusal_makes_the_sessions_not_reimbursed_and_they_use_no_quota() -> None:
    """Contract v2: refusal → not_reimbursed + agreement_refused (blocking)."""
    result = _second_situation(Agreement(None, status=S.REFUSAL, reason="REF_AGREE_ALL_999"))

    shoulder = of(result, "shoulder")
    assert {(o.status, o.rule, o.reason.code) for o in shoulder} == {
        ("not_reimbursed", "BE.C6", "be.agreement.refused")
    }
    (warning,) = warnings(result, "agreement_refused")
    assert warning.severity == "blocking"  # type: ignore[attr-defined]
    assert next(q for q in result.quotas if q.episode == "shoulder").used == 0


def test_a_new_request_after_a_refusal_is_what_holds() -> None:
    """[I] The last decision asked for or given that concerns the day holds."""
    result = _second_situation(
        Agreement(None, status=S.REFUSAL, decision_id="D1"),
        Agreement(None, status=S.IN_TREATMENT),
    )
    assert {o.status for o in of(result, "shoulder")} == {"pending"}
    assert warnings(result, "agreement_waiting") and not warnings(result, "agreement_refused")


def test_a_partial_agreement_covers_only_its_period() -> None:
    """Contract v2: partialAgreement covers from..until; outside it the agreement is missing."""
    partial = Agreement(d("2026-03-01"), d("2026-03-04"), S.PARTIAL_AGREEMENT)
    result = _second_situation(partial)

    assert [o.status for o in of(result, "shoulder")] == ["best", "best", "pending", "pending"]
    assert warnings(result, "agreement_missing")


def test_e_sessions_follow_the_status_of_their_request() -> None:
    """E1, E2, contract v2: granted → best; waiting → pending; refused → not reimbursed."""
    decisions = (
        Agreement(d("2026-01-01"), d("2026-01-31")),
        Agreement(d("2026-02-01"), None, S.WFI_PRESCRIPTOR),
        Agreement(d("2026-03-01"), None, S.REFUSAL),
    )
    e = episode("e", "e", rx("2026-01-02", 50), pathology="e-h-2", agreements=decisions)
    days = [d("2026-01-05"), d("2026-02-05"), d("2026-03-05")]
    result = run([e], sessions("e", days), "2026-03-31")

    assert [(o.status, o.reason.code) for o in result.sessions] == [
        ("best", "be.e.agreed"),
        ("pending", "be.agreement.waiting"),
        ("not_reimbursed", "be.agreement.refused"),
    ]


def test_only_a_granted_agreement_ends() -> None:
    waiting = Agreement(d("2026-03-01"), d("2026-03-20"), S.IN_TREATMENT)
    granted = Agreement(d("2026-01-01"), d("2026-03-25"))
    e = episode("e", "e", rx("2026-01-02", 50), pathology="e-b", agreements=(waiting, granted))
    result = run([e], sessions("e", [d("2026-03-02")]), "2026-03-10")

    assert [w.params for w in warnings(result, "agreement_ending")] == [  # type: ignore[attr-defined]
        {"until": d("2026-03-25")}
    ]


# ------------------------------------------------------------------- official codes (v2)


def test_two_courante_episodes_with_one_code_in_one_year_are_probably_one() -> None:
    """Contract v2: duplicate_situation (warning) on the later one."""
    first = episode("a", "courante", rx("2026-01-05"), pathology="co-1-3-4-0")
    second = episode("b", "courante", rx("2026-02-01"), pathology="co-1-3-4-0")
    listed = [*sessions("a", [d("2026-01-06")]), *sessions("b", [d("2026-02-02")])]
    result = run([second, first], listed, "2026-03-31")

    (warning,) = warnings(result, "duplicate_situation")
    assert (warning.severity, warning.episode, warning.session) == (  # type: ignore[attr-defined]
        "warning",
        "b",
        "b-1",
    )
    assert warning.params == {"pathology": "co-1-3-4-0", "year": 2026, "other": "a"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("order", [("z", "a"), ("a", "z")])
def test_on_one_day_the_duplicate_is_the_episode_whose_session_is_listed_later(
    order: tuple[str, str],
) -> None:
    """Contract v2 (duplicate_situation "on the later one") and the output's order (date,
    position in the input): two first sessions on one day, the later is the one listed
    second, whatever the episodes' ids or their order in the input."""
    episodes = [episode(ep, "courante", rx("2025-01-01"), pathology="co-1-3-4-0") for ep in order]
    listed = [Session(f"{ep}1", d("2025-01-03"), ep) for ep in order]
    result = run(episodes[::-1], listed, "2025-12-31")

    (warning,) = warnings(result, "duplicate_situation")
    assert (warning.episode, warning.session) == (order[1], f"{order[1]}1")  # type: ignore[attr-defined]
    assert warning.params["other"] == order[0]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("code_a", "code_b", "day_b"),
    [
        ("co-1-3-4-0", "co-3-2-5-1", "2026-02-02"),  # two situations
        ("co-1-3-4-0", "co-1-3-4-0", "2027-01-04"),  # one code, another year
        ("co-0-0-0-0", "co-0-0-0-0", "2026-02-02"),  # a paper agreement names no situation
    ],
)
def test_other_codes_or_years_are_no_duplicate(code_a: str, code_b: str, day_b: str) -> None:
    a = episode("a", "courante", rx("2026-01-05"), pathology=code_a)
    b = episode("b", "courante", rx("2026-02-01"), pathology=code_b)
    listed = [*sessions("a", [d("2026-01-06")]), *sessions("b", [d(day_b)])]
    assert not warnings(run([a, b], listed, "2026-03-31"), "duplicate_situation")


def test_the_fa_polytrauma_code_has_120_best_rate_sessions() -> None:
    """FA2: fa-16."""
    fa = episode("fa", "fa", rx("2026-01-02", 200), pathology="fa-16", notified_on="2026-01-02")
    result = run([fa], sessions("fa", every("2026-01-05", 121)), "2026-06-30")
    assert [o.status for o in result.sessions[-2:]] == ["best", "reduced"]


# ---------------------------------------------------------------- sessions elsewhere (v2)


def test_courante_sessions_elsewhere_continue_the_count_without_an_intake() -> None:
    """C1, S7, contract v2: 7 sessions elsewhere this year; the first here is number 8."""
    back = episode("back", "courante", rx("2026-03-01"), prior_sessions={2026: 7})
    result = run([back], sessions("back", every("2026-03-02", 12, 2)), "2026-06-30")

    assert [o.ordinal for o in result.sessions] == list(range(8, 20))
    assert [o.status for o in result.sessions] == ["best"] * 11 + ["reduced"]
    assert result.sessions[0].extra_codes == ()  # the intake was billed where it began
    assert result.sessions[0].code == "567011"  # session 8: a code of sessions 1-9 (C2)
    (quota,) = result.quotas
    assert (quota.used, quota.elsewhere, quota.remaining) == (19, 7, 0)


def test_fb_sessions_elsewhere_count_toward_the_years_tiers() -> None:
    """FB2, FB3: 58 elsewhere in 2026; the 3rd session here is the first reduced one."""
    fb = episode(
        "fb",
        "fb",
        rx("2026-05-01", 50),
        pathology="fb-51",
        notified_on="2026-05-01",
        prior_sessions={2026: 58},
        first_session_on="2026-01-12",
    )
    result = run([fb], sessions("fb", every("2026-05-04", 4)), "2026-06-30")

    assert [o.status for o in result.sessions] == ["best", "best", "reduced", "reduced"]
    assert [o.ordinal for o in result.sessions] == [59, 60, 61, 62]
    (quota,) = result.quotas
    assert (quota.period_start, quota.used, quota.elsewhere) == (d("2026-01-12"), 62, 58)


def test_an_fa_period_begun_elsewhere_runs_from_its_first_session_there() -> None:
    """FA1, contract v2: first_session_on starts the period; sessions elsewhere count in it."""
    fa = episode(
        "fa",
        "fa",
        rx("2026-03-01", 50),
        pathology="fa-1",
        notified_on="2026-01-10",
        prior_sessions={2026: 59},
        first_session_on="2026-01-10",
    )
    listed = sessions("fa", [d("2026-03-02"), d("2026-03-03"), d("2027-01-10")])
    result = run([fa], listed, "2026-03-31")

    assert [(o.status, o.ordinal) for o in result.sessions] == [
        ("best", 60),
        ("reduced", 61),
        ("not_reimbursed", None),  # after the period that ended 2027-01-09
    ]
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end) == (d("2026-01-10"), d("2027-01-09"))
    assert (quota.used, quota.elsewhere) == (61, 59)


def test_overflow_sessions_elsewhere_draw_on_the_same_pool() -> None:
    """C5, contract v2: 53 overflow sessions billed elsewhere leave one."""
    back = episode("back", "courante", rx("2026-01-02"))
    patient = Patient(date(1970, 1, 1), overflow_elsewhere={2026: 53})
    case = Case(
        "BE", d("2026-12-31"), patient, (back,), tuple(sessions("back", every("2026-01-05", 20)))
    )
    result = evaluate(case)

    assert [o.status for o in result.sessions[-2:]] == ["reduced", "not_reimbursed"]
    (pool,) = result.pools
    assert (pool.used, pool.elsewhere, pool.remaining) == (54, 53, 0)


@pytest.mark.parametrize(("as_of", "elsewhere"), [("2021-05-01", 0), ("2021-10-01", 10)])
def test_overflow_elsewhere_of_2021_is_shown_in_the_pool_it_draws_on(
    as_of: str, elsewhere: int
) -> None:
    """C5, decision 3, contract v2: 2021's pool counts from August; the sessions billed
    elsewhere that year draw on it, so the unlimited months before show none of them (their
    ``elsewhere`` is part of ``used``, never more)."""
    back = episode("back", "courante", rx("2021-04-01"))
    patient = Patient(date(1970, 1, 1), overflow_elsewhere={2021: 10})
    case = Case("BE", d(as_of), patient, (back,), tuple(sessions("back", [d("2021-04-02")])))
    (pool,) = evaluate(case).pools

    assert (pool.used, pool.elsewhere) == (elsewhere, elsewhere)
    assert pool.elsewhere <= pool.used


def test_a_situation_treated_elsewhere_makes_the_first_one_here_the_second() -> None:
    """C6, contract v2: situations treated elsewhere earlier that year rank first."""
    back = episode("back", "courante", rx("2026-03-01"))
    patient = Patient(date(1970, 1, 1), situations_elsewhere={2026: 1})
    case = Case("BE", d("2026-03-31"), patient, (back,), tuple(sessions("back", [d("2026-03-02")])))
    result = evaluate(case)

    assert result.sessions[0].status == "pending"
    assert warnings(result, "agreement_missing")
