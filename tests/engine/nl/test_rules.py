"""The Dutch rules one decision at a time (simulate contract, decisions 12-18), the warnings,
the quota and pool reporting and the contract example. The tables: ``test_tables.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reimburse.engine import nl as netherlands
from reimburse.engine.errors import RulesNotInForce, UnknownCondition
from reimburse.engine.nl import tables as tables
from reimburse.engine.types import (
    Case,
    Coverage,
    Episode,
    NlAmounts,
    Patient,
    Referral,
    Result,
    Session,
)
from tests.engine.nl.builders import PRICE, basis, deductibles, every, nl, sessions, statuses

GP = Referral(date(2024, 1, 2), "gp")
ADULT = date(1970, 1, 1)
CHILD = date(2015, 1, 1)
CONTRACT = Path(__file__).resolve().parents[2] / "fixtures" / "contract"


def run(
    as_of: date,
    episodes: Sequence[Episode],
    listed: Sequence[Session],
    *,
    born: date = ADULT,
    coverage: Sequence[Coverage] = (),
    deductible: dict[int, Decimal] | None = None,
) -> Result:
    patient = Patient(born, coverage=tuple(coverage), deductible_remaining=deductible or {})
    return netherlands.evaluate(Case("NL", as_of, patient, tuple(episodes), tuple(listed)))


def warnings(result: Result, code: str) -> list[Any]:
    return [w for w in result.warnings if w.code == code]


def pool(result: Result, name: str) -> tuple[object, object, object]:
    found = next(p for p in result.pools if p.pool == name)
    return found.limit, found.used, found.remaining


def chronic(condition: str = "cva", **fields: Any) -> Episode:
    return Episode("c", "chronic", condition=condition, referral=GP, **fields)


# ----------------------------------------------------- decision 12: regular condition, adult


def test_regular_adult_is_never_basic_and_uses_the_allowance_of_the_session_year() -> None:
    """B1, A1: December draws on the 2024 package, January on the 2025 one."""
    result = run(
        date(2025, 1, 31),
        [Episode("r", "regular")],
        sessions("r", [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 2)]),
        coverage=[Coverage(2024, treatments=1), Coverage(2025, treatments=1)],
    )
    assert statuses(result.sessions) == ["supplementary", "patient", "supplementary"]
    assert [o.rule for o in result.sessions] == ["NL.A1", "NL.B1", "NL.A1"]


def test_regular_adult_without_any_coverage_pays_the_price() -> None:
    """B1: no coverage row for the year is no supplementary cover."""
    result = run(date(2025, 3, 1), [Episode("r", "regular")], sessions("r", [date(2025, 2, 3)]))
    (outcome,) = result.sessions
    assert outcome.status == "patient"
    assert isinstance(outcome.amounts, NlAmounts)
    assert outcome.amounts.as_dict() == {
        "price": "40.00",
        "insurer": "0.00",
        "deductible": "0.00",
        "patient": "40.00",
    }


# ------------------------------------------------------ decision 13: chronic list, adult


def test_prior_treatments_count_toward_the_first_20() -> None:
    """B2, B3: 18 done elsewhere -> listed treatments 19, 20 unpaid, 21 basic."""
    episode = chronic(prior_treatments=18, first_treatment_on=date(2025, 1, 6))
    result = run(date(2025, 6, 1), [episode], sessions("c", every(date(2025, 3, 3), 3)))
    assert statuses(result.sessions) == ["patient", "patient", "basic"]
    assert [o.ordinal for o in result.sessions] == [19, 20, 21]
    assert [o.code for o in result.sessions] == ["008", "008", "001"]


def test_term_end_is_exclusive_2025_03_10_plus_6_months_ends_on_2025_09_09() -> None:
    """B5, decision 13: the day 6 months later is already outside the term."""
    episode = chronic("fracture_conservative", prior_treatments=20)
    dates = [date(2025, 3, 10), date(2025, 9, 9), date(2025, 9, 10)]
    result = run(date(2025, 9, 30), [episode], sessions("c", dates))
    assert statuses(result.sessions) == ["basic", "basic", "patient"]
    assert result.sessions[2].rule == "NL.B5"
    assert result.quotas[0].period_end == date(2025, 9, 9)


def test_term_runs_from_first_treatment_on_when_it_predates_the_sessions() -> None:
    """B5: first treatment 2025-01-06 -> 6 months end before 2025-07-06."""
    episode = chronic(
        "fracture_conservative", prior_treatments=25, first_treatment_on=date(2025, 1, 6)
    )
    result = run(date(2025, 8, 1), [episode], sessions("c", [date(2025, 7, 5), date(2025, 7, 7)]))
    assert statuses(result.sessions) == ["basic", "patient"]


def test_term_months_overrides_the_list_term() -> None:
    """§1.3 whiplash extended from 3 to 6 months."""
    episode = chronic("whiplash", prior_treatments=20, term_months=6)
    dates = [date(2025, 1, 6), date(2025, 5, 6), date(2025, 7, 6)]
    result = run(date(2025, 8, 1), [episode], sessions("c", dates))
    assert statuses(result.sessions) == ["basic", "basic", "patient"]


def test_a_condition_without_term_is_basic_years_later() -> None:
    """B4: a lifelong condition keeps basic cover."""
    episode = chronic("parkinson", prior_treatments=40, first_treatment_on=date(2014, 1, 6))
    result = run(date(2026, 6, 1), [episode], sessions("c", [date(2026, 5, 4)]))
    assert statuses(result.sessions) == ["basic"]
    assert result.quotas[0].period_end is None and result.quotas[0].limit is None


def test_after_the_term_the_supplementary_pays_then_the_patient_with_period_ended() -> None:
    """B5, decision 13: after the term the supplementary of that year, then the patient."""
    episode = chronic("radicular_motor", prior_treatments=20, first_treatment_on=date(2025, 1, 6))
    dates = [date(2025, 4, 7), date(2025, 4, 8), date(2025, 4, 9)]
    result = run(
        date(2025, 5, 1), [episode], sessions("c", dates), coverage=[Coverage(2025, treatments=1)]
    )
    assert statuses(result.sessions) == ["supplementary", "patient", "patient"]
    assert result.sessions[0].code == "009"  # after the term it is declared as non-chronic
    (ended,) = warnings(result, "period_ended")
    assert ended.session == "c-1" and ended.episode == "c"


def test_month_end_clamping_shortens_a_term_that_starts_on_the_31st() -> None:
    """relativedelta clamps 2025-08-31 + 6 months to 2026-02-28, the end (exclusive)."""
    episode = chronic("fracture_conservative", prior_treatments=20)
    dates = [date(2025, 8, 31), date(2026, 2, 27), date(2026, 2, 28)]
    result = run(date(2026, 3, 1), [episode], sessions("c", dates))
    assert statuses(result.sessions) == ["basic", "basic", "patient"]
    assert netherlands.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


def test_a_condition_off_the_list_is_refused() -> None:
    episode = chronic("tennis_elbow")
    with pytest.raises(UnknownCondition):
        run(date(2025, 3, 1), [episode], sessions("c", [date(2025, 2, 3)]))


def test_sessions_before_the_rule_tables_are_refused_not_guessed() -> None:
    with pytest.raises(RulesNotInForce):
        run(date(2011, 3, 1), [chronic()], sessions("c", [date(2011, 2, 3)]))


# -------------------------------------------------------------- decision 14: schemes, adult


def test_osteoarthritis_after_its_12_month_window_is_not_basic() -> None:
    """S-ART: start 2025-04-01 -> the 12 must fall before 2026-04-01."""
    dates = [date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1)]
    result = run(
        date(2026, 4, 1), [Episode("oa", "osteoarthritis", referral=GP)], sessions("oa", dates)
    )
    assert statuses(result.sessions) == ["basic", "basic", "patient"]
    assert result.sessions[2].rule == "NL.S-ART"
    assert warnings(result, "period_ended")


def test_osteoarthritis_entitlement_is_shared_even_with_prior_treatments() -> None:
    """S-ART: 10 prior treatments of the knee leave 2 for the hip."""
    knee = Episode(
        "knee",
        "osteoarthritis",
        prior_treatments=10,
        first_treatment_on=date(2025, 1, 6),
        referral=GP,
    )
    hip = Episode("hip", "osteoarthritis", referral=GP)
    result = run(date(2025, 6, 1), [knee, hip], sessions("hip", every(date(2025, 3, 3), 3)))
    assert statuses(result.sessions) == ["basic", "basic", "patient"]


def test_claudication_prior_treatments_count_toward_the_37() -> None:
    """S-GLT: 35 before the listed sessions leave 2."""
    episode = Episode(
        "glt",
        "claudication",
        prior_treatments=35,
        first_treatment_on=date(2025, 1, 6),
        referral=GP,
    )
    result = run(date(2025, 9, 1), [episode], sessions("glt", every(date(2025, 8, 4), 3)))
    assert statuses(result.sessions) == ["basic", "basic", "patient"]
    assert result.quotas[0].used == 38


def test_pelvic_floor_first_9_have_no_window() -> None:
    """S-BEK: the first 9, however long they take."""
    dates = every(date(2024, 1, 8), 10, days=60)
    result = run(
        date(2025, 12, 1), [Episode("p", "pelvic_floor", referral=GP)], sessions("p", dates)
    )
    assert statuses(result.sessions) == ["basic"] * 9 + ["patient"]
    assert result.quotas[0].period_end is None


def test_copd_class_a_gets_5_in_the_first_year_and_none_after() -> None:
    """S-COPD: A 5 / 0."""
    dates = [*every(date(2025, 1, 6), 6, days=30), date(2026, 1, 6)]
    episode = Episode("copd", "copd", gold_class="A", referral=GP)
    result = run(date(2026, 1, 6), [episode], sessions("copd", dates))
    assert statuses(result.sessions) == ["basic"] * 5 + ["patient"] * 2
    quota = result.quotas[0]
    assert (quota.period_start, quota.limit, quota.used) == (date(2026, 1, 6), 0, 1)
    assert warnings(result, "quota_exhausted")


def test_copd_from_2019_has_the_schemes_first_caps_with_b_not_yet_split() -> None:
    """S-COPD began on 2019-01-01 (A 5 / 0, B 27 / 3, C and D 70 / 52); B was split into B1
    and B2 on 2021-01-01, so a B2 patient's 2020 sessions count against the unsplit B's 27."""
    dates = every(date(2020, 1, 6), 30)  # weekly, all in 2020
    b2 = run(
        date(2020, 12, 31),
        [Episode("copd", "copd", gold_class="B2", referral=GP)],
        sessions("copd", dates),
    )
    assert statuses(b2.sessions) == ["basic"] * 27 + ["patient"] * 3
    assert (b2.quotas[0].limit, b2.quotas[0].used) == (27, 30)
    c = run(
        date(2019, 6, 30),
        [Episode("copd", "copd", gold_class="C", referral=GP)],
        sessions("copd", [date(2019, 3, 4)]),
    )
    assert statuses(c.sessions) == ["basic"]
    assert c.quotas[0].limit == 70


def test_a_copd_treatment_year_keeps_the_caps_of_its_first_day() -> None:
    """Decision 14: the cap is the treatment year's. A B2 year begun in 2020 (the unsplit B's
    27) keeps it after B2 got 70 on 2021-01-01, as its quota says."""
    dates = every(date(2020, 9, 7), 40)  # weekly into 2021
    episode = Episode("copd", "copd", gold_class="B2", referral=GP)
    result = run(date(2021, 6, 30), [episode], sessions("copd", dates))
    assert statuses(result.sessions) == ["basic"] * 27 + ["patient"] * 13
    quota = result.quotas[0]
    assert (quota.period_start, quota.limit, quota.used) == (date(2020, 9, 7), 27, 40)


def test_copd_before_the_scheme_of_2019_is_not_judged() -> None:
    """Before 2019 COPD was on the chronic list: the scheme's caps do not reach back."""
    with pytest.raises(RulesNotInForce) as raised:
        run(
            date(2018, 6, 30),
            [Episode("copd", "copd", gold_class="C", referral=GP)],
            sessions("copd", [date(2018, 3, 5)]),
        )
    assert raised.value.covered_from == date(2019, 1, 1)


