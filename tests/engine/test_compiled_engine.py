"""The optional compiled engine runs only when asked for and fresh, and never by accident.

``make test`` runs the pure modules (the reference): the first test proves it. ``make
test-compiled`` (CI, after the main suite) builds the mypyc modules and runs the engine's tests
with ``REIMBURSE_ENGINE=compiled``; there the first test proves the compiled modules are the
ones answering, so the oracle's answers are theirs. The rest check, without a compiler, that a
build is refused unless it was made for this Python from the sources as they are.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from pathlib import Path

import pytest

from reimburse import compiled_engine
from reimburse.compiled_engine import GROUP, MANIFEST, MODULES

ASKED = os.environ.get(compiled_engine.ENV) == "compiled"


def test_the_engine_modules_running_are_those_asked_for() -> None:
    expected = "compiled" if ASKED else "python"
    for name in MODULES:
        file = Path(str(importlib.import_module(name).__file__))
        if ASKED:
            assert file.name.endswith(compiled_engine.python_tag()), name
            assert file.is_relative_to(compiled_engine.BUILD), name
        else:
            assert file.suffix == ".py", name
            assert file.parent.is_relative_to(compiled_engine.ENGINE), name
    assert expected == compiled_engine.RUNNING


def test_drafts_stays_pure_when_the_rules_run_compiled() -> None:
    """``drafts`` builds the outcomes by swapping ``__class__`` and keeps a run's outcomes
    (``keep_run``) with the interpreter's slot stores: never compiled, in either engine."""
    from reimburse.engine import drafts

    assert "reimburse.engine.drafts" not in MODULES
    assert Path(str(drafts.__file__)).suffix == ".py"
    assert hasattr(drafts.keep_run, "__code__")


def _build(folder: Path, sources: dict[str, str], python: str | None = None) -> Path:
    """Write a build's manifest and (empty) module files into ``folder``."""
    modules = {}
    for name in (*MODULES, f"{GROUP}__mypyc"):
        file = Path(*name.split(".")).with_name(name.split(".")[-1] + ".so")
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).touch()
        modules[name] = file.as_posix()
    manifest = {
        "python": python or compiled_engine.python_tag(),
        "modules": modules,
        "binaries": compiled_engine.binaries(folder, modules),
        "sources": sources,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


CURRENT = {"reimburse/engine/be/rules.py": "aa", "reimburse/engine/types.py": "bb"}


def test_a_build_of_the_current_sources_for_this_python_is_accepted(tmp_path: Path) -> None:
    assert compiled_engine.refusal(_build(tmp_path, CURRENT), CURRENT) is None


def test_no_build_is_refused(tmp_path: Path) -> None:
    assert "make compile" in str(compiled_engine.refusal(tmp_path, CURRENT))


@pytest.mark.parametrize(
    "changed",
    [
        {**CURRENT, "reimburse/engine/be/rules.py": "cc"},  # a compiled module edited
        {**CURRENT, "reimburse/engine/types.py": "cc"},  # a module it imports edited
        {**CURRENT, "reimburse/engine/new.py": "dd"},  # a module added
    ],
)
def test_a_build_of_other_sources_is_refused_as_stale(
    tmp_path: Path, changed: dict[str, str]
) -> None:
    why = compiled_engine.refusal(_build(tmp_path, CURRENT), changed)
    assert why is not None and "stale" in why
    assert next(path for path in changed if changed[path] != CURRENT.get(path)) in why


def test_a_build_for_another_python_is_refused(tmp_path: Path) -> None:
    build = _build(tmp_path, CURRENT, python=".cpython-312-x86_64-linux-gnu.so")
    assert "cpython-312" in str(compiled_engine.refusal(build, CURRENT))


def test_a_build_missing_a_module_is_refused(tmp_path: Path) -> None:
    build = _build(tmp_path, CURRENT)
    next(build.rglob("rules.so")).unlink()
    assert "reimburse.engine.be.rules" in str(compiled_engine.refusal(build, CURRENT))


def test_a_build_whose_module_changed_after_compiling_is_refused(tmp_path: Path) -> None:
    build = _build(tmp_path, CURRENT)
    next(build.rglob("rules.so")).write_bytes(b"not what was compiled")
    why = compiled_engine.refusal(build, CURRENT)
    assert why is not None and "reimburse.engine.be.rules" in why and "differ" in why


def test_a_build_without_its_modules_hashes_is_refused(tmp_path: Path) -> None:
    build = _build(tmp_path, CURRENT)
    manifest = json.loads((build / MANIFEST).read_text())
    del manifest["binaries"]
    (build / MANIFEST).write_text(json.dumps(manifest))
    assert "differ" in str(compiled_engine.refusal(build, CURRENT))


def test_a_stale_build_leaves_the_pure_engine_running_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build = _build(tmp_path, {"reimburse/engine/be/rules.py": "old"})
    finders = list(sys.meta_path)
    with caplog.at_level(logging.WARNING, logger=compiled_engine.__name__):
        running = compiled_engine.install({compiled_engine.ENV: "compiled"}, build)
    assert running.startswith("python (the build is stale: ")
    assert sys.meta_path == finders
    assert "the pure-Python engine runs: the build is stale" in caplog.text


def test_a_build_is_not_put_in_front_of_engine_modules_already_imported(tmp_path: Path) -> None:
    """Compiled modules call each other directly: they replace the pure ones as a whole or not
    at all (this process imported the pure ones when it started)."""
    build = _build(tmp_path, compiled_engine.sources())
    finders = list(sys.meta_path)
    running = compiled_engine.install({compiled_engine.ENV: "compiled"}, build)
    assert "were imported before" in running
    assert sys.meta_path == finders


@pytest.mark.parametrize("value", ["", "python"])
def test_the_pure_engine_is_the_default(value: str) -> None:
    assert compiled_engine.install({compiled_engine.ENV: value}) == "python"
    assert compiled_engine.install({}) == "python"


def test_an_unknown_engine_is_refused_loudly() -> None:
    with pytest.raises(ValueError, match="REIMBURSE_ENGINE='mypyc'"):
        compiled_engine.install({compiled_engine.ENV: "mypyc"})


def test_manage_py_check_warns_when_the_compiled_engine_is_asked_for_but_not_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reimburse.checks import engine_build

    monkeypatch.setenv(compiled_engine.ENV, "compiled")
    monkeypatch.setattr(compiled_engine, "RUNNING", "python (the build is stale: x changed)")
    [message] = engine_build()
    assert message.id == "reimburse.W001"
    assert "the build is stale: x changed" in message.msg
    monkeypatch.setattr(compiled_engine, "RUNNING", "compiled")
    [message] = engine_build()
    assert message.id == "reimburse.I001"
    monkeypatch.setenv(compiled_engine.ENV, "python")
    monkeypatch.setattr(compiled_engine, "RUNNING", "python")
    assert engine_build() == []
