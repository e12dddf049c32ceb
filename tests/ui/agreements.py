"""Records of the agreement tests of the patient page (views and browser alike)."""

from __future__ import annotations

from datetime import date

from practice.agreements import agreement_decision_record, agreement_request_create
from practice.models import AgreementRequest, Episode
from tests.factories import EpisodeFactory, PrescriptionFactory, SessionFactory
from tests.ui.conftest import Clinic

WFI_CODE = "WFI_AGREE_SRV_PHYSIO_004"
WFI_TEXT = (
    "Justificatif manquant concernant la situation pathologique précédente: préciser la "
    "date d'apparition, la situation pathologique, …"
)


def add_waiting_e_request(clinic: Clinic) -> tuple[Episode, AgreementRequest]:
    """An E episode (e-j-2) whose request the fund answered: information asked (WFI_004).

    The request carries the medical report but not the radiology protocol, and the
    prescription has no prescriber number.
    """
    year = clinic.year
    episode = EpisodeFactory.create(
        patient=clinic.patient, title="Bronchiectasis", category="e", pathology="e-j-2"
    )
    PrescriptionFactory.create(episode=episode, date=date(year, 2, 2), sessions=30)
    SessionFactory.create(episode=episode, therapist=clinic.therapist, date=date(year, 2, 4))
    request = agreement_request_create(
        episode=episode, annexes=[{"kind": "medical-report", "title": "Pneumologist"}]
    )
    request, _changed = agreement_decision_record(
        request=request,
        decision_id="100000004242",
        status="wfi-physiotherapist",
        decision_date=date(year, 2, 10),
        reason_code=WFI_CODE,
        reason_text=WFI_TEXT,
    )
    return episode, request
