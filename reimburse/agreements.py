"""Ready to send: what a Belgian notification or agreement request still misses, and its content.

Selectors (reads only). ``readiness`` gives a request's content in the field names of the
MyCareNet eAgreement logical model (``BeModelEAgreement.fsh``, ``docs/rules/belgium-eagreement.md``
§2.2) for the practice system to send, and what must be filled in first. ``episode_needs``
says, from a patient's engine result, which episodes need a request and where each stands.

What each type requires (``REQUIREMENTS``, ``ANNEXES_BY_SITUATION``) is taken from the sources
named beside each entry; where they say nothing, nothing is required, and the comment says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from practice.agreements import kind_for
from practice.models import AgreementKind, AgreementRequest, AnnexKind, Episode, Prescription
from reimburse.engine import types as t
from reimburse.engine.vocabulary import GRANTED, WarningCode

# What every request carries: the prescription with its prescriber's NIHDI number, date and
# number of sessions (``prescription.prescriber/authoredOn/quantity`` are 1..1 in the logical
# model; MyCareNet rejects a physiotherapy claim without one: MISSING_PRESCRIPTION_IN_PHYSIO_CLAIM,
# ehealth-pyconnector ``tests/test_eagreement_scenario1.py:129``), and the pathological situation
# (the kine claim's ``item.productOrService``, coded from ``nihdi-physiotherapy-
# pathologysituationcode``: ``MyBeMyCareNetEagreementClaimKine.fsh:8``).


@dataclass(frozen=True)
class Requirement:
    """What a request of one type needs besides the prescription and the situation."""

    onset: bool = False  # pathologyOnsetDate
    previous: bool = False  # related: the previous situation's prescription
    annexes: tuple[str, ...] = ()


REQUIREMENTS: dict[str, Requirement] = {
    # A 2nd or 3rd courante series: "an overview of the different pathologies and their dates
    # of onset plus copies of the prescriptions" (domain belgium-riziv.md C8, CM-FAQ); the fund
    # asks for them when missing (WFI_AGREE_SRV_PHYSIO_004 "préciser la date d'apparition, la
    # situation pathologique…") and refuses without them (REF_AGREE_ALL_999 "geen bijlagen ifv
    # aanvraag/opeenvolging aandoeningen en kopie voorschriften"): belgium-eagreement.md §2.3.
    # Which annex type carries the overview is not named there: no annex type is required.
    AgreementKind.COMMON_2_AND_MORE: Requirement(onset=True, previous=True),
    # Fa, Fb notifications, E and eb requests, the 1st courante series, perinatal, palliative:
    # the sources name nothing more in general (annexes of E see ``ANNEXES_BY_SITUATION``).
    AgreementKind.FA: Requirement(),
    AgreementKind.FB: Requirement(),
    AgreementKind.E: Requirement(),
    AgreementKind.EB: Requirement(),
    AgreementKind.COMMON_1: Requirement(),
    AgreementKind.MATERNITY: Requirement(),
    AgreementKind.PALLIATIVE: Requirement(),
}

# Annexes a situation's request is rejected without, as MyCareNet answered them. e-j-2
# (objectified hyperproductive bronchiectasis): MISSING_MEDICALREPORT_ANNEX_IN_PHYSIO_CLAIM_
# SUPPORTINGINFO / MISSING_RADIOLOGY_PROTOCOL_ANNEX_IN_PHYSIO_CLAIM_SUPPORTINGINFO, accepted
# with both (ehealth-pyconnector ``tests/test_eagreement_scenario1.py``, tests 6_1_5 and 6_1_6).
# No source found for the other situations: nothing is required of them.
ANNEXES_BY_SITUATION: dict[str, tuple[str, ...]] = {
    "e-j-2": (AnnexKind.MEDICAL_REPORT, AnnexKind.RADIOLOGY_PROTOCOL),
}


class MissingItem:
    """Codes of what a request still misses (the ``missing[].code`` of the API)."""

    REQUEST = "request"  # no request prepared for an episode that needs one
    PRESCRIPTION = "prescription"
    PRESCRIBER_NUMBER = "prescriber_number"
    SITUATION = "pathological_situation"
    ONSET = "pathology_onset"
    PREVIOUS_PRESCRIPTION = "previous_prescription"
    ANNEX = "annex"


@dataclass(frozen=True)
class Missing:
    code: str
    # The eAgreement field it fills (``prescription.prescriber``, ``attachment`` …).
    field: str
    annex: str | None = None  # for ``annex``: the annex type


@dataclass(frozen=True)
class Readiness:
    """A request's content as eAgreement names it, and what it misses before it can be sent."""

    kind: str
    missing: tuple[Missing, ...]
    content: dict[str, Any]

    @property
    def ready(self) -> bool:
        return not self.missing


