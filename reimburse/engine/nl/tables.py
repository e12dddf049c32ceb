"""Dated parameters of the Dutch physiotherapy rules, each citing where it was found.

The figures are data, one file a table in ``data/`` (``chronic_list.toml``,
``chronic_unpaid_first.toml``, ``schemes.toml``, ``copd_caps.toml``, ``child_series.toml``,
``statutory_deductible.toml``, ``csi_codes.toml``; ``sources.toml`` holds the abbreviations
they cite), read once at import and checked by :mod:`reimburse.engine.datafile`: a wrong file
stops the program with an error naming the file, the line and the row.

Every entry is valid on ``[valid_from, valid_until)`` (``valid_until`` ``None`` = still in
force). Rule ids (``B2``, ``S-ART``, ``K1`` …) refer to ``shared/domain/netherlands-coverage.md``.
The official Bzv text (Bijlage 1) could not be read for that note: most figures here are a
paraphrase by an insurer, the Zorginstituut, KNGF or a practice, and ``status`` says how far it
can be trusted. A new year or a corrected figure is a data change plus a test; a change of
legal method gets a new function in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from reimburse.engine import datafile
from reimburse.engine.datafile import Period, Row
from reimburse.engine.dated import Dated, in_force

DATA = Path(__file__).resolve().parent / "data"

# How far a figure can be trusted: ``sourced`` = stated by a current (2024+) source;
# ``unverified`` = only older, undated or secondary sources; ``disputed`` = sources disagree;
# ``not_retrieved`` = the item is on the list but its term was not found.
Reliability = Literal["sourced", "unverified", "disputed", "not_retrieved"]


# ------------------------------------------------------------------ the chronic list (Bijlage 1)

# Start of every chronic-list entry: the 2012 revision of Bijlage 1 is the oldest version the
# sources describe (it removed RA, cardiac conditions …, and raised the unpaid "first n" to 20).
# Whether an item was on the list earlier is not known, so the table does not claim it.
LIST_2012 = date(2012, 1, 1)

# ------------------------------------------------------------------------- reading the files

_SOURCES = datafile.read_sources(datafile.read_file(DATA / "sources.toml"), "sources.toml")
_RELIABILITY = get_args(Reliability)

E = TypeVar("E", bound=Dated)


def read_table(
    text: str,
    name: str,
    array: str,
    build: Callable[[Row, date, date | None, str], E],
    *,
    sources: Mapping[str, str],
    key: Callable[[E], object] = lambda entry: "",
    open_end: bool = False,
) -> tuple[E, ...]:
    """Read one table: each row's period, source and confidence, then the period checks."""
    rows = datafile.read_toml(
        text, name, array, lambda f: str(f.get("key", f.get("category", f.get("valid_from", ""))))
    )
    entries = []
    for row in rows:
        start, end = datafile.period(row)
        datafile.confidence(row)
        status = row.get("status", "unverified")
        if status not in _RELIABILITY:
            raise row.error(f"status {status!r} is not one of {', '.join(_RELIABILITY)}")
        entries.append(build(row, start, end, datafile.source(row, sources)))
    datafile.check_periods(
        (
            Period(r, key(e), e.valid_from, e.valid_until)
            for r, e in zip(rows, entries, strict=True)
        ),
        open_end=open_end,
    )
    return tuple(entries)


# How each file is read, by file name (filled as the tables below are loaded).
_SPECS: dict[str, tuple[str, Callable[..., Any], Callable[[Any], object], bool]] = {}


def _load(
    file: str,
    array: str,
    build: Callable[[Row, date, date | None, str], E],
    *,
    key: Callable[[E], object] = lambda entry: "",
    open_end: bool = False,
) -> tuple[E, ...]:
    _SPECS[file] = (array, build, key, open_end)
    text = datafile.read_file(DATA / file)
    return read_table(text, file, array, build, sources=_SOURCES, key=key, open_end=open_end)


def load_table(folder: Path, file: str) -> tuple[Any, ...]:
    """Read ``file`` of another data folder as the shipped one is read (to check an edit)."""
    array, build, key, open_end = _SPECS[file]
    sources = datafile.read_sources(datafile.read_file(folder / "sources.toml"), "sources.toml")
    text = datafile.read_file(folder / file)
    return read_table(text, file, array, build, sources=sources, key=key, open_end=open_end)


def _int(row: Row, name: str, *, required: bool = False) -> int | None:
    """Return a whole number field; absent is ``None`` unless ``required``."""
    value: Any = row.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise row.error(f"{name} {value!r} must be a whole number")
    return value


