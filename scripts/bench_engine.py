"""Time the pure engine on synthetic Belgian patient-years (a benchmark, not a test).

Each patient-year has 100 sessions over 3 episodes — a courante situation (30 sessions over two
prescriptions), an Fa episode (40) and an Fb episode (30), notified and prescribed — on distinct
days of 2025. Prints the median time for one patient and the time for 5,000 patients.

Run: ``.venv/bin/python scripts/bench_engine.py`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reimburse.engine import evaluate
from reimburse.engine.types import Case, Episode, Patient, Prescription, Session

PATIENTS = 5_000
SINGLE_RUNS = 200
AS_OF = date(2025, 6, 30)


def patient_year(n: int) -> Case:
    """Build patient ``n``'s year: 100 sessions on distinct days, shifted by ``n``."""
    start = date(2025, 1, 6) + timedelta(days=n % 7)
    days = [start + timedelta(days=3 * i) for i in range(100)]  # every third day of the year
    courante_days, fa_days, fb_days = days[0::3][:30], days[1::3][:40], days[2::3][:30]
    fa_days += [d for d in days if d not in courante_days + fa_days + fb_days][: 40 - len(fa_days)]
    before = timedelta(days=2)
    episodes = (
        Episode(
            "back",
            "courante",
            prescriptions=(
                Prescription("rx-c1", courante_days[0] - before, 18),
                Prescription("rx-c2", courante_days[18] - before, 12),
            ),
        ),
        Episode(
            "knee",
            "fa",
            pathology="fa-1",
            notified_on=fa_days[0] - before,
            prescriptions=(Prescription("rx-fa", fa_days[0] - before, 40),),
        ),
        Episode(
            "gait",
            "fb",
            pathology="fb-51",
            notified_on=fb_days[0] - before,
            prescriptions=(Prescription("rx-fb", fb_days[0] - before, 30),),
        ),
    )
    sessions = tuple(
        Session(f"{episode}-{i}", day, episode)
        for episode, ep_days in (("back", courante_days), ("knee", fa_days), ("gait", fb_days))
        for i, day in enumerate(ep_days, 1)
    )
    assert len(sessions) == 100 and len({s.date for s in sessions}) == 100
    return Case("BE", AS_OF, Patient(date(1970, 1, 1) + timedelta(days=n)), episodes, sessions)


def main() -> None:
    """Print per-patient and bulk timings of ``evaluate``."""
    one = patient_year(0)
    evaluate(one)  # warm up imports and caches
    single = []
    for _ in range(SINGLE_RUNS):
        began = time.perf_counter()
        evaluate(one)
        single.append(time.perf_counter() - began)

    cases = [patient_year(n) for n in range(PATIENTS)]
    began = time.perf_counter()
    for case in cases:
        evaluate(case)
    total = time.perf_counter() - began

    median_ms = statistics.median(single) * 1000
    print(f"one patient-year (100 sessions, 3 episodes): median {median_ms:.2f} ms")
    print(f"  ({SINGLE_RUNS} runs of evaluate on the same case)")
    print(f"{PATIENTS:,} patient-years: {total:.2f} s total")
    print(f"  {total / PATIENTS * 1000:.2f} ms per patient, {PATIENTS / total:,.0f} patients/s")


if __name__ == "__main__":
    main()