def test_copd_without_a_gold_class_is_not_basic() -> None:
    result = run(
        date(2025, 3, 1),
        [Episode("copd", "copd", referral=GP)],
        sessions("copd", [date(2025, 2, 3)]),
    )
    assert statuses(result.sessions) == ["patient"]
    assert basis(result.sessions[0]).code == "nl.basic.copd_no_class"
    assert result.quotas == ()


def test_rheumatoid_arthritis_before_2025_is_treated_as_regular() -> None:
    """S-RA: no scheme before 2025-01-01; the supplementary pays."""
    episode = Episode("ra", "rheumatoid_arthritis", referral=GP)
    result = run(
        date(2025, 1, 31),
        [episode],
        sessions("ra", [date(2024, 12, 31), date(2025, 1, 2)]),
        coverage=[Coverage(2024, treatments=9)],
    )
    assert statuses(result.sessions) == ["supplementary", "basic"]
    assert result.sessions[1].rule == "NL.S-RA"


# ----------------------------------------------------------------- decision 15: children


def test_child_series_restarts_on_1_january() -> None:
    """K1: 9 per episode per calendar year."""
    dates = every(date(2025, 10, 6), 16)  # 13 in 2025, 3 in 2026
    result = run(date(2026, 1, 31), [Episode("r", "regular")], sessions("r", dates), born=CHILD)
    in_2025 = [o for o in result.sessions if o.date.year == 2025]
    in_2026 = [o for o in result.sessions if o.date.year == 2026]
    assert statuses(in_2025) == ["basic"] * 9 + ["patient"] * (len(in_2025) - 9)
    assert statuses(in_2026) == ["basic"] * len(in_2026)
    assert result.quotas[0].period_start == date(2026, 1, 1)


