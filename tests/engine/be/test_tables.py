"""The Belgian tables as data: the shipped files, and every rule the loader refuses a file by.

``reimburse/engine/be/data/`` holds one file a table; ``be.tables`` reads them at import and
``reimburse.engine.datafile`` refuses a file that breaks a rule, naming the file, the line and
the row. The refusal tests load a copy of the shipped folder with one line changed.
"""

from __future__ import annotations

import itertools
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from reimburse.engine.be import tables as tables
from reimburse.engine.datafile import TableError
from tests.engine.be.builders import d

# --------------------------------------------------------------------------- the shipped tables


def _all_entries() -> list[tables.Sourced]:
    return [*tables.PARAMETERS, *tables.CODES, *tables.PATIENT_SHARES, *tables.TARIFF_ROWS]


def _keyed() -> dict[tuple[object, ...], list[tables.Sourced]]:
    groups: dict[tuple[object, ...], list[tables.Sourced]] = defaultdict(list)
    for p in tables.PARAMETERS:
        groups[("parameter", p.name)].append(p)
    for c in tables.CODES:
        groups[("code", c.category, c.tier, c.place)].append(c)
    for s in tables.PATIENT_SHARES:
        groups[("share", s.kind)].append(s)
    for t in tables.TARIFF_ROWS:
        groups[("tariff", t.code)].append(t)
    return groups


def test_every_table_entry_cites_an_address_and_a_proper_period() -> None:
    for entry in _all_entries():
        assert "http" in entry.source, entry
        assert entry.valid_until is None or entry.valid_from < entry.valid_until, entry


@pytest.mark.parametrize("key", sorted(_keyed(), key=repr), ids=repr)
def test_periods_of_one_key_do_not_overlap(key: tuple[object, ...]) -> None:
    entries = sorted(_keyed()[key], key=lambda e: e.valid_from)
    for earlier, later in itertools.pairwise(entries):
        assert earlier.valid_until is not None and earlier.valid_until <= later.valid_from


@pytest.mark.parametrize(
    "key", sorted(k for k in _keyed() if k[0] in ("parameter", "code", "tariff")), ids=repr
)
def test_parameters_codes_and_tariffs_answer_for_every_day(key: tuple[object, ...]) -> None:
    """A parameter, code or tariff key answers every day (an unknown value says where to look)."""
    entries = sorted(_keyed()[key], key=lambda e: e.valid_from)
    assert entries[0].valid_from == tables.SINCE_EVER
    for earlier, later in itertools.pairwise(entries):
        assert earlier.valid_until == later.valid_from
    assert entries[-1].valid_until is None


def test_every_code_has_tariff_rows_and_every_tariff_a_code() -> None:
    codes = {c.code for c in tables.CODES if c.code is not None}
    assert codes == {t.code for t in tables.TARIFF_ROWS}


def test_an_unknown_code_or_tariff_says_where_to_look() -> None:
    for code in tables.CODES:
        assert (code.code is None) == bool(code.where_to_look), code
    for row in tables.TARIFF_ROWS:
        assert (row.tariff is None) == bool(row.where_to_look), row


@pytest.mark.parametrize("tariff", tables.TARIFFS, ids=lambda t: f"{t.code}-{t.valid_from}")
def test_tariffs_agree_with_the_fixed_patient_shares(tariff: tables.Tariff) -> None:
    """§5.1: fee − insurer is the fixed share, except overflow (a fixed reimbursement, C4)."""
    if tariff.code == "560055" or tariff.insurer is None or tariff.insurer_preferential is None:
        return
    day = tariff.valid_from
    regular = tables.patient_share("other", day, preferential=False)
    bim = tables.patient_share("other", day, preferential=True)
    assert tariff.fee - tariff.insurer == regular
    assert tariff.fee - tariff.insurer_preferential == bim


def test_money_in_the_tables_has_cents() -> None:
    amounts = [t.fee for t in tables.TARIFFS] + [s.regular for s in tables.PATIENT_SHARES]
    assert all(a == a.quantize(Decimal("0.01")) and a.as_tuple().exponent == -2 for a in amounts)


