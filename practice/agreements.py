"""Writes of Belgian agreement requests, their decisions and the use of other practices.

Services like ``practice.services`` (keyword-only, typed, one transaction each, per-field
``ValidationError``), kept in their own module: a request is what a practice sends through
MyCareNet eAgreement, a decision what comes back (``docs/rules/belgium-eagreement.md`` §2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from practice.models import (
    AgreementAnnex,
    AgreementKind,
    AgreementRequest,
    AnnexKind,
    Country,
    Episode,
    Patient,
    Prescription,
    PriorUse,
)
from practice.services import episode_update
from reimburse.engine.vocabulary import GRANTED, AgreementStatus

# The eAgreement types an episode of each category may ask for (MyCareNet ``agreement-types``).
KINDS_OF_CATEGORY: dict[str, tuple[str, ...]] = {
    "fa": (AgreementKind.FA,),
    "fb": (AgreementKind.FB,),
    "e": (AgreementKind.E, AgreementKind.EB),
    "courante": (AgreementKind.COMMON_1, AgreementKind.COMMON_2_AND_MORE),
    "perinatal": (AgreementKind.MATERNITY,),
    "palliative": (AgreementKind.PALLIATIVE,),
}
# "1 to 5 for an ask and 1 for an extend" (BeModelEAgreement.fsh, assessmentCompletionDates).
MAX_ASSESSMENT_DATES = 5
# The fields of a decision, as the eAgreement response gives them; a repeat is compared on these.
DECISION_FIELDS = (
    "status",
    "decision_date",
    "granted_from",
    "granted_until",
    "reason_code",
    "reason_text",
)
REQUEST_FIELDS = (
    "desired_start",
    "pathology_onset",
    "assessment_dates",
    "prescription",
    "previous_prescription",
    "notes",
)


class DecisionConflict(Exception):
    """A decision id already recorded with other values (or on another request).

    ``fields`` names each field that differs, with why: the API answers 409 with them.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {why}" for name, why in fields.items()))
        self.fields = dict(fields)


def kind_for(episode: Episode) -> str:
    """Return the eAgreement type an episode's request has by default (eb-* codes: eb)."""
    if episode.category == "e" and episode.pathology.startswith("eb-"):
        return AgreementKind.EB
    kinds = KINDS_OF_CATEGORY.get(episode.category, ())
    # A courante episode asks only from its 2nd situation in a year: 2-and-more is the request.
    return AgreementKind.COMMON_2_AND_MORE if episode.category == "courante" else kinds[0]


