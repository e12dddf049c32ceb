"""The worked Dutch scenarios S01-S27 of ``docs/rules/netherlands-coverage.md`` §7.

Common assumptions of §7: every session costs EUR 40, the full eigen risico (EUR 385) is open
on 1 January, every therapist is contracted. Each test cites the rules it exercises; scenarios
that depend on insurer policy the contract does not decide document what the engine does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from reimburse.engine import nl as netherlands
from reimburse.engine.types import (
    Case,
    Coverage,
    Episode,
    NlAmounts,
    Patient,
    Referral,
    Result,
    Session,
    SessionOutcome,
)
from tests.engine.nl.builders import PRICE, basis, deductibles, every, nl, sessions, statuses

GP = Referral(date(2025, 1, 2), "gp")


# --------------------------------------------------------------------------------- builders


def mon_thu(start: date, count: int) -> list[date]:
    """Return ``count`` Mondays and Thursdays from ``start`` (a Monday or a Thursday)."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() in (0, 3):
            days.append(day)
        day += timedelta(days=1)
    return days


def run(
    as_of: date,
    born: date,
    episodes: Sequence[Episode],
    listed: Sequence[Session],
    coverage: Sequence[Coverage] = (),
    deductible: dict[int, Decimal] | None = None,
) -> Result:
    patient = Patient(born, coverage=tuple(coverage), deductible_remaining=deductible or {})
    return netherlands.evaluate(Case("NL", as_of, patient, tuple(episodes), tuple(listed)))


def of(result: Result, episode: str) -> list[SessionOutcome]:
    return [s for s in result.sessions if s.episode == episode]


def insurer(outcomes: Sequence[SessionOutcome]) -> list[Decimal]:
    return [nl(s).insurer for s in outcomes]


def codes(result: Result) -> set[str]:
    return {w.code for w in result.warnings}


def pool(result: Result, name: str) -> tuple[object, object, object]:
    found = next(p for p in result.pools if p.pool == name)
    return found.limit, found.used, found.remaining


def d(text: str) -> Decimal:
    return Decimal(text)


ER_FULL = [d("40.00")] * 9 + [d("25.00")]  # EUR 385 over EUR 40 sessions: 9 whole, then 25


# ------------------------------------------------------------------------------- scenarios


def test_s01_regular_adult_nine_from_supplementary_then_patient() -> None:
    """B1, A1, A2: non-list adult condition, 9/yr package, no eigen risico."""
    dates = [date(2025, 2, 3) + timedelta(days=n) for n in (0, 3, 7, 10, 14, 17, 21, 24)]
    dates += [date(2025, 3, 3), date(2025, 3, 6), date(2025, 3, 10), date(2025, 3, 13)]
    package = Coverage(2025, "Zilveren Kruis", "Aanvullend Handel 1 ster", treatments=9)
    result = run(
        date(2025, 3, 13),
        date(1980, 1, 1),
        [Episode("back", "regular")],
        sessions("back", dates),
        [package],
    )
    outcomes = of(result, "back")
    assert statuses(outcomes) == ["supplementary"] * 9 + ["patient"] * 3
    assert all(nl(o).deductible == 0 for o in outcomes)
    assert [nl(o).insurer for o in outcomes][8:] == [d("40.00"), 0, 0, 0]
    assert outcomes[0].code == "009" and outcomes[-1].code is None
    assert outcomes[9].rule == "NL.B1"
    assert "allowance_exhausted" in codes(result)


def test_s01_two_treatments_left_after_t7_warns_allowance_low() -> None:
    """W1 / A1: on 2025-02-24 (after T7) two of the 9 are left."""
    dates = [date(2025, 2, 3) + timedelta(days=n) for n in (0, 3, 7, 10, 14, 17, 21)]
    result = run(
        date(2025, 2, 24),
        date(1980, 1, 1),
        [Episode("back", "regular")],
        sessions("back", dates),
        [Coverage(2025, treatments=9)],
    )
    assert pool(result, "supplementary") == (9, 7, 2)
    assert "allowance_low" in codes(result)