def _counts(row: Row, name: str) -> dict[str, int]:
    value = row.get(name)
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise row.error(f"{name} must be a table of whole numbers by class")
    return dict(value)


def _chronic_condition(row: Row, start: date, end: date | None, source: str) -> ChronicCondition:
    return ChronicCondition(
        key=row.text("key", required=True),
        label=row.text("label", required=True),
        term_months=_int(row, "term_months"),
        source=source,
        status=row.get("status", "unverified"),
        remarks=row.text("remarks"),
        max_age=_int(row, "max_age"),
        valid_from=start,
        valid_until=end,
    )


def _scheme(row: Row, start: date, end: date | None, source: str) -> Scheme:
    introduced = row.get("introduced")
    if not isinstance(introduced, bool):
        raise row.error("introduced must be true or false")
    renewed = row.get("renewed_by_new_episode", False)
    if not isinstance(renewed, bool):
        raise row.error("renewed_by_new_episode must be true or false")
    return Scheme(
        category=row.text("category", required=True),
        cap=_int(row, "cap"),
        window_months=_int(row, "window_months"),
        valid_from=start,
        valid_until=end,
        introduced=introduced,
        source=source,
        renewed_by_new_episode=renewed,
        status=row.get("status", "sourced"),
        remarks=row.text("remarks"),
        confidence=row.text("confidence"),
    )


def _copd_caps(row: Row, start: date, end: date | None, source: str) -> CopdCaps:
    return CopdCaps(
        first_year=_counts(row, "first_year"),
        later_years=_counts(row, "later_years"),
        lowest_basic_stage=_int(row, "lowest_basic_stage", required=True) or 0,
        valid_from=start,
        valid_until=end,
        source=source,
        remarks=row.text("remarks"),
    )


@dataclass(frozen=True)
class ChronicCondition:
    """One item of the chronic list: its maximum term and the age it is bound to.

    ``term_months`` ``None`` means no term (onbeperkt) when ``status`` is not
    ``not_retrieved``; with ``not_retrieved`` the term is simply unknown.
    ``max_age``: the item only applies while the patient is younger than this.
    """

    key: str
    label: str
    term_months: int | None
    source: str
    status: Reliability = "unverified"
    remarks: str = ""
    max_age: int | None = None
    valid_from: date = LIST_2012
    valid_until: date | None = None

    @property
    def term_known(self) -> bool:
        return self.status != "not_retrieved"


CHRONIC_LIST: tuple[ChronicCondition, ...] = _load(
    "chronic_list.toml", "condition", _chronic_condition, key=lambda c: c.key
)

CHRONIC_KEYS: frozenset[str] = frozenset(c.key for c in CHRONIC_LIST)


@cache  # a pure lookup in a constant table, asked per session
def chronic_condition(key: str, on: date) -> ChronicCondition | None:
    """Return the chronic-list entry for ``key`` in force on ``on``."""
    return in_force((c for c in CHRONIC_LIST if c.key == key), on)


@dataclass(frozen=True)
class ChronicUnpaidFirst:
    """How many treatments of a chronic indication basic insurance does not pay (B2, B10)."""

    count: int
    valid_from: date
    valid_until: date | None
    source: str


# B10: n was 9 before 2011 and 12 in 2011 - legacy data only, not tabled.
CHRONIC_UNPAID_FIRST: tuple[ChronicUnpaidFirst, ...] = _load(
    "chronic_unpaid_first.toml",
    "entry",
    lambda row, start, end, source: ChronicUnpaidFirst(
        _int(row, "count", required=True) or 0, start, end, source
    ),
)


# ------------------------------------------------------------------- adult schemes (§2, K6)


@dataclass(frozen=True)
class Scheme:
    """A special basic scheme for adults: a cap within a window from the first treatment.

    ``cap`` ``None`` = no maximum; ``window_months`` ``None`` = no window. ``introduced``
    says the scheme began on ``valid_from`` (before it the condition is simply not on the
    list), as opposed to the table merely starting there for want of older sources.
    ``renewed_by_new_episode``: an episode (a new indication) begun after the window of the
    entitlement before it ended has a new entitlement (S-ART).
    """

    category: str
    cap: int | None
    window_months: int | None
    valid_from: date
    valid_until: date | None
    introduced: bool
    source: str
    renewed_by_new_episode: bool = False
    status: Reliability = "sourced"
    remarks: str = ""
    confidence: str = ""


SCHEMES: tuple[Scheme, ...] = _load("schemes.toml", "scheme", _scheme, key=lambda s: s.category)


@cache  # a pure lookup in a constant table, asked per session
def scheme(category: str, on: date) -> Scheme | None:
    """Return the scheme parameters of ``category`` in force on ``on``."""
    return in_force((s for s in SCHEMES if s.category == category), on)


