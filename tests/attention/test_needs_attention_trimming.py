"""Needs attention trims old history and shows exactly what the practice can still act on.

Many generated patients of a Belgian and a Dutch practice, sessions over five years: for each
``as_of`` (1 January and 31 December edges included), ``practice_warnings`` equals the full
evaluation of every patient (through ``statuses``) minus the warnings that name a session
before 1 January of the year before ``as_of``; the trimmed evaluations have the full
evaluations' pools, and their quotas of the episodes kept.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.models import (
    AgreementRequest,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    TreatmentSession,
)
from reimburse import services
from reimburse.attention.compute import actionable_evaluations, unread_episodes
from reimburse.attention.horizon import cut_date, unloaded
from reimburse.engine.vocabulary import TABLE_GAPS
from reimburse.explain import params_json
from reimburse.selectors import PatientWarning, practice_warnings
from reimburse.services import patients_for_evaluation, practice_evaluations, statuses
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2026, 6, 30)
AS_OFS = (date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1), date(2025, 12, 31))
PATIENTS = 40

BE_CATEGORIES = ("courante", "courante", "courante", "fa", "fb", "e", "perinatal", "palliative")
NL_CATEGORIES = (
    "regular",
    "chronic",
    "osteoarthritis",
    "claudication",
    "pelvic_floor",
    "copd",
    "rheumatoid_arthritis",
)


def _day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))


# Decisions a generated episode's requests get: granted ones end (or not), others wait or fail.
KINDS = {"e": "physiotherapy-e", "courante": "physiotherapy-common-2-and-more"}
STATUSES = ("agreement", "agreement", "partialAgreement", "wfi-physiotherapist", "refusal", "draft")


def _episode(rng: random.Random, patient: Patient, country: str, n: int) -> Episode:
    if country == "BE":
        category = rng.choice(BE_CATEGORIES)
        return Episode(
            patient=patient,
            title=f"{category} {n}",
            category=category,
            pathology={"fa": "fa-3", "fb": "fb-51", "e": "e-b"}.get(category, ""),
            notified_on=_day(rng) if category in ("fa", "fb") and rng.random() < 0.9 else None,
        )
    category = rng.choice(NL_CATEGORIES)
    referred = rng.random() < 0.8
    return Episode(
        patient=patient,
        title=f"{category} {n}",
        category=category,
        condition=rng.choice(("cva", "fracture_conservative")) if category == "chronic" else "",
        term_months=rng.choice((None, 12, 24)),
        gold_class="B1" if category == "copd" else "",
        prior_treatments=rng.choice((0, 0, 10, 20)),
        first_treatment_on=_day(rng) if rng.random() < 0.2 else None,
        referral_date=date(2020, 12, 1) if referred else None,
        referral_by="gp" if referred else "",
    )


def _generate(country: str, seed: int) -> Practice:
    """Create a practice of varied patients: episodes in runs of sessions over five years."""
    rng = random.Random(seed)
    practice = PracticeFactory.create(country=country)
    for p in range(PATIENTS):
        birth = rng.choice((date(1955, 3, 1), date(1980, 7, 7), date(2007, 1, 1), date(2012, 5, 5)))
        patient = Patient.objects.create(
            practice=practice, first_name="P", last_name=f"{country}{p:03d}", birth_date=birth
        )
        for n in range(rng.randint(1, 6)):
            episode = _episode(rng, patient, country, n)
            episode.save()
            if episode.category in ("e", "courante") and rng.random() < 0.5:
                for _ in range(rng.choice((1, 1, 2))):
                    start = _day(rng)
                    until = start + timedelta(days=rng.randrange(30, 700))
                    AgreementRequest.objects.create(
                        practice=practice,
                        episode=episode,
                        kind=KINDS[episode.category],
                        status=rng.choice(STATUSES),
                        granted_from=start,
                        granted_until=until if rng.random() < 0.8 else None,
                    )
            day = _day(rng)
            for _ in range(rng.randint(0, 3)):
                Prescription.objects.create(
                    practice=practice,
                    episode=episode,
                    date=day - timedelta(days=rng.randrange(60)),
                    sessions=rng.choice((9, 18, 60)),
                )
            sessions = []
            for _ in range(rng.randint(1, 30)):
                if day > LAST_DAY:
                    break
                price = Decimal("42.00") if country == "NL" else None
                sessions.append(
                    TreatmentSession(practice=practice, episode=episode, date=day, price=price)
                )
                day += timedelta(days=rng.choice((0, 2, 3, 7, 14, 60)))
            TreatmentSession.objects.bulk_create(sessions)
        if country == "NL":
            for year in range(2021, 2027):
                if rng.random() < 0.7:
                    Coverage.objects.create(
                        patient=patient,
                        year=year,
                        treatments=rng.choice((0, 6, 9, 12)),
                        carry_over_max=rng.choice((0, 0, 3)),
                        deductible_remaining=Decimal("385.00"),
                    )
    return practice


def _full_minus_old(practice: Practice, as_of: date) -> list[PatientWarning]:
    """Needs attention from the full evaluation, less warnings naming a session before the cut
    and those about the tables (said once for the practice)."""
    cut = cut_date(as_of)
    rows: list[PatientWarning] = []
    for patient, result in statuses(
        patients=Patient.objects.filter(practice=practice), as_of=as_of
    ):
        old = {s.id for s in result.sessions if s.date < cut}
        titles = {str(e.pk): e.title for e in patient.episodes.all()}
        rows.extend(
            PatientWarning(
                patient_id=patient.pk,
                patient_name=str(patient),
                episode_id=int(w.episode) if w.episode else None,
                episode_title=titles.get(w.episode or ""),
                session_id=int(w.session) if w.session else None,
                code=w.code,
                severity=w.severity,
                params=params_json(w.params),
            )
            for w in result.warnings
            if w.code not in TABLE_GAPS and (w.session is None or w.session not in old)
        )
    rows.sort(key=lambda row: (*row.urgency, row.patient_name))
    return rows


@pytest.mark.parametrize(("country", "seed"), [("BE", 1), ("BE", 2), ("NL", 3), ("NL", 4)])
def test_needs_attention_is_the_full_evaluation_minus_warnings_on_sessions_before_the_cut(
    country: str, seed: int
) -> None:
    practice = _generate(country, seed)
    for as_of in AS_OFS:
        with CaptureQueriesContext(connection) as queries:
            shown = practice_warnings(practice=practice, as_of=as_of)
        # The stored versions (1), every patient's records (at most 9: patients, episodes,
        # prescriptions, sessions, agreement requests, coverage, uses at another practice, and
        # in Belgium the episodes left unread and the shared days), the tariffs the clinic
        # loaded and the therapists' convention periods (1 each, Belgium), the warnings
        # stored (1).
        assert len(queries.captured_queries) <= 13
        assert shown == _full_minus_old(practice, as_of), as_of
        # Nothing changed since: the stored warnings, in one query.
        with CaptureQueriesContext(connection) as queries:
            again = practice_warnings(practice=practice, as_of=as_of)
        assert len(queries.captured_queries) == 1
        assert again == shown


@pytest.mark.parametrize(("country", "seed"), [("BE", 5), ("NL", 6)])
def test_trimmed_evaluations_keep_the_pools_and_the_quotas_of_the_kept_episodes(
    country: str, seed: int
) -> None:
    practice = _generate(country, seed)
    dropped_some = False
    for as_of in AS_OFS:
        full = list(practice_evaluations(practice=practice, as_of=as_of))
        trimmed = list(actionable_evaluations(practice=practice, as_of=as_of))
        assert [e.patient_id for e in full] == [e.patient_id for e in trimmed]
        for whole, cut in zip(full, trimmed, strict=True):
            assert cut.result.pools == whole.result.pools
            kept = {q.episode for q in cut.result.quotas}
            assert cut.result.quotas == tuple(q for q in whole.result.quotas if q.episode in kept)
            # A quota left out belongs to an episode with no session from the cut on.
            cut_day = cut_date(as_of)
            recent = {s.episode for s in whole.result.sessions if s.date >= cut_day}
            left_out = {q.episode for q in whole.result.quotas} - kept
            assert not left_out & recent
            dropped_some = dropped_some or bool(left_out)
    assert dropped_some  # the generated history really is trimmed


@pytest.mark.parametrize("seed", [1, 7])
def test_the_sql_leaves_unread_exactly_the_episodes_history_unloaded_names(seed: int) -> None:
    """``unread_episodes`` (SQL) selects what ``attention.horizon.unloaded`` (proven) selects."""
    practice = _generate("BE", seed)
    # Two old courante episodes of one patient on one day (both may stay unread), and an old
    # one sharing a day with an episode that runs on past the cut (the patient is read whole).
    old_pair, shared_with_recent = Patient.objects.filter(practice=practice)[:2]
    pair = []
    for _ in range(2):
        pair.append(Episode.objects.create(patient=old_pair, title="old", category="courante"))
        TreatmentSession.objects.create(practice=practice, episode=pair[-1], date=date(2021, 3, 1))
    spanning = Episode.objects.create(patient=shared_with_recent, title="long", category="e")
    old = Episode.objects.create(patient=shared_with_recent, title="old", category="courante")
    for episode, day in ((spanning, date(2022, 5, 2)), (spanning, date(2025, 6, 2))):
        TreatmentSession.objects.create(practice=practice, episode=episode, date=day)
    TreatmentSession.objects.create(practice=practice, episode=old, date=date(2022, 5, 2))

    for as_of in AS_OFS:
        from_sql = set(unread_episodes(practice, as_of))
        from_history: set[int] = set()
        for patient in patients_for_evaluation(Patient.objects.filter(practice=practice)):
            case = services.patient_case(patient=patient, as_of=as_of)
            from_history |= {int(pk) for pk in unloaded(case)}
        assert from_sql == from_history, as_of
        # For some of the patients (those Needs attention recomputes): their share of it.
        everyone = Patient.objects.filter(practice=practice).order_by("pk")
        some = {old_pair.pk, shared_with_recent.pk, *everyone.values_list("pk", flat=True)[::3]}
        chosen = Patient.objects.filter(pk__in=some)
        from_some = unread_episodes(practice, as_of, chosen)
        owner = dict(Episode.objects.values_list("pk", "patient_id"))
        assert set(from_some) == {pk for pk in from_sql if owner[pk] in some}, as_of
        if as_of.year == 2025:  # the cut is 1 January 2024: all three are old courante ones
            assert {e.pk for e in pair} <= from_sql
            assert old.pk not in from_sql  # shares 2 May 2022 with an episode that is read