def test_child_in_a_scheme_category_gets_the_childrens_series() -> None:
    """K6: the adult schemes are for 18+."""
    result = run(
        date(2025, 12, 31),
        [Episode("p", "pelvic_floor", referral=GP)],
        sessions("p", every(date(2025, 1, 6), 10)),
        born=CHILD,
    )
    assert statuses(result.sessions) == ["basic"] * 9 + ["patient"]
    assert {o.rule for o in result.sessions} == {"NL.K1"}


def test_child_after_the_chronic_term_falls_back_to_the_childrens_series() -> None:
    """K2 within the term; after it K1 (interpretation) and period_ended."""
    episode = chronic("fracture_conservative")
    dates = [date(2025, 1, 6), date(2025, 7, 7), date(2025, 7, 8)]
    result = run(date(2025, 8, 1), [episode], sessions("c", dates), born=CHILD)
    assert [o.rule for o in result.sessions] == ["NL.K2", "NL.K1", "NL.K1"]
    assert statuses(result.sessions) == ["basic"] * 3
    assert warnings(result, "period_ended")


def test_children_pay_no_deductible() -> None:
    """K3."""
    result = run(date(2025, 3, 1), [chronic()], sessions("c", [date(2025, 2, 3)]), born=CHILD)
    assert deductibles(result.sessions) == [Decimal("0.00")]
    assert nl(result.sessions[0]).insurer == PRICE


# ---------------------------------------------------------------- decision 16: deductible


def test_deductible_is_used_up_in_date_order_across_episodes() -> None:
    """B8: one eigen risico per year, whatever the input order."""
    listed = [
        Session("late", date(2025, 3, 1), "b", price=Decimal("300.00")),
        Session("early", date(2025, 2, 1), "a", price=Decimal("300.00")),
    ]
    episodes = [
        Episode("a", "rheumatoid_arthritis", referral=GP),
        Episode("b", "rheumatoid_arthritis", referral=GP),
    ]
    result = run(date(2025, 3, 1), episodes, listed)
    assert [o.id for o in result.sessions] == ["early", "late"]
    assert deductibles(result.sessions) == [Decimal("300.00"), Decimal("85.00")]
    assert nl(result.sessions[1]).insurer == Decimal("215.00")


