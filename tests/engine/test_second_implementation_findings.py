"""Wrong answers found by running the engine beside an independent second implementation of
the simulate contract (issue 12), each as the user reported it, with the rule it breaks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from reimburse.engine import evaluate
from reimburse.engine.types import Case, Episode, Patient, Referral, Result, Session
from tests.engine.be.builders import d, episode, every, rule_warnings, run, rx
from tests.engine.be.builders import sessions as be_sessions
from tests.engine.nl.builders import sessions as nl_sessions

GP = Referral(date(2024, 1, 2), "gp")


def nl_run(
    as_of: date, episodes: Sequence[Episode], listed: Sequence[Session], *, born: date
) -> Result:
    return evaluate(Case("NL", as_of, Patient(born), tuple(episodes), tuple(listed)))


def codes(result: Result) -> list[str]:
    return [w.code for w in rule_warnings(result)]


# ------------------------------------------------------------- 1. adults get no child series


@pytest.mark.parametrize(
    "category", ["claudication", "pelvic_floor", "copd", "regular", "osteoarthritis"]
)
def test_an_adult_with_prior_treatments_has_no_childrens_series(category: str) -> None:
    """K1, decision 15: the children's series is for sessions of patients under 18 only.

    A 54-year-old with 30 earlier treatments got a ``child_series`` quota (9, none left) and
    a false ``quota_exhausted`` beside the real scheme counter.
    """
    gold = {"gold_class": "B1"} if category == "copd" else {}
    ep = Episode("e", category, referral=GP, prior_treatments=30, **gold)  # type: ignore[arg-type]
    result = nl_run(
        date(2025, 6, 30),
        [ep],
        nl_sessions("e", every("2025-03-03", 3, 7)),
        born=date(1971, 5, 1),
    )
    assert "child_series" not in {q.counter for q in result.quotas}
    assert not [w for w in rule_warnings(result) if w.params.get("counter") == "child_series"]


def test_a_child_with_prior_treatments_keeps_them_in_the_childrens_series() -> None:
    """Decision 18: priors of an episode begun before the 18th birthday are child treatments."""
    ep = Episode("e", "regular", prior_treatments=4)
    result = nl_run(
        date(2025, 6, 30), [ep], nl_sessions("e", every("2025-03-03", 2, 7)), born=date(2015, 1, 1)
    )
    (series,) = [q for q in result.quotas if q.counter == "child_series"]
    assert (series.limit, series.used) == (9, 6)


# ------------------------------------------------- 2. no "basic pays from the 21st" if it won't


def test_basic_starts_is_not_told_for_an_item_the_patient_has_outgrown() -> None:
    """B2, W: juvenile osteochondrosis is on the list only under 22; a 30-year-old at the 21st
    treatment is not told that basic insurance pays from there (the engine says it does not).
    """
    ep = Episode(
        "c", "chronic", condition="juvenile_osteochondrosis", referral=GP, prior_treatments=18
    )
    listed = nl_sessions("c", [date(2025, 3, 3), date(2025, 3, 10), date(2025, 4, 7)])
    result = nl_run(date(2025, 3, 20), [ep], listed, born=date(1995, 1, 1))
    assert result.sessions[-1].status != "basic"
    assert "basic_starts" not in codes(result)


def test_basic_starts_is_told_while_the_age_bound_item_still_applies() -> None:
    """The same episode for a 20-year-old: the 21st treatment is basic, and the warning says so."""
    ep = Episode(
        "c", "chronic", condition="juvenile_osteochondrosis", referral=GP, prior_treatments=18
    )
    listed = nl_sessions("c", [date(2025, 3, 3), date(2025, 3, 10), date(2025, 4, 7)])
    result = nl_run(date(2025, 3, 20), [ep], listed, born=date(2005, 1, 1))
    assert result.sessions[-1].status == "basic"
    assert "basic_starts" in codes(result)


# ---------------------------------------------------- 3. every Fa/Fb without a notification


@pytest.mark.parametrize("category, pathology", [("fa", "fa-1"), ("fb", "fb-51")])
def test_notification_missing_for_an_fa_or_fb_episode_without_sessions(
    category: str, pathology: str
) -> None:
    """FA4/FB4, warning table: every fa/fb episode without ``notified_on`` is flagged."""
    ep = episode("f", category, rx("2025-03-01"), pathology=pathology)
    result = run([ep], [], "2025-03-05")
    (warning,) = [w for w in rule_warnings(result) if w.code == "notification_missing"]
    assert (warning.episode, warning.session) == ("f", None)


@pytest.mark.parametrize("category, pathology", [("fa", "fa-1"), ("fb", "fb-51")])
def test_notification_missing_when_every_session_is_refused_for_another_reason(
    category: str, pathology: str
) -> None:
    """FA4/FB4: sessions before the prescription (P1) are refused, the episode still needs
    its notification; the warning names the episode's first session."""
    ep = episode("f", category, rx("2025-04-01"), pathology=pathology)
    result = run([ep], be_sessions("f", every("2025-03-03", 3)), "2025-03-10")
    assert {o.status for o in result.sessions} == {"not_reimbursed"}
    (warning,) = [w for w in rule_warnings(result) if w.code == "notification_missing"]
    assert (warning.episode, warning.session) == ("f", "f-1")


