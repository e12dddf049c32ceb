"""Import the engine as it was at a git commit, beside the current one (for comparisons).

``load("main")`` copies ``reimburse/engine`` of that commit (``git archive``) into a temporary
folder as a top-level package of its own, its ``reimburse.engine`` imports renamed, and returns
it. The copy has its own types: pass it facts built with them (``convert``).
"""

from __future__ import annotations

import atexit
import importlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def commit_of(ref: str) -> str:
    """Return the full hash ``ref`` names."""
    return subprocess.run(
        ["git", "rev-parse", ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def load(ref: str) -> ModuleType:
    """Return the engine package of ``ref`` (its ``evaluate``, ``types``, ``vocabulary``)."""
    sha = commit_of(ref)
    name = f"_engine_{sha[:12]}"
    if name in sys.modules:
        return sys.modules[name]
    archive = subprocess.run(
        ["git", "archive", sha, "reimburse/engine"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="frozen-engine-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    package = folder / name
    (folder / "reimburse" / "engine").rename(package)
    for source in package.rglob("*.py"):
        text = source.read_text()
        source.write_text(text.replace("reimburse.engine", name))
    sys.path.insert(0, str(folder))
    module = importlib.import_module(name)
    for part in ("types", "vocabulary"):
        importlib.import_module(f"{name}.{part}")
    return module
