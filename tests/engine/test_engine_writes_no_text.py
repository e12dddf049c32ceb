"""The engine builds no sentence a person reads: reasons and warnings are codes with
parameters, rendered at the edge in the reader's language (``reimburse.explain``).

The rule modules may hold docstrings, and messages of the exceptions they raise (for the
developer reading a traceback, as ``errors.py`` composes them); no other string with a space in
it, in an f-string or not. Codes (``fa-12``) have no spaces. The dated tables are data (they
cite their sources in words) and are not rule code, nor is their reader (``datafile.py``, whose
messages name the file and row of a broken table for the person editing it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "reimburse" / "engine"
DATA_MODULES = {"tables.py", "errors.py", "datafile.py"}


def _rule_modules() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*.py") if p.name not in DATA_MODULES)


def _allowed(tree: ast.AST) -> set[int]:
    """The ids of string nodes that are docstrings or inside a ``raise``."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                allowed.add(id(body[0].value))
        if isinstance(node, ast.Raise):
            allowed.update(id(inner) for inner in ast.walk(node))
    return allowed


@pytest.mark.parametrize("path", _rule_modules(), ids=lambda p: str(p.relative_to(ENGINE)))
def test_a_rule_module_writes_no_sentence(path: Path) -> None:
    tree = ast.parse(path.read_text())
    allowed = _allowed(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value:
            found.append(f"line {node.lineno}: {node.value!r}")
    assert not found, f"{path.name} writes text: {found}"