def test_a_notified_episode_gets_no_notification_warning() -> None:
    ep = episode("f", "fa", rx("2025-03-01"), pathology="fa-1", notified_on="2025-03-01")
    result = run([ep], [], "2025-03-05")
    assert "notification_missing" not in codes(result)


# ----------------------------------------- 4. a child's session after the term is still paid


def test_period_ended_does_not_say_not_covered_for_a_childs_session_that_is() -> None:
    """K1, K2, B5: after the chronic term a child's session falls back to the children's series
    (basic); ``period_ended`` still tells that the term ended but not that basic stopped."""
    ep = Episode("c", "chronic", condition="whiplash", referral=GP)
    listed = nl_sessions("c", [date(2025, 1, 6), date(2025, 5, 5)])
    result = nl_run(date(2025, 5, 31), [ep], listed, born=date(2015, 1, 1))
    after = result.sessions[-1]
    assert after.status == "basic"
    (warning,) = [w for w in rule_warnings(result) if w.code == "period_ended"]
    assert warning.session == after.id
    assert (warning.params["count"], warning.params["basic"]) == (1, 1)


# --------------------------------------------------------- contract v1.1, decisions 2, 4, 8, 9


def test_decision_9_a_10th_perinatal_session_does_not_take_the_day() -> None:
    """Decision 9 (v1.1): only a session that can be reimbursed takes the day; the 10th
    perinatal session is never reimbursed, so a courante session that day is billed."""
    peri = episode("p", "perinatal", rx("2025-01-02"))
    back = episode("b", "courante", rx("2025-03-01"))
    days = every("2025-01-06", 10, 7)
    listed = [*be_sessions("p", days), *be_sessions("b", days[-1:])]
    result = run([peri, back], listed, "2025-03-31")
    by_id = {o.id: o for o in result.sessions}
    assert by_id["p-10"].status == "not_reimbursed"
    assert by_id["p-10"].rule == "BE.PN1"
    assert by_id["b-1"].status == "best"
    assert "second_session_same_day" not in codes(result)


@pytest.mark.parametrize(
    "refusal",
    ["no_prescription", "exhausted_pool"],
)
def test_decision_9_a_session_refused_for_another_reason_does_not_take_the_day(
    refusal: str,
) -> None:
    """Decision 9 (v1.1): a session without a prescription (P1) leaves the day to the next one."""
    first_rx = rx("2025-06-01") if refusal == "no_prescription" else rx("2025-01-01")
    first = episode("a", "courante", first_rx)
    second = episode("b", "courante", rx("2025-02-15"), agreement=("2025-01-01", None))
    if refusal == "no_prescription":
        listed = [*be_sessions("a", [d("2025-03-03")]), *be_sessions("b", [d("2025-03-03")])]
        refused = "a-1"
    else:
        # "a" uses its 18 and the whole overflow pool of 54, then one more session that day.
        days = every("2025-01-01", 18 + 54 + 1)
        listed = [*be_sessions("a", days), *be_sessions("b", days[-1:])]
        refused = f"a-{18 + 54 + 1}"
    result = run([first, second], listed, "2025-12-31")
    by_id = {o.id: o for o in result.sessions}
    assert by_id[refused].status == "not_reimbursed"
    assert by_id["b-1"].status in ("best", "pending")
    assert "second_session_same_day" not in codes(result)


