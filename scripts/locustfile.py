"""Locust users for ``scripts/bench_clinic.py``: a patient's quota next to the patient itself.

Each user asks, for random patients of the benchmark clinic, the patient-quota endpoint and
the cheapest authenticated GET (the patient's record), with the same token. A short think
time keeps the server below saturation, so the figures are service times, not queueing.

The benchmark sets ``BENCH_API_KEY``, ``BENCH_PATIENT_IDS`` (a file of ids, one a line) and
``BENCH_AS_OF``; run it through the benchmark rather than by hand.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from locust import HttpUser, between, task

API_KEY = os.environ.get("BENCH_API_KEY", "")
AS_OF = os.environ.get("BENCH_AS_OF", "2025-12-15")
_IDS_FILE = os.environ.get("BENCH_PATIENT_IDS")
PATIENT_IDS = [int(line) for line in Path(_IDS_FILE).read_text().split()] if _IDS_FILE else [1]


class PracticeSystem(HttpUser):
    """The practice management system asking about its patients."""

    wait_time = between(0.2, 0.6)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {API_KEY}"

    @task
    def quota(self) -> None:
        patient = random.choice(PATIENT_IDS)
        self.client.get(f"/api/v1/patients/{patient}/quota?as_of={AS_OF}", name="quota")

    @task
    def patient_detail(self) -> None:
        patient = random.choice(PATIENT_IDS)
        self.client.get(f"/api/v1/patients/{patient}", name="patient detail")