def test_s02_cva_first_20_patient_then_basic_with_deductible() -> None:
    """B2, B8, B11, §1.2: 20 unpaid (CSI 008), then basic (CSI 001); T21-T29 9x40 ER, T30 25+15."""
    dates = mon_thu(date(2025, 1, 6), 30)
    assert dates[19] == date(2025, 3, 13) and dates[-1] == date(2025, 4, 17)
    episode = Episode(
        "cva", "chronic", condition="cva", referral=Referral(date(2024, 12, 20), "specialist")
    )
    result = run(date(2025, 4, 17), date(1955, 1, 1), [episode], sessions("cva", dates))
    outcomes = of(result, "cva")
    assert statuses(outcomes) == ["patient"] * 20 + ["basic"] * 10
    assert {o.code for o in outcomes[:20]} == {"008"} and {o.code for o in outcomes[20:]} == {"001"}
    assert deductibles(outcomes[20:]) == ER_FULL
    assert insurer(outcomes[20:]) == [0] * 9 + [d("15.00")]
    assert {o.rule for o in outcomes} == {"NL.B2"}
    assert pool(result, "deductible") == (d("385.00"), d("385.00"), d("0.00"))


def test_s02_basic_starts_is_announced_after_treatment_20() -> None:
    """W4: as of T20's day the next treatment is the 21st."""
    dates = mon_thu(date(2025, 1, 6), 30)
    episode = Episode("cva", "chronic", condition="cva", referral=GP)
    result = run(date(2025, 3, 13), date(1955, 1, 1), [episode], sessions("cva", dates))
    starts = [w for w in result.warnings if w.code == "basic_starts"]
    assert len(starts) == 1 and starts[0].session == "cva-21"


def test_s03_package_pays_chronic_first_20_then_basic_and_allowance_untouched() -> None:
    """A3, B2, B5, B8: Menzis Extra Aanvullend covers the first 20; T21-T26 basic, 6x40 ER."""
    dates = mon_thu(date(2025, 3, 10), 26)
    assert dates[19] == date(2025, 5, 15) and dates[-1] == date(2025, 6, 5)
    menzis = Coverage(2025, "Menzis", "Extra Aanvullend", treatments=6, pays_chronic_first_20=True)
    wrist = Episode(
        "wrist",
        "chronic",
        condition="fracture_conservative",
        referral=Referral(date(2025, 3, 5), "gp"),
    )
    result = run(date(2025, 8, 20), date(1991, 1, 1), [wrist], sessions("wrist", dates), [menzis])
    outcomes = of(result, "wrist")
    assert statuses(outcomes) == ["supplementary"] * 20 + ["basic"] * 6
    assert {o.rule for o in outcomes[:20]} == {"NL.A3"}
    assert {o.code for o in outcomes[:20]} == {"008"}
    assert deductibles(outcomes[20:]) == [d("40.00")] * 6
    # Interpretation (S03): the chronic-20 cover is separate from the regular 6 a year.
    assert pool(result, "supplementary") == (6, 0, 6)
    (quota,) = result.quotas
    assert quota.period_end == date(2025, 9, 9)  # 6 months from 2025-03-10, end exclusive
    assert "period_ending" in codes(result)  # W5: the term ends within 30 days of as_of


WHIPLASH_DATES = mon_thu(date(2024, 1, 22), 40)


def _whiplash(term_months: int | None) -> Result:
    episode = Episode("neck", "chronic", condition="whiplash", term_months=term_months, referral=GP)
    return run(
        date(2024, 6, 6),
        date(1996, 1, 1),
        [episode],
        sessions("neck", WHIPLASH_DATES),
        [Coverage(2024, "DSW", "20 per year", treatments=20)],
    )


def test_s04a_whiplash_term_ends_after_3_months_then_patient() -> None:
    """A3, B2, B5, §1.3: T1-T20 supplementary, T21-T26 basic (240 ER), T27-T40 patient."""
    assert WHIPLASH_DATES[19] == date(2024, 3, 28)
    assert WHIPLASH_DATES[25] == date(2024, 4, 18) and WHIPLASH_DATES[26] == date(2024, 4, 22)
    outcomes = of(_whiplash(None), "neck")
    assert statuses(outcomes) == ["supplementary"] * 20 + ["basic"] * 6 + ["patient"] * 14
    assert deductibles(outcomes[20:26]) == [d("40.00")] * 6
    assert {o.rule for o in outcomes[26:]} == {"NL.B5"}
    assert sum(nl(o).patient for o in outcomes[26:]) == 14 * PRICE
    assert "period_ended" in codes(_whiplash(None))


def test_s04b_whiplash_extended_to_6_months_stays_basic() -> None:
    """B2, B8, §1.3 (triad documented: term_months=6): T27-T29 ER 120, T30 25+15, rest insurer."""
    outcomes = of(_whiplash(6), "neck")
    assert statuses(outcomes) == ["supplementary"] * 20 + ["basic"] * 20
    assert deductibles(outcomes[20:30]) == ER_FULL
    assert insurer(outcomes[29:]) == [d("15.00")] + [PRICE] * 10


