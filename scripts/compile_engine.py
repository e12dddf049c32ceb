"""Compile the Belgian engine with mypyc into ``build/compiled-engine/`` (``make compile``).

The modules ``reimburse.compiled_engine.MODULES`` are compiled as one group; the extension
modules go to the build folder, never beside the sources (Python would prefer a ``.so`` there to
the ``.py``, and tests would run compiled code unawares). A manifest records this Python's
extension suffix, where each module is and the SHA-256 of every engine source it was built
from; ``reimburse.compiled_engine`` uses the build only while they match. The new build replaces
the old one only once it is complete. Needs a C compiler and the Python headers (Debian:
``apt-get install gcc python3-dev``); mypyc comes with mypy (the dev dependencies).

Run: ``.venv/bin/python scripts/compile_engine.py`` (or ``make compile``), then start the app
with ``REIMBURSE_ENGINE=compiled``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["REIMBURSE_ENGINE"] = "python"  # compile from the pure modules, whatever is built

from reimburse import compiled_engine as compiled  # noqa: E402


def main() -> None:
    from mypy.version import __version__ as mypy_version
    from mypyc.build import mypycify
    from setuptools import setup

    os.chdir(ROOT)
    before = compiled.sources()
    began = time.monotonic()
    (ROOT / "build").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="compile-engine-", dir=ROOT / "build"))
    try:
        paths = [str(Path(*name.split(".")).with_suffix(".py")) for name in compiled.MODULES]
        extensions = mypycify(
            paths, opt_level="3", group_name=compiled.GROUP, target_dir=str(work / "c")
        )
        out = work / "out"
        setup(
            name="reimburse-engine-compiled",
            ext_modules=extensions,
            script_args=[
                "--quiet",
                "build_ext",
                f"--build-lib={out}",
                f"--build-temp={work / 'obj'}",
                f"--parallel={os.cpu_count() or 1}",
            ],
        )
        suffix = compiled.python_tag()
        modules = {}
        for name in (*compiled.MODULES, f"{compiled.GROUP}__mypyc"):
            file = Path(*name.split(".")).with_name(name.split(".")[-1] + suffix)
            if not (out / file).is_file():
                raise SystemExit(f"mypyc built no {file}")
            modules[name] = file.as_posix()
            # The rules read their tables beside ``__file__``: link the data, never copy it, so
            # the compiled engine reads the same tables as the pure one, edited or not.
            data, link = ROOT / file.parent / "data", out / file.parent / "data"
            if data.is_dir() and not link.is_symlink():
                link.symlink_to(os.path.relpath(data, compiled.BUILD / file.parent))
        if compiled.sources() != before:
            raise SystemExit("the engine's sources changed while compiling: run it again")
        manifest = {
            "python": suffix,
            "mypy": mypy_version,
            "modules": modules,
            "binaries": compiled.binaries(out, modules),
            "sources": before,
        }
        (out / compiled.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        old = work / "old"
        if compiled.BUILD.exists():
            compiled.BUILD.rename(old)
        out.rename(compiled.BUILD)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"compiled {len(compiled.MODULES)} modules into {compiled.BUILD.relative_to(ROOT)} "
        f"in {time.monotonic() - began:.0f} s; run with REIMBURSE_ENGINE=compiled"
    )


if __name__ == "__main__":
    main()