def _request_errors(episode: Episode, values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    allowed = KINDS_OF_CATEGORY.get(episode.category, ())
    if kind not in allowed:
        expected = ", ".join(allowed) or _("none (not a Belgian episode)")
        errors["kind"] = _("a %(category)s episode asks for %(expected)s") % {
            "category": repr(episode.category),
            "expected": expected,
        }
    dates = values.get("assessment_dates") or []
    if len(dates) > MAX_ASSESSMENT_DATES:
        errors["assessment_dates"] = _("at most %(count)s assessment dates") % {
            "count": MAX_ASSESSMENT_DATES
        }
    elif not all(isinstance(d, date) for d in dates):
        errors["assessment_dates"] = _("dates, as YYYY-MM-DD")
    prescription = values.get("prescription")
    if isinstance(prescription, Prescription) and prescription.episode_id != episode.pk:
        errors["prescription"] = _("a prescription of this episode")
    previous = values.get("previous_prescription")
    if isinstance(previous, Prescription):
        if previous.episode_id == episode.pk:
            errors["previous_prescription"] = _("the prescription of another (previous) situation")
        elif previous.episode.patient_id != episode.patient_id:
            errors["previous_prescription"] = _("a prescription of the same patient")
    return errors


def _stored_dates(values: Iterable[date]) -> list[str]:
    return sorted(d.isoformat() for d in values)


@transaction.atomic
def agreement_request_create(
    *,
    episode: Episode,
    kind: str = "",
    desired_start: date | None = None,
    pathology_onset: date | None = None,
    assessment_dates: Iterable[date] = (),
    prescription: Prescription | None = None,
    previous_prescription: Prescription | None = None,
    notes: str = "",
    annexes: Iterable[Mapping[str, Any]] = (),
) -> AgreementRequest:
    """Prepare a request (status "not sent yet") for an episode, with its annexes.

    Without ``kind``, the episode's usual type (``kind_for``); without a ``prescription``, the
    episode's latest one, which is what a request usually carries.
    """
    practice = episode.patient.practice
    if practice.country != Country.BELGIUM:
        raise ValidationError({"episode": _("agreement requests are for Belgian practices")})
    dates = list(assessment_dates)
    kind = kind or kind_for(episode)
    if prescription is None:
        prescription = episode.prescriptions.order_by("-date", "-pk").first()
    values = {
        "kind": kind,
        "assessment_dates": dates,
        "prescription": prescription,
        "previous_prescription": previous_prescription,
    }
    errors = _request_errors(episode, values)
    if errors:
        raise ValidationError(errors)
    request = AgreementRequest.objects.create(
        practice=practice,
        episode=episode,
        kind=kind,
        desired_start=desired_start,
        pathology_onset=pathology_onset,
        assessment_dates=_stored_dates(dates),
        prescription=prescription,
        previous_prescription=previous_prescription,
        notes=notes,
    )
    for annex in annexes:
        agreement_annex_add(request=request, **annex)
    return request


@transaction.atomic
def agreement_request_update(*, request: AgreementRequest, **fields: Any) -> AgreementRequest:
    """Change what a request asks (dates, prescriptions, notes), validated as on creation."""
    unknown = set(fields) - set(REQUEST_FIELDS) - {"kind"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("cannot be changed")))
    values = {name: getattr(request, name) for name in (*REQUEST_FIELDS, "kind")} | fields
    if "assessment_dates" not in fields:
        values["assessment_dates"] = [date.fromisoformat(d) for d in request.assessment_dates]
    errors = _request_errors(request.episode, values)
    if errors:
        raise ValidationError(errors)
    stored = {n: _stored_dates(v) if n == "assessment_dates" else v for n, v in fields.items()}
    changed = {n: v for n, v in stored.items() if getattr(request, n) != v}
    if changed:  # an unchanged form saves nothing (and adds no history)
        for name, value in changed.items():
            setattr(request, name, value)
        request.save()
    return request


@transaction.atomic
def agreement_annex_add(
    *, request: AgreementRequest, kind: str, title: str = "", received_on: date | None = None
) -> AgreementAnnex:
    """Record an annex of a request by its MyCareNet annex type (the file stays elsewhere)."""
    if kind not in AnnexKind.values:
        raise ValidationError({"kind": _("unknown annex type %(kind)s") % {"kind": repr(kind)}})
    return AgreementAnnex.objects.create(
        request=request, kind=kind, title=title, received_on=received_on
    )