def test_s04_period_ending_warns_two_weeks_before_the_term_ends() -> None:
    """W5: as of 2024-04-08 the term ends on 2024-04-21."""
    episode = Episode("neck", "chronic", condition="whiplash", referral=GP)
    result = run(date(2024, 4, 8), date(1996, 1, 1), [episode], sessions("neck", WHIPLASH_DATES))
    ending = [w for w in result.warnings if w.code == "period_ending"]
    assert ending and ending[0].params["end"] == date(2024, 4, 21)


def test_s05_osteoarthritis_12_basic_then_supplementary() -> None:
    """S-ART, B11, A1: T1-T12 basic (CSI 012; ER 9x40 + 25), T13-T16 supplementary, 5 left."""
    dates = every(date(2025, 2, 10), 16)
    assert dates[11] == date(2025, 4, 28) and dates[-1] == date(2025, 5, 26)
    knee = Episode("knee", "osteoarthritis", referral=Referral(date(2025, 2, 1), "gp"))
    result = run(
        date(2025, 5, 26),
        date(1958, 1, 1),
        [knee],
        sessions("knee", dates),
        [Coverage(2025, "a.s.r.", "Doorgaan Basis", treatments=9)],
    )
    outcomes = of(result, "knee")
    assert statuses(outcomes) == ["basic"] * 12 + ["supplementary"] * 4
    assert {o.code for o in outcomes[:12]} == {"012"}
    assert deductibles(outcomes[:12]) == [*ER_FULL, d("0.00"), d("0.00")]
    assert insurer(outcomes[9:12]) == [d("15.00"), PRICE, PRICE]
    assert pool(result, "supplementary") == (9, 4, 5)
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end) == (date(2025, 2, 10), date(2026, 2, 9))
    assert (quota.limit, quota.used, quota.remaining) == (12, 16, 0)
    assert "quota_exhausted" in codes(result)  # W7


def test_s06_vgz_waiver_of_eigen_risico_is_insurer_policy_not_modelled() -> None:
    """S-ART, B8: the VGZ 2026 ER waiver is insurer policy; the contract charges the ER.

    A practice that knows the waiver applies can pass ``deductible_remaining`` for 2026, but
    that input covers all basic care of the year, so the engine does not infer it.
    """
    hip = Episode("hip", "osteoarthritis", referral=Referral(date(2026, 1, 5), "gp"))
    result = run(
        date(2026, 3, 30),
        date(1966, 1, 1),
        [hip],
        sessions("hip", every(date(2026, 1, 12), 12)),
        [Coverage(2026, "VGZ", "any")],
    )
    outcomes = of(result, "hip")
    assert statuses(outcomes) == ["basic"] * 12
    assert deductibles(outcomes)[:10] == ER_FULL


def test_s07_osteoarthritis_in_two_joints_shares_one_entitlement() -> None:
    """S-ART: knee T1-T8 + hip T1-T4 basic (12), hip T5-T6 patient; ER over the 12."""
    knee = Episode("knee", "osteoarthritis", referral=GP)
    hip = Episode("hip", "osteoarthritis", referral=GP)
    listed = sessions("knee", every(date(2025, 3, 3), 8)) + sessions(
        "hip", every(date(2025, 5, 5), 6)
    )
    assert listed[7].date == date(2025, 4, 21) and listed[-1].date == date(2025, 6, 9)
    result = run(date(2025, 6, 9), date(1953, 1, 1), [knee, hip], listed)
    assert statuses(of(result, "knee")) == ["basic"] * 8
    assert statuses(of(result, "hip")) == ["basic"] * 4 + ["patient"] * 2
    assert [o.ordinal for o in of(result, "hip")] == [1, 2, 3, 4, 5, 6]
    basic = [o for o in result.sessions if o.status == "basic"]
    assert deductibles(basic) == [*ER_FULL, d("0.00"), d("0.00")]
    assert [q.used for q in result.quotas] == [14, 14]  # one shared counter, shown per episode
    assert [str(w.code) for w in result.warnings].count("quota_exhausted") == 1