@pytest.mark.parametrize(
    ("code", "day", "fee", "insurer", "insurer_preferential"),
    [
        ("567011", "2025-01-31", "30.00", "23.75", "27.50"),  # AXXON-M25: no index in January
        ("567011", "2025-02-01", "30.80", "24.55", "28.30"),  # HELAN; M25 +2.68 %
        ("560011", "2025-02-01", "30.80", "24.55", "28.30"),
        ("560313", "2025-01-31", "33.00", "26.75", "30.50"),  # SOLIDARIS, home
        ("560313", "2025-02-01", "33.88", "27.63", "31.38"),  # SANTE-SOLIDARITE, home
        ("561595", "2025-01-31", "25.00", "18.75", "22.50"),  # CM-PNT 2022
    ],
)
def test_the_sourced_2025_tariffs(
    code: str, day: str, fee: str, insurer: str, insurer_preferential: str
) -> None:
    tariff = tables.tariff_for(code, d(day))
    assert tariff is not None
    assert (tariff.fee, tariff.insurer, tariff.insurer_preferential) == (
        Decimal(fee),
        Decimal(insurer),
        Decimal(insurer_preferential),
    )


@pytest.mark.parametrize(
    ("code", "day"),
    [
        ("567011", "2026-01-01"),  # no 2026 fee found: not carried forward
        ("560055", "2025-02-01"),  # overflow after the indexation: only derivable, not sourced
        ("561595", "2025-02-01"),  # perinatal after the indexation
        ("563010", "2025-03-10"),  # Fa: no fee in the sources for any period
    ],
)
def test_an_unsourced_period_has_no_tariff_and_says_where_to_look(code: str, day: str) -> None:
    row = tables.tariff_row(code, d(day))
    assert row is not None and row.tariff is None
    assert tables.tariff_for(code, d(day)) is None
    assert "RIZIV" in row.where_to_look


def test_a_code_the_sources_lack_says_where_to_look() -> None:
    entry = tables.code_row("e", "session", "practice", d("2025-03-10"))
    assert entry is not None and entry.code is None
    assert "NomenSoft" in entry.where_to_look
    assert tables.code_row("courante", "nonsense", "practice", d("2025-03-10")) is None


def test_tariff_row_is_none_only_for_a_code_the_table_does_not_have() -> None:
    assert tables.tariff_row("999999", d("2025-03-10")) is None


# ------------------------------------------------------------------------------ the refusals

DATA = tables.DATA


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped data folder, to break one line of."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


