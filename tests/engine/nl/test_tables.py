"""The Dutch tables as data: the shipped files, and the rules the loader refuses a file by.

``reimburse/engine/nl/data/`` holds one file a table; ``nl.tables`` reads them at import and
``reimburse.engine.datafile`` refuses a file that breaks a rule, naming the file, the line and
the row (the Belgian tests, ``tests/engine/be/test_tables.py``, cover each rule; these cover
the Dutch specifics).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reimburse.engine.datafile import TableError
from reimburse.engine.nl import tables as tables

# --------------------------------------------------------------------- the shipped tables

ALL_TABLES: dict[str, Sequence[Any]] = {
    "CHRONIC_LIST": tables.CHRONIC_LIST,
    "CHRONIC_UNPAID_FIRST": tables.CHRONIC_UNPAID_FIRST,
    "SCHEMES": tables.SCHEMES,
    "COPD_CAPS": tables.COPD_CAPS,
    "CHILD_SERIES": tables.CHILD_SERIES,
    "STATUTORY_DEDUCTIBLE": tables.STATUTORY_DEDUCTIBLE,
    "CSI": tables.CSI,
}


def _key(entry: Any) -> str:
    return str(getattr(entry, "key", getattr(entry, "category", "")))


@pytest.mark.parametrize("name", ALL_TABLES)
def test_every_table_entry_cites_a_source(name: str) -> None:
    for entry in ALL_TABLES[name]:
        assert entry.source.strip(), f"{name}: {entry} has no source"
        assert "http" in entry.source, f"{name}: {entry} cites no address"


@pytest.mark.parametrize("name", ALL_TABLES)
def test_no_table_has_overlapping_entries(name: str) -> None:
    by_key: dict[str, list[Any]] = {}
    for entry in ALL_TABLES[name]:
        assert entry.valid_until is None or entry.valid_from < entry.valid_until
        by_key.setdefault(_key(entry), []).append(entry)
    for entries in by_key.values():
        ordered = sorted(entries, key=lambda e: e.valid_from)
        for before, after in itertools.pairwise(ordered):
            assert before.valid_until is not None and before.valid_until <= after.valid_from


def test_statutory_deductible_years_follow_each_other_without_gaps() -> None:
    ordered = sorted(tables.STATUTORY_DEDUCTIBLE, key=lambda e: e.valid_from)
    for before, after in itertools.pairwise(ordered):
        assert before.valid_until == after.valid_from
    assert [tables.statutory_deductible(y) for y in (2023, 2024, 2025, 2026, 2027)] == [
        None,
        Decimal("385.00"),
        Decimal("385.00"),
        Decimal("385.00"),
        None,
    ]


CONTRACT_KEYS = {
    "cva", "spinal_cord", "ms", "parkinson", "peripheral_nerve_motor", "motor_development_delay",
    "cerebellar", "muscle_disease", "myasthenia", "progressive_scoliosis",
    "juvenile_osteochondrosis", "amputation", "radicular_motor", "frozen_shoulder", "whiplash",
    "pelvic_instability_postpartum", "fracture_conservative", "post_operative", "lymphoedema",
    "pad_fontaine_3",
}  # fmt: skip


def test_chronic_list_has_every_key_of_the_contract() -> None:
    assert CONTRACT_KEYS <= tables.CHRONIC_KEYS
    assert len(tables.CHRONIC_KEYS) == len(tables.CHRONIC_LIST)


def test_doubtful_chronic_entries_say_why() -> None:
    for entry in tables.CHRONIC_LIST:
        if entry.status in ("disputed", "not_retrieved"):
            assert entry.remarks, entry.key


@pytest.mark.parametrize(
    ("key", "months"),
    [
        ("cva", None),
        ("radicular_motor", 3),
        ("whiplash", 3),
        ("pelvic_instability_postpartum", 3),
        ("fracture_conservative", 6),
        ("frozen_shoulder", 12),
        ("post_operative", 12),
    ],
)
def test_chronic_terms_as_the_domain_note_states_them(key: str, months: int | None) -> None:
    entry = tables.chronic_condition(key, date(2025, 1, 1))
    assert entry is not None and entry.term_months == months


def test_scheme_and_copd_parameters() -> None:
    assert [(s.category, s.cap, s.window_months) for s in tables.SCHEMES] == [
        ("osteoarthritis", 12, 12),
        ("claudication", 37, 12),
        ("pelvic_floor", 9, None),
        ("rheumatoid_arthritis", None, None),
        ("axial_spondyloarthritis", None, None),
    ]
    caps = tables.copd_caps(date(2025, 1, 1))
    assert caps is not None
    assert dict(caps.first_year) == {"A": 5, "B1": 27, "B2": 70, "C": 70, "D": 70}
    assert dict(caps.later_years) == {"A": 0, "B1": 3, "B2": 52, "C": 52, "D": 52}
    assert tables.scheme("rheumatoid_arthritis", date(2024, 12, 31)) is None


def test_the_2027_deductible_is_not_law_and_says_where_to_look() -> None:
    """§2.1: 385 is law for 2026; for 2027 only plans (165 shelved, 460 proposed)."""
    row = tables.deductible_row(2027)
    assert row is not None and row.amount is None
    assert "2027" in row.where_to_look
    assert tables.deductible_row(2026) is not None
    assert tables.statutory_deductible(2026) == Decimal("385.00")
    assert tables.deductible_row(2023) is None


def test_axial_spondyloarthritis_is_a_scheme_from_2026_marked_secondary() -> None:
    """§2.2: definitively basic from 2026 per secondary sources; the cap is not official."""
    axspa = tables.scheme("axial_spondyloarthritis", date(2026, 1, 1))
    assert axspa is not None
    assert (axspa.status, axspa.confidence, axspa.introduced) == ("unverified", "S", True)
    assert "zorginstituutnederland.nl" in axspa.source
    assert tables.scheme("axial_spondyloarthritis", date(2025, 12, 31)) is None


# ------------------------------------------------------------------------------ the refusals


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped data folder, to break one line of."""
    copy = tmp_path / "data"
    shutil.copytree(tables.DATA, copy)
    return copy


