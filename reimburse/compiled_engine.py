"""Run the Belgian engine's optional compiled (mypyc) build in place of its pure modules, if asked.

``REIMBURSE_ENGINE=compiled`` in the environment asks for the build ``make compile`` writes to
``build/compiled-engine/`` (never beside the sources, where Python would prefer it silently);
unset or ``python``, the pure-Python modules run, and they are the reference CI tests. The
build is used only when its manifest says it was compiled, for this Python, from exactly the
engine's sources as they are now (a SHA-256 of every module under ``reimburse/engine/``, since
mypyc may bake in what a module imports). Otherwise the pure modules run and a warning says
why: a deploy that forgot ``make compile`` gets the same answers, slower, rather than old
answers or no site. ``RUNNING`` says which engine runs.

Importing this module decides, before any engine module is imported (``reimburse.engine``
imports it first): the compiled modules are interchangeable only as a whole. It lives outside
the engine, which stays facts in, outcome out: no environment, no logging, no import hooks.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

ENV = "REIMBURSE_ENGINE"
# What mypyc compiles; types.py and drafts.py stay pure (drafts swaps ``__class__`` of slots
# objects, which native classes refuse), as does the Dutch engine.
MODULES = (
    "reimburse.engine.dated",
    "reimburse.engine.be.tables",
    "reimburse.engine.be.situations",
    "reimburse.engine.be.rules",
)
GROUP = "reimburse_engine_compiled"  # mypyc's shared library is the top-level f"{GROUP}__mypyc"
ENGINE = Path(__file__).resolve().parent / "engine"
ROOT = ENGINE.parents[1]
BUILD = ROOT / "build" / "compiled-engine"
MANIFEST = "manifest.json"

logger = logging.getLogger(__name__)


def sources(engine: Path = ENGINE) -> dict[str, str]:
    """Return the SHA-256 of every Python module of the engine, by path from the project root."""
    root = engine.parents[1]
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(engine.rglob("*.py"))
    }


def binaries(build: Path, files: Mapping[str, str]) -> dict[str, str]:
    """Return the SHA-256 of each module file of a build (``files``: module → path in it)."""
    return {
        name: hashlib.sha256((build / file).read_bytes()).hexdigest()
        for name, file in sorted(files.items())
        if (build / file).is_file()
    }


def python_tag() -> str:
    """Return what a build must have been compiled for: this interpreter's extension suffix."""
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def refusal(build: Path, current: Mapping[str, str]) -> str | None:
    """Return why the build in ``build`` cannot stand for the sources ``current``, or None."""
    try:
        manifest = json.loads((build / MANIFEST).read_text())
    except FileNotFoundError:
        return f"no compiled build in {build} (run `make compile`)"
    except ValueError:
        return f"{build / MANIFEST} is unreadable (run `make compile`)"
    if manifest.get("python") != python_tag():
        return f"the build is for {manifest.get('python')}, this Python loads {python_tag()}"
    built: dict[str, str] = manifest.get("sources", {})
    changed = sorted(
        path for path in built.keys() | current.keys() if built.get(path) != current.get(path)
    )
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if changed[3:] else "")
        return f"the build is stale: {shown} changed since `make compile`"
    files: dict[str, str] = manifest.get("modules", {})
    needed = (*MODULES, f"{GROUP}__mypyc")
    missing = [name for name in needed if not (build / files.get(name, "?")).is_file()]
    if missing:
        return f"the build lacks {', '.join(missing)} (run `make compile`)"
    # What was compiled is what loads: a file changed since (a half-copied deploy, a hand
    # edit) is not run. Whoever can write the build can also write the sources the app runs.
    recorded: dict[str, str] = manifest.get("binaries", {})
    found = binaries(build, {name: files[name] for name in needed})
    altered = sorted(name for name in needed if recorded.get(name) != found.get(name))
    if altered:
        return f"the build's {', '.join(altered)} differ from what `make compile` wrote"
    return None


class CompiledFinder(importlib.abc.MetaPathFinder):
    """Find the compiled modules (and mypyc's shared library) in the build, nothing else."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def wanted(environ: Mapping[str, str] = os.environ) -> str:
    """Return the engine ``environ`` asks for, ``"python"`` or ``"compiled"``; fail loudly else."""
    choice = environ.get(ENV, "") or "python"
    if choice not in ("python", "compiled"):
        raise ValueError(f"{ENV}={choice!r}: expected 'python' (the default) or 'compiled'")
    return choice


def install(environ: Mapping[str, str], build: Path = BUILD) -> str:
    """Put the compiled build in front of the pure modules if ``environ`` asks for it and it is
    fresh; return what runs: ``"python"``, ``"compiled"`` or ``"python (…why not compiled)"``."""
    choice = wanted(environ)
    if choice == "python":
        return "python"
    loaded = [name for name in MODULES if name in sys.modules]
    why = refusal(build, sources())
    if why is None and loaded:
        why = f"{', '.join(loaded)} were imported before the build could be put in front"
    if why is None:
        manifest = json.loads((build / MANIFEST).read_text())
        finder = CompiledFinder({name: build / file for name, file in manifest["modules"].items()})
        try:  # mypyc's shared library: the one place a broken build (ABI, symbols) shows early
            _load(finder, f"{GROUP}__mypyc")
        except ImportError as error:
            sys.modules.pop(f"{GROUP}__mypyc", None)
            why = f"the build does not load: {error}"
        else:
            sys.meta_path.insert(0, finder)
            # Debug, not info: every manage.py command would print it on stderr, which some
            # commands' callers read (simulate); ``manage.py check`` says it (reimburse.I001).
            logger.debug("Reimbursement engine: compiled (mypyc build in %s)", build)
            return "compiled"
    logger.warning("%s=compiled, but the pure-Python engine runs: %s", ENV, why)
    return f"python ({why})"


def _load(finder: CompiledFinder, name: str) -> ModuleType:
    """Import ``name`` through ``finder`` alone (mypyc's shared library, a top-level module)."""
    spec = finder.find_spec(name, None)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


RUNNING = install(os.environ)
