"""Plain data for the patient page's agreement requests and "treated elsewhere this year?".

Built like ``practice.pages`` (frozen dataclasses, no queries while rendering, no clock): the
view loads the patient's requests once (``requests_of``) and passes the day and the engine
result down. Kept apart from ``pages`` so the page's own builders stay as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from practice.models import AgreementKind, AgreementRequest, AnnexKind, Episode, Patient
from reimburse.agreements import Missing, MissingItem, episode_needs
from reimburse.engine import types as t

Label = str | Promise

MISSING_LABELS: dict[str, Label] = {
    MissingItem.REQUEST: _("No request has been prepared yet"),
    MissingItem.PRESCRIPTION: _("The prescription"),
    MissingItem.PRESCRIBER_NUMBER: _("The prescriber's RIZIV number"),
    MissingItem.SITUATION: _("The pathological situation (official code)"),
    MissingItem.ONSET: _("The pathology onset date"),
    MissingItem.PREVIOUS_PRESCRIPTION: _("The previous situation's prescription"),
}
# How a request's status reads at a glance: done, waiting for someone, or lost.
STATUS_TONES = {
    AgreementRequest.Status.DRAFT: "info",
    AgreementRequest.Status.IN_TREATMENT: "info",
    AgreementRequest.Status.WFI_PHYSIOTHERAPIST: "warning",
    AgreementRequest.Status.WFI_PRESCRIPTOR: "warning",
    AgreementRequest.Status.WFI_SERVICE_PROVIDER: "warning",
    AgreementRequest.Status.AGREEMENT: "ok",
    AgreementRequest.Status.PARTIAL_AGREEMENT: "ok",
    AgreementRequest.Status.REFUSAL: "blocking",
}


@dataclass(frozen=True)
class RequestRow:
    kind_label: Label
    status: str
    status_label: Label
    tone: str
    decision_id: str
    decision_date: date | None
    granted_from: date | None
    granted_until: date | None
    reason_code: str
    reason_text: str


@dataclass(frozen=True)
class AgreementsCard:
    """An episode's requests and what the next one to send still misses."""

    episode_id: int
    kind_label: Label
    requests: list[RequestRow]
    missing: list[str]
    # True: the next request can be sent; False: it misses something; None: nothing to send.
    ready: bool | None


@dataclass(frozen=True)
class ElsewhereEpisode:
    id: int
    title: str
    sessions: int


@dataclass(frozen=True)
class ElsewhereForm:
    """ "Treated elsewhere this year?": what is recorded for the year, to change it."""

    year: int
    situations: int
    overflow: int
    episodes: list[ElsewhereEpisode]


def requests_of(patient: Patient) -> dict[int, list[AgreementRequest]]:
    """Load a patient's requests with what ``readiness`` reads (two queries), per episode."""
    found: defaultdict[int, list[AgreementRequest]] = defaultdict(list)
    rows = (
        AgreementRequest.objects.filter(episode__patient=patient)
        .select_related("prescription", "previous_prescription")
        .prefetch_related("annexes")
        .order_by("created_at", "pk")
    )
    for row in rows:
        found[row.episode_id].append(row)
    return found


def missing_label(item: Missing) -> str:
    if item.code == MissingItem.ANNEX and item.annex:
        annex = dict(AnnexKind.choices).get(item.annex, item.annex)
        return str(_("Annex: %(annex)s") % {"annex": annex})
    return str(MISSING_LABELS.get(item.code, item.code))


def agreement_cards(
    *,
    episodes: Iterable[Episode],
    requests: Mapping[int, Sequence[AgreementRequest]],
    result: t.Result,
) -> dict[int, AgreementsCard]:
    """Return each episode's card (episodes with requests or needing one), by episode id."""
    chosen = list(episodes)
    for episode in chosen:  # the requests loaded by ``requests_of``, with their episode
        for request in requests.get(episode.pk, ()):
            request.episode = episode
    cards: dict[int, AgreementsCard] = {}
    kinds = dict(AgreementKind.choices)
    statuses = dict(AgreementRequest.Status.choices)
    for need in episode_needs(episodes=chosen, requests=requests, result=result):
        rows = [
            RequestRow(
                kind_label=kinds.get(r.kind, r.kind),
                status=r.status,
                status_label=statuses.get(r.status, r.status),
                tone=STATUS_TONES.get(AgreementRequest.Status(r.status), "info"),
                decision_id=r.decision_id,
                decision_date=r.decision_date,
                granted_from=r.granted_from,
                granted_until=r.granted_until,
                reason_code=r.reason_code,
                reason_text=r.reason_text,
            )
            for r in reversed(need.requests)  # the latest first
        ]
        ready = need.readiness
        cards[need.episode.pk] = AgreementsCard(
            episode_id=need.episode.pk,
            kind_label=kinds.get(need.kind, need.kind),
            requests=rows,
            missing=[missing_label(m) for m in ready.missing] if ready else [],
            ready=ready.ready if ready else None,
        )
    return cards


def elsewhere_form(*, patient: Patient, year: int) -> ElsewhereForm:
    """What a BE patient's records say about another practice in ``year`` (prefetched rows)."""
    use = next((u for u in patient.prior_uses.all() if u.year == year), None)
    return ElsewhereForm(
        year=year,
        situations=use.situations if use else 0,
        overflow=use.overflow if use else 0,
        episodes=[
            ElsewhereEpisode(e.pk, e.title, int((e.prior_sessions or {}).get(str(year), 0)))
            for e in patient.episodes.all()
        ],
    )
