"""Dated tables of the Belgian kinesitherapy rules: parameters, codes, tariffs, patient shares.

The figures are data, one file a table in ``data/`` (``parameters.toml``, ``codes.toml``,
``patient_shares.toml``, ``tariffs.csv``; ``sources.toml`` holds the abbreviations they cite),
read once at import and checked by :mod:`reimburse.engine.datafile`: a wrong file stops the
program with an error naming the file, the line and the row. Next year's tariffs are a new row
in ``tariffs.csv`` (and a test), not a code change: see the README, "Adding next year's tariffs".

Every entry holds on the half-open interval ``[valid_from, valid_until)``; ``valid_until=None``
means "still in force". Rule ids and abbreviations are those of ``docs/rules/belgium-riziv.md``.
A value the sources do not give is ``None`` here, and its row says where to look
(:func:`tariff_row`, :func:`code_row`): the engine reports "unknown" rather than guess.
``SINCE_EVER`` stands for "before the earliest date the sources speak of".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple, Protocol

from reimburse.engine import datafile
from reimburse.engine.datafile import Period, Row, TableError
from reimburse.engine.dated import Dated, gap_around, holds_on, in_force, index
from reimburse.engine.errors import RulesNotInForce
from reimburse.engine.types import Tariff

DATA = Path(__file__).resolve().parent / "data"
SINCE_EVER = date.min


class Sourced(Dated, Protocol):
    """A dated entry that cites its source."""

    @property
    def source(self) -> str: ...


def _cited(row: Row, sources: Mapping[str, str]) -> str:
    """Return ``rule — sources — note`` of a row, the abbreviations replaced by addresses."""
    parts = [row.text("rule"), datafile.source(row, sources), row.text("note")]
    return " — ".join(p for p in parts if p)


# ------------------------------------------------------------------------------ rule parameters


@dataclass(frozen=True)
class Parameter:
    """A numeric rule parameter; ``value=None`` means "no limit"."""

    name: str
    value: int | None
    valid_from: date
    valid_until: date | None
    source: str


def read_parameters(text: str, name: str, sources: Mapping[str, str]) -> tuple[Parameter, ...]:
    """Read ``parameters.toml``: every parameter answers for every day."""
    rows = datafile.read_toml(text, name, "parameter", lambda f: str(f.get("name", "")))
    entries = []
    for row in rows:
        value = row.get("value")
        if value == "unlimited":
            value = None
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise row.error(f"value {value!r} must be a whole number or 'unlimited'")
        start, end = datafile.period(row)
        entries.append(
            Parameter(row.text("name", required=True), value, start, end, _cited(row, sources))
        )
    datafile.check_periods(
        (
            Period(r, e.name, e.valid_from, e.valid_until)
            for r, e in zip(rows, entries, strict=True)
        ),
        open_start=True,
        open_end=True,
    )
    return tuple(entries)


# --------------------------------------------------------------------------- nomenclature codes


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
    where_to_look: str = ""


PLACES = ("practice", "home")


def read_codes(text: str, name: str, sources: Mapping[str, str]) -> tuple[NomenclatureCode, ...]:
    """Read ``codes.toml``: every category, tier and place answers for every day."""
    rows = datafile.read_toml(
        text,
        name,
        "code",
        lambda f: "/".join(str(f.get(k, "")) for k in ("category", "tier", "place")),
    )
    entries = []
    for row in rows:
        code = row.text("code")
        if code and not (code.isdigit() and len(code) == 6):
            raise row.error(f"code {code!r} is not a six-digit nomenclature number")
        place = row.text("place", required=True)
        if place not in PLACES:
            raise row.error(f"place {place!r} is not one of {', '.join(PLACES)}")
        start, end = datafile.period(row)
        entries.append(
            NomenclatureCode(
                row.text("category", required=True),
                row.text("tier", required=True),
                place,
                code or None,
                start,
                end,
                _cited(row, sources),
                datafile.where_to_look(row, [] if code else ["code"]),
            )
        )
    datafile.check_periods(
        (
            Period(r, (e.category, e.tier, e.place), e.valid_from, e.valid_until)
            for r, e in zip(rows, entries, strict=True)
        ),
        open_start=True,
        open_end=True,
    )
    return tuple(entries)


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


SHARE_KINDS = ("e", "f", "other", "short", "palliative")


def read_patient_shares(
    text: str, name: str, sources: Mapping[str, str]
) -> tuple[PatientShare, ...]:
    """Read ``patient_shares.toml``."""
    rows = datafile.read_toml(text, name, "share", lambda f: str(f.get("kind", "")))
    entries = []
    for row in rows:
        kind = row.text("kind", required=True)
        if kind not in SHARE_KINDS:
            raise row.error(f"kind {kind!r} is not one of {', '.join(SHARE_KINDS)}")
        regular, preferential = datafile.money(row, "regular"), datafile.money(row, "preferential")
        if regular is None or preferential is None:
            raise row.error("regular and preferential are both required")
        datafile.confidence(row, required=True)
        start, end = datafile.period(row)
        entries.append(PatientShare(kind, regular, preferential, start, end, _cited(row, sources)))
    datafile.check_periods(
        (
            Period(r, e.kind, e.valid_from, e.valid_until)
            for r, e in zip(rows, entries, strict=True)
        ),
        open_end=True,
    )
    return tuple(entries)


# ---------------------------------------------------------------------------------------- tariffs

# ``Tariff`` (the engine type a loaded table is converted to) is ``engine.types.Tariff``,
# imported above so ``be.tables.Tariff`` still names it.


@dataclass(frozen=True)
class TariffRow:
    """One period of a code in ``tariffs.csv``: its amounts (``tariff``) or where to find them."""

    code: str
    valid_from: date
    valid_until: date | None
    tariff: Tariff | None
    source: str
    confidence: str
    where_to_look: str
    line: int


TARIFF_FIGURES = ("fee", "insurer", "patient")
_AMOUNTS = (
    "fee",
    "insurer",
    "patient",
    "insurer_preferential",
    "patient_preferential",
)


def read_tariffs(
    text: str,
    name: str,
    sources: Mapping[str, str],
    *,
    known_codes: Iterable[str] | None,
    complete: bool,
) -> tuple[TariffRow, ...]:
    """Read a tariff table in the format of ``tariffs.csv``.

    ``known_codes``: refuse a code not among them (``None``: accept any six-digit code).
    ``complete``: the shipped table, where every code starts ``since-ever`` and ends open and a
    row may give only a fee; otherwise (a table a clinic loads) every row gives a fee and the
    insurer amounts.
    """
    rows = datafile.read_csv(
        text, name, lambda f: f"code {f.get('code', '')}, valid_from {f.get('valid_from', '')}"
    )
    known = None if known_codes is None else set(known_codes)
    entries = [_tariff_row(row, sources, known, complete=complete) for row in rows]
    datafile.check_periods(
        (
            Period(r, e.code, e.valid_from, e.valid_until)
            for r, e in zip(rows, entries, strict=True)
        ),
        open_start=complete,
        open_end=complete,
    )
    return tuple(entries)


def _tariff_row(
    row: Row, sources: Mapping[str, str], known: set[str] | None, *, complete: bool
) -> TariffRow:
    code = row.text("code", required=True)
    if not (code.isdigit() and len(code) == 6):
        raise row.error(f"code {code!r} is not a six-digit nomenclature number")
    if known is not None and code not in known:
        raise row.error(f"code {code} is not in codes.toml")
    start, end = datafile.period(row)
    cited = datafile.source(row, sources)
    amounts = {key: datafile.money(row, key) for key in _AMOUNTS}
    fee = amounts["fee"]
    if fee is None:
        if any(v is not None for v in amounts.values()):
            raise row.error("amounts without a fee")
        if not complete:
            raise row.error("no fee: a loaded table gives the fee and the insurer amounts")
        hint = datafile.where_to_look(row, ["fee"])
        conf = datafile.confidence(row, TARIFF_FIGURES)
        return TariffRow(code, start, end, None, cited, conf, hint, row.line)
    for insurer_key, patient_key in (
        ("insurer", "patient"),
        ("insurer_preferential", "patient_preferential"),
    ):
        insurer, patient = amounts[insurer_key], amounts[patient_key]
        if (insurer is None) != (patient is None):
            raise row.error(f"{insurer_key} and {patient_key} are given together or not at all")
        if insurer is None and not complete:
            raise row.error(f"no {insurer_key}: a loaded table gives the insurer amounts")
        if insurer is not None and patient is not None and insurer + patient != fee:
            raise row.error(f"fee {fee} ≠ {insurer_key} {insurer} + {patient_key} {patient}")
    conf = datafile.confidence(row, TARIFF_FIGURES, required=True)
    tariff = Tariff(
        code, fee, amounts["insurer"], amounts["insurer_preferential"], start, end, cited
    )
    return TariffRow(code, start, end, tariff, cited, conf, row.text("where_to_look"), row.line)


# ------------------------------------------------------------------------------- the whole set


class Tables(NamedTuple):
    """Every Belgian table, read and checked together."""

    parameters: tuple[Parameter, ...]
    codes: tuple[NomenclatureCode, ...]
    patient_shares: tuple[PatientShare, ...]
    tariff_rows: tuple[TariffRow, ...]


def read_sources_of(folder: Path) -> dict[str, str]:
    """Return the source abbreviations of a data folder (``sources.toml``)."""
    return datafile.read_sources(datafile.read_file(folder / "sources.toml"), "sources.toml")


def load(folder: Path) -> Tables:
    """Read the tables of ``folder`` and check them against each other."""

    def read(file: str) -> tuple[str, str]:
        return datafile.read_file(folder / file), file

    sources = read_sources_of(folder)
    codes = read_codes(*read("codes.toml"), sources)
    known = {c.code for c in codes if c.code is not None}
    tariff_rows = read_tariffs(*read("tariffs.csv"), sources, known_codes=known, complete=True)
    unpriced = sorted(known - {t.code for t in tariff_rows})
    if unpriced:
        raise TableError(
            "tariffs.csv",
            f"no rows for codes {', '.join(unpriced)} of codes.toml "
            "(add them, with empty amounts and where_to_look if unknown)",
        )
    return Tables(
        read_parameters(*read("parameters.toml"), sources),
        codes,
        read_patient_shares(*read("patient_shares.toml"), sources),
        tariff_rows,
    )


_TABLES = load(DATA)

PARAMETERS: tuple[Parameter, ...] = _TABLES.parameters
CODES: tuple[NomenclatureCode, ...] = _TABLES.codes
PATIENT_SHARES: tuple[PatientShare, ...] = _TABLES.patient_shares
TARIFF_ROWS: tuple[TariffRow, ...] = _TABLES.tariff_rows
TARIFFS: tuple[Tariff, ...] = tuple(r.tariff for r in TARIFF_ROWS if r.tariff is not None)


# ---------------------------------------------------------------------------------- lookups

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


_CODES_BY_KEY = index(CODES, lambda c: (c.category, c.tier, c.place))


@cache
def code_row(category: str, tier: str, place: str, day: date) -> NomenclatureCode | None:
    """Return the code entry of a standard session on ``day`` (its ``where_to_look`` if unknown).

    ``None`` only for a category, tier or place the table does not have.
    """
    return in_force(_CODES_BY_KEY.get((category, tier, place), ()), day)


@cache
def code_for(category: str, tier: str, place: str, day: date) -> str | None:
    """Return the code of a standard session on ``day``, or ``None`` when the sources lack it."""
    entry = code_row(category, tier, place, day)
    return None if entry is None else entry.code


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


_TARIFF_ROWS_BY_CODE = index(TARIFF_ROWS, lambda t: t.code)


@cache
def tariff_row(code: str, day: date) -> TariffRow | None:
    """Return the row of ``code`` in force on ``day``: its amounts, or where to look for them.

    ``None`` only for a code the table does not have.
    """
    return in_force(_TARIFF_ROWS_BY_CODE.get(code, ()), day)


def tariff_for(code: str, day: date, loaded: tuple[Tariff, ...] = ()) -> Tariff | None:
    """Return the tariff of ``code`` on ``day``, or ``None`` when unknown.

    A row of a table the clinic ``loaded`` in force that day wins over the shipped table.
    """
    for tariff in loaded:
        if tariff.code == code and holds_on(tariff, day):
            return tariff
    return _shipped_tariff(code, day)


@cache
def _shipped_tariff(code: str, day: date) -> Tariff | None:
    row = tariff_row(code, day)
    return None if row is None else row.tariff


# The standard 30-minute courante session at the practice (sessions 1–9): the code a practice
# bills most, so the one whose missing tariff the practice is told about first.
STANDARD_SESSION_CODE = "567011"


def tariff_gap(
    code: str, day: date, loaded: tuple[Tariff, ...] = ()
) -> tuple[date | None, date | None]:
    """Return the period ``[start, end)`` around ``day`` in which ``code`` has no tariff,
    in the shipped table or the rows a clinic ``loaded``.

    ``None`` on a side: no tariff of the code is known before (or after) ``day``.
    """
    known: list[Dated] = [
        row for row in _TARIFF_ROWS_BY_CODE.get(code, ()) if row.tariff is not None
    ]
    known += [tariff for tariff in loaded if tariff.code == code]
    return gap_around(known, day)


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


@dataclass(frozen=True)
class ConventionGap:
    """A period with no convention in force (§1.2, BE-1): no fee binds a physiotherapist, so
    every session is priced as a non-conventioned one's, by the practice's own ``price``,
    with the official reimbursement (and the cut of ``CONVENTION_CUTS``, if any)."""

    valid_from: date
    valid_until: date | None
    source: str


_NO_CONVENTION_2025 = (
    'CONV-2025-01 — update-2025-2026 §1.1 (567011/560011 "2025-01-01 → 2025-01-31 (no '
    'convention) | free (kiné sets it) | 23.75 | 27.50 | fee − reimb."), BE-1, BE-2: M24 ended '
    "on 2024-12-31 and the fees of M/25 apply from the indexation of 2025-02-01; Solidaris: "
    '"in 2025 is er helaas geen akkoord … géén vastgelegde tarieven" '
    "https://www.solidaris-vlaanderen.be/terugbetaling-kinesist"
)
NO_CONVENTION: tuple[ConventionGap, ...] = (
    ConventionGap(date(2025, 1, 1), date(2025, 2, 1), _NO_CONVENTION_2025),
)


@cache
def fees_bound(day: date) -> bool:
    """Tell whether a convention binds a conventioned physiotherapist's fees on ``day``."""
    return in_force(NO_CONVENTION, day) is None


@cache
def convention_cut(day: date) -> Decimal | None:
    """Return the share of the reimbursement a non-conventioned kine's patient gets on ``day``.

    ``None``: no cut in force, the patient gets the full official reimbursement.
    """
    entry = in_force(CONVENTION_CUTS, day)
    return None if entry is None else entry.share