def _decision_errors(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    status = values["status"]
    if status not in set(AgreementStatus):
        errors["status"] = _("not a decision value: %(value)s") % {"value": repr(status)}
    start, until = values["granted_from"], values["granted_until"]
    if status in GRANTED and start is None:
        errors["granted_from"] = _("an agreement starts on a day")
    if start is not None and until is not None and until < start:
        errors["granted_until"] = _("the agreement must start before it ends")
    return errors


@transaction.atomic
def agreement_decision_record(
    *,
    request: AgreementRequest,
    decision_id: str,
    status: str,
    decision_date: date | None = None,
    granted_from: date | None = None,
    granted_until: date | None = None,
    reason_code: str = "",
    reason_text: str = "",
    kind: str | None = None,
) -> tuple[AgreementRequest, bool]:
    """Record the decision that came back for a request; return it and whether it changed.

    Idempotent by decision id: the same decision again changes nothing (``False``). The
    eAgreement flow keeps one decision id through a request's life (``intreatment``, then
    ``wfi-*``, then ``agreement``), so a decision with the same id and a *later* decision date
    is the next step and replaces the recorded one (the history keeps it). The same id with
    other values and no later date, an id recorded on another request, or a second id for a
    request raises ``DecisionConflict`` naming the fields.
    """
    request = AgreementRequest.objects.select_for_update().get(pk=request.pk)
    if not decision_id:
        raise ValidationError({"decision_id": _("the decision id the fund gave")})
    if kind is not None and kind != request.kind:
        raise ValidationError(
            {"kind": _("this request is a %(kind)s") % {"kind": repr(request.kind)}}
        )
    incoming = {
        "status": status,
        "decision_date": decision_date,
        "granted_from": granted_from,
        "granted_until": granted_until,
        "reason_code": reason_code,
        "reason_text": reason_text,
    }
    errors = _decision_errors(incoming)
    if errors:
        raise ValidationError(errors)
    elsewhere = (
        AgreementRequest.objects.filter(practice_id=request.practice_id, decision_id=decision_id)
        .exclude(pk=request.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if elsewhere is not None:
        raise DecisionConflict({"decision_id": f"recorded on agreement request {elsewhere}"})
    if request.decision_id and request.decision_id != decision_id:
        raise DecisionConflict({"decision_id": f"this request has decision {request.decision_id}"})
    if request.decision_id == decision_id:
        differing = [n for n in DECISION_FIELDS if getattr(request, n) != incoming[n]]
        if not differing:
            return request, False
        later = (
            decision_date is not None
            and request.decision_date is not None
            and decision_date > request.decision_date
        )
        if not later:
            raise DecisionConflict(
                dict.fromkeys(differing, "differs from the decision recorded with this id")
            )
    request.decision_id = decision_id
    for name, value in incoming.items():
        setattr(request, name, value)
    try:
        with transaction.atomic():  # a concurrent writer of the same id: the constraint says
            request.save()
    except IntegrityError as error:
        raise DecisionConflict(
            {"decision_id": _("recorded on another agreement request")}
        ) from error
    return request, True


@transaction.atomic
def agreement_decision_correct(*, request: AgreementRequest, **fields: Any) -> AgreementRequest:
    """Set a request's decision by hand (the admin): a paper decision, or a correction.

    Checked like a recorded decision, without the repeat rules of ``agreement_decision_record``:
    the history keeps what was there before.
    """
    unknown = set(fields) - {*DECISION_FIELDS, "decision_id"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("cannot be changed")))
    values = {name: getattr(request, name) for name in (*DECISION_FIELDS, "decision_id")} | fields
    errors = {} if values["status"] == AgreementRequest.Status.DRAFT else _decision_errors(values)
    decision_id = values["decision_id"]
    taken = AgreementRequest.objects.filter(
        practice_id=request.practice_id, decision_id=decision_id
    )
    if decision_id and taken.exclude(pk=request.pk).exists():
        errors["decision_id"] = _("another agreement request of this practice has this decision id")
    if errors:
        raise ValidationError(errors)
    changed = {n: v for n, v in fields.items() if getattr(request, n) != v}
    if changed:
        for name, value in changed.items():
            setattr(request, name, value)
        request.save()
    return request


# ------------------------------------------------------------------ use at another practice


@transaction.atomic
def prior_use_set(
    *, patient: Patient, year: int, overflow: int = 0, situations: int = 0
) -> tuple[PriorUse, bool]:
    """Set a BE patient's use of a year's shared limits at another practice (upsert by year)."""
    errors: dict[str, str] = {}
    if patient.practice.country != Country.BELGIUM:
        errors["patient"] = _("use at another practice per year is recorded for Belgian practices")
    if not 1900 <= year <= 2100:
        errors["year"] = _("a calendar year")
    for name, value in (("overflow", overflow), ("situations", situations)):
        if not 0 <= value <= 32767:
            errors[name] = _("a whole number from 0")
    if errors:
        raise ValidationError(errors)
    found, created = PriorUse.objects.select_for_update().get_or_create(
        patient=patient, year=year, defaults={"overflow": overflow, "situations": situations}
    )
    if not created and (found.overflow, found.situations) != (overflow, situations):
        found.overflow, found.situations = overflow, situations
        found.save()
    return found, created


@transaction.atomic
def elsewhere_record(
    *,
    patient: Patient,
    year: int,
    overflow: int,
    situations: int,
    episode_sessions: Mapping[int, int],
) -> None:
    """Record what a BE patient used at another practice in ``year``: "treated elsewhere?".

    The patient's overflow sessions and courante situations there, and per episode (by id)
    the sessions of that situation given there; 0 clears an episode's year.
    """
    prior_use_set(patient=patient, year=year, overflow=overflow, situations=situations)
    for episode in Episode.objects.filter(patient=patient, pk__in=list(episode_sessions)):
        prior = dict(episode.prior_sessions or {})
        count = episode_sessions[episode.pk]
        if count:
            prior[str(year)] = count
        else:
            prior.pop(str(year), None)
        if prior != (episode.prior_sessions or {}):
            episode_update(episode=episode, prior_sessions=prior)