def test_deductible_remaining_overrides_the_statutory_amount() -> None:
    result = run(
        date(2025, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2025, 2, 3)]),
        deductible={2025: Decimal("10.00")},
    )
    assert deductibles(result.sessions) == [Decimal("10.00")]
    assert pool(result, "deductible") == (Decimal("10.00"), Decimal("10.00"), Decimal("0.00"))


def test_supplementary_sessions_never_touch_the_deductible() -> None:
    """A2."""
    result = run(
        date(2025, 3, 1),
        [Episode("r", "regular")],
        sessions("r", [date(2025, 2, 3)]),
        coverage=[Coverage(2025, treatments=9)],
    )
    assert pool(result, "deductible") == (Decimal("385.00"), Decimal("0.00"), Decimal("385.00"))


def test_unknown_deductible_year_gives_the_price_not_its_split_and_one_warning() -> None:
    """§1.2, contract v2: 2027 has no statutory amount yet: the status is decided, the split is
    not (never last year's figure), and one ``deductible_unknown`` names the year."""
    result = run(
        date(2027, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2027, 2, 1), date(2027, 2, 8)]),
    )
    assert statuses(result.sessions) == ["basic", "basic"]
    for outcome in result.sessions:
        assert outcome.amounts == NlAmounts(PRICE, insurer=None, deductible=None, patient=None)
    (warning,) = warnings(result, "deductible_unknown")
    assert (warning.severity, warning.session, warning.params) == ("info", "ra-1", {"year": 2027})
    assert [p.pool for p in result.pools] == ["supplementary"]


def test_an_unknown_deductible_year_is_named_even_when_its_first_session_has_no_price() -> None:
    """Contract v2: the year's deductible is unknown whatever the session costs; a session
    without a price (no amounts at all) names the year as one with a price would."""
    result = run(
        date(2027, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2027, 2, 1), date(2027, 2, 8)], price=None),
    )
    assert [o.amounts for o in result.sessions] == [None, None]
    (warning,) = warnings(result, "deductible_unknown")
    assert (warning.session, warning.params) == ("ra-1", {"year": 2027})


def test_the_deductible_pool_is_in_euros_throughout() -> None:
    """Contract: money is a string with two decimals. The deductible pool's ``elsewhere`` is
    euros as its limit and use are (none known from elsewhere), as a euro budget's is."""
    result = run(
        date(2025, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2025, 2, 3)]),
    )
    found = next(p for p in result.pools if p.pool == "deductible")
    assert [type(v) for v in (found.limit, found.used, found.elsewhere)] == [Decimal] * 3
    assert found.elsewhere == Decimal("0.00")


def test_a_known_deductible_year_gives_no_deductible_unknown() -> None:
    result = run(
        date(2026, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2026, 2, 1)]),
    )
    assert warnings(result, "deductible_unknown") == []
    assert nl(result.sessions[0]).deductible == PRICE


def test_a_given_deductible_makes_an_unknown_year_computable() -> None:
    result = run(
        date(2027, 3, 1),
        [Episode("ra", "rheumatoid_arthritis", referral=GP)],
        sessions("ra", [date(2027, 2, 1)]),
        deductible={2027: Decimal("460.00")},
    )
    assert deductibles(result.sessions) == [PRICE]


# ------------------------------------------------------------- decision 17: supplementary