def test_s08_claudication_37_basic_then_package_covers_the_rest() -> None:
    """S-GLT, package table (Just Live: 4 more after the 37, expressed as an allowance)."""
    dates = every(date(2024, 3, 4), 40)
    assert dates[36] == date(2024, 11, 11) and dates[-1] == date(2024, 12, 2)
    legs = Episode("legs", "claudication", referral=Referral(date(2024, 2, 20), "specialist"))
    result = run(
        date(2024, 12, 2),
        date(1958, 1, 1),
        [legs],
        sessions("legs", dates),
        [Coverage(2024, "Just", "Live", treatments=4)],
    )
    outcomes = of(result, "legs")
    assert statuses(outcomes) == ["basic"] * 37 + ["supplementary"] * 3
    assert deductibles(outcomes[:10]) == ER_FULL
    assert insurer(outcomes[9:11]) == [d("15.00"), PRICE]
    (quota,) = result.quotas
    assert quota.period_end == date(2025, 3, 3) and quota.limit == 37


def test_s09_claudication_window_expires_before_37() -> None:
    """S-GLT, B9: T1-T27 basic, T28-T30 after the window -> patient; ER per calendar year."""
    dates = every(date(2024, 3, 4), 30, days=14)
    assert dates[26] == date(2025, 3, 3) and dates[27] == date(2025, 3, 17)
    assert dates[21] == date(2024, 12, 23)
    legs = Episode("legs", "claudication", referral=Referral(date(2024, 2, 20), "specialist"))
    result = run(date(2025, 4, 14), date(1950, 1, 1), [legs], sessions("legs", dates))
    outcomes = of(result, "legs")
    assert statuses(outcomes) == ["basic"] * 27 + ["patient"] * 3
    assert deductibles(outcomes[:10]) == ER_FULL
    assert deductibles(outcomes[10:22]) == [d("0.00")] * 12
    assert deductibles(outcomes[22:27]) == [d("40.00")] * 5  # EUR 200 of the 2025 ER
    assert pool(result, "deductible") == (d("385.00"), d("200.00"), d("185.00"))
    assert "period_ended" in codes(result)


def test_s10_fontaine_3_takes_the_chronic_route() -> None:
    """S-GLT, B2, B11: T1-T12 supplementary (008), T13-T20 patient (008), T21-T25 basic (001)."""
    pad = Episode("pad", "chronic", condition="pad_fontaine_3", referral=GP)
    result = run(
        date(2025, 12, 31),
        date(1956, 1, 1),
        [pad],
        sessions("pad", mon_thu(date(2025, 1, 6), 25)),
        [Coverage(2025, "VGZ", "Aanvullend (hypothetical)", treatments=12)],
    )
    outcomes = of(result, "pad")
    assert statuses(outcomes) == ["supplementary"] * 12 + ["patient"] * 8 + ["basic"] * 5
    assert [o.code for o in outcomes] == ["008"] * 20 + ["001"] * 5
    assert deductibles(outcomes[20:]) == [d("40.00")] * 5
    # Its term was not retrieved: treated as unlimited, and the explanation says so.
    assert basis(outcomes[20]).params["term_known"] is False


def test_s11_pelvic_floor_first_9_basic_then_supplementary() -> None:
    """S-BEK, A1: T1-T9 basic (ER 9x40 = 360), T10-T12 supplementary, 3 of 6 left."""
    pelvic = Episode("pelvic", "pelvic_floor", referral=Referral(date(2024, 4, 2), "gp"))
    result = run(
        date(2024, 6, 24),
        date(1972, 1, 1),
        [pelvic],
        sessions("pelvic", every(date(2024, 4, 8), 12)),
        [Coverage(2024, "ONVZ", "Bewuste Keuze Extra", treatments=6)],
    )
    outcomes = of(result, "pelvic")
    assert statuses(outcomes) == ["basic"] * 9 + ["supplementary"] * 3
    assert deductibles(outcomes[:9]) == [d("40.00")] * 9
    assert pool(result, "supplementary") == (6, 3, 3)
    assert {"quota_exhausted", "allowance_low"} <= codes(result)


def test_s11_new_incontinence_episode_in_2027_gets_9_again_without_known_eigen_risico() -> None:
    """S-BEK (DISAGREE -> per episode, interpretation); §1.2: no statutory ER known for 2027."""
    pelvic = Episode("again", "pelvic_floor", referral=GP)
    result = run(
        date(2027, 3, 1), date(1972, 1, 1), [pelvic], sessions("again", every(date(2027, 2, 1), 3))
    )
    outcomes = of(result, "again")
    assert statuses(outcomes) == ["basic"] * 3
    # The 2027 ER is politics, not law: the price is known, how it splits is not.
    assert [o.amounts for o in outcomes] == [NlAmounts(PRICE, None, None, None)] * 3
    assert [(w.code, w.params) for w in result.warnings if w.code == "deductible_unknown"] == [
        ("deductible_unknown", {"year": 2027})
    ]
    assert outcomes[0].reason.code == "nl.pay.basic_deductible_unknown"
    assert outcomes[0].reason.params == {
        "year": 2027,
        "why": "not_known",
        "basis": basis(outcomes[0]),
    }
    assert [p.pool for p in result.pools] == ["supplementary"]


