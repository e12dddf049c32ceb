"""The rule tables are data files, installed with the package.

A non-editable install ships only what ``[tool.setuptools.package-data]`` names: a data file
it misses leaves a deploy without its tables (the import fails).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "reimburse" / "engine"


def _data_files() -> set[Path]:
    files = {p for p in ENGINE.glob("*/data/*") if p.is_file()}
    assert files, "the engine has no data files"
    return files


def test_every_data_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    shipped = {
        path
        for package, patterns in package_data.items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
    }
    assert _data_files() <= shipped
