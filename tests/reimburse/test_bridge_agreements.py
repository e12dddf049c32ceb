"""The bridge reads agreement requests, sessions used elsewhere and the same facts per practice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from practice.models import Patient
from reimburse.engine import types as t
from reimburse.engine.vocabulary import AgreementStatus
from reimburse.services import patient_case, patient_status, patients_for_evaluation, practice_cases
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    PrescriptionFactory,
    PriorUseFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def _case(patient: Patient) -> t.Case:
    loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    return patient_case(patient=loaded, as_of=AS_OF)


def _practice_case(patient: Patient) -> t.Case:
    (found,) = practice_cases(
        practice=patient.practice, as_of=AS_OF, patients=Patient.objects.filter(pk=patient.pk)
    )
    return found.case


def test_sent_requests_become_agreements_in_decision_order_and_drafts_are_left_out() -> None:
    episode = EpisodeFactory.create(category="e", pathology="e-a")
    # Created first, decided last: the agreement that followed the refusal.
    AgreementRequestFactory.create(
        episode=episode, decision_id="2", decision_date=date(2025, 3, 1),
        granted_from=date(2025, 3, 1), granted_until=date(2025, 12, 31),
    )  # fmt: skip
    AgreementRequestFactory.create(
        episode=episode, status="refusal", decision_id="1", decision_date=date(2025, 2, 1),
        granted_from=None, granted_until=None, reason_code="REF_AGREE_ALL_999",
        reason_text="geen bijlagen",
    )  # fmt: skip
    AgreementRequestFactory.create(episode=episode, status="draft", granted_from=None)

    expected = (
        t.Agreement(None, None, AgreementStatus.REFUSAL, "1", "REF_AGREE_ALL_999: geen bijlagen"),
        t.Agreement(date(2025, 3, 1), date(2025, 12, 31), AgreementStatus.AGREEMENT, "2", ""),
    )
    assert _case(episode.patient).episodes[0].agreements == expected
    assert _practice_case(episode.patient).episodes[0].agreements == expected


@pytest.mark.parametrize(
    ("status", "outcome", "warning"),
    [
        ("wfi-physiotherapist", "pending", "agreement_waiting"),
        ("intreatment", "pending", "agreement_waiting"),
        ("refusal", "not_reimbursed", "agreement_refused"),
        ("partialAgreement", "best", None),
    ],
)
def test_a_stored_decision_decides_the_sessions_that_need_it(
    status: str, outcome: str, warning: str | None
) -> None:
    episode = EpisodeFactory.create(category="e", pathology="e-h-2")
    start = date(2025, 3, 1) if status == "partialAgreement" else None
    AgreementRequestFactory.create(
        episode=episode, status=status, decision_id="D1", granted_from=start, granted_until=None,
        reason_code="WFI_AGREE_SRV_PHYSIO_004",
    )  # fmt: skip
    PrescriptionFactory.create(episode=episode, date=date(2025, 3, 1), sessions=30)
    SessionFactory.create(episode=episode, date=date(2025, 3, 3))

    result = patient_status(patient=episode.patient, as_of=AS_OF)

    assert [s.status for s in result.sessions] == [outcome]
    codes = {w.code for w in result.warnings}
    if warning:
        (found,) = [w for w in result.warnings if w.code == warning]
        assert found.params["decision_id"] == "D1"
        assert found.params["reason"] == "WFI_AGREE_SRV_PHYSIO_004"
    else:
        assert not codes & {"agreement_waiting", "agreement_refused", "agreement_missing"}


def test_sessions_used_elsewhere_reach_the_engine_from_both_readers() -> None:
    episode = EpisodeFactory.create(prior_sessions={"2025": 7}, first_session_on=date(2025, 2, 1))
    PriorUseFactory.create(patient=episode.patient, year=2025, overflow=12, situations=1)
    PriorUseFactory.create(patient=episode.patient, year=2024, overflow=0, situations=0)

    for case in (_case(episode.patient), _practice_case(episode.patient)):
        (facts,) = case.episodes
        assert facts.prior_sessions == {2025: 7}
        assert facts.first_session_on == date(2025, 2, 1)
        assert case.patient.overflow_elsewhere == {2025: 12}
        assert case.patient.situations_elsewhere == {2025: 1}


@pytest.mark.parametrize(
    ("treatments", "budget", "used"), [(9, None, 3), (None, Decimal("500.00"), Decimal("120.50"))]
)
def test_coverage_used_elsewhere_is_a_count_or_euros(
    treatments: int | None, budget: Decimal | None, used: int | Decimal
) -> None:
    coverage = CoverageFactory.create(treatments=treatments, budget=budget, used_elsewhere=used)

    (facts,) = _case(coverage.patient).patient.coverage

    assert facts.used_elsewhere == used
    assert isinstance(facts.used_elsewhere, type(used))
