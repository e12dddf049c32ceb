"""Record, or compare, the engine's full answers on generated cases (issue 19: identical answers).

    .venv/bin/python scripts/engine_oracle.py --record          # writes tests/fixtures/engine
    .venv/bin/python scripts/engine_oracle.py --against main --count 3000

``--record`` writes the cases and the answers of the engine in this work tree; the test
``tests/engine/test_oracle.py`` then checks every answer. ``--against REF`` compares, live,
this engine with the engine of git commit REF on ``--count`` Belgian and Dutch cases (more than
the fixture holds) and prints the first difference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import frozen_engine  # noqa: E402

from reimburse.engine import evaluate  # noqa: E402
from tests.engine.oracle import (  # noqa: E402
    FIXTURE,
    answers,
    decode,
    encode,
    generated_cases,
    registry,
)


def normal(value: object) -> list[object]:
    found: list[object] = json.loads(json.dumps(value))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="write the fixture")
    parser.add_argument("--against", metavar="REF", help="compare with the engine of REF")
    parser.add_argument("--count", type=int, default=1500, help="cases per country")
    args = parser.parse_args()
    began = time.perf_counter()
    cases = generated_cases(args.count)
    print(f"{len(cases)} cases drawn in {time.perf_counter() - began:.1f} s")
    if args.record:
        rows = [{"case": encode(c), "answers": answers(evaluate, c)} for c in cases]
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(FIXTURE, "wt", compresslevel=9) as out:
            json.dump(rows, out, separators=(",", ":"))
        print(f"wrote {len(rows)} cases to {FIXTURE} ({FIXTURE.stat().st_size:,} bytes)")
    if args.against:
        old = frozen_engine.load(args.against)
        known = registry(old.types, old.vocabulary)
        differ = 0
        for i, case in enumerate(cases):
            mine = normal(answers(evaluate, case))
            theirs = normal(answers(old.evaluate, decode(encode(case), known)))
            if mine != theirs:
                differ += 1
                if differ == 1:
                    print(f"case {i} differs:\n  case {json.dumps(encode(case))[:2000]}")
                    for a, b in zip(mine, theirs, strict=True):
                        if a != b:
                            print(f"  now    {json.dumps(a)[:3000]}")
                            print(f"  before {json.dumps(b)[:3000]}")
        print(f"{len(cases) - differ} of {len(cases)} cases answer as at {args.against}")
        if differ:
            sys.exit(1)


if __name__ == "__main__":
    main()
