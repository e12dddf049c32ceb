"""STYLE: the engine imports nothing from Django and reads no clock."""

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "reimburse" / "engine"
FORBIDDEN_MODULES = ("django", "rest_framework", "practice", "reimburse.models")
FORBIDDEN_CALLS = ("date.today", "datetime.now", "datetime.today", "datetime.utcnow", "time.time")


def _engine_files() -> list[Path]:
    files = sorted(ENGINE.rglob("*.py"))
    assert files, "the engine package has no modules"
    return files


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: p.name)
def test_engine_module_imports_no_django(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN_MODULES), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: p.name)
def test_engine_module_reads_no_clock(path: Path) -> None:
    source = path.read_text()
    for call in FORBIDDEN_CALLS:
        assert f"{call}(" not in source, f"{path.name} calls {call}()"