def test_s12_copd_b1_year_one_cap_27_then_maintenance_3() -> None:
    """S-COPD, B9: T1-T27 basic (ER 9x40+25), T28-T30 patient; 2026-01-15 on: 3 basic."""
    dates = every(date(2025, 1, 15), 30)
    assert dates[26] == date(2025, 7, 16) and dates[-1] == date(2025, 8, 6)
    later = every(date(2026, 1, 21), 4)
    copd = Episode("copd", "copd", gold_class="B1", referral=GP)
    listed = sessions("copd", dates + later)
    result = run(date(2025, 8, 6), date(1962, 1, 1), [copd], listed)
    outcomes = of(result, "copd")
    assert statuses(outcomes) == ["basic"] * 27 + ["patient"] * 3 + ["basic"] * 3 + ["patient"]
    assert deductibles(outcomes[:10]) == ER_FULL
    assert deductibles(outcomes[30:33]) == [d("40.00")] * 3  # the 2026 eigen risico
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end, quota.limit) == (
        date(2025, 1, 15),
        date(2026, 1, 14),
        27,
    )
    assert "quota_exhausted" in codes(result)
    maintenance = run(date(2026, 2, 1), date(1962, 1, 1), [copd], listed).quotas[0]
    # Planned sessions count too: 4 listed in the maintenance year, 3 of them basic.
    assert (maintenance.period_start, maintenance.limit, maintenance.used) == (
        date(2026, 1, 15),
        3,
        4,
    )


def test_s13_copd_class_c_cap_is_not_reset_on_1_january_but_the_eigen_risico_is() -> None:
    """S-COPD, B9: 70 within 2024-09-02 .. 2025-09-01; ER per calendar year."""
    dates = mon_thu(date(2024, 9, 2), 80)
    copd = Episode("copd", "copd", gold_class="C", gold_stage=3, referral=GP)
    result = run(date(2025, 6, 30), date(1967, 1, 1), [copd], sessions("copd", dates))
    outcomes = of(result, "copd")
    assert statuses(outcomes) == ["basic"] * 70 + ["patient"] * 10
    first_2025 = next(n for n, o in enumerate(outcomes) if o.date.year == 2025)
    assert deductibles(outcomes[:10]) == ER_FULL
    assert deductibles(outcomes[first_2025 : first_2025 + 10]) == ER_FULL
    (quota,) = result.quotas
    assert (quota.period_start, quota.period_end, quota.limit, quota.used) == (
        date(2024, 9, 2),
        date(2025, 9, 1),
        70,
        80,
    )


def test_s14_copd_gold_stage_1_has_no_basic_cover() -> None:
    """S-COPD: stage 1 is not eligible; up to 9 from supplementary, then the patient."""
    copd = Episode("copd", "copd", gold_class="A", gold_stage=1, referral=GP)
    result = run(
        date(2025, 12, 31),
        date(1970, 1, 1),
        [copd],
        sessions("copd", every(date(2025, 1, 6), 11)),
        [Coverage(2025, "Salland", "Extra", treatments=9)],
    )
    outcomes = of(result, "copd")
    assert statuses(outcomes) == ["supplementary"] * 9 + ["patient"] * 2
    assert outcomes[-1].rule == "NL.S-COPD"


def test_s15_child_non_list_condition_with_extension_and_a_second_condition() -> None:
    """K1, K3: ankle T1-T14 basic (9 + extension), knee in October its own 9; no ER."""
    ankle = Episode("ankle", "regular", extension=True)
    knee = Episode("knee", "regular")
    listed = sessions("ankle", every(date(2025, 3, 3), 14)) + sessions(
        "knee", every(date(2025, 10, 6), 5)
    )
    assert listed[13].date == date(2025, 6, 2)
    result = run(date(2025, 11, 3), date(2015, 1, 1), [ankle, knee], listed)
    assert statuses(result.sessions) == ["basic"] * 19
    assert {o.code for o in result.sessions} == {"003"}
    assert {o.rule for o in result.sessions} == {"NL.K1"}
    assert all(nl(o).deductible == 0 for o in result.sessions)
    assert all(nl(o).insurer == PRICE for o in result.sessions)
    assert [(q.episode, q.limit, q.used) for q in result.quotas] == [
        ("ankle", 18, 14),
        ("knee", 9, 5),
    ]