def _replace(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (on one line) by ``new``; return that line's number."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _refused(folder: Path, *fragments: str) -> str:
    with pytest.raises(TableError) as refused:
        tables.load(folder)
    message = str(refused.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


TARIFF_2025 = "567011,2025-02-01,2026-01-01,30.80,24.55,6.25,28.30,2.50,"


def test_the_shipped_folder_loads(folder: Path) -> None:
    assert tables.load(folder) == tables.load(DATA)


def test_overlapping_rows_are_refused(folder: Path) -> None:
    line = _replace(
        folder / "tariffs.csv", TARIFF_2025, TARIFF_2025.replace("2025-02-01", "2025-01-15")
    )
    _refused(folder, f"tariffs.csv, line {line} (code 567011, valid_from 2025-01-15)", "overlaps")


def test_an_unmarked_gap_is_refused_and_a_marked_one_loads(folder: Path) -> None:
    gap = TARIFF_2025.replace("2025-02-01", "2025-02-05")
    line = _replace(folder / "tariffs.csv", TARIFF_2025, gap)
    _refused(folder, f"tariffs.csv, line {line}", "gap from 2025-02-01 to 2025-02-05")

    text = (folder / "tariffs.csv").read_text().splitlines()
    text[line - 1] += "strike: no tariff those days"  # the last cell, gap_before
    (folder / "tariffs.csv").write_text("\n".join(text) + "\n")
    assert tables.load(folder).tariff_rows


def test_a_code_key_not_starting_since_ever_is_refused(folder: Path) -> None:
    line = _replace(
        folder / "codes.toml",
        'code = "560011"\nvalid_from = "since-ever"',
        'code = "560011"\nvalid_from = "2020-01-01"',
    )
    _refused(folder, f"codes.toml, line {line - 4} (courante/10-18/practice)", "since-ever")


def test_a_parameter_that_stops_is_refused(folder: Path) -> None:
    line = _replace(
        folder / "parameters.toml",
        'value = 9\nvalid_from = "since-ever"\nvalid_until = ""',
        'value = 9\nvalid_from = "since-ever"\nvalid_until = "2030-01-01"',
    )
    _refused(folder, f"parameters.toml, line {line - 2} (perinatal_sessions)", "valid_until = ''")


def test_fee_not_insurer_plus_patient_is_refused(folder: Path) -> None:
    line = _replace(folder / "tariffs.csv", TARIFF_2025, TARIFF_2025.replace("24.55", "24.50"))
    _refused(folder, f"tariffs.csv, line {line}", "fee 30.80 ≠ insurer 24.50 + patient 6.25")


def test_a_tariff_code_not_in_codes_is_refused(folder: Path) -> None:
    line = _replace(folder / "tariffs.csv", TARIFF_2025, TARIFF_2025.replace("567011", "567099"))
    _refused(folder, f"tariffs.csv, line {line}", "code 567099 is not in codes.toml")


def test_a_code_without_tariff_rows_is_refused(folder: Path) -> None:
    text = (folder / "tariffs.csv").read_text()
    kept = [line for line in text.splitlines() if not line.startswith("564233,")]
    (folder / "tariffs.csv").write_text("\n".join(kept) + "\n")
    _refused(folder, "tariffs.csv", "no rows for codes 564233")


def test_an_unsourced_row_is_refused(folder: Path) -> None:
    line = _replace(
        folder / "patient_shares.toml",
        'source = "RIZIV-RG; MC-FR; INAMI-M25"\nconfidence = "O"',
        'source = ""\nconfidence = "O"',
    )
    _refused(folder, f"patient_shares.toml, line {line - 7} (e)", "no source")


def test_a_source_neither_address_nor_abbreviation_is_refused(folder: Path) -> None:
    line = _replace(folder / "tariffs.csv", ",HELAN (30.80", ",HELLAN (30.80")
    _refused(folder, f"tariffs.csv, line {line}", "'HELLAN' is neither an address")


def test_a_bad_date_is_refused(folder: Path) -> None:
    line = _replace(
        folder / "tariffs.csv", TARIFF_2025, TARIFF_2025.replace("2026-01-01", "2026-13-01")
    )
    _refused(folder, f"tariffs.csv, line {line}", "valid_until '2026-13-01' is not a date")


def test_a_confidence_outside_the_legend_is_refused(folder: Path) -> None:
    line = _replace(
        folder / "tariffs.csv",
        "fee=P; insurer=D; patient=O,HELAN",
        "fee=P; insurer=X; patient=O,HELAN",
    )
    _refused(folder, f"tariffs.csv, line {line}", "confidence 'X' is not in the legend")


def test_a_priced_row_without_confidence_is_refused(folder: Path) -> None:
    line = _replace(folder / "tariffs.csv", "fee=P; insurer=D; patient=O,HELAN", ",HELAN")
    _refused(folder, f"tariffs.csv, line {line}", "no confidence")


def test_an_empty_value_without_where_to_look_is_refused(folder: Path) -> None:
    text = (folder / "tariffs.csv").read_text().splitlines()
    line = next(n for n, row in enumerate(text, 1) if row.startswith("567011,2026-01-01,"))
    text[line - 1] = '567011,2026-01-01,,,,,,,,"INAMI-M25",,'
    (folder / "tariffs.csv").write_text("\n".join(text) + "\n")
    _refused(folder, f"tariffs.csv, line {line}", "fee empty without where_to_look")


def test_a_missing_code_number_without_where_to_look_is_refused(folder: Path) -> None:
    text = (folder / "codes.toml").read_text()
    start = text.index('category = "e"')
    end = text.index("where_to_look", start)
    stop = text.index("\n", end)
    (folder / "codes.toml").write_text(text[:end] + text[stop + 1 :])
    _refused(folder, "codes.toml, line", "(e/session/practice)", "code empty without where_to_look")