def test_a_euro_budget_pays_up_to_what_is_left() -> None:
    """A1 with a budget: 100 euros over 40-euro sessions -> 40, 40, 20 + patient 20, then 0."""
    result = run(
        date(2025, 12, 31),
        [Episode("r", "regular")],
        sessions("r", every(date(2025, 1, 6), 4)),
        coverage=[Coverage(2025, budget=Decimal("100.00"))],
    )
    assert statuses(result.sessions) == ["supplementary"] * 3 + ["patient"]
    assert [nl(o).insurer for o in result.sessions] == [
        Decimal("40.00"),
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    assert pool(result, "supplementary") == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert warnings(result, "allowance_exhausted")


@pytest.mark.parametrize("basic_first", [True, False])
def test_a_basic_session_makes_a_second_session_that_day_the_patients(basic_first: bool) -> None:
    """A5, decision 17: at most one reimbursed session per day. Basic pays its session (not
    limited, below), so the allowance pays no other that day, whichever the input lists first."""
    listed = [
        Session("basic", date(2025, 5, 12), "ra", price=PRICE),
        Session("extra", date(2025, 5, 12), "r", price=PRICE),
    ]
    result = run(
        date(2025, 5, 12),
        [Episode("ra", "rheumatoid_arthritis", referral=GP), Episode("r", "regular")],
        listed if basic_first else listed[::-1],
        coverage=[Coverage(2025, treatments=9)],
    )
    assert {o.id: o.status for o in result.sessions} == {"basic": "basic", "extra": "patient"}
    assert pool(result, "supplementary") == (9, 0, 9)
    (warning,) = warnings(result, "second_session_same_day")
    assert warning.session == "extra"


def test_basic_insurance_itself_is_not_limited_to_one_session_a_day() -> None:
    """A5 limits the supplementary (interpretation): two basic sessions on one day are basic."""
    listed = [
        Session("one", date(2025, 5, 12), "a", price=PRICE),
        Session("two", date(2025, 5, 12), "b", price=PRICE),
    ]
    episodes = [
        Episode("a", "rheumatoid_arthritis", referral=GP),
        Episode("b", "rheumatoid_arthritis", referral=GP),
    ]
    result = run(date(2025, 5, 12), episodes, listed)
    assert statuses(result.sessions) == ["basic", "basic"]


def test_carry_over_is_capped_and_needs_a_counted_allowance_in_both_years() -> None:
    """A8 (interpretation): at most carry_over_max; none into a budget or a missing year."""
    regular = [Episode("r", "regular")]
    capped = run(
        date(2026, 1, 31),
        regular,
        [],
        coverage=[
            Coverage(2025, treatments=9, carry_over_max=5),
            Coverage(2026, treatments=3, carry_over_max=5),
        ],
    )
    assert pool(capped, "supplementary") == (8, 0, 8)
    into_budget = run(
        date(2026, 1, 31),
        regular,
        [],
        coverage=[
            Coverage(2025, treatments=9, carry_over_max=5),
            Coverage(2026, budget=Decimal("200.00")),
        ],
    )
    assert pool(into_budget, "supplementary") == (
        Decimal("200.00"),
        Decimal("0.00"),
        Decimal("200.00"),
    )


def test_package_cover_of_the_chronic_20_leaves_the_allowance_alone() -> None:
    """A3 (S03 interpretation): the chronic-20 cover is separate from the count."""
    result = run(
        date(2025, 3, 1),
        [chronic()],
        sessions("c", [date(2025, 2, 3)]),
        coverage=[Coverage(2025, treatments=6, pays_chronic_first_20=True)],
    )
    assert result.sessions[0].rule == "NL.A3"
    assert pool(result, "supplementary") == (6, 0, 6)


# ------------------------------------------------------------------ decision 18: turning 18


def test_age_is_judged_on_each_session_date() -> None:
    """K3, B2: the day before the 18th birthday is a child's session, the birthday an adult's."""
    born = date(2007, 6, 15)
    dates = [date(2025, 6, 14), date(2025, 6, 15)]
    result = run(date(2025, 7, 1), [Episode("r", "regular")], sessions("r", dates), born=born)
    assert [o.rule for o in result.sessions] == ["NL.K1", "NL.B1"]


def test_prior_treatments_of_an_episode_begun_as_a_child_do_not_count_toward_the_20() -> None:
    """Decision 18 (interpretation for undated priors)."""
    episode = chronic(prior_treatments=30, first_treatment_on=date(2020, 1, 6))
    result = run(
        date(2025, 3, 1), [episode], sessions("c", [date(2025, 2, 3)]), born=date(2005, 1, 1)
    )
    assert statuses(result.sessions) == ["patient"] and result.sessions[0].ordinal == 31


def test_age_transition_warns_only_in_the_year_of_the_18th_birthday() -> None:
    born = date(2007, 6, 15)
    listed = sessions("r", [date(2025, 2, 3), date(2026, 2, 2)])
    this_year = run(date(2025, 3, 1), [Episode("r", "regular")], listed, born=born)
    next_year = run(date(2026, 3, 1), [Episode("r", "regular")], listed, born=born)
    assert warnings(this_year, "age_transition") and not warnings(next_year, "age_transition")


# ------------------------------------------------------------------ sessions without a price


def test_a_session_without_price_has_a_status_but_no_amounts() -> None:
    """The price-less basic session makes the rest of that year's eigen risico unknown."""
    listed = [
        Session("a", date(2025, 2, 3), "ra", price=None),
        Session("b", date(2025, 2, 10), "ra", price=PRICE),
        Session("c", date(2026, 2, 2), "ra", price=PRICE),
    ]
    result = run(date(2025, 3, 1), [Episode("ra", "rheumatoid_arthritis", referral=GP)], listed)
    assert statuses(result.sessions) == ["basic"] * 3
    assert result.sessions[0].amounts is None
    # What is left of 2025's eigen risico is unknown: the price, not its split.
    assert result.sessions[1].amounts == NlAmounts(PRICE, None, None, None)
    assert nl(result.sessions[2]).deductible == PRICE
    assert warnings(result, "deductible_unknown") == []  # the table knows 2025
    assert result.sessions[0].reason.code == "nl.pay.basic_no_price"
    assert result.sessions[1].reason.code == "nl.pay.basic_deductible_unknown"
    assert result.sessions[1].reason.params["why"] == "earlier_without_price"
    assert [p.pool for p in result.pools] == ["supplementary"]


def test_a_session_without_price_still_uses_a_counted_allowance() -> None:
    result = run(
        date(2025, 3, 1),
        [Episode("r", "regular")],
        sessions("r", [date(2025, 2, 3)], price=None),
        coverage=[Coverage(2025, treatments=2)],
    )
    assert statuses(result.sessions) == ["supplementary"] and result.sessions[0].amounts is None
    assert pool(result, "supplementary") == (2, 1, 1)


# ------------------------------------------------------------------------------- warnings


@pytest.mark.parametrize(
    ("used", "expected"),
    [(5, []), (6, ["allowance_low"]), (8, ["allowance_low"]), (9, ["allowance_exhausted"])],
)
def test_allowance_low_at_1_to_3_left_and_exhausted_at_none(used: int, expected: list[str]) -> None:
    result = run(
        date(2025, 12, 31),
        [Episode("r", "regular")],
        sessions("r", every(date(2025, 1, 6), used)),
        coverage=[Coverage(2025, treatments=9)],
    )
    found = [w for w in result.warnings if w.code.startswith("allowance")]
    assert [w.code for w in found] == expected
    assert all(w.severity == "warning" for w in found)


def test_no_supplementary_cover_is_an_informational_allowance_exhausted() -> None:
    result = run(date(2025, 3, 1), [Episode("r", "regular")], [])
    (warning,) = warnings(result, "allowance_exhausted")
    assert warning.severity == "info"


@pytest.mark.parametrize(("done", "warned"), [(19, False), (20, True), (21, False)])
def test_basic_starts_when_the_next_treatment_is_the_21st(done: int, warned: bool) -> None:
    dates = every(date(2025, 1, 6), 22)
    as_of = dates[done - 1]
    result = run(as_of, [chronic()], sessions("c", dates))
    found = warnings(result, "basic_starts")
    assert bool(found) is warned
    if warned:
        assert found[0].session == "c-21"


@pytest.mark.parametrize(
    ("as_of", "warned"),
    [(date(2025, 8, 9), False), (date(2025, 8, 10), True), (date(2025, 9, 9), True)],
)
def test_period_ending_within_30_days_after_as_of(as_of: date, warned: bool) -> None:
    """W5: the term's last day 2025-09-09 falls within as_of .. as_of + 30 days."""
    episode = chronic("fracture_conservative")
    result = run(as_of, [episode], sessions("c", [date(2025, 3, 10)]))
    assert bool(warnings(result, "period_ending")) is warned


def test_period_ending_for_whiplash_mentions_the_extension() -> None:
    episode = chronic("whiplash")
    result = run(date(2025, 3, 30), [episode], sessions("c", [date(2025, 1, 6)]))
    (warning,) = warnings(result, "period_ending")
    assert warning.params["whiplash"] is True


@pytest.mark.parametrize(
    ("count", "code"), [(8, None), (9, "quota_low"), (11, "quota_low"), (12, "quota_exhausted")]
)
def test_quota_low_and_exhausted_for_a_scheme_cap(count: int, code: str | None) -> None:
    result = run(
        date(2025, 12, 31),
        [Episode("oa", "osteoarthritis", referral=GP)],
        sessions("oa", every(date(2025, 1, 6), count)),
    )
    found = [w.code for w in result.warnings if w.code.startswith("quota")]
    assert found == ([] if code is None else [code])


def test_quota_warnings_for_a_childs_series() -> None:
    result = run(
        date(2025, 12, 31),
        [Episode("r", "regular")],
        sessions("r", every(date(2025, 1, 6), 7)),
        born=CHILD,
    )
    (warning,) = warnings(result, "quota_low")
    assert warning.episode == "r"
    assert warning.params == {"counter": "child_series", "remaining": 2}


def test_referral_missing_for_chronic_and_scheme_episodes_only() -> None:
    episodes = [
        Episode("r", "regular"),
        Episode("c", "chronic", condition="cva"),
        Episode("oa", "osteoarthritis"),
    ]
    result = run(date(2025, 3, 1), episodes, [])
    assert [w.episode for w in warnings(result, "referral_missing")] == ["c", "oa"]


def test_second_session_same_day_names_the_session() -> None:
    listed = [
        Session("one", date(2025, 5, 12), "r", price=PRICE),
        Session("two", date(2025, 5, 12), "r", price=PRICE),
    ]
    result = run(
        date(2025, 5, 12),
        [Episode("r", "regular")],
        listed,
        coverage=[Coverage(2025, treatments=9)],
    )
    (warning,) = warnings(result, "second_session_same_day")
    assert (warning.session, warning.episode) == ("two", "r")
    assert result.sessions[1].rule == "NL.A5"


# ------------------------------------------------------------------- quotas and pools


def test_quota_reports_the_latest_period_begun_before_as_of() -> None:
    """A child's 2025 series is reported in 2026 when no 2026 session exists yet."""
    result = run(
        date(2026, 2, 1), [Episode("r", "regular")], sessions("r", [date(2025, 3, 3)]), born=CHILD
    )
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end, quota.used) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        1,
    )


