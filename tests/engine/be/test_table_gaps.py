"""What the Belgian tables lack is said, never guessed; convention status prices a session.

Contract v2: ``code_unknown`` (once per episode and code kind), ``tariff_unknown`` (once per
code and tariff period), session keys ``conventioned`` and ``price`` (update-2025-2026 §1.2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from reimburse.engine.be import tables
from reimburse.engine.types import BeAmounts, Result, Session
from tests.engine.be.builders import d, episode, every, of, run, rx, sessions


def gaps(result: Result, code: str) -> list[tuple[str | None, dict[str, object]]]:
    return [(w.session, dict(w.params)) for w in result.warnings if w.code == code]


def unpriced_day(code: str) -> date:
    """A Monday in 2026 on which the shipped table has no tariff for ``code``."""
    day = date(2026, 3, 2)
    assert tables.tariff_for(code, day) is None, "the table gained a 2026 tariff: pick a gap"
    return day


# ------------------------------------------------------------------------------ code_unknown


def test_fa_sessions_1_to_20_say_their_code_is_not_known_once_per_episode_and_kind() -> None:
    """FA6: the Fa 1–20 code numbers since the 2021 split are not in the sources."""
    fa = episode("fa", "fa", rx("2024-01-01"), notified_on="2024-01-01")
    result = run([fa], sessions("fa", every("2024-01-02", 22, 2)), "2024-03-01")
    outcomes = of(result, "fa")
    assert [o.code for o in outcomes[:20]] == [None] * 20
    assert all(o.amounts is None for o in outcomes[:20])
    assert outcomes[20].code == tables.code_for("fa", "best", "practice", outcomes[20].date)
    assert gaps(result, "code_unknown") == [
        (
            "fa-1",
            {"category": "fa", "tier": "1-20", "place": "practice", "date": d("2024-01-02")},
        )
    ]
    (warning,) = [w for w in result.warnings if w.code == "code_unknown"]
    assert warning.severity == "info" and warning.episode == "fa"


def test_e_sessions_at_home_and_at_the_practice_are_two_code_kinds() -> None:
    e = episode("e", "e", rx("2024-01-01"), agreement=("2024-01-01", None))
    listed = [
        Session("p1", d("2024-01-02"), "e"),
        Session("p2", d("2024-01-03"), "e"),
        Session("h1", d("2024-01-04"), "e", place="home"),
    ]
    result = run([e], listed, "2024-02-01")
    assert [(s, p["place"]) for s, p in gaps(result, "code_unknown")] == [
        ("p1", "practice"),
        ("h1", "home"),
    ]


def test_a_session_without_a_decided_tier_has_no_code_and_no_code_warning() -> None:
    """A 45-minute session: the rules decide no code for it (contract: null, no warning)."""
    back = episode("back", "courante", rx("2024-01-01"))
    result = run([back], sessions("back", every("2024-01-02", 1), minutes=45), "2024-02-01")
    assert result.sessions[0].code is None
    assert gaps(result, "code_unknown") == []


@pytest.mark.parametrize("minutes", [15, 20])
def test_a_short_session_says_its_code_is_not_known_once_per_length(minutes: int) -> None:
    """S4: 15- and 20-minute sessions have codes of their own (560033; the 20-minute ROB
    codes), not in the tables: null code and amounts, and one ``code_unknown`` per episode,
    tier, place and length, at the first such session; 30-minute sessions keep theirs."""
    back = episode("back", "courante", rx("2024-01-01"))
    short = sessions("back", every("2024-01-02", 12, 2), minutes=minutes)
    standard = [replace(s, minutes=30) if i % 2 else s for i, s in enumerate(short)]
    for listed in (short, standard):  # every session short (one price per run), and mixed
        result = run([back], listed, "2024-03-01")
        outcomes = of(result, "back")
        assert [o.code is None for o in outcomes] == [s.minutes == minutes for s in listed]
        assert all((o.amounts is None) == (o.code is None) for o in outcomes)
        # The first short session of each tier: sessions 1–9, then 10–18.
        firsts = [
            next(s for s in listed[tier] if s.minutes == minutes)
            for tier in (slice(0, 9), slice(9, 18))
        ]
        assert gaps(result, "code_unknown") == [
            (
                first.id,
                {
                    "category": "courante",
                    "tier": tier,
                    "place": "practice",
                    "minutes": minutes,
                    "date": first.date,
                },
            )
            for first, tier in zip(firsts, ("1-9", "10-18"), strict=True)
        ]


def test_short_sessions_of_two_lengths_are_two_code_kinds() -> None:
    back = episode("back", "courante", rx("2024-01-01"))
    listed = [
        Session("a", d("2024-01-02"), "back", minutes=15),
        Session("b", d("2024-01-03"), "back", minutes=20),
        Session("c", d("2024-01-04"), "back", minutes=15),
    ]
    result = run([back], listed, "2024-02-01")
    assert [(s, p["minutes"]) for s, p in gaps(result, "code_unknown")] == [("a", 15), ("b", 20)]


# ----------------------------------------------------------------------------- tariff_unknown


def test_a_code_without_a_tariff_on_its_date_has_null_amounts_and_one_warning() -> None:
    day = unpriced_day("560011")
    back = episode("back", "courante", rx("2026-01-05"))
    result = run([back], sessions("back", every(day.isoformat(), 12, 2)), "2026-04-01")
    outcomes = of(result, "back")
    assert [o.code for o in outcomes[9:]] == ["560011"] * 3
    assert all(o.amounts is None for o in outcomes)
    start, end = tables.tariff_gap("560011", day)
    found = gaps(result, "tariff_unknown")
    # One per code and period: 567011 (sessions 1–9) and 560011 (10–18), at their first use.
    assert [(s, p["code"]) for s, p in found] == [("back-1", "567011"), ("back-10", "560011")]
    assert found[1][1] == {"code": "560011", "date": outcomes[9].date, "start": start, "end": end}
    assert start is not None and start <= day and end is None


def test_the_tariff_gap_starts_where_the_last_known_tariff_ends() -> None:
    rows = [t for t in tables.TARIFFS if t.code == "567011"]
    last = max(rows, key=lambda t: t.valid_from)
    assert last.valid_until is not None
    assert tables.tariff_gap("567011", last.valid_until) == (last.valid_until, None)
    assert tables.tariff_for("567011", last.valid_until) is None


def test_a_priced_session_gives_no_tariff_warning() -> None:
    back = episode("back", "courante", rx("2024-01-01"))
    result = run([back], sessions("back", every("2024-01-02", 3)), "2024-02-01")
    assert gaps(result, "tariff_unknown") == [] and gaps(result, "code_unknown") == []
    assert result.sessions[0].amounts == BeAmounts(
        Decimal("30.00"), Decimal("23.75"), Decimal("6.25")
    )


def test_table_gap_warnings_are_the_same_without_outcomes() -> None:
    """Needs attention evaluates without outcomes: its warnings must not change."""
    from reimburse.engine.be import evaluate
    from reimburse.engine.types import Case, Patient

    fa = episode("fa", "fa", rx("2025-12-01"), notified_on="2025-12-01")
    case = Case(
        "BE",
        d("2026-02-01"),
        Patient(d("1970-01-01")),
        (fa,),
        tuple(sessions("fa", every("2025-12-02", 30, 3))),
    )
    full = evaluate(case)
    assert evaluate(case, outcomes=False) == replace(full, sessions=())


# ----------------------------------------------------------------- convention status (§1.2)


def priced(
    day: str, *, conventioned: bool, price: str | None, preferential: bool = False
) -> Result:
    back = episode("back", "courante", rx(day))
    session = Session(
        "s",
        d(day),
        "back",
        price=None if price is None else Decimal(price),
        conventioned=conventioned,
    )
    return run([back], [session], day, preferential=preferential)


def amounts(result: Result) -> BeAmounts:
    found = result.sessions[0].amounts
    assert isinstance(found, BeAmounts), result.sessions[0]
    return found


@pytest.mark.parametrize(
    ("day", "insurer", "patient"),
    [
        # 2024: the −25 % rule in force: 23.75 × 0.75 = 17.8125 → 17.81 (half up).
        ("2024-06-03", "17.81", "19.19"),
        # January 2025: no convention, no cut: the full 23.75 (update note §1.2 example 2).
        ("2025-01-20", "23.75", "13.25"),
    ],
    ids=["cut-in-2024", "no-cut-january-2025"],
)
def test_a_non_conventioned_session_is_priced_at_the_practice_price(
    day: str, insurer: str, patient: str
) -> None:
    found = amounts(priced(day, conventioned=False, price="37.00"))
    assert found == BeAmounts(Decimal("37.00"), Decimal(insurer), Decimal(patient))


def test_the_cut_is_in_force_again_from_may_2025() -> None:
    """BE-3: the −25 % applies again from 1 May 2025 (not 1 April)."""
    assert tables.convention_cut(d("2025-04-30")) is None
    assert tables.convention_cut(d("2025-05-01")) == Decimal("0.75")
    assert tables.convention_cut(d("2024-12-31")) == Decimal("0.75")
    assert tables.convention_cut(d("2025-01-01")) is None


def test_a_preferential_patient_keeps_the_full_reimbursement() -> None:
    found = amounts(priced("2024-06-03", conventioned=False, price="37.00", preferential=True))
    assert found == BeAmounts(Decimal("37.00"), Decimal("27.50"), Decimal("9.50"))


def test_without_a_price_the_fee_and_patient_share_are_unknown() -> None:
    found = amounts(priced("2024-06-03", conventioned=False, price=None))
    assert (found.fee, found.insurer, found.patient) == (None, Decimal("17.81"), None)


def test_a_conventioned_session_ignores_the_price() -> None:
    found = amounts(priced("2024-06-03", conventioned=True, price="37.00"))
    assert found == BeAmounts(Decimal("30.00"), Decimal("23.75"), Decimal("6.25"))
