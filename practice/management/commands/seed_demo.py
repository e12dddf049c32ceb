"""Load two demo practices (Belgium, the Netherlands) with patients in telling states.

Idempotent: practices and users are found by name, every patient, episode, prescription and
session carries a fixed ``demo-…`` external id, so the services return the existing rows on a
second run. The clock is read once; every date is relative to that day, so on the day it runs
the Belgian and Dutch patients show the warnings named in the summary.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from practice import agreements, services
from practice.models import AgreementRequest, Country, Episode, Patient, Practice, Therapist
from reimburse.models import InsurerPackage

DEMO_PASSWORD = "demo-pass-2026"  # printed: demo data only, never a real installation
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # the documented demo login


# ------------------------------------------------------------------------ national ids


def insz(birth_date: date, serial: int) -> str:
    """Return a valid Belgian INSZ/NISS for a birth date and a 3-digit serial (odd: male).

    Check digits: 97 - (the first nine digits mod 97); for births from 2000 on, a 2 is put in
    front of the nine digits first (python-stdnum ``be.nn``).
    """
    body = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + body)
    return f"{body}{97 - base % 97:02d}"


def bsn(seed: int) -> str:
    """Return a valid Dutch BSN (the 11-test) derived from ``seed``."""
    candidate = 100_000_000 + seed * 7919
    while True:
        digits = f"{candidate:09d}"[:8]
        weighted = sum((9 - i) * int(d) for i, d in enumerate(digits))
        check = weighted % 11
        if check < 10:
            return f"{digits}{check}"
        candidate += 10


# ------------------------------------------------------------------------------ dates


def spread(count: int, start: date, end: date) -> list[date]:
    """Return ``count`` distinct days from ``start`` to ``end`` evenly spaced (one a day).

    When the span is too short (early January) the series runs on past ``end``: those are
    planned sessions, which the engine evaluates like done ones.
    """
    span = max((end - start).days, count - 1)
    if count == 1:
        return [start]
    # Floor division keeps the days distinct: consecutive offsets differ by at least one.
    return [start + timedelta(days=i * span // (count - 1)) for i in range(count)]


# -------------------------------------------------------------------------------- seed


@dataclass
class Summary:
    lines: list[str]

    def add(self, line: str) -> None:
        self.lines.append(line)


class Seeder:
    """Writes the demo through ``practice.services``; ``today`` is the command's one clock read."""

    def __init__(self, *, today: date) -> None:
        self.today = today
        self.year_start = date(today.year, 1, 1)
        self.summary = Summary(lines=[])

    # -- users

    def user(self, username: str, first: str, last: str, *, staff: bool = False) -> User:
        model: Any = get_user_model()
        user, created = model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        typed: User = user
        return typed

    def admin(self) -> None:
        model: Any = get_user_model()
        if not model.objects.filter(username=ADMIN_USERNAME).exists():
            model.objects.create_superuser(ADMIN_USERNAME, "admin@example.org", ADMIN_PASSWORD)
        self.summary.add(f"superuser: {ADMIN_USERNAME} / {ADMIN_PASSWORD}")

    def staff(self, practice: Practice, code: str) -> list[Therapist]:
        people = [
            (f"{code}-admin", "Clinic", "Administrator", Therapist.Role.ADMINISTRATOR),
            (f"{code}-therapist1", "Ann", "Peeters" if code == "be" else "de Vries", None),
            (f"{code}-therapist2", "Lotte", "Maes" if code == "be" else "Jansen", None),
        ]
        therapists = []
        for username, first, last, role in people:
            user = self.user(username, first, last, staff=role is not None)
            therapist, _created = Therapist.objects.get_or_create(
                user=user,
                defaults={
                    "practice": practice,
                    "role": role or Therapist.Role.THERAPIST,
                },
            )
            therapists.append(therapist)
            kind = "clinic administrator (admin site)" if role else "therapist"
            self.summary.add(f"  {kind}: {username} / {DEMO_PASSWORD}")
        return therapists[1:]

    # -- records

    # A demo seeded on an earlier day has other dates under the same external ids: the create
    # services refuse such a repeat (ConflictingRecord), and the demo keeps what it stored.

    def patient(
        self, practice: Practice, key: str, first: str, last: str, birth: date, nid: str, **kw: Any
    ) -> Patient:
        try:
            patient, _created = services.patient_create(
                practice=practice,
                first_name=first,
                last_name=last,
                birth_date=birth,
                national_id=nid,
                external_id=f"demo-{key}",
                **kw,
            )
        except services.ConflictingRecord:
            return Patient.objects.get(practice=practice, external_id=f"demo-{key}")
        return patient

    def episode(self, patient: Patient, key: str, title: str, category: str, **kw: Any) -> Episode:
        try:
            episode, _created = services.episode_create(
                patient=patient, title=title, category=category, external_id=f"demo-{key}", **kw
            )
        except services.ConflictingRecord:
            return Episode.objects.get(practice=patient.practice, external_id=f"demo-{key}")
        return episode

    def sessions(
        self,
        episode: Episode,
        key: str,
        days: list[date],
        therapists: list[Therapist],
        price: Decimal | None = None,
    ) -> None:
        for number, day in enumerate(days, start=1):
            with contextlib.suppress(services.ConflictingRecord):
                services.session_record(
                    episode=episode,
                    date=day,
                    therapist=therapists[number % len(therapists)],
                    price=price,
                    external_id=f"demo-{key}-s{number:02d}",
                )

    def prescription(self, episode: Episode, key: str, day: date, sessions: int) -> None:
        with contextlib.suppress(services.ConflictingRecord):
            services.prescription_create(
                episode=episode,
                date=day,
                sessions=sessions,
                prescriber="Dr. Demo",
                prescriber_number="19876543210",
                external_id=f"demo-{key}",
            )

    def request(self, episode: Episode, **kw: Any) -> AgreementRequest:
        """The episode's demo request (one per episode): found again on a second run."""
        found = episode.agreement_requests.first()
        return found or agreements.agreement_request_create(episode=episode, **kw)

    def decided(self, request: AgreementRequest, **decision: Any) -> None:
        agreements.agreement_decision_record(request=request, **decision)

    # -- Belgium

    def belgium(self) -> None:
        today = self.today
        practice, _created = Practice.objects.get_or_create(
            name="Demo Kinepraktijk Gent", country=Country.BELGIUM
        )
        self.summary.add(f"practice: {practice}")
        team = self.staff(practice, "be")

        # Courante: 16 of the 18 best-rate sessions of this calendar year used.
        born = date(1971, 9, 30)
        p = self.patient(practice, "be-1", "Jan", "Janssens", born, insz(born, 11))
        e = self.episode(p, "be-1-e", "Low back pain", "courante")
        start = max(self.year_start, today - timedelta(days=75))
        self.prescription(e, "be-1-rx", start - timedelta(days=7), 18)
        self.sessions(e, "be-1", spread(16, start, today), team)
        self.summary.add(f"  {p}: courante, 16 of 18 used this year (quota_low)")

        # Fa: inside its 365-day period, 30 of 60 best-rate sessions used.
        born = date(1988, 2, 14)
        p = self.patient(practice, "be-2", "Sofie", "Claes", born, insz(born, 22))
        first = today - relativedelta(months=5)
        e = self.episode(
            p,
            "be-2-e",
            "Knee after cruciate ligament surgery",
            "fa",
            pathology="fa-1",
            notified_on=first + timedelta(days=3),
        )
        self.prescription(e, "be-2-rx", first - timedelta(days=5), 60)
        self.sessions(e, "be-2", spread(30, first, today), team)
        self.summary.add(f"  {p}: Fa year running since {first} (30 of 60)")

        # Fb: period started last autumn; the per-year 60 restarts on 1 January.
        born = date(1956, 6, 3)
        p = self.patient(
            practice, "be-3", "Marc", "Wouters", born, insz(born, 33), preferential=True
        )
        first = date(today.year - 1, 10, 1)
        e = self.episode(
            p,
            "be-3-e",
            "Chronic neck pain (Fb)",
            "fb",
            pathology="fb-51",
            notified_on=first + timedelta(days=2),
        )
        self.prescription(e, "be-3-rx1", first - timedelta(days=10), 30)
        self.prescription(e, "be-3-rx2", self.year_start - timedelta(days=20), 30)
        last_year = spread(20, first, date(today.year - 1, 12, 22))
        this_year = spread(
            8, self.year_start + timedelta(days=6), max(today, self.year_start + timedelta(days=30))
        )
        self.sessions(e, "be-3", last_year + this_year, team)
        self.summary.add(f"  {p}: Fb since {first}, crossing into {today.year} (preferential)")

        # E: the agreement ends within 30 days (agreement_ending).
        born = date(1949, 11, 21)
        p = self.patient(practice, "be-4", "Rita", "Maes", born, insz(born, 44))
        e = self.episode(
            p,
            "be-4-e",
            "Multiple sclerosis (E)",
            "e",
            pathology="e-a",
        )
        self.decided(
            self.request(e),
            decision_id="DEMO-100000000404",
            status="agreement",
            decision_date=today - relativedelta(months=11) - timedelta(days=5),
            granted_from=today - relativedelta(months=11),
            granted_until=today + timedelta(days=20),
        )
        self.prescription(e, "be-4-rx", today - relativedelta(months=3) - timedelta(days=3), 30)
        self.sessions(e, "be-4", spread(12, today - relativedelta(months=3), today), team)
        self.summary.add(f"  {p}: E agreement ends {today + timedelta(days=20)} (agreement_ending)")

        # A prescription whose first session came more than 2 months after its date.
        born = date(1995, 4, 9)
        p = self.patient(practice, "be-5", "Pieter", "Goossens", born, insz(born, 55))
        e = self.episode(p, "be-5-e", "Shoulder tendinopathy", "courante")
        self.prescription(e, "be-5-rx", today - timedelta(days=90), 9)
        self.sessions(e, "be-5", spread(3, today - timedelta(days=10), today), team)
        self.summary.add(f"  {p}: prescription not started in time (prescription_late_start)")

        # E request: the fund waits for information from the physiotherapist (MyCareNet).
        born = date(2001, 8, 17)
        p = self.patient(practice, "be-6", "Lotte", "Peeters", born, insz(born, 66))
        e = self.episode(p, "be-6-e", "Bronchiectasis (E)", "e", pathology="e-j-2")
        self.prescription(e, "be-6-rx", today - timedelta(days=30), 30)
        self.sessions(e, "be-6", spread(4, today - timedelta(days=21), today), team)
        request = self.request(
            e,
            pathology_onset=today - relativedelta(years=3),
            annexes=[{"kind": "medical-report", "title": "Pneumologist's report"}],
        )
        self.decided(
            request,
            decision_id="DEMO-100000000606",
            status="wfi-physiotherapist",
            decision_date=today - timedelta(days=7),
            reason_code="WFI_AGREE_SRV_PHYSIO_004",
            # The fund's text as MyCareNet sent it (ehealth-pyconnector test data, 2025-11-19).
            reason_text="Justificatif manquant concernant la situation pathologique "
            "précédente: préciser la date d'apparition, la situation pathologique, …",
        )
        self.summary.add(f"  {p}: E request waiting for information (WFI_AGREE_SRV_PHYSIO_004)")

        # A 2nd courante situation of the year whose series was refused.
        born = date(1979, 12, 2)
        p = self.patient(practice, "be-7", "Tom", "Willems", born, insz(born, 77))
        start = max(self.year_start, today - timedelta(days=120))
        back = self.episode(p, "be-7-e1", "Low back pain", "courante", pathology="co-1-3-4-0")
        self.prescription(back, "be-7-rx1", start - timedelta(days=3), 9)
        self.sessions(back, "be-7-a", spread(9, start, start + timedelta(days=40)), team)
        knee = self.episode(
            p, "be-7-e2", "Knee ligament injury, left", "courante", pathology="co-3-2-5-1"
        )
        self.prescription(knee, "be-7-rx2", today - timedelta(days=25), 9)
        self.sessions(knee, "be-7-b", spread(3, today - timedelta(days=20), today), team)
        self.decided(
            self.request(knee),
            decision_id="DEMO-100000000707",
            status="refusal",
            decision_date=today - timedelta(days=10),
            reason_code="REF_AGREE_ALL_999",
            reason_text="geen bijlagen ifv aanvraag/opeenvolging aandoeningen en kopie "
            "voorschriften",
        )
        self.summary.add(f"  {p}: 2nd courante series refused (REF_AGREE_ALL_999)")

        # Came from another practice in the middle of the year: 7 sessions there already.
        born = date(1990, 3, 25)
        p = self.patient(practice, "be-8", "Nadia", "El Amrani", born, insz(born, 88))
        began = max(self.year_start, today - timedelta(days=100))
        moved = max(began + timedelta(days=30), today - timedelta(days=40))
        e = self.episode(
            p,
            "be-8-e",
            "Neck and arm pain",
            "courante",
            pathology="co-1-1-4-0",
            prior_sessions={str(today.year): 7},
            first_session_on=began,
        )
        self.prescription(e, "be-8-rx", moved - timedelta(days=2), 18)
        self.sessions(e, "be-8", spread(6, moved, today), team)
        self.summary.add(f"  {p}: 7 sessions at another practice this year, 6 here")

    # -- the Netherlands

    def netherlands(self) -> None:
        today = self.today
        practice, _created = Practice.objects.get_or_create(
            name="Demo Fysiotherapie Utrecht", country=Country.NETHERLANDS
        )
        self.summary.add(f"practice: {practice}")
        team = self.staff(practice, "nl")
        price = Decimal("42.50")

        # Chronic list (CVA): 18 treatments before, two here: the next is the 21st (basic).
        p = self.patient(practice, "nl-1", "Henk", "Bakker", date(1952, 3, 12), bsn(1))
        e = self.episode(
            p,
            "nl-1-e",
            "CVA rehabilitation",
            "chronic",
            condition="cva",
            prior_treatments=18,
            first_treatment_on=today - relativedelta(years=1),
            referral_date=today - relativedelta(years=1, days=10),
            referral_by="specialist",
        )
        self.sessions(e, "nl-1", spread(2, today - timedelta(days=7), today), team, price)
        services.coverage_set(patient=p, year=today.year, deductible_remaining=Decimal("385.00"))
        self.summary.add(
            f"  {p}: chronic CVA, first 20 done: basic pays from the next (basic_starts)"
        )

        # Osteoarthritis scheme: 10 of 12 within 12 months.
        p = self.patient(practice, "nl-2", "Truus", "Visser", date(1958, 8, 1), bsn(2))
        e = self.episode(
            p,
            "nl-2-e",
            "Knee osteoarthritis",
            "osteoarthritis",
            referral_date=today - relativedelta(months=3),
            referral_by="gp",
        )
        first = today - relativedelta(months=2, days=20)
        self.sessions(e, "nl-2", spread(10, first, today), team, price)
        self.summary.add(f"  {p}: osteoarthritis scheme, 10 of 12 (quota_low)")

        # Regular adult with a catalogue package (9 a year) nearly used up: 7 this year.
        p = self.patient(practice, "nl-3", "Sanne", "Smit", date(1984, 1, 25), bsn(3))
        e = self.episode(p, "nl-3-e", "Low back pain", "regular")
        package = (
            InsurerPackage.objects.filter(
                insurer="Zilveren Kruis", name="Aanvullend Handel 1 ster", year__lte=today.year
            )
            .order_by("-year")
            .first()
        )
        if package is not None:
            services.coverage_set(patient=p, year=today.year, package=package)
        else:  # catalogue not seeded (migration reversed): state the numbers directly
            services.coverage_set(
                patient=p,
                year=today.year,
                insurer="Zilveren Kruis",
                package_name="Aanvullend Handel 1 ster",
                treatments=9,
            )
        start = max(self.year_start, today - timedelta(days=50))
        self.sessions(e, "nl-3", spread(7, start, today), team, price)
        self.summary.add(f"  {p}: supplementary 9/year from the catalogue, 7 used (2 left)")

        # A child: 9 basic per condition per calendar year, 7 used.
        p = self.patient(
            practice, "nl-4", "Daan", "Mulder", today - relativedelta(years=10, days=40), bsn(4)
        )
        e = self.episode(p, "nl-4-e", "Ankle sprain", "regular")
        self.sessions(e, "nl-4", spread(7, start, today), team, price)
        self.summary.add(f"  {p}: child, 7 of 9 basic this year")


class Command(BaseCommand):
    help = "Create (or keep) the demo practices, logins and patients; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()  # the one clock read; everything below is relative to it
        seeder = Seeder(today=today)
        with transaction.atomic():
            seeder.admin()
            seeder.belgium()
            seeder.netherlands()
        self.stdout.write(f"Demo data as of {today}:")
        for line in seeder.summary.lines:
            self.stdout.write(line)