@dataclass(frozen=True)
class CopdCaps:
    """COPD caps by GOLD class: the first 12 months and each later 12 months (S-COPD)."""

    first_year: Mapping[str, int]
    later_years: Mapping[str, int]
    lowest_basic_stage: int
    valid_from: date
    valid_until: date | None
    source: str
    remarks: str = ""


# The scheme began 2019-01-01 with classes A to D; B was split into B1/B2 on 2021-01-01 (a
# B2 patient before then was class B). Before 2019 COPD was on the chronic list: no caps.
COPD_CAPS: tuple[CopdCaps, ...] = _load("copd_caps.toml", "caps", _copd_caps)

COPD_WINDOW_MONTHS = 12


@cache  # a pure lookup in a constant table, asked per session
def copd_caps(on: date) -> CopdCaps | None:
    """Return the COPD caps in force on ``on``."""
    return in_force(COPD_CAPS, on)


# ------------------------------------------------------------------------- children (K1)


@dataclass(frozen=True)
class ChildSeries:
    """Basic treatments per episode per calendar year for a child's non-list condition (K1)."""

    per_year: int
    with_extension: int
    valid_from: date
    valid_until: date | None
    source: str
    remarks: str = ""


# Table starts at the oldest dated source (Zorgdirect 2018); the rule itself is older.
CHILD_SERIES: tuple[ChildSeries, ...] = _load(
    "child_series.toml",
    "series",
    lambda row, start, end, source: ChildSeries(
        _int(row, "per_year", required=True) or 0,
        _int(row, "with_extension", required=True) or 0,
        start,
        end,
        source,
        row.text("remarks"),
    ),
)

ADULT_AGE = 18


@cache  # a pure lookup in a constant table, asked per session
def child_series(on: date) -> ChildSeries | None:
    """Return the children's series in force on ``on``."""
    return in_force(CHILD_SERIES, on)


# -------------------------------------------------------------- eigen risico (deductible, §1.2)


@dataclass(frozen=True)
class StatutoryDeductible:
    """The compulsory eigen risico of one calendar year (B8, B9).

    ``amount=None``: not law yet; ``where_to_look`` says where the figure will be found.
    """

    amount: Decimal | None
    valid_from: date
    valid_until: date | None
    source: str
    confidence: str = ""
    where_to_look: str = ""


STATUTORY_DEDUCTIBLE: tuple[StatutoryDeductible, ...] = _load(
    "statutory_deductible.toml",
    "year",
    lambda row, start, end, source: StatutoryDeductible(
        datafile.money(row, "amount"),
        start,
        end,
        source,
        datafile.confidence(row),
        datafile.where_to_look(row, [] if row.get("amount") else ["amount"]),
    ),
    open_end=True,
)


@cache  # a pure lookup in a constant table, asked per session
def deductible_row(year: int) -> StatutoryDeductible | None:
    """Return the eigen risico row of ``year``: its amount, or where to look for it.

    ``None`` for a year before the table starts.
    """
    return in_force(STATUTORY_DEDUCTIBLE, date(year, 1, 1))


@cache  # a pure lookup in a constant table, asked per session
def statutory_deductible(year: int) -> Decimal | None:
    """Return the statutory eigen risico of ``year``, or ``None`` when no amount is known."""
    entry = deductible_row(year)
    return None if entry is None else entry.amount


# --------------------------------------------------------------------- CSI codes (B11)


@dataclass(frozen=True)
class CsiCodes:
    """Declaration (CSI indication) codes the rules determine (B11)."""

    chronic_first: str
    chronic_basic: str
    non_chronic_supplementary: str
    osteoarthritis: str
    child_series: str
    valid_from: date
    valid_until: date | None
    source: str


# The code list is current (2024) but its start date is not in the sources: the table starts
# with the oldest scheme it names (osteoarthritis code 012, 2018).
CSI: tuple[CsiCodes, ...] = _load(
    "csi_codes.toml",
    "codes",
    lambda row, start, end, source: CsiCodes(
        chronic_first=row.text("chronic_first", required=True),
        chronic_basic=row.text("chronic_basic", required=True),
        non_chronic_supplementary=row.text("non_chronic_supplementary", required=True),
        osteoarthritis=row.text("osteoarthritis", required=True),
        child_series=row.text("child_series", required=True),
        valid_from=start,
        valid_until=end,
        source=source,
    ),
)


@cache  # a pure lookup in a constant table, asked per session
def csi_codes(on: date) -> CsiCodes | None:
    """Return the CSI code list in force on ``on``."""
    return in_force(CSI, on)