def _prescription_content(rx: Prescription | None) -> dict[str, Any] | None:
    if rx is None:
        return None
    return {
        # The UHMEP id of an electronic prescription; physiotherapy prescriptions are still
        # on paper (belgium-eagreement.md §1): none is kept.
        "identification": None,
        "prescriber": rx.prescriber_number or None,
        "authoredOn": rx.date.isoformat(),
        "quantity": rx.sessions,
    }


def _missing(
    *,
    kind: str,
    situation: str,
    prescription: Prescription | None,
    onset: Any,
    previous: Prescription | None,
    annexes: Iterable[str],
) -> list[Missing]:
    need = REQUIREMENTS.get(kind, Requirement())
    found: list[Missing] = []
    if prescription is None:
        found.append(Missing(MissingItem.PRESCRIPTION, "prescription"))
    elif not prescription.prescriber_number:
        found.append(Missing(MissingItem.PRESCRIBER_NUMBER, "prescription.prescriber"))
    if not situation:
        found.append(Missing(MissingItem.SITUATION, "pathologicalSituation"))
    if need.onset and onset is None:
        found.append(Missing(MissingItem.ONSET, "pathologyOnsetDate"))
    if need.previous:
        if previous is None:
            found.append(Missing(MissingItem.PREVIOUS_PRESCRIPTION, "related"))
        elif not previous.prescriber_number:
            found.append(Missing(MissingItem.PRESCRIBER_NUMBER, "related.prescriber"))
    have = set(annexes)
    for annex in (*need.annexes, *ANNEXES_BY_SITUATION.get(situation, ())):
        if annex not in have:
            found.append(Missing(MissingItem.ANNEX, "attachment", annex))
    return found


def readiness(request: AgreementRequest) -> Readiness:
    """Return a request's eAgreement content and what it misses (annexes prefetched or not)."""
    situation = request.episode.pathology
    annexes = list(request.annexes.all())
    content = {
        "eAgreementType": request.kind,
        "decisionId": request.decision_id or None,
        "desiredStartDate": request.desired_start.isoformat() if request.desired_start else None,
        "pathologyOnsetDate": (
            request.pathology_onset.isoformat() if request.pathology_onset else None
        ),
        "assessmentCompletionDates": list(request.assessment_dates),
        "pathologicalSituation": situation or None,
        "notes": request.notes or None,
        "prescription": _prescription_content(request.prescription),
        "related": _prescription_content(request.previous_prescription),
        "attachment": [{"kind": a.kind, "title": a.title or None} for a in annexes],
    }
    missing = _missing(
        kind=request.kind,
        situation=situation,
        prescription=request.prescription,
        onset=request.pathology_onset,
        previous=request.previous_prescription,
        annexes=(a.kind for a in annexes),
    )
    return Readiness(request.kind, tuple(missing), content)


# ------------------------------------------------------------------ which episodes need one