def test_s15_child_without_extension_gets_9_then_parents_supplementary() -> None:
    """K1, K5: without a documented insufficient result, T10+ go to the supplementary."""
    ankle = Episode("ankle", "regular")
    result = run(
        date(2025, 6, 2),
        date(2015, 1, 1),
        [ankle],
        sessions("ankle", every(date(2025, 3, 3), 14)),
        [Coverage(2025, "Zilveren Kruis", "parents' package", treatments=3)],
    )
    assert statuses(result.sessions) == ["basic"] * 9 + ["supplementary"] * 3 + ["patient"] * 2


def test_s16_child_with_a_list_condition_is_basic_from_the_first_treatment() -> None:
    """K2, K3, K4: motor development delay, 40 sessions in 2025, all basic, no ER."""
    child = Episode(
        "motor",
        "chronic",
        condition="motor_development_delay",
        referral=Referral(date(2025, 1, 10), "specialist"),
    )
    result = run(
        date(2025, 12, 31),
        date(2019, 1, 1),
        [child],
        sessions("motor", mon_thu(date(2025, 1, 13), 40)),
    )
    assert statuses(result.sessions) == ["basic"] * 40
    assert {o.rule for o in result.sessions} == {"NL.K2"}
    assert all(nl(o).deductible == 0 for o in result.sessions)


def test_s16_age_bound_list_item_lapses_at_17_and_the_childrens_series_applies() -> None:
    """K1, §1.3 (only under 17; interpretation): from the 17th birthday 9 per year."""
    child = Episode("motor", "chronic", condition="motor_development_delay", referral=GP)
    born = date(2008, 6, 1)  # turns 17 on 2025-06-01
    result = run(date(2025, 12, 31), born, [child], sessions("motor", every(date(2025, 5, 5), 16)))
    outcomes = of(result, "motor")
    assert [o.rule for o in outcomes[:4]] == ["NL.K2"] * 4
    assert statuses(outcomes[4:]) == ["basic"] * 9 + ["patient"] * 3
    assert {o.rule for o in outcomes[4:]} == {"NL.K1"}


def test_s17_lifelong_condition_crossing_the_year_leaves_supplementary_for_the_shoulder() -> None:
    """B3, B4, B9, A1, A6: MS all basic with the 2025 ER; shoulder 10 of 32, 22 left."""
    ms = Episode(
        "ms",
        "chronic",
        condition="ms",
        prior_treatments=20,
        first_treatment_on=date(2024, 2, 6),
        referral=GP,
    )
    shoulder = Episode("shoulder", "regular")
    listed = sessions("ms", every(date(2025, 1, 7), 12)) + sessions(
        "shoulder", every(date(2025, 1, 10), 10)
    )
    assert listed[11].date == date(2025, 3, 25)
    result = run(
        date(2025, 3, 25),
        date(1975, 1, 1),
        [ms, shoulder],
        listed,
        [Coverage(2025, "Zilveren Kruis", "Aanvullend 4 sterren", treatments=32)],
    )
    ms_out = of(result, "ms")
    assert statuses(ms_out) == ["basic"] * 12
    assert [o.ordinal for o in ms_out][:2] == [21, 22]
    assert deductibles(ms_out[:10]) == ER_FULL
    assert statuses(of(result, "shoulder")) == ["supplementary"] * 10
    assert pool(result, "supplementary") == (32, 10, 22)


def test_s18_switching_insurer_does_not_restart_the_first_20() -> None:
    """B4, B9: Parkinson with 20 done at insurer A; at insurer B all 10 basic with 2025 ER."""
    parkinson = Episode(
        "pd",
        "chronic",
        condition="parkinson",
        prior_treatments=20,
        first_treatment_on=date(2024, 1, 8),
        referral=GP,
    )
    result = run(
        date(2025, 12, 31),
        date(1959, 1, 1),
        [parkinson],
        sessions("pd", every(date(2025, 2, 3), 10)),
    )
    assert statuses(result.sessions) == ["basic"] * 10
    assert deductibles(result.sessions) == ER_FULL


