"""The one bridge between stored records and the pure engine.

Rows become engine facts here, the engine is called with an explicit ``as_of``, and the
outcome comes back as engine value types. Nothing else calls the engine with ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from practice.models import Coverage, Episode, Patient, Prescription, TreatmentSession
from reimburse import engine
from reimburse.engine import types as t


def _episode_facts(episode: Episode) -> t.Episode:
    agreement = (
        t.Agreement(start=episode.agreement_from, until=episode.agreement_until)
        if episode.agreement_from
        else None
    )
    referral = (
        t.Referral(date=episode.referral_date, by=episode.referral_by)  # type: ignore[arg-type]
        if episode.referral_date and episode.referral_by
        else None
    )
    return t.Episode(
        id=str(episode.pk),
        category=episode.category,
        pathology=episode.pathology or None,
        notified_on=episode.notified_on,
        agreement=agreement,
        prescriptions=tuple(
            t.Prescription(
                id=str(rx.pk),
                date=rx.date,
                sessions=rx.sessions,
                second_session_motivated=rx.second_session_motivated,
            )
            for rx in episode.prescriptions.all()
        ),
        condition=episode.condition or None,
        term_months=episode.term_months,
        gold_class=episode.gold_class or None,
        gold_stage=episode.gold_stage or 2,
        prior_treatments=episode.prior_treatments,
        first_treatment_on=episode.first_treatment_on,
        referral=referral,
        extension=episode.extension,
    )


def _coverage_facts(coverage: Coverage) -> t.Coverage:
    """Convert a year's coverage row, filling what it leaves open from the catalogue package."""
    package = coverage.package

    def pick(own: object, from_package: object) -> object:
        return own if own is not None else from_package

    treatments = pick(coverage.treatments, package.treatments if package else None)
    budget = pick(coverage.budget, package.budget if package else None)
    carry = pick(coverage.carry_over_max, package.carry_over_max if package else 0)
    sub_limits = (
        {"manual_therapy": package.manual_therapy_limit}
        if package and package.manual_therapy_limit is not None
        else {}
    )
    return t.Coverage(
        year=coverage.year,
        insurer=coverage.insurer or (package.insurer if package else ""),
        package=coverage.package_name or (package.name if package else ""),
        treatments=treatments,  # type: ignore[arg-type]
        budget=budget,  # type: ignore[arg-type]
        carry_over_max=carry or 0,  # type: ignore[arg-type]
        pays_chronic_first_20=bool(package and package.pays_chronic_first_20),
        sub_limits=sub_limits,
    )


def patient_case(*, patient: Patient, as_of: date) -> t.Case:
    """Build the engine case for a patient whose episodes and coverage are prefetched."""
    episodes = list(patient.episodes.all())
    sessions = [
        t.Session(
            id=str(session.pk),
            date=session.date,
            episode=str(episode.pk),
            minutes=session.minutes,
            place=session.place,
            price=session.price,
        )
        for episode in episodes
        for session in episode.sessions.all()
    ]
    # Input position is the tie-breaker within a day: keep the recording order.
    sessions.sort(key=lambda s: (s.date, int(s.id)))
    deductible: dict[int, Decimal] = {
        c.year: c.deductible_remaining
        for c in patient.coverages.all()
        if c.deductible_remaining is not None
    }
    return t.Case(
        country=patient.practice.country,  # type: ignore[arg-type]
        as_of=as_of,
        patient=t.Patient(
            birth_date=patient.birth_date,
            preferential=patient.preferential,
            coverage=tuple(_coverage_facts(c) for c in patient.coverages.all()),
            deductible_remaining=deductible,
        ),
        episodes=tuple(_episode_facts(e) for e in episodes),
        sessions=tuple(sessions),
    )


def patients_for_evaluation(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Prefetch everything ``patient_case`` reads, in a fixed number of queries."""
    active_sessions = TreatmentSession.objects.filter(cancelled_at__isnull=True).order_by(
        "date", "id"
    )
    return patients.select_related("practice").prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("prescriptions", queryset=Prescription.objects.order_by("date", "id")),
                Prefetch("sessions", queryset=active_sessions),
            ),
        ),
        Prefetch("coverages", queryset=Coverage.objects.select_related("package")),
    )


def patient_status(*, patient: Patient, as_of: date) -> t.Result:
    """Return how a stored patient's sessions are reimbursed, with quotas and warnings."""
    loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    return engine.evaluate(patient_case(patient=loaded, as_of=as_of))


def patient_status_with(
    *, patient: Patient, as_of: date, extra_sessions: Sequence[t.Session]
) -> t.Result:
    """Return a prefetched patient's status as if unsaved sessions were recorded now (what-if).

    They are appended last, so on a day that already has a session a proposed one comes
    second, as it would once saved (a day's stored sessions keep their recording order).
    """
    case = patient_case(patient=patient, as_of=as_of)
    return engine.evaluate(replace(case, sessions=(*case.sessions, *extra_sessions)))


def statuses(*, patients: QuerySet[Patient], as_of: date) -> Iterable[tuple[Patient, t.Result]]:
    """Yield each patient with its status, loading all their records in a few queries."""
    for patient in patients_for_evaluation(patients):
        yield patient, engine.evaluate(patient_case(patient=patient, as_of=as_of))
