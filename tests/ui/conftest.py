"""Fixtures of the therapists' pages: a Belgian practice whose patient is near the quota.

The factories are not generic, so their results are cast to the models they create.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from practice.models import Episode, Patient, Practice, Prescription, Therapist
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

PASSWORD = "secret-pass-123"  # the UserFactory's password
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, never a downloaded browser; no network, no background services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass(frozen=True)
class Clinic:
    practice: Practice
    therapist: Therapist
    patient: Patient
    episode: Episode
    prescription: Prescription
    year: int

    @property
    def free_day(self) -> date:
        """A day of this year without a session, after the prescription."""
        return date(self.year, 3, 2)


def saved_user(**fields: Any) -> User:
    """A user who can log in with ``PASSWORD``."""
    return UserFactory.create(password=PASSWORD, **fields)


def near_quota_clinic(*, today: date, sessions: int = 16) -> Clinic:
    """A Belgian practice with a courante patient who had ``sessions`` of 18 this year."""
    practice = cast(Practice, PracticeFactory(name="Kine Centrum Gent", country="BE"))
    user = saved_user(username="ann", first_name="Ann", last_name="Peeters")
    therapist = cast(Therapist, TherapistFactory(practice=practice, user=user))
    patient = cast(
        Patient, PatientFactory(practice=practice, first_name="Jan", last_name="Janssens")
    )
    episode = cast(
        Episode, EpisodeFactory(patient=patient, title="Low back pain", category="courante")
    )
    prescription = cast(
        Prescription,
        PrescriptionFactory(
            episode=episode, date=date(today.year, 1, 5), sessions=18, prescriber="Dr. Claes"
        ),
    )
    # Every other day from 6 January: one a day, all covered by the prescription.
    for n in range(sessions):
        SessionFactory(
            episode=episode,
            therapist=therapist,
            date=date(today.year, 1, 6) + timedelta(days=2 * n),
        )
    return Clinic(practice, therapist, patient, episode, prescription, today.year)


def add_colleagues_patients(clinic: Clinic) -> None:
    """Give the practice a colleague and two more patients who need attention.

    An Fa episode whose notification was never sent (blocking, sessions pending) and a
    courante situation with all 18 best-rate sessions used (exhausted).
    """
    year = clinic.year
    colleague = TherapistFactory(
        practice=clinic.practice,
        user=saved_user(username="bart", first_name="Bart", last_name="Claes"),
    )
    knee = EpisodeFactory(
        patient=PatientFactory(practice=clinic.practice, first_name="Els", last_name="Maes"),
        title="Knee prosthesis",
        category="fa",
        pathology="fa-2",
    )
    PrescriptionFactory(episode=knee, date=date(year, 2, 2), sessions=30)
    for n in range(4):
        SessionFactory(episode=knee, therapist=colleague, date=date(year, 2, 3) + timedelta(days=n))
    shoulder = EpisodeFactory(
        patient=PatientFactory(practice=clinic.practice, first_name="Piet", last_name="Wouters"),
        title="Frozen shoulder",
    )
    PrescriptionFactory(episode=shoulder, date=date(year, 1, 2), sessions=18)
    for n in range(18):
        SessionFactory(
            episode=shoulder, therapist=colleague, date=date(year, 1, 5) + timedelta(days=3 * n)
        )


def french_clinic(*, today: date) -> Clinic:
    """A French-speaking Belgian practice: a patient near the courante quota and an Fa knee
    whose notification was never sent, every record typed in French."""
    practice = cast(Practice, PracticeFactory(name="Cabinet de Liège", country="BE"))
    user = saved_user(username="claire", first_name="Claire", last_name="Dubois")
    therapist = cast(Therapist, TherapistFactory(practice=practice, user=user))
    patient = cast(
        Patient, PatientFactory(practice=practice, first_name="Marie", last_name="Lambert")
    )
    episode = cast(Episode, EpisodeFactory(patient=patient, title="Lombalgie", category="courante"))
    prescription = cast(
        Prescription, PrescriptionFactory(episode=episode, date=date(today.year, 1, 5), sessions=18)
    )
    for n in range(16):
        SessionFactory(
            episode=episode,
            therapist=therapist,
            date=date(today.year, 1, 6) + timedelta(days=2 * n),
        )
    knee = EpisodeFactory(patient=patient, title="Genou", category="fa", pathology="fa-1")
    PrescriptionFactory(episode=knee, date=date(today.year, 3, 2), sessions=30)
    SessionFactory(episode=knee, therapist=therapist, date=date(today.year, 3, 3))
    return Clinic(practice, therapist, patient, episode, prescription, today.year)


def dutch_clinic(*, today: date) -> Clinic:
    """A practice in the Netherlands: a stroke patient past the unpaid first 20 (the
    deductible applies) and a knee under the osteoarthritis scheme, typed in Dutch."""
    practice = cast(Practice, PracticeFactory(name="Fysiopraktijk Utrecht", country="NL"))
    user = saved_user(username="daan", first_name="Daan", last_name="de Vries")
    therapist = cast(Therapist, TherapistFactory(practice=practice, user=user))
    patient = cast(
        Patient,
        PatientFactory(
            practice=practice, first_name="Sanne", last_name="Bakker", birth_date=date(1958, 4, 2)
        ),
    )
    episode = cast(
        Episode,
        EpisodeFactory(
            patient=patient,
            title="Beroerte",
            category="chronic",
            condition="cva",
            prior_treatments=18,
            referral_date=date(today.year - 1, 11, 2),
            referral_by="specialist",
        ),
    )
    for n in range(4):
        SessionFactory(
            episode=episode,
            therapist=therapist,
            date=date(today.year, 1, 6) + timedelta(days=7 * n),
            price=Decimal("40.00"),
        )
    knee = EpisodeFactory(patient=patient, title="Knie", category="osteoarthritis")
    SessionFactory(
        episode=knee, therapist=therapist, date=date(today.year, 2, 3), price=Decimal("40.00")
    )
    prescription = cast(
        Prescription, PrescriptionFactory(episode=episode, date=date(today.year, 1, 2))
    )
    return Clinic(practice, therapist, patient, episode, prescription, today.year)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def clinic(db: Any, today: date) -> Clinic:
    return near_quota_clinic(today=today)


@pytest.fixture
def therapist_client(client: Client, clinic: Clinic) -> Client:
    client.force_login(clinic.therapist.user)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