def test_quota_of_an_episode_with_only_planned_sessions_reports_its_first_period() -> None:
    result = run(
        date(2025, 1, 1),
        [Episode("oa", "osteoarthritis", referral=GP)],
        sessions("oa", [date(2025, 2, 3)]),
    )
    (quota,) = result.quotas
    assert (quota.period_start, quota.used, quota.remaining) == (date(2025, 2, 3), 1, 11)


def test_used_includes_planned_sessions_and_remaining_is_never_negative() -> None:
    result = run(
        date(2025, 1, 6),
        [Episode("p", "pelvic_floor", referral=GP)],
        sessions("p", every(date(2025, 1, 6), 12)),
    )
    (quota,) = result.quotas
    assert (quota.limit, quota.used, quota.remaining) == (9, 12, 0)


def test_pools_cover_the_calendar_year_of_as_of() -> None:
    result = run(
        date(2025, 6, 30),
        [Episode("r", "regular")],
        sessions("r", [date(2024, 12, 2), date(2025, 1, 6)]),
        coverage=[Coverage(2024, treatments=9), Coverage(2025, treatments=12)],
    )
    for found in result.pools:
        assert (found.period_start, found.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert pool(result, "supplementary") == (12, 1, 11)


# ------------------------------------------------------------------ contract example


def _contract_case() -> Case:
    """Build the nl-chronic example input by hand (not through the JSON parser)."""
    return Case(
        country="NL",
        as_of=date(2025, 3, 20),
        patient=Patient(
            birth_date=date(1958, 2, 11),
            coverage=(Coverage(2025, "Example Zorg", "Aanvullend 2", treatments=0),),
            deductible_remaining={2025: Decimal("60.00")},
        ),
        episodes=(
            Episode(
                "cva",
                "chronic",
                condition="cva",
                prior_treatments=19,
                first_treatment_on=date(2024, 10, 1),
                referral=Referral(date(2024, 9, 20), "specialist"),
            ),
        ),
        sessions=tuple(
            Session(sid, day, "cva", price=Decimal("40.00"))
            for sid, day in (
                ("t20", date(2025, 3, 13)),
                ("t21", date(2025, 3, 17)),
                ("t22", date(2025, 3, 20)),
            )
        ),
    )


def _as_json(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | date):
        return str(value)
    raise TypeError(value)


def test_contract_example_nl_chronic() -> None:
    """Statuses, ordinals, codes, amounts, quotas, pools and warning codes exactly."""
    expected = json.loads((CONTRACT / "nl-chronic-output.json").read_text())
    result = netherlands.evaluate(_contract_case())
    assert str(result.as_of) == expected["as_of"] and result.country == expected["country"]
    for got, want in zip(result.sessions, expected["sessions"], strict=True):
        assert {
            "id": got.id,
            "date": str(got.date),
            "episode": got.episode,
            "status": got.status,
            "ordinal": got.ordinal,
            "code": got.code,
            "extra_codes": list(got.extra_codes),
            "amounts": got.amounts.as_dict() if got.amounts is not None else None,
        } == {k: v for k, v in want.items() if k not in ("rule", "explanation")}
        # Rule ids and wording are illustrative in the contract: compare loosely.
        assert got.rule.startswith("NL.")
        number = int(want["explanation"].split(":")[0].split()[1])
        assert basis(got).params["n"] == number
    quotas = [
        {
            "episode": q.episode,
            "counter": q.counter,
            "period_start": _as_json(q.period_start),
            "period_end": _as_json(q.period_end),
            "limit": q.limit,
            "used": q.used,
            "remaining": q.remaining,
        }
        for q in result.quotas
    ]
    assert quotas == expected["quotas"]
    pools = [
        {
            "pool": p.pool,
            "period_start": _as_json(p.period_start),
            "period_end": _as_json(p.period_end),
            "limit": _as_json(p.limit),
            "used": _as_json(p.used),
            "remaining": _as_json(p.remaining),
        }
        for p in result.pools
    ]
    assert pools == expected["pools"]
    assert [(w.code, w.severity, w.episode, w.session) for w in result.warnings] == [
        (w["code"], w["severity"], w["episode"], w["session"]) for w in expected["warnings"]
    ]


def test_basic_starts_for_a_begun_episode_without_listed_sessions() -> None:
    """W4: 20 done elsewhere, nothing listed yet -> the next treatment is the 21st."""
    episode = chronic(prior_treatments=20, first_treatment_on=date(2024, 5, 6))
    result = run(date(2025, 3, 1), [episode], [])
    (warning,) = warnings(result, "basic_starts")
    assert warning.episode == "c" and warning.session is None
    assert result.quotas[0].used == 20


@pytest.mark.parametrize(
    ("done", "born", "warned"),
    [(20, ADULT, True), (19, ADULT, False), (20, date(2010, 1, 1), False)],
)
def test_basic_starts_for_treatments_elsewhere_without_a_first_day(
    done: int, born: date, warned: bool
) -> None:
    """W4, decision 13: 20 done elsewhere on days not given, nothing listed: the next treatment
    is the 21st, and its term would run from it, so basic starts there (an adult's). No term
    is reported: it has no first day."""
    result = run(date(2025, 3, 1), [chronic(prior_treatments=done)], [], born=born)
    assert [w.episode for w in warnings(result, "basic_starts")] == (["c"] if warned else [])
    assert result.quotas == ()


def test_osteoarthritis_priors_of_an_episode_begun_after_the_window_do_not_count() -> None:
    """S-ART: the shared window runs from the first joint's first treatment."""
    knee = Episode("knee", "osteoarthritis", referral=GP)
    hip = Episode(
        "hip",
        "osteoarthritis",
        prior_treatments=5,
        first_treatment_on=date(2026, 3, 2),
        referral=GP,
    )
    result = run(date(2025, 3, 1), [knee, hip], sessions("knee", [date(2025, 2, 3)]))
    assert [q.used for q in result.quotas] == [1, 1]


def test_one_osteoarthritis_entitlement_for_all_episodes_as_decision_14_says() -> None:
    """Contract decision 14: all osteoarthritis episodes of the patient share one entitlement,
    so a hip begun after the knee's window has none (``renewed_by_new_episode`` is off)."""
    knee = Episode("knee", "osteoarthritis", referral=GP)
    hip = Episode("hip", "osteoarthritis", referral=GP)
    listed = [*sessions("knee", [date(2024, 1, 8)]), *sessions("hip", [date(2025, 3, 3)])]
    result = run(date(2025, 6, 30), [knee, hip], listed)
    assert statuses(result.sessions) == ["basic", "patient"]
    assert warnings(result, "period_ended")


@pytest.fixture
def renewed_by_new_episode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other reading, a setting of schemes.toml (update 2025-2026 §2.2, worked example 4)."""
    from reimburse.engine.nl import rules as nl_rules

    original = nl_rules.scheme

    def renewed(category: str, on: date) -> Any:
        found = original(category, on)
        return found and replace(found, renewed_by_new_episode=True)

    monkeypatch.setattr(nl_rules, "scheme", renewed)


@pytest.mark.usefixtures("renewed_by_new_episode")
def test_with_the_renewal_set_an_episode_begun_after_the_window_has_a_new_12() -> None:
    """A new indication after the year of the one before has a new entitlement of 12; the
    knee's own sessions after its window stay beyond it, an episode begun inside a window shares
    it, and a later episode's priors count in its own entitlement."""
    knee = Episode("knee", "osteoarthritis", referral=GP)
    hip = Episode("hip", "osteoarthritis", referral=GP)
    other = Episode("other", "osteoarthritis", referral=GP)
    listed = [
        *sessions("knee", every(date(2024, 1, 8), 12)),  # weekly: the 12 in 2024
        Session("knee-late", date(2025, 2, 3), "knee", price=PRICE),  # after its window
        *sessions("hip", every(date(2025, 3, 3), 13)),  # a new indication: a new 12
        *sessions("other", [date(2025, 6, 2)]),  # begun inside the hip's window: shares it
    ]
    result = run(date(2025, 6, 30), [hip, knee, other], listed)
    status = {o.id: o.status for o in result.sessions}
    assert [status[f"knee-{n}"] for n in range(1, 13)] == ["basic"] * 12
    assert status["knee-late"] == "patient"
    assert [status[f"hip-{n}"] for n in range(1, 14)] == ["basic"] * 12 + ["patient"]
    assert status["other-1"] == "patient"  # the 14th treatment of the hip's entitlement
    rows = [(q.episode, q.period_start, q.used) for q in result.quotas]
    assert rows == [  # in the episodes' order, not the entitlements'
        ("hip", date(2025, 3, 3), 14),
        ("knee", date(2024, 1, 8), 12),  # knee-late falls after its window
        ("other", date(2025, 3, 3), 14),
    ]
    later = Episode(
        "later", "osteoarthritis", prior_treatments=5, first_treatment_on=date(2026, 3, 2)
    )
    result = run(date(2025, 3, 1), [knee, later], sessions("knee", [date(2025, 2, 3)]))
    assert [(q.episode, q.period_start, q.used) for q in result.quotas] == [
        ("knee", date(2025, 2, 3), 1),
        ("later", date(2026, 3, 2), 5),
    ]


# ------------------------------------------------------ contract v2: allowance used elsewhere


def test_treatments_used_at_another_practice_come_off_the_allowance() -> None:
    """A1, contract v2: 9 treatments a year, 7 used elsewhere: 2 left here."""
    result = run(
        date(2025, 6, 30),
        [Episode("r", "regular")],
        sessions("r", every(date(2025, 3, 3), 3)),
        coverage=[Coverage(2025, treatments=9, used_elsewhere=7)],
    )
    assert statuses(result.sessions) == ["supplementary", "supplementary", "patient"]
    assert result.sessions[0].reason.params["n"] == 8  # treatment 8 of 9
    assert pool(result, "supplementary") == (9, 9, 0)
    supplementary = next(p for p in result.pools if p.pool == "supplementary")
    assert supplementary.elsewhere == 7


def test_euros_used_at_another_practice_come_off_a_budget() -> None:
    result = run(
        date(2025, 6, 30),
        [Episode("r", "regular")],
        sessions("r", every(date(2025, 3, 3), 2)),
        coverage=[Coverage(2025, budget=Decimal("100.00"), used_elsewhere=Decimal("70.00"))],
    )
    assert [nl(o).insurer for o in result.sessions] == [Decimal("30.00"), Decimal("0.00")]
    supplementary = next(p for p in result.pools if p.pool == "supplementary")
    assert (supplementary.used, supplementary.elsewhere) == (Decimal("100.00"), Decimal("70.00"))


def test_prior_treatments_show_as_elsewhere_in_the_chronic_quota() -> None:
    result = run(
        date(2025, 6, 30), [chronic(prior_treatments=12)], sessions("c", [date(2025, 3, 3)])
    )
    (quota,) = result.quotas
    assert (quota.used, quota.elsewhere) == (13, 12)


def test_basic_starts_is_not_told_when_the_next_treatment_falls_after_the_term() -> None:
    """W4, B5: 19 done elsewhere and one today; the next, after the 6-month term, is not basic.

    Found by the property test: a conservatively treated fracture has a 6-month term.
    """
    episode = chronic("fracture_conservative", prior_treatments=19)
    listed = [
        Session("s0", date(2024, 1, 1), "c", price=PRICE),
        Session("s1", date(2024, 7, 1), "c", price=PRICE),
    ]
    result = run(date(2024, 1, 1), [episode], listed)
    assert statuses(result.sessions) == ["patient", "patient"]
    assert warnings(result, "basic_starts") == []