# Engine warnings that say an episode's sessions wait for (or lost) an agreement.
AGREEMENT_WARNINGS = frozenset(
    {
        WarningCode.AGREEMENT_MISSING,
        WarningCode.AGREEMENT_WAITING,
        WarningCode.AGREEMENT_REFUSED,
        WarningCode.AGREEMENT_ENDING,
        WarningCode.NOTIFICATION_MISSING,
    }
)


# A request the practice must (re)send: not sent yet, or more information asked.
TO_COMPLETE = frozenset(
    {
        AgreementRequest.Status.DRAFT,
        AgreementRequest.Status.WFI_PHYSIOTHERAPIST,
        AgreementRequest.Status.WFI_PRESCRIPTOR,
        AgreementRequest.Status.WFI_SERVICE_PROVIDER,
    }
)
# Sent and not refused: nothing to send until the fund answers (or the agreement runs out).
SENT = frozenset({AgreementRequest.Status.IN_TREATMENT})


@dataclass(frozen=True)
class EpisodeNeed:
    """An episode's requests, and what the one to send next still misses."""

    episode: Episode
    kind: str
    requests: tuple[AgreementRequest, ...]  # oldest first
    # The request not sent yet (or, when none is prepared, what one would miss).
    next_request: AgreementRequest | None
    readiness: Readiness | None


def _needs_one(episode: Episode, requests: Sequence[AgreementRequest], warned: bool) -> bool:
    if episode.category in ("fa", "fb"):
        return episode.notified_on is None
    if episode.category == "e":
        return not any(r.status in GRANTED for r in requests) or warned
    # A courante situation needs one from its 2nd of a year (C6): the engine says which.
    return warned


def _unprepared(episode: Episode, kind: str) -> Readiness:
    """What a request of ``kind`` that nobody prepared yet misses (the episode's latest rx)."""
    prescriptions = list(episode.prescriptions.all())
    latest = max(prescriptions, key=lambda rx: (rx.date, rx.pk)) if prescriptions else None
    missing = [
        Missing(MissingItem.REQUEST, "eAgreementType"),
        *_missing(
            kind=kind,
            situation=episode.pathology,
            prescription=latest,
            onset=None,
            previous=None,
            annexes=(),
        ),
    ]
    content = {
        "eAgreementType": kind,
        "pathologicalSituation": episode.pathology or None,
        "prescription": _prescription_content(latest),
    }
    return Readiness(kind, tuple(missing), content)


def episode_needs(
    *,
    episodes: Iterable[Episode],
    requests: Mapping[int, Sequence[AgreementRequest]],
    result: t.Result,
) -> list[EpisodeNeed]:
    """Return, for each Belgian episode with requests or needing one, where its requests stand.

    ``episodes`` come with their ``prescriptions`` prefetched; ``requests`` are every request
    of each episode (by episode id, with annexes and prescriptions loaded); ``result`` is the
    patient's evaluation, which says which courante situations are a 2nd or 3rd of their year
    and which sessions wait for an agreement.
    """
    warned = {w.episode for w in result.warnings if w.code in AGREEMENT_WARNINGS}
    needs = []
    for episode in episodes:
        if episode.category not in ("fa", "fb", "e", "courante", "perinatal", "palliative"):
            continue
        mine = tuple(sorted(requests.get(episode.pk, ()), key=lambda r: (r.created_at, r.pk)))
        if not mine and not _needs_one(episode, mine, str(episode.pk) in warned):
            continue
        latest = mine[-1] if mine else None
        kind = latest.kind if latest else kind_for(episode)
        next_request: AgreementRequest | None = None
        ready: Readiness | None = None
        if latest is not None and latest.status in TO_COMPLETE:
            # Not sent yet, or the fund asks for more: this request is the one to send.
            next_request, ready = latest, readiness(latest)
        elif (latest is None or latest.status not in SENT) and _needs_one(
            episode, mine, str(episode.pk) in warned
        ):
            ready = _unprepared(episode, kind)
        needs.append(EpisodeNeed(episode, kind, mine, next_request, ready))
    return needs
