"""The therapists' pages: parse the request, make one domain call, render plain data.

Every page is scoped to the logged-in therapist's practice (another practice's patient is a
404), reads the clock once and passes the day down. Pages that htmx updates in place render
only their partial for an htmx request, and the same full page without JavaScript.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from practice import pages
from practice.agreements import elsewhere_record
from practice.forms import (
    AttentionFilterForm,
    ElsewhereForm,
    PlanForm,
    SessionCancelForm,
    SessionCorrectForm,
    SessionForm,
)
from practice.models import Country, Patient, Therapist, TreatmentSession
from practice.services import ConflictingRecord, session_cancel, session_correct, session_record
from reimburse.engine.types import Result
from reimburse.explain import Reader, warning_text
from reimburse.selectors import attention_list, table_gaps
from reimburse.services import statuses


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


P = ParamSpec("P")
TherapistView = Callable[Concatenate[HtmxHttpRequest, Therapist, P], HttpResponse]


def therapist_required(
    view: TherapistView[P],
) -> Callable[Concatenate[HtmxHttpRequest, P], HttpResponse]:
    """Log in first, then hand the view the user's therapist row (with its practice)."""

    @login_required
    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if user.is_anonymous:  # not reached: login_required sent the visitor to log in
            raise PermissionDenied
        therapist = Therapist.objects.select_related("practice", "user").filter(user=user).first()
        if therapist is None:
            # A superuser or staff account without a Therapist row has no practice to show.
            return render(request, "practice/no_practice.html", status=403)
        response = view(request, therapist, *args, **kwargs)
        # Partials and full pages share URLs: caches must tell them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response

    return wrapper


def _render(
    request: HtmxHttpRequest,
    therapist: Therapist,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
) -> HttpResponse:
    """Render the page, or only its ``partial`` for an htmx request that targets it."""
    chosen = partial if partial and request.htmx else template
    header = {
        "practice_name": therapist.practice.name,
        "practice_country": therapist.practice.country,  # money and dates as it writes them
        "user_name": therapist.user.get_full_name() or therapist.user.get_username(),
    }
    return render(request, chosen, {**header, **context})


def _patient_or_404(therapist: Therapist, pk: int) -> Patient:
    patient = pages.patient_for_evaluation(practice=therapist.practice, patient_id=pk)
    if patient is None:
        raise Http404("no such patient in this practice")
    return patient


# A patient id no practice has, reversed in place of the real one and then replaced.
_PK = 987654321


@therapist_required
def attention(request: HtmxHttpRequest, therapist: Therapist) -> HttpResponse:
    """Needs attention: the practice's warnings, most urgent first, a page at a time.

    The therapist filter and the page are in the URL (``?therapist=3&page=2``); a page past
    the end shows the last one.
    """
    as_of = timezone.localdate()
    colleagues = list(Therapist.objects.filter(practice=therapist.practice).select_related("user"))
    form = AttentionFilterForm(request.GET or None, therapists=[(t.pk, str(t)) for t in colleagues])
    chosen_id = form.cleaned_data["therapist"] if form.is_bound and form.is_valid() else None
    chosen = next((t for t in colleagues if t.pk == chosen_id), None)
    listing = attention_list(practice=therapist.practice, as_of=as_of, therapist=chosen)
    reader = Reader.current(therapist.practice.country)
    gaps = table_gaps(practice=therapist.practice, as_of=as_of)
    # Every row links to its patient: one reverse, not one per row.
    links = pages.AttentionLinks(
        patient=reverse("practice:patient", args=[_PK]).replace(str(_PK), "{pk}"),
        page=reverse("practice:attention"),
        filters={"therapist": str(chosen.pk)} if chosen else {},
    )
    page = pages.attention_list_page(
        listing,
        reader,
        as_of=as_of,
        number=request.GET.get("page"),
        per_page=pages.ATTENTION_PER_PAGE,
        links=links,
    )
    context = {
        "form": form,
        "page": page,
        "as_of": as_of,
        "table_notices": [warning_text(gap, reader) for gap in gaps],
    }
    return _render(
        request,
        therapist,
        "practice/attention.html",
        context,
        partial="practice/_attention_list.html",
    )


@therapist_required
def patient_list(request: HtmxHttpRequest, therapist: Therapist) -> HttpResponse:
    """All the practice's patients, searchable by name."""
    query = request.GET.get("q", "").strip()
    patients = Patient.objects.filter(practice=therapist.practice)
    if query:
        patients = patients.filter(pages.patient_search(query))
    rows = pages.patient_list(patients[:200], therapist.practice.country)
    context = {"query": query, "patients": rows}
    return _render(
        request,
        therapist,
        "practice/patient_list.html",
        context,
        partial="practice/_patient_rows.html",
    )


def _patient_links(patient_id: int) -> pages.PatientLinks:
    """The patient page's links, each reversed once (not once per session row)."""
    return pages.PatientLinks(
        page=reverse("practice:patient", args=[patient_id]),
        session=reverse("practice:session_edit", args=[patient_id, _PK]).replace(str(_PK), "{sid}"),
        year=reverse("practice:session_year", args=[patient_id, _PK, _PK + 1])
        .replace(str(_PK + 1), "{year}")
        .replace(str(_PK), "{episode}"),
    )