def test_decision_9_a_pending_session_takes_the_day() -> None:
    """Decision 9: ``pending`` counts as a session that can be reimbursed."""
    fa = episode("f", "fa", rx("2025-01-02"), pathology="fa-1")  # no notification: pending
    back = episode("b", "courante", rx("2025-01-02"))
    listed = [*be_sessions("f", [d("2025-02-03")]), *be_sessions("b", [d("2025-02-03")])]
    result = run([fa, back], listed, "2025-02-28")
    by_id = {o.id: o for o in result.sessions}
    assert by_id["f-1"].status == "pending"
    assert (by_id["b-1"].status, by_id["b-1"].rule) == ("not_reimbursed", "BE.S1")


def test_decision_9_a_refused_session_takes_no_prescription_slot() -> None:
    """Decision 9 (v1.1): a second session of the day consumes nothing of its prescription."""
    ep = episode("b", "courante", rx("2025-01-02", 2))
    listed = be_sessions("b", [d("2025-02-03"), d("2025-02-03"), d("2025-02-04")])
    result = run([ep], listed, "2025-02-28")
    assert [o.status for o in result.sessions] == ["best", "not_reimbursed", "best"]


def test_decision_4_a_period_starting_on_29_february_ends_on_28_february() -> None:
    """Decision 4 (v1.1), domain E3: 2024-02-29 → 2025-02-28, 366 days."""
    fa = episode("f", "fa", rx("2024-02-01"), pathology="fa-1", notified_on="2024-02-01")
    listed = be_sessions("f", [d("2024-02-29"), d("2025-02-28"), d("2025-03-01")])
    result = run([fa], listed, "2025-02-28")
    assert [o.status for o in result.sessions] == ["best", "best", "not_reimbursed"]
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end) == (d("2024-02-29"), d("2025-02-28"))


def test_decision_2_situations_rank_by_their_first_counted_session() -> None:
    """Decision 2 (v1.1): a session refused for want of a prescription does not rank its
    situation first; the situation whose first session is covered is the first."""
    early = episode("early", "courante", rx("2025-05-01"))
    later = episode("later", "courante", rx("2025-02-01"))
    listed = [*be_sessions("early", [d("2025-02-03")]), *be_sessions("later", [d("2025-02-10")])]
    result = run([early, later], listed, "2025-03-31")
    by_id = {o.id: o for o in result.sessions}
    assert by_id["early-1"].status == "not_reimbursed"
    assert (by_id["later-1"].status, by_id["later-1"].rule) == ("best", "BE.C1")


def test_decision_8_a_late_prescription_is_passed_over_for_a_newer_one() -> None:
    """Decision 8 (v1.1): the prescription of 2025-01-02 can no longer start on 2025-03-10;
    the one of 2025-03-01 covers the session, and the late one warns nobody."""
    ep = episode("b", "courante", rx("2025-01-02", id="old"), rx("2025-03-01", id="new"))
    result = run([ep], be_sessions("b", [d("2025-03-10")]), "2025-03-31")
    (outcome,) = result.sessions
    assert (outcome.status, outcome.prescription) == ("best", "new")
    assert "prescription_late_start" not in codes(result)


def test_decision_18_undated_priors_of_an_episode_begun_as_a_child_are_child_treatments() -> None:
    """Decision 18 (v1.1): the priors of an episode whose first treatment was before the 18th
    birthday do not count toward the adult first 20 of a chronic indication."""
    ep = Episode(
        "c",
        "chronic",
        condition="cva",
        referral=GP,
        prior_treatments=15,
        first_treatment_on=date(2024, 6, 3),
    )
    listed = nl_sessions("c", every("2025-03-03", 6, 7))
    result = nl_run(date(2025, 4, 30), [ep], listed, born=date(2007, 1, 1))
    # Every listed session is an adult one, and none of them is past the adult first 20.
    assert {o.status for o in result.sessions} <= {"supplementary", "patient"}
    assert all(o.rule == "NL.B2" for o in result.sessions)
