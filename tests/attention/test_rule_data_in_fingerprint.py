"""The engine's data files are rules: changing one makes every stored Needs attention list stale."""

from __future__ import annotations

from pathlib import Path

from reimburse.attention.store import rule_files

ENGINE = Path(__file__).resolve().parents[2] / "reimburse" / "engine"


def test_every_engine_data_file_is_in_the_rules_fingerprint() -> None:
    data = {p for p in ENGINE.glob("*/data/*") if p.is_file()}
    assert {p.name for p in data} >= {"tariffs.csv", "codes.toml", "statutory_deductible.toml"}
    assert data <= set(rule_files())