def _evaluated_or_404(therapist: Therapist, pk: int, as_of: date) -> tuple[Patient, Result]:
    # statuses() loads the patient with everything the page shows and evaluates it: one call.
    found = next(
        iter(
            statuses(
                patients=Patient.objects.filter(practice=therapist.practice, pk=pk), as_of=as_of
            )
        ),
        None,
    )
    if found is None:
        raise Http404("no such patient in this practice")
    return found


@therapist_required
def patient_detail(request: HtmxHttpRequest, therapist: Therapist, pk: int) -> HttpResponse:
    """The patient page: per episode a quota bar, the sessions, warnings and prescriptions.

    Sessions of older years are loaded on demand (``session_year``); ``?year=2022`` shows that
    year too, for a browser without JavaScript.
    """
    as_of = timezone.localdate()
    patient, result = _evaluated_or_404(therapist, pk, as_of)
    year = _year(request.GET.get("year"))
    page = pages.patient_page(
        patient=patient, result=result, links=_patient_links(patient.pk), year=year
    )
    return _render(request, therapist, "practice/patient_detail.html", {"patient": page})


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 1900 <= int(value) <= 2999 else None


@therapist_required
def session_year(
    request: HtmxHttpRequest, therapist: Therapist, pk: int, episode: int, year: int
) -> HttpResponse:
    """One episode's sessions of one year: the part of the patient page loaded on demand."""
    as_of = timezone.localdate()
    patient, result = _evaluated_or_404(therapist, pk, as_of)
    found = pages.session_year(
        patient=patient,
        result=result,
        episode_id=episode,
        year=year,
        links=_patient_links(patient.pk),
    )
    if found is None:
        raise Http404("no such episode for this patient")
    return render(request, "practice/_session_year.html", {"found": found})


def _session_form(request: HtmxHttpRequest, therapist: Therapist, patient: Patient) -> SessionForm:
    return SessionForm(
        request.POST if request.method == "POST" else None,
        episodes=pages.episode_choices(patient),
        with_price=therapist.practice.country == Country.NETHERLANDS,
        initial={"date": timezone.localdate(), "submission_key": uuid.uuid4()},
    )


def _record_context(
    patient: Patient,
    form: SessionForm,
    preview: pages.Preview | None,
    same_day: pages.SameDay | None = None,
) -> dict[str, Any]:
    return {
        "patient_id": patient.pk,
        "patient_name": f"{patient.first_name} {patient.last_name}",
        "form": form,
        "preview": preview,
        "same_day": same_day,
        "has_episodes": bool(pages.episode_choices(patient)),
    }


def _preview(patient: Patient, form: SessionForm) -> pages.Preview:
    data = form.cleaned_data
    return pages.session_preview(
        patient=patient,
        episode=pages.episode_of(patient, data["episode"]),
        date=data["date"],
        minutes=data["minutes"],
        place=data["place"],
        price=data.get("price"),
        kind=data.get("kind") or TreatmentSession.Kind.PHYSIOTHERAPY,
    )