def test_s19_second_list_condition_starts_its_own_20_and_shares_the_eigen_risico() -> None:
    """B3, B5, B8: hip fracture T1-T20 patient, T21-T24 basic in its 6 months; one 2025 ER."""
    cva = Episode(
        "cva",
        "chronic",
        condition="cva",
        prior_treatments=20,
        first_treatment_on=date(2024, 1, 4),
        referral=GP,
    )
    hip = Episode(
        "hip",
        "chronic",
        condition="fracture_conservative",
        referral=Referral(date(2025, 6, 2), "gp"),
    )
    listed = sessions("cva", every(date(2025, 1, 7), 6)) + sessions(
        "hip", mon_thu(date(2025, 6, 5), 24)
    )
    result = run(date(2025, 9, 30), date(1954, 1, 1), [cva, hip], listed)
    assert deductibles(of(result, "cva")) == [d("40.00")] * 6
    hip_out = of(result, "hip")
    assert statuses(hip_out) == ["patient"] * 20 + ["basic"] * 4
    assert deductibles(hip_out[20:]) == [d("40.00")] * 3 + [d("25.00")]
    assert result.quotas[1].period_end == date(2025, 12, 4)


def test_s20_dry_needling_counts_as_an_ordinary_session() -> None:
    """D1, D5: sessions carry no technique, so every session is one session: 9 + 1 patient."""
    result = run(
        date(2025, 12, 31),
        date(1986, 1, 1),
        [Episode("neck", "regular")],
        sessions("neck", every(date(2025, 1, 6), 10)),
        [Coverage(2025, "Salland", "Extra", treatments=9)],
    )
    assert statuses(result.sessions) == ["supplementary"] * 9 + ["patient"]


def test_s21_manual_therapy_sub_limit_leaves_mt_10_to_12_to_the_patient() -> None:
    """A4, S21 (Salland Plus: 15, max 9 manual therapy): 12 MT then 3 regular in 2025.

    MT T1-T9 covered, MT T10-T12 the patient's (not paid as regular physio instead [I]),
    the 3 regular sessions covered: 12 of the 15 used.
    """
    plus = Coverage(2025, "Salland", "Plus", treatments=15, sub_limits={"manual_therapy": 9})
    days = every(date(2025, 1, 6), 15)
    listed = [
        Session(
            f"s{n}", day, "back", price=PRICE, kind="manual_therapy" if n <= 12 else "physiotherapy"
        )
        for n, day in enumerate(days, 1)
    ]
    result = run(date(2025, 12, 31), date(1981, 1, 1), [Episode("back", "regular")], listed, [plus])
    assert (
        statuses(result.sessions) == ["supplementary"] * 9 + ["patient"] * 3 + ["supplementary"] * 3
    )
    tenth = result.sessions[9]
    assert (tenth.rule, tenth.reason.code) == ("NL.A4", "nl.pay.sub_limit")
    assert tenth.reason.params["limit"] == 9 and tenth.reason.params["kind"] == "manual_therapy"
    assert nl(tenth).patient == PRICE and nl(tenth).insurer == 0
    (supplementary,) = [p for p in result.pools if p.pool == "supplementary"]
    assert supplementary.used == 12


def test_s21_without_a_sub_limit_manual_therapy_is_an_ordinary_session() -> None:
    card = Coverage(2025, "Any", "Nine", treatments=9)
    listed = sessions("back", every(date(2025, 1, 6), 10))
    listed = [replace(s, kind="manual_therapy") for s in listed]
    result = run(date(2025, 12, 31), date(1981, 1, 1), [Episode("back", "regular")], listed, [card])
    assert statuses(result.sessions) == ["supplementary"] * 9 + ["patient"]


def test_s22_carry_over_adds_last_years_unused_treatments() -> None:
    """A8: CZdirect Fysio 3+ (3/yr, carry <= 3): 1 used in 2025 -> 5 in 2026; T6 patient."""
    fysio3 = [
        Coverage(2025, "CZdirect", "Fysio 3+", treatments=3, carry_over_max=3),
        Coverage(2026, "CZdirect", "Fysio 3+", treatments=3, carry_over_max=3),
    ]
    listed = sessions("back", [date(2025, 5, 5), *every(date(2026, 2, 2), 6)])
    result = run(date(2026, 3, 9), date(1995, 1, 1), [Episode("back", "regular")], listed, fysio3)
    in_2026 = [o for o in result.sessions if o.date.year == 2026]
    assert statuses(in_2026) == ["supplementary"] * 5 + ["patient"]
    assert [o.rule for o in in_2026[3:5]] == ["NL.A8", "NL.A8"]
    assert pool(result, "supplementary") == (5, 5, 0)


