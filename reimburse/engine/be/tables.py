"""Dated tables of the Belgian kinesitherapy rules: parameters, codes, tariffs, patient shares.

Every entry holds on the half-open interval ``[valid_from, valid_until)``; ``valid_until=None``
means "still in force". Every entry cites its source with the rule ids and source
abbreviations of ``shared/domain/belgium-riziv.md``. ``[I]`` marks an interpretation, ``[OPEN]``
a value the sources do not give: the table then says ``None`` and the engine reports "unknown"
rather than guess.

Next year's tariffs are a new row here (and a test), not a code change. ``SINCE_EVER`` stands
for "before the earliest date the sources speak of".

Tariff periods (a product decision, see the module test): the CM 2024 table holds from
2024-01-01 until the linear indexation of 2.68 % on 2025-02-01 (M25). The 2025 amounts are only
*derived* in the domain note (2024 x 1.0268), not sourced, so from 2025-02-01 no tariff is in
force and session amounts are ``None`` until the official RIZIV table is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Protocol

from reimburse.engine.dated import Dated, gap_around, in_force, index
from reimburse.engine.errors import RulesNotInForce

SINCE_EVER = date.min

# The day the 2025 linear indexation (+2.68 %) took effect: the 2024 tariffs end here (M25).
INDEXATION_2025 = date(2025, 2, 1)


class Sourced(Dated, Protocol):
    """A dated entry that cites its source."""

    @property
    def source(self) -> str: ...


# ------------------------------------------------------------------------------ rule parameters


@dataclass(frozen=True)
class Parameter:
    """A numeric rule parameter; ``value=None`` means "no limit"."""

    name: str
    value: int | None
    valid_from: date
    valid_until: date | None
    source: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("courante_best_rate", 18, SINCE_EVER, None, "C1 — CM-C; KNWV; CM-PAT"),
    Parameter("courante_situations", 3, SINCE_EVER, None, "C6, C9 — KNWV; CM-PAT"),
    Parameter(
        "overflow_pool",
        None,
        SINCE_EVER,
        date(2021, 8, 1),
        "C5 — CM-C: overflow sessions attested up to 31 July 2021 are unlimited",
    ),
    Parameter("overflow_pool", 54, date(2021, 8, 1), None, "C5 — CM-C: max 54 per calendar year"),
    Parameter("fa_best_rate", 60, SINCE_EVER, None, "FA1 — RIZIV-F; CM-FA"),
    Parameter("fa_best_rate_polytrauma", 120, SINCE_EVER, None, "FA2 — CM-FA (fa-16)"),
    Parameter("fa_period_years", 1, SINCE_EVER, None, "FA1 — RIZIV-F; CM-FA (365 or 366 days)"),
    Parameter("fb_best_rate", 60, SINCE_EVER, None, "FB2 — RIZIV-F; CM-PAT (per year)"),
    Parameter("fb_first_reduced", 20, SINCE_EVER, None, "FB3 — RIZIV-F; CM-FB (61st–80th)"),
    Parameter(
        "fb_period_following_years", 2, SINCE_EVER, None, "FB1 — RIZIV-F; CM-FB (31 Dec, year+2)"
    ),
    Parameter("perinatal_sessions", 9, SINCE_EVER, None, "PN1 — CM-PN; KNWV; CM-PNT"),
    Parameter("prescription_start_months", 2, SINCE_EVER, None, "P6 — CM-VS; KNWV; Partenamut; MC"),
)


_PARAMETERS_BY_NAME = index(PARAMETERS, lambda p: p.name)


class MissingParameter(RulesNotInForce):
    """A rule parameter has no entry in force on the asked date (a gap in the table)."""


# The lookups below are pure functions of (key, day) over constant tables; the engine asks
# them once or more per session, so they are cached (a few thousand distinct days at most).


@cache
def parameter_entry(name: str, day: date) -> Parameter:
    """Return the entry of parameter ``name`` in force on ``day``."""
    entry = in_force(_PARAMETERS_BY_NAME.get(name, ()), day)
    if entry is None:
        raise MissingParameter(day, f"value of the rule parameter {name!r}")
    return entry


@cache
def parameter(name: str, day: date) -> int | None:
    """Return the value of parameter ``name`` in force on ``day`` (``None`` = no limit)."""
    return parameter_entry(name, day).value


@cache
def limit(name: str, day: date) -> int:
    """Return a parameter that is always a number (a count, never "no limit")."""
    value = parameter(name, day)
    if value is None:
        raise MissingParameter(day, f"numeric value of the rule parameter {name!r}")
    return value


# --------------------------------------------------------------------------- nomenclature codes

# Tiers: courante "1-9", "10-18", "overflow", "intake"; fa "1-20", "best" (21st–60th/120th),
# "reduced"; fb "best" (1–60), "61-80", "81+"; e, perinatal, palliative "session" and "second"
# (the second session of a day). The codes are those of a standard (30-minute) session.

JUNE_2021 = date(2021, 6, 1)  # first-session supplement folded into the fees; intake 567033


@dataclass(frozen=True)
class NomenclatureCode:
    """The code attested for a category, tier and place; ``code=None`` = not in the sources."""

    category: str
    tier: str
    place: str
    code: str | None
    valid_from: date
    valid_until: date | None
    source: str


def _code(
    category: str,
    tier: str,
    place: str,
    code: str | None,
    source: str,
    valid_from: date = SINCE_EVER,
    valid_until: date | None = None,
) -> NomenclatureCode:
    return NomenclatureCode(category, tier, place, code, valid_from, valid_until, source)


_C = "CM-C; domain note §4"
_C19 = (
    "CM-C; CM-BILL: the first-session supplement 562671 was folded into the fees on "
    "2021-06-01; the earlier attestation of sessions 1–9 is not in the sources [OPEN]"
)
_FA_SPLIT = "FA6 — CM-BILL: separate Fa 1–20 codes since 2021-06-01, numbers not found [OPEN]"

CODES: tuple[NomenclatureCode, ...] = (
    # Courante (C2): sessions 1–9 and 10–18 have their own codes; 19+ are overflow (C4).
    _code("courante", "1-9", "practice", None, _C19, SINCE_EVER, JUNE_2021),
    _code("courante", "1-9", "practice", "567011", f"{_C19}; CM-T2024", JUNE_2021),
    _code("courante", "1-9", "home", None, "CM-C lists 1–9 codes without places [OPEN]"),
    _code("courante", "10-18", "practice", "560011", f"{_C}; CM-T2024"),
    _code("courante", "10-18", "home", "560313", f"{_C} (home list)"),
    _code("courante", "overflow", "practice", "560055", f"C4 — {_C}; CM-T2024"),
    _code("courante", "overflow", "home", "560350", f"C4 — {_C} (home list)"),
    # Intake (S7): replaced the pseudo-code 639855 on 2021-06-01; before, no billable code.
    *(
        _code("courante", "intake", place, "567033", "S7 — CM-BILL; CM-C", JUNE_2021)
        for place in ("practice", "home")
    ),
    # Fa (FA1, FA3, FA6).
    _code(
        "fa", "1-20", "practice", "563010", "CM-FA (1–60 before the split)", valid_until=JUNE_2021
    ),
    _code("fa", "1-20", "practice", None, _FA_SPLIT, JUNE_2021),
    _code("fa", "1-20", "home", "563312", "CM-FA (1–60 before the split)", valid_until=JUNE_2021),
    _code("fa", "1-20", "home", None, _FA_SPLIT, JUNE_2021),
    _code("fa", "best", "practice", "563010", "FA6 — CM-FA; CM-BILL (21st–60th)"),
    _code("fa", "best", "home", "563312", "FA6 — CM-FA (home)"),
    _code("fa", "reduced", "practice", "563054", "FA3 — CM-FA"),
    _code("fa", "reduced", "home", "563356", "FA3 — CM-FA (home)"),
    # Fb (FB2, FB3).
    _code("fb", "best", "practice", "563614", "FB2 — CM-FB"),
    _code("fb", "best", "home", "563916", "FB2 — CM-FB (home)"),
    _code("fb", "61-80", "practice", "564270", "FB3 — CM-FB"),
    _code("fb", "61-80", "home", "564336", "FB3 — CM-FB (home)"),
    _code("fb", "81+", "practice", "563651", "FB3 — CM-FB"),
    _code("fb", "81+", "home", "563953", "FB3 — CM-FB (home)"),
    # E: only hospital and care-home codes are in the sources (domain note §4).
    *(
        _code("e", tier, place, None, "E — practice/home E codes not found [OPEN]")
        for tier in ("session", "second")
        for place in ("practice", "home")
    ),
    # Perinatal (PN1).
    _code("perinatal", "session", "practice", "561595", "CM-PNT"),
    _code("perinatal", "session", "home", "561654", "CM-PNT"),
    # Palliative patient at home (PAL1): one code pair for the category, no place split [I].
    *(
        _code("palliative", tier, place, code, "PAL1 — allesoverkanker; RIZIV-RG")
        for tier, code in (("session", "564211"), ("second", "564233"))
        for place in ("practice", "home")
    ),
)


_CODES_BY_KEY = index(CODES, lambda c: (c.category, c.tier, c.place))


@cache
def code_for(category: str, tier: str, place: str, day: date) -> str | None:
    """Return the code of a standard session on ``day``, or ``None`` when the sources lack it."""
    entry = in_force(_CODES_BY_KEY.get((category, tier, place), ()), day)
    return None if entry is None else entry.code


# -------------------------------------------------------------------------------- patient shares


@dataclass(frozen=True)
class PatientShare:
    """The fixed patient share (remgeld) of a kind of session, for regular and BIM patients."""

    kind: str  # "e", "f" (Fa and Fb), "other", "short" (15/20 min), "palliative"
    regular: Decimal
    preferential: Decimal
    valid_from: date
    valid_until: date | None
    source: str


_RG = "§5.1 — RIZIV-RG; MC-FR; enmarche.be (fixed since 1 Sep 2019)"
FIXED_SHARES_START = date(2019, 9, 1)

PATIENT_SHARES: tuple[PatientShare, ...] = (
    PatientShare("e", Decimal("4.00"), Decimal("1.50"), FIXED_SHARES_START, None, f"E6 {_RG}"),
    PatientShare("f", Decimal("5.50"), Decimal("2.00"), FIXED_SHARES_START, None, _RG),
    PatientShare("other", Decimal("6.25"), Decimal("2.50"), FIXED_SHARES_START, None, _RG),
    PatientShare("short", Decimal("2.00"), Decimal("1.00"), FIXED_SHARES_START, None, _RG),
    PatientShare(
        "palliative", Decimal("0.00"), Decimal("0.00"), FIXED_SHARES_START, None, f"PAL1 {_RG}"
    ),
)

_SHARES_BY_KIND = index(PATIENT_SHARES, lambda s: s.kind)
SHORT_SESSION_MINUTES = (15, 20)


def share_kind(category: str, minutes: int) -> str:
    """Return which fixed patient share applies to a session (domain note §5.1)."""
    if category == "palliative":
        return "palliative"
    if minutes in SHORT_SESSION_MINUTES:
        return "short"
    if category == "e":
        return "e"
    if category in ("fa", "fb"):
        return "f"
    return "other"


@cache
def patient_share(kind: str, day: date, *, preferential: bool) -> Decimal | None:
    """Return the fixed patient share in force on ``day``, or ``None`` before 2019-09-01."""
    entry = in_force(_SHARES_BY_KIND.get(kind, ()), day)
    if entry is None:
        return None
    return entry.preferential if preferential else entry.regular


# ---------------------------------------------------------------------------------------- tariffs


@dataclass(frozen=True)
class Tariff:
    """Fee and insurer amounts of a code (conventioned kine).

    ``insurer=None`` means the source gives only the fee: the insurer pays the fee minus the
    fixed patient share of the session (RIZIV-RG: reimbursement = fee − remgeld [I]).
    """

    code: str
    fee: Decimal
    insurer: Decimal | None
    insurer_preferential: Decimal | None
    valid_from: date
    valid_until: date | None
    source: str


_T2024 = "CM-T2024 (from 1 Jan 2024, conventioned kine; ends at the 2025 indexation, M25)"
_PNT = "CM-PNT (from 1 Jan 2022; no later change sourced before the 2025 indexation, M25)"
YEAR_2024 = date(2024, 1, 1)
YEAR_2022 = date(2022, 1, 1)


def _tariff(
    code: str,
    fee: str,
    insurer: str | None,
    insurer_preferential: str | None,
    valid_from: date,
    source: str,
) -> Tariff:
    return Tariff(
        code=code,
        fee=Decimal(fee),
        insurer=None if insurer is None else Decimal(insurer),
        insurer_preferential=None
        if insurer_preferential is None
        else Decimal(insurer_preferential),
        valid_from=valid_from,
        valid_until=INDEXATION_2025,
        source=source,
    )


TARIFFS: tuple[Tariff, ...] = (
    _tariff("567011", "30.00", "23.75", "27.50", YEAR_2024, f"SC24 — {_T2024}"),
    _tariff("560011", "30.00", "23.75", "27.50", YEAR_2024, _T2024),
    # Overflow: a small fixed reimbursement; a conventioned kine may charge the 560011 fee.
    _tariff("560055", "30.00", "4.58", "8.33", YEAR_2024, f"C4 — {_T2024}"),
    # Home 30-minute session 33.00 (S6); insurer = fee − fixed share [I].
    _tariff("560313", "33.00", None, None, YEAR_2024, f"S6 — {_T2024}; insurer derived [I]"),
    _tariff("561595", "25.00", "18.75", "22.50", YEAR_2022, _PNT),
    _tariff("561654", "26.37", "20.12", "23.87", YEAR_2022, _PNT),
)


_TARIFFS_BY_CODE = index(TARIFFS, lambda t: t.code)


@cache
def tariff_for(code: str, day: date) -> Tariff | None:
    """Return the tariff of ``code`` in force on ``day``, or ``None`` when unknown."""
    return in_force(_TARIFFS_BY_CODE.get(code, ()), day)


# The standard 30-minute courante session at the practice (sessions 1–9): the code a practice
# bills most, so the one whose missing tariff the practice is told about first.
STANDARD_SESSION_CODE = "567011"


def tariff_gap(code: str, day: date) -> tuple[date | None, date | None]:
    """Return the period ``[start, end)`` around ``day`` in which ``code`` has no tariff."""
    return gap_around(_TARIFFS_BY_CODE.get(code, ()), day)


# ------------------------------------------------------------------ convention status (v2, §1.2)


@dataclass(frozen=True)
class ConventionCut:
    """Whether the insurer pays a non-conventioned kine's patients less, and by how much.

    ``share`` is the part of the official reimbursement the insurer pays to a patient without
    preferential status when the physiotherapist does not adhere to the convention in force;
    ``None`` means no cut is in force in that period.
    """

    share: Decimal | None
    valid_from: date
    valid_until: date | None
    source: str


_CUT_2024 = (
    "CONV-2024 — update-2025-2026 §1.2: convention M24 (adherence 66.11 %), the −25 % rule in "
    "force; https://www.rtl.be/actu/magazine/sante/nouvelle-convention-sur-les-tarifs-chez-les-"
    "medecins-kines-dentistes-logopedes/2024-03-11/article/646947"
)
_CUT_NONE_2025 = (
    "CONV-2025-Q1 — update-2025-2026 §1.2, BE-1, BE-3: no convention from 2025-01-01, the −25 % "
    "measure suspended until M/25 reached its quorum; RTL 2024-11-28; https://k-motion.be/info/"
)
_CUT_M25 = (
    "CONV-M25 — update-2025-2026 §1.2, BE-3: 64.3 % adhered to M/25, the −25 % applies again "
    "from 1 May 2025; https://www.axxon.be/fr/nouvelles/668-m25-le-taux-de-conventionnement-"
    "est-connu/ ; https://www.helan.be/fr/magazine/actualites/convention-des-kines"
)
# Before 2024 the sources give no period for the rule: the table starts in 2024 and a
# non-conventioned session before it is priced without a cut [I] (its tariffs are older than
# the product's tables anyway).
CONVENTION_CUTS: tuple[ConventionCut, ...] = (
    ConventionCut(Decimal("0.75"), date(2024, 1, 1), date(2025, 1, 1), _CUT_2024),
    ConventionCut(None, date(2025, 1, 1), date(2025, 5, 1), _CUT_NONE_2025),
    ConventionCut(Decimal("0.75"), date(2025, 5, 1), None, _CUT_M25),
)


@cache
def convention_cut(day: date) -> Decimal | None:
    """Return the share of the reimbursement a non-conventioned kine's patient gets on ``day``.

    ``None``: no cut in force, the patient gets the full official reimbursement.
    """
    entry = in_force(CONVENTION_CUTS, day)
    return None if entry is None else entry.share