def _replace(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


@pytest.mark.parametrize("file", sorted(tables._SPECS))
def test_the_shipped_files_load_again(folder: Path, file: str) -> None:
    assert tables.load_table(folder, file)


def test_a_year_without_amount_and_without_where_to_look_is_refused(folder: Path) -> None:
    path = folder / "statutory_deductible.toml"
    text = path.read_text()
    start = text.rindex('[[year]]\namount = ""')  # the open year whose amount is not law
    hint = text.index("where_to_look", start)
    path.write_text(text[:hint])
    where = f"statutory_deductible.toml, line {text[:start].count(chr(10)) + 1}"
    with pytest.raises(TableError, match=rf"{where} .*amount empty without where_to_look"):
        tables.load_table(folder, "statutory_deductible.toml")


def test_a_deductible_table_that_stops_is_refused(folder: Path) -> None:
    path = folder / "statutory_deductible.toml"
    text = path.read_text()
    path.write_text(text[: text.index('[[year]]\namount = ""')])
    with pytest.raises(TableError, match="valid_until = ''"):
        tables.load_table(folder, "statutory_deductible.toml")


def test_an_unknown_status_is_refused(folder: Path) -> None:
    line = _replace(folder / "schemes.toml", 'status = "disputed"', 'status = "probably"')
    with pytest.raises(TableError, match=rf"schemes.toml, line {line - 7} .*status 'probably'"):
        tables.load_table(folder, "schemes.toml")


def test_overlapping_schemes_of_one_category_are_refused(folder: Path) -> None:
    path = folder / "schemes.toml"
    text = path.read_text()
    start = text.index('[[scheme]]\ncategory = "rheumatoid_arthritis"')
    end = text.index("[[scheme]]", start + 1)
    path.write_text(text + "\n" + text[start:end])
    with pytest.raises(
        TableError, match=r"schemes.toml, line \d+ \(rheumatoid_arthritis\): overlaps"
    ):
        tables.load_table(folder, "schemes.toml")