def test_s23_non_contracted_reduction_is_not_modelled_the_price_is_paid() -> None:
    """A7 is insurer policy the contract does not decide (sessions carry no contract status).

    The engine pays a covered session at its price; a non-contracted maximum (ZK 2025:
    EUR 18.54) would need a per-session maximum the input cannot express.
    """
    result = run(
        date(2025, 12, 31),
        date(1990, 1, 1),
        [Episode("back", "regular")],
        sessions("back", every(date(2025, 1, 6), 6), price=d("45.00")),
        [Coverage(2025, "Zilveren Kruis", "Aanvullend", treatments=9)],
    )
    assert insurer(result.sessions) == [d("45.00")] * 6


def test_s24_second_session_on_one_day_is_for_the_patient() -> None:
    """A5 (decision 17): physio and exercise therapy on 2025-05-12 -> the second is not paid."""
    listed = [
        Session("physio", date(2025, 5, 12), "knee", price=PRICE),
        Session("cm", date(2025, 5, 12), "posture", price=PRICE),
    ]
    result = run(
        date(2025, 5, 12),
        date(1977, 1, 1),
        [Episode("knee", "regular"), Episode("posture", "regular")],
        listed,
        [Coverage(2025, "CZ", "package", treatments=9)],
    )
    assert statuses(result.sessions) == ["supplementary", "patient"]
    assert result.sessions[1].rule == "NL.A5"
    (warning,) = [w for w in result.warnings if w.code == "second_session_same_day"]
    assert warning.session == "cm"
    # DSW's per-care-type days need a care type per session: not expressible (documented).


def test_s25_rheumatoid_arthritis_basic_without_maximum_from_2025_not_before() -> None:
    """S-RA: 2025 all 60 basic with ER (interpretation); 2024 not a scheme -> like B1."""
    ra = Episode("ra", "rheumatoid_arthritis", referral=GP)
    listed = sessions("ra", mon_thu(date(2024, 1, 4), 30) + mon_thu(date(2025, 1, 6), 60))
    result = run(date(2025, 12, 31), date(1963, 1, 1), [ra], listed)
    outcomes = of(result, "ra")
    assert statuses(outcomes) == ["patient"] * 30 + ["basic"] * 60
    assert {o.rule for o in outcomes} == {"NL.S-RA"}
    assert deductibles(outcomes[30:40]) == ER_FULL
    (quota,) = result.quotas
    assert (quota.period_start, quota.limit, quota.used) == (date(2025, 1, 6), None, 60)


def test_s26_post_covid_scheme_is_closed_so_the_referral_is_a_regular_episode() -> None:
    """S-COVID ended for new starts on 2024-07-01 and is no category: it is ``regular`` (B1)."""
    result = run(
        date(2024, 12, 31),
        date(1983, 1, 1),
        [Episode("covid", "regular", referral=Referral(date(2024, 9, 10), "gp"))],
        sessions("covid", every(date(2024, 9, 16), 3)),
    )
    assert statuses(result.sessions) == ["patient"] * 3
    assert {o.rule for o in result.sessions} == {"NL.B1"}


def test_s27_turning_18_during_a_list_condition() -> None:
    """K2, K3, B2, decision 18: basic without ER until 2025-06-14; then a new adult first 20."""
    scoliosis = Episode("spine", "chronic", condition="progressive_scoliosis", referral=GP)
    dates = every(date(2024, 1, 8), 104)
    result = run(date(2025, 12, 29), date(2007, 6, 15), [scoliosis], sessions("spine", dates))
    outcomes = of(result, "spine")
    child = [o for o in outcomes if o.date < date(2025, 6, 15)]
    adult = [o for o in outcomes if o.date >= date(2025, 6, 15)]
    assert statuses(child) == ["basic"] * len(child)
    assert all(nl(o).deductible == 0 for o in child)
    assert statuses(adult) == ["patient"] * 20 + ["basic"] * (len(adult) - 20)
    assert adult[0].ordinal == len(child) + 1  # the ordinal runs on within the episode
    # Decision 18 (interpretation): the child's treatments do not count toward the 20.
    first = basis(adult[0])
    assert (first.code, first.params["n"], first.params["adult_n"]) == (
        "nl.basic.chronic_first",
        len(child) + 1,
        1,
    )
    assert deductibles(adult[20:]) == [d("40.00")] * (len(adult) - 20)
    assert "age_transition" in codes(result)  # W12: check with the insurer