@require_http_methods(["GET", "POST"])
@therapist_required
def session_new(request: HtmxHttpRequest, therapist: Therapist, pk: int) -> HttpResponse:
    """Record a session: Preview re-renders with what it will be, Save records it.

    Without JavaScript the Preview button posts here too (``action=preview``); with htmx it
    posts to ``session_preview`` and only the form is swapped.
    """
    patient = _patient_or_404(therapist, pk)
    form = _session_form(request, therapist, patient)
    preview = None
    same_day = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            data = form.cleaned_data
            episode = pages.episode_of(patient, data["episode"])
            # A second session that day is saved only once the therapist has seen it is one.
            same_day = pages.same_day(patient, data["date"], data.get("submission_key"))
            if (
                same_day is not None
                and request.POST.get("same_day_confirmed") != data["date"].isoformat()
            ):
                return _render(
                    request,
                    therapist,
                    "practice/session_new.html",
                    _record_context(patient, form, _preview(patient, form), same_day),
                    partial="practice/_record_form.html",
                )
            try:
                session_record(
                    episode=episode,
                    therapist=therapist,
                    date=data["date"],
                    minutes=data["minutes"],
                    place=data["place"],
                    price=data.get("price"),
                    submission_key=data.get("submission_key"),
                    kind=data.get("kind") or TreatmentSession.Kind.PHYSIOTHERAPY,
                )
            except ConflictingRecord:
                # This form's key already recorded a session, and the values have changed since.
                form.add_error(
                    None,
                    _(
                        "This form was already saved. Open the record form again to record "
                        "another session."
                    ),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                day = formats.date_format(data["date"], pages.DAY_FORMAT)
                messages.success(
                    request,
                    _("Session of %(day)s recorded for %(episode)s.")
                    % {"day": day, "episode": episode.title},
                )
                return redirect(
                    reverse("practice:patient", args=[patient.pk]) + f"#episode-{episode.pk}"
                )
        else:
            preview = _preview(patient, form)
    return _render(
        request,
        therapist,
        "practice/session_new.html",
        _record_context(patient, form, preview),
        partial="practice/_record_form.html",
    )


def _session_or_404(therapist: Therapist, patient: Patient, session_id: int) -> TreatmentSession:
    """Return a session of this patient, recorded in the therapist's practice, not cancelled."""
    for episode in patient.episodes.all():
        for session in episode.sessions.all():
            if session.pk == session_id:
                return session
    raise Http404("no such session for this patient")


@require_http_methods(["GET", "POST"])
@therapist_required
def session_edit(request: HtmxHttpRequest, therapist: Therapist, pk: int, sid: int) -> HttpResponse:
    """Correct (episode, date, minutes) or cancel a session, with a reason kept in the history."""
    patient = _patient_or_404(therapist, pk)
    session = _session_or_404(therapist, patient, sid)
    episodes = pages.episode_choices(patient)
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action")
    correct = SessionCorrectForm(
        posted if action == "correct" else None,
        episodes=episodes,
        initial={
            "episode": session.episode_id,
            "date": session.date,
            "minutes": session.minutes,
        },
    )
    cancel = SessionCancelForm(posted if action == "cancel" else None)
    day = formats.date_format(session.date, pages.DAY_FORMAT)
    back = reverse("practice:patient", args=[patient.pk])
    if action == "correct" and correct.is_valid():
        data = correct.cleaned_data
        try:
            session_correct(
                session=session,
                by=request.user,  # type: ignore[arg-type]
                reason=data["reason"],
                episode=pages.episode_of(patient, data["episode"]),
                date=data["date"],
                minutes=data["minutes"],
            )
        except ValidationError as error:
            correct.add_error(None, error)
        else:
            messages.success(request, _("Session of %(day)s corrected.") % {"day": day})
            return redirect(back + f"#episode-{data['episode']}")
    if action == "cancel" and cancel.is_valid():
        session_cancel(session=session, by=request.user, reason=cancel.cleaned_data["reason"])  # type: ignore[arg-type]
        messages.success(request, _("Session of %(day)s cancelled.") % {"day": day})
        return redirect(back + f"#episode-{session.episode_id}")
    context = {
        "patient_id": patient.pk,
        "patient_name": f"{patient.first_name} {patient.last_name}",
        "session": session,
        "correct": correct,
        "cancel": cancel,
    }
    return _render(request, therapist, "practice/session_edit.html", context)


@require_POST
@therapist_required
def session_preview(request: HtmxHttpRequest, therapist: Therapist, pk: int) -> HttpResponse:
    """The htmx preview: the record form again, with the preview or the field errors."""
    patient = _patient_or_404(therapist, pk)
    form = _session_form(request, therapist, patient)
    preview = _preview(patient, form) if form.is_valid() else None
    return render(request, "practice/_record_form.html", _record_context(patient, form, preview))


@therapist_required
def plan(request: HtmxHttpRequest, therapist: Therapist, pk: int) -> HttpResponse:
    """Plan ahead: N planned sessions evaluated by the engine, nothing saved (hence GET)."""
    as_of = timezone.localdate()
    patient = _patient_or_404(therapist, pk)
    form = PlanForm(
        request.GET if "episode" in request.GET else None,
        episodes=pages.episode_choices(patient),
        with_price=therapist.practice.country == Country.NETHERLANDS,
        initial={"first": as_of},
    )
    outcome = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = pages.plan_ahead(
            patient=patient,
            episode=pages.episode_of(patient, data["episode"]),
            dates=pages.plan_dates(
                first=data["first"], per_week=data["per_week"], weeks=data["weeks"]
            ),
            minutes=data["minutes"],
            place=data["place"],
            price=data.get("price"),
            kind=data.get("kind") or TreatmentSession.Kind.PHYSIOTHERAPY,
        )
    context = {
        "patient_id": patient.pk,
        "patient_name": f"{patient.first_name} {patient.last_name}",
        "form": form,
        "plan": outcome,
    }
    return _render(request, therapist, "practice/plan.html", context, partial="practice/_plan.html")


@therapist_required
@require_POST
def elsewhere(request: HtmxHttpRequest, therapist: Therapist, pk: int) -> HttpResponse:
    """Record "treated elsewhere this year?" for a Belgian patient, then show the patient."""
    patient = _patient_or_404(therapist, pk)
    if patient.practice.country != Country.BELGIUM:
        raise Http404("sessions at another practice are recorded for Belgian patients")
    episodes = [(e.pk, e.title) for e in patient.episodes.all()]
    form = ElsewhereForm(request.POST, episodes=episodes)
    if not form.is_valid():
        messages.error(request, _("Please correct the numbers: whole numbers from 0."))
        return patient_detail(request, pk=patient.pk)  # the page again, with the message
    data = form.cleaned_data
    try:
        elsewhere_record(
            patient=patient,
            year=data["year"],
            overflow=data["overflow"],
            situations=data["situations"],
            episode_sessions=form.episode_sessions(),
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Saved what was used at another practice."))
    return redirect("practice:patient", pk=patient.pk)
