"""The bridge turns stored rows into engine facts, in a number of queries that does not grow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.models import ConventionAdherence, Patient, Practice
from reimburse import engine
from reimburse.engine import types as t
from reimburse.services import (
    patient_case,
    patient_status,
    patients_for_evaluation,
    practice_cases,
    statuses,
)
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


class EchoJurisdiction:
    """A stand-in engine: returns an empty result and remembers the case it was given."""

    cases: list[t.Case]

    def __init__(self) -> None:
        self.cases = []

    def evaluate(self, case: t.Case, *, outcomes: bool = True) -> t.Result:
        self.cases.append(case)
        return t.Result(
            country=case.country, as_of=case.as_of, sessions=(), quotas=(), pools=(), warnings=()
        )


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> EchoJurisdiction:
    stub = EchoJurisdiction()
    monkeypatch.setattr(engine, "JURISDICTIONS", {"BE": stub, "NL": stub})
    return stub


def _loaded(patient: Patient) -> Patient:
    return patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()


def test_cancelled_sessions_are_not_facts() -> None:
    episode = EpisodeFactory.create()
    kept = SessionFactory.create(episode=episode, date=date(2025, 2, 3))
    cancelled = SessionFactory.create(
        episode=episode,
        date=date(2025, 2, 4),
        cancelled_at=timezone.now(),
        cancelled_by=UserFactory.create(),
    )
    case = patient_case(patient=_loaded(episode.patient), as_of=AS_OF)
    ids = [s.id for s in case.sessions]
    assert ids == [str(kept.pk)]
    assert str(cancelled.pk) not in ids


def test_sessions_come_in_date_order_then_recording_order() -> None:
    episode = EpisodeFactory.create()
    late = SessionFactory.create(episode=episode, date=date(2025, 3, 1))
    first = SessionFactory.create(episode=episode, date=date(2025, 2, 1))
    second_same_day = SessionFactory.create(episode=episode, date=date(2025, 2, 1))
    case = patient_case(patient=_loaded(episode.patient), as_of=AS_OF)
    assert [s.id for s in case.sessions] == [str(first.pk), str(second_same_day.pk), str(late.pk)]


def test_episode_facts_carry_prescriptions_agreement_and_list_code() -> None:
    episode = EpisodeFactory.create(category="e", pathology="e-a")
    AgreementRequestFactory.create(
        episode=episode, granted_from=date(2025, 1, 1), granted_until=date(2025, 12, 31)
    )
    rx = PrescriptionFactory.create(episode=episode, date=date(2025, 1, 5), sessions=30)
    case = patient_case(patient=_loaded(episode.patient), as_of=AS_OF)
    (facts,) = case.episodes
    assert facts.category == "e" and facts.pathology == "e-a"
    assert facts.agreements == (t.Agreement(start=date(2025, 1, 1), until=date(2025, 12, 31)),)
    assert facts.prescriptions == (
        t.Prescription(id=str(rx.pk), date=date(2025, 1, 5), sessions=30),
    )
    assert case.country == "BE" and case.as_of == AS_OF


def test_coverage_fills_what_it_leaves_open_from_its_catalogue_package() -> None:
    package = InsurerPackageFactory.create(
        insurer="Salland",
        name="Plus",
        year=2025,
        treatments=15,
        manual_therapy_limit=9,
        carry_over_max=2,
        pays_chronic_first_20=True,
    )
    coverage = CoverageFactory.create(year=2025, package=package)
    case = patient_case(patient=_loaded(coverage.patient), as_of=AS_OF)
    (facts,) = case.patient.coverage
    assert facts == t.Coverage(
        year=2025,
        insurer="Salland",
        package="Plus",
        treatments=15,
        budget=None,
        carry_over_max=2,
        pays_chronic_first_20=True,
        sub_limits={"manual_therapy": 9},
    )


def test_numbers_stated_on_the_coverage_win_over_the_package() -> None:
    package = InsurerPackageFactory.create(treatments=9)
    coverage = CoverageFactory.create(year=2025, package=package, treatments=12, insurer="Own")
    case = patient_case(patient=_loaded(coverage.patient), as_of=AS_OF)
    (facts,) = case.patient.coverage
    assert facts.treatments == 12
    assert facts.insurer == "Own"


def test_the_deductible_left_is_given_per_year() -> None:
    patient = PatientFactory.create(practice__country="NL")
    CoverageFactory.create(patient=patient, year=2024, deductible_remaining=Decimal("100.00"))
    CoverageFactory.create(patient=patient, year=2025, deductible_remaining=Decimal("385.00"))
    CoverageFactory.create(
        patient=patient, year=2026
    )  # unknown: the engine uses the statutory amount
    case = patient_case(patient=_loaded(patient), as_of=AS_OF)
    assert dict(case.patient.deductible_remaining) == {
        2024: Decimal("100.00"),
        2025: Decimal("385.00"),
    }


def test_patient_status_hands_the_engine_the_case(echo: EchoJurisdiction) -> None:
    session = SessionFactory.create()
    result = patient_status(patient=session.episode.patient, as_of=AS_OF)
    assert result.as_of == AS_OF
    assert [s.id for s in echo.cases[0].sessions] == [str(session.pk)]


def _practice_with(count: int) -> Practice:
    practice = PracticeFactory.create()
    for _ in range(count):
        episode = EpisodeFactory.create(patient__practice=practice)
        PrescriptionFactory.create(episode=episode)
        SessionFactory.create(episode=episode)
        SessionFactory.create(episode=episode, date=date(2025, 2, 6))
    return practice


def _queries_for(practice: Practice) -> int:
    with CaptureQueriesContext(connection) as captured:
        results = list(statuses(patients=Patient.objects.filter(practice=practice), as_of=AS_OF))
    assert results
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_patients(echo: EchoJurisdiction) -> None:
    two = _queries_for(_practice_with(2))
    ten = _queries_for(_practice_with(10))
    assert two == ten
    # patients+practice, episodes, prescriptions, sessions, agreement requests,
    # coverages+package, uses at another practice, loaded tariffs, convention periods
    assert ten == 9


def _deconventioned_session(*, price: str | None) -> Patient:
    """A Belgian patient treated on 2025-06-02 by a therapist out of the convention since May."""
    practice = PracticeFactory(country="BE")
    therapist = TherapistFactory.create(practice=practice)
    ConventionAdherence.objects.create(
        therapist=therapist, adheres=False, valid_from=date(2025, 5, 1)
    )
    episode = EpisodeFactory.create(patient__practice=practice, category="courante")
    PrescriptionFactory(episode=episode, date=date(2025, 5, 20), sessions=9)
    SessionFactory(
        episode=episode,
        therapist=therapist,
        date=date(2025, 6, 2),
        price=None if price is None else Decimal(price),
    )
    return Patient.objects.get(pk=episode.patient_id)


def test_a_session_of_a_therapist_out_of_the_convention_is_priced_at_the_practice_price() -> None:
    """Issue 15 item 5, update note §1.2 example 2: 24.55 × 0.75 → 18.41; 37.00 − 18.41."""
    patient = _deconventioned_session(price="37.00")
    want = t.BeAmounts(Decimal("37.00"), Decimal("18.41"), Decimal("18.59"))

    ((_, listed),) = list(statuses(patients=Patient.objects.filter(pk=patient.pk), as_of=AS_OF))
    assert listed.sessions[0].amounts == want
    assert patient_status(patient=patient, as_of=AS_OF).sessions[0].amounts == want
    (case,) = [c.case for c in practice_cases(practice=patient.practice, as_of=AS_OF)]
    assert [s.conventioned for s in case.sessions] == [False]


def test_a_period_the_therapist_adheres_again_prices_at_the_official_fee() -> None:
    patient = _deconventioned_session(price="37.00")
    ConventionAdherence.objects.filter(therapist__practice=patient.practice).update(
        valid_until=date(2025, 6, 1)
    )
    result = patient_status(patient=patient, as_of=AS_OF)
    assert result.sessions[0].amounts == t.BeAmounts(
        Decimal("30.80"), Decimal("24.55"), Decimal("6.25")
    )


def test_a_packages_manual_therapy_limit_counts_the_sessions_recorded_as_manual_therapy() -> None:
    """Issue 15 item 7, A4, scenario S21: Salland Plus (15, at most 9 manual therapy)."""
    package = InsurerPackageFactory.create(
        insurer="Salland", name="Plus", year=2025, treatments=15, manual_therapy_limit=9
    )
    coverage = CoverageFactory.create(year=2025, package=package)
    episode = EpisodeFactory.create(patient=coverage.patient, category="regular")
    for n in range(12):
        SessionFactory.create(
            episode=episode,
            date=date(2025, 1, 6 + n),
            price=Decimal("40.00"),
            kind="manual_therapy" if n < 10 else "physiotherapy",
        )
    patient = Patient.objects.get(pk=coverage.patient_id)

    result = patient_status(patient=patient, as_of=AS_OF)
    want = ["supplementary"] * 9 + ["patient"] + ["supplementary"] * 2
    assert [o.status for o in result.sessions] == want
    assert result.sessions[9].reason.code == "nl.pay.sub_limit"
    (case,) = [c.case for c in practice_cases(practice=patient.practice, as_of=AS_OF)]
    assert [s.kind for s in case.sessions] == ["manual_therapy"] * 10 + ["physiotherapy"] * 2
