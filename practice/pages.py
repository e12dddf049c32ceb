"""Plain data for the therapists' pages, built from stored rows and engine results.

Templates get these frozen dataclasses and nothing else, so rendering issues no queries and a
page can be tested without a template. The builders never read the clock: the views read it
once and pass the day down.

``session_preview`` and ``plan_ahead`` ask the bridge a "what if" question
(``reimburse.services.patient_status_with``): the stored case of a patient with proposed
sessions appended. Nothing here writes to the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from uuid import UUID

from dateutil.relativedelta import relativedelta
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum.be import nn as be_nn
from stdnum.nl import bsn as nl_bsn

from practice.agreement_pages import (
    AgreementsCard,
    ElsewhereForm,
    agreement_cards,
    elsewhere_form,
    requests_of,
)
from practice.models import Coverage, Episode, Patient, Practice
from practice.models import TreatmentSession as Session
from reimburse import actions, explain
from reimburse.attention import urgency
from reimburse.engine import be as be_rules
from reimburse.engine import types as t
from reimburse.engine.be import situations
from reimburse.engine.vocabulary import ReasonCode
from reimburse.explain import Reader
from reimburse.selectors import AttentionList, PatientWarning
from reimburse.services import patient_status_with, patients_for_evaluation

Label = str | Promise

# The engine speaks in codes; ``reimburse.explain`` holds the words for them in the reader's
# language (labels and sentences alike). A session on a date no rule covers has no outcome.
STATUS_LABELS: dict[str, Label] = {
    **{str(status): text for status, text in explain.STATUS_LABELS.items()},
    "unknown": _("No rule known"),
}
UNKNOWN_EXPLANATION = _("No reimbursement rules are known for this date.")

# Warnings that say a limit is reached: shown stronger than "almost used" of the same severity.
REACHED = urgency.REACHED

PLACE_LABELS: dict[str, Label] = {
    "practice": _("Practice"),
    "home": _("Home"),
}

# "2 March 2026" in the request's language: unambiguous for Belgian, Dutch and English readers
# (English's short format would be month-first). Templates use the same format.
DAY_FORMAT = "j F Y"
MONTH_FORMAT = "F Y"  # DAY_FORMAT after the day of the month

# A bar turns amber with this many left, or fewer (the engine's quota_low threshold).
LOW_AT_MOST = 3

# Weekdays (Monday = 0) of a plan with N sessions a week: spread out, weekdays only.
PLAN_WEEKDAYS: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
}


# ----------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Bar:
    """A quota or pool as a bar: ``used`` of ``limit`` in a period, coloured by ``state``."""

    label: Label
    used: int | Decimal
    limit: int | Decimal | None
    remaining: int | Decimal | None
    period_start: date
    period_end: date | None
    state: str  # ok, low, exhausted, unlimited, paid (a deductible paid), none (no cover)
    percent: int
    money: bool
    elsewhere: int | Decimal = 0  # of ``used``: at another practice (not listed here)

    @property
    def year(self) -> int:
        return self.period_start.year


def tone(*, code: str, severity: str) -> str:
    """The colour of a warning: blocking, reached (a limit is hit), warning or info."""
    if severity == "warning" and code in REACHED:
        return "reached"
    return severity


@dataclass(frozen=True)
class WarningRow:
    code: str
    label: Label
    severity: str
    severity_label: Label
    message: str
    tone: str
    action: str = ""  # what to do about it
    more: int = 0  # further sessions of the episode with the same warning


@dataclass(frozen=True)
class SessionRow:
    id: str
    date: date
    ordinal: int | None
    status: str
    status_label: Label
    code: str | None
    explanation: str
    minutes: int | None = None
    place_label: Label = ""
    patient_share: Decimal | None = None
    warnings: tuple[WarningRow, ...] = ()
    edit_href: str = ""  # the session's correction page (patient page only)
    # Written once in Python for the patient page's long tables (a template filter per row
    # costs more): the day, and what the patient pays in the practice's money format.
    day_label: str = ""
    share_label: str = ""
    ordinal_label: str = "–"
    minutes_label: str = ""
    code_label: str = "—"
    planned: bool = False  # after the day the page is for


@dataclass(frozen=True)
class PrescriptionRow:
    date: date
    prescriber: str
    sessions: int
    used: int
    left: int
    # ok, low, exhausted (used up), late (started after its deadline: covers nothing),
    # passed_over (not started by its deadline: covers nothing), waiting (not started yet)
    state: str
    deadline: dt.date | None = None  # the last day its first session may take place

    @property
    def covers_nothing(self) -> bool:
        return self.state in ("late", "passed_over")


@dataclass(frozen=True)
class Fact:
    label: Label
    value: str


@dataclass(frozen=True)
class EpisodeCard:
    id: int
    title: str
    category_label: str
    facts: list[Fact]
    bars: list[Bar]
    sessions: list[SessionRow]
    warnings: list[WarningRow]
    prescriptions: list[PrescriptionRow]
    has_amounts: bool  # any session with money: else the table leaves the column out
    agreements: AgreementsCard | None = None  # BE: requests sent and what the next one misses
    # Treatments of this indication before this practice (NL, ``Episode.prior_treatments``).
    earlier: int = 0
    # The sessions by calendar year, newest first; only the years shown have their rows.
    years: list[YearGroup] = dataclasses.field(default_factory=list)
    session_count: int = 0  # of every year


@dataclass(frozen=True)
class YearGroup:
    """One calendar year of an episode's sessions: rendered (``open``) or loaded on demand."""

    year: int
    sessions: list[SessionRow]  # empty for a year not shown
    open: bool
    count: int = 0  # the year's sessions, shown or not
    href: str = ""  # the patient page with this year shown (without JavaScript)
    fragment: str = ""  # this year's rows alone (htmx)


@dataclass(frozen=True)
class PatientLinks:
    """A patient page's links, each reversed once: ``{sid}``, ``{episode}``, ``{year}`` filled in.

    ``page`` is the patient page, ``session`` a session's correction page and ``year`` the
    fragment with one episode's sessions of one year.
    """

    page: str = ""
    session: str = ""
    year: str = ""

    def session_href(self, session_id: str) -> str:
        return self.session.replace("{sid}", session_id)

    def year_href(self, episode_id: int, year: int) -> str:
        return f"{self.page}?{urlencode({'year': year})}#episode-{episode_id}-{year}"

    def year_fragment(self, episode_id: int, year: int) -> str:
        return self.year.replace("{episode}", str(episode_id)).replace("{year}", str(year))


@dataclass(frozen=True)
class SessionYear:
    """One episode's sessions of one year, the fragment the patient page loads on demand."""

    patient_id: int
    episode_id: int
    as_of: date
    has_amounts: bool
    group: YearGroup


@dataclass(frozen=True)
class PatientPage:
    id: int
    name: str
    birth_date: date
    country: str
    national_id: str
    preferential: bool
    as_of: date
    episodes: list[EpisodeCard]
    pools: list[Bar]
    warnings: list[WarningRow]  # about the patient, not one episode
    warning_count: int
    session_count: int
    elsewhere: ElsewhereForm | None = None  # BE: "treated elsewhere this year?"
    # NL: each year's supplementary package as "insurer package", and checks to make.
    coverages: list[Fact] = dataclasses.field(default_factory=list)
    coverage_notices: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class AttentionRow:
    patient_id: int
    patient_name: str
    episode_id: int | None
    episode_title: str | None
    code: str
    label: Label
    severity: str
    severity_label: Label
    message: str
    tone: str
    more: int = 0  # further sessions with the same warning for this episode
    action: str = ""  # what to do about it
    days_left: int | None = None  # before the date the warning is about
    reached: bool = False  # a limit is reached now: no day left
    href: str = ""  # the patient page (at the episode), built from one reversed prefix


@dataclass(frozen=True)
class AttentionPage:
    """One page of the Needs-attention list; the counts are the whole list's."""

    rows: list[AttentionRow]
    patient_count: int
    counts: list[tuple[str, Label, int]]  # severity, label, how many
    total: int = 0  # rows of the whole list (after folding repeats)
    number: int = 1  # this page, from 1
    pages: int = 1
    first: int = 0  # the position of the page's first row in the list, from 1 (0: no row)
    last: int = 0
    previous_url: str = ""  # the page before, filters kept ("": none)
    next_url: str = ""


@dataclass(frozen=True)
class AttentionLinks:
    """Where the rows and the pages of Needs attention link, reversed once per request.

    ``patient`` is a patient page's URL with ``{pk}`` for the patient; ``page`` the list's
    URL and ``filters`` the query kept from page to page (the page number is added).
    """

    patient: str = "/patients/{pk}/"
    page: str = "/"
    filters: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def patient_href(self, patient_id: int, episode_id: int | None) -> str:
        href = self.patient.replace("{pk}", str(patient_id))
        return f"{href}#episode-{episode_id}" if episode_id else href

    def page_href(self, number: int) -> str:
        return f"{self.page}?{urlencode({**self.filters, 'page': number})}"


@dataclass(frozen=True)
class PatientListRow:
    id: int
    name: str
    birth_date: date
    national_id: str


@dataclass(frozen=True)
class Preview:
    """What a session about to be recorded will be, and its episode's quota after it."""

    session: SessionRow
    bars: list[Bar]
    warnings: list[WarningRow]


@dataclass(frozen=True)
class Plan:
    """Planned sessions as the engine would reimburse them, and the quotas after the plan."""

    rows: list[SessionRow]
    bars: list[Bar]
    summary: list[tuple[str, Label, int]]  # status, label, how many
    has_amounts: bool


# --------------------------------------------------------------------------------- builders


def _bar(
    label: Label, limit: int | Decimal | None, used: int | Decimal, quota: t.Quota | t.Pool
) -> Bar:
    remaining = quota.remaining
    if limit is None or remaining is None:
        state, percent = "unlimited", 0
    else:
        if remaining <= 0:
            state = "exhausted"
        elif not isinstance(remaining, Decimal) and remaining <= LOW_AT_MOST:
            state = "low"
        else:
            state = "ok"
        percent = 100 if limit <= 0 else min(100, round(100 * used / limit))
    return Bar(
        label=label,
        used=used,
        limit=limit,
        remaining=remaining,
        period_start=quota.period_start,
        period_end=quota.period_end,
        state=state,
        percent=int(percent),
        money=isinstance(limit, Decimal) or isinstance(used, Decimal),
        elsewhere=quota.elsewhere,
    )


def quota_bar(quota: t.Quota) -> Bar:
    label = explain.label(explain.COUNTER_LABELS, quota.counter)
    return _bar(label, quota.limit, quota.used, quota)


def pool_bar(pool: t.Pool) -> Bar:
    """Return a pool as a bar, in plain words where a red bar would mislead (issue 18, item 4).

    A supplementary allowance of 0 is no cover at all, not cover used up; an eigen risico paid
    in full is good news for the patient: basic insurance now pays in full.
    """
    bar = _bar(explain.label(explain.POOL_LABELS, pool.pool), pool.limit, pool.used, pool)
    if pool.pool == "supplementary" and not pool.limit and not pool.used:
        return dataclasses.replace(bar, label=NO_COVER_LABEL, state="none", percent=0)
    if pool.pool == "deductible" and bar.state == "exhausted":
        return dataclasses.replace(bar, state="paid")
    return bar


NO_COVER_LABEL = _("Supplementary cover")
NO_COVER_WARNING = _("No supplementary cover")


def adult_by(birth_date: date, day: date) -> bool:
    """Whether someone born on ``birth_date`` is 18 on ``day`` (29 February: 1 March)."""
    return birth_date + relativedelta(years=18) <= day


def patient_pools(
    pools: Iterable[t.Pool], *, birth_date: date, has_courante: bool = True
) -> list[Bar]:
    """Return the patient-wide bars that concern this patient.

    No eigen risico for a child all through its year; no Belgian overflow pool (shared by
    courante situations) for a patient without a courante episode: it would be noise.
    """
    return [
        pool_bar(p)
        for p in pools
        if not (
            p.pool == "deductible"
            and not adult_by(birth_date, p.period_end or date(p.period_start.year, 12, 31))
        )
        and not (p.pool == "overflow" and not has_courante)
    ]


def by_year(sessions: Sequence[SessionRow], *, as_of: date) -> list[YearGroup]:
    """Group sessions (newest first) by calendar year; the years ``years_shown`` picks are open.

    With no session this year, the newest year is open instead, so the page never opens on
    nothing but closed years.
    """
    groups: dict[int, list[SessionRow]] = {}
    for row in sessions:
        groups.setdefault(row.date.year, []).append(row)
    shown = years_shown(groups, as_of=as_of)
    return [
        YearGroup(year, groups[year], year in shown, len(groups[year]))
        for year in sorted(groups, reverse=True)
    ]


def years_shown(
    years: Iterable[int],
    *,
    as_of: date,
    also: Iterable[int] = (),
    patient_years: Iterable[int] | None = None,
) -> set[int]:
    """Return the years of an episode's sessions the patient page renders; the rest wait.

    From the current year on (planned sessions included). A patient with no session this
    year (in any of ``patient_years``, default ``years``) shows their newest year instead,
    so the page never opens on nothing; an episode that ended before then is all collapsed.
    ``also`` adds years among ``years``: one with a session a current warning names or no
    rule covers, the year asked for.
    """
    years = set(years)
    every = set(patient_years) if patient_years is not None else years
    if not years or not every:
        return set()
    start = as_of.year if as_of.year in every else max(every)
    return {year for year in years if year >= start} | (years & set(also))


def package_year_notice(*, year: int, package_year: int | None) -> str:
    """Return the check to make when a year's coverage points at another year's package."""
    if package_year is None or package_year == year:
        return ""
    return _(
        "Coverage year %(year)s, package of %(package_year)s: check the insurer's %(year)s package."
    ) % {"year": year, "package_year": package_year}


def warning_label(code: str, params: Mapping[str, object]) -> Label:
    """The badge of a warning; "no cover" is not "cover used up"."""
    if code == "allowance_exhausted" and params.get("cover") is False:
        return NO_COVER_WARNING
    return explain.label(explain.WARNING_LABELS, code)


def warning_row(warning: t.Warning, reader: Reader) -> WarningRow:
    return WarningRow(
        code=warning.code,
        label=warning_label(warning.code, warning.params),
        severity=warning.severity,
        severity_label=explain.label(explain.SEVERITY_LABELS, warning.severity),
        message=explain.warning_text(warning, reader),
        tone=tone(code=warning.code, severity=warning.severity),
        action=actions.action_text(warning.code, warning.params, reader),
    )


def folded(rows: Iterable[WarningRow]) -> list[WarningRow]:
    """Return one row per warning code, the first, counting the repeats in ``more``.

    A late prescription warns on every session under it: the page says it once.
    """
    first: dict[str, WarningRow] = {}
    repeats: Counter[str] = Counter()
    for row in rows:
        if row.code in first:
            repeats[row.code] += 1
        else:
            first[row.code] = row
    return [dataclasses.replace(row, more=repeats[code]) for code, row in first.items()]


def session_row(
    outcome: t.SessionOutcome, reader: Reader, stored: t.Session | None = None
) -> SessionRow:
    amounts = outcome.amounts
    return SessionRow(
        id=outcome.id,
        date=outcome.date,
        ordinal=outcome.ordinal,
        status=outcome.status,
        status_label=STATUS_LABELS.get(outcome.status, outcome.status),
        code=outcome.code,
        explanation=explain.explanation(outcome, reader),
        minutes=stored.minutes if stored else None,
        place_label=PLACE_LABELS.get(stored.place, stored.place) if stored else "",
        patient_share=amounts.patient if amounts is not None else None,
    )


def unknown_row(session: t.Session) -> SessionRow:
    """Return the row of a session on a date no rule covers: listed, but not judged."""
    return SessionRow(
        id=session.id,
        date=session.date,
        ordinal=None,
        status="unknown",
        status_label=STATUS_LABELS["unknown"],
        code=None,
        explanation=str(UNKNOWN_EXPLANATION),
        minutes=session.minutes,
        place_label=PLACE_LABELS.get(session.place, session.place),
        patient_share=None,
    )


def prescriptions_left(
    prescriptions: Sequence[t.Prescription],
    outcomes: Iterable[t.SessionOutcome],
    *,
    as_of: date,
) -> list[PrescriptionRow]:
    """Return what is left on each prescription of one episode, as the engine assigned them.

    A session under a prescription that started too late still uses it up (decision 8: it is
    lost with the prescription): such a prescription, and one not started by its deadline
    (P6), covers nothing, whatever it has left, and its card says so.
    """
    outcomes = list(outcomes)
    used = Counter(o.prescription for o in outcomes if o.prescription is not None)
    late = {o.prescription for o in outcomes if o.reason.code == ReasonCode.BE_PRESCRIPTION_LATE}
    rows = []
    for rx in sorted(prescriptions, key=lambda rx: (rx.date, rx.id)):
        left = max(rx.sessions - used[rx.id], 0)
        deadline = be_rules.prescription_deadline(rx.date)
        if rx.id in late:
            state = "late"
        elif left == 0:
            state = "exhausted"
        elif not used[rx.id]:
            state = "passed_over" if deadline < as_of else "waiting"
        else:
            state = "low" if left <= LOW_AT_MOST else "ok"
        rows.append(PrescriptionRow(rx.date, "", rx.sessions, used[rx.id], left, state, deadline))
    return rows


def _episode_facts(episode: Episode) -> list[Fact]:
    """The paperwork facts that decide pending sessions, shown beside the episode's quota."""
    facts: list[Fact] = []
    if episode.pathology:
        facts.append(Fact(_("Pathological situation"), situation_label(episode.pathology)))
    if episode.category in ("fa", "fb"):
        facts.append(Fact(_("Notification received on"), _day(episode.notified_on)))
    if episode.first_session_on:
        facts.append(Fact(_("First session (at another practice)"), _day(episode.first_session_on)))
    if episode.condition:
        facts.append(Fact(_("Condition"), episode.condition))
    if episode.referral_date:
        referral = f"{_day(episode.referral_date)} ({episode.get_referral_by_display()})"
        facts.append(Fact(_("Referral"), referral))
    return facts


def situation_label(code: str) -> str:
    """An official pathology-situation code with its label in the request's language."""
    found = situations.situations().get(code)
    if found is None:
        return code
    french = (get_language() or "").startswith("fr")
    return f"{code} — {found.label_fr if french else found.label_nl}"


def _day(day: date | None, missing: str = "—") -> str:
    # Formatted in the request's language: the view builds the page inside it.
    return formats.date_format(day, DAY_FORMAT) if day else missing


def patient_page(
    *,
    patient: Patient,
    result: t.Result,
    links: PatientLinks | None = None,
    year: int | None = None,
) -> PatientPage:
    """Build the patient page from a patient loaded by ``patients_for_evaluation``.

    Every quota, pool, warning and prescription is there; of the sessions only the years
    ``years_shown`` picks (and ``year``, when asked for) have their rows: an older year is
    its count and a link that loads it (``session_year``). A long history then costs its
    count, not its rows.
    """
    links = links or PatientLinks()
    reader = Reader.current(patient.practice.country)
    outcomes_by_episode: dict[str, list[t.SessionOutcome]] = {}
    for outcome in result.sessions:
        outcomes_by_episode.setdefault(outcome.episode, []).append(outcome)
    warnings_by_episode: dict[str | None, list[WarningRow]] = {}
    for warning in result.warnings:
        warnings_by_episode.setdefault(warning.episode, []).append(warning_row(warning, reader))
    # A year is shown for a warning on one of its sessions while it can still be acted on:
    # from 1 January of last year (Needs attention's limit for claims, reimburse.selectors).
    dates = {o.id: o.date for o in result.sessions}
    warned = {
        w.session
        for w in result.warnings
        if w.session in dates and dates[w.session].year >= result.as_of.year - 1
    }
    patient_years = {o.date.year for o in result.sessions} | {
        s.date.year for e in patient.episodes.all() for s in e.sessions.all()
    }

    belgian = patient.practice.country == "BE"
    agreements = (
        agreement_cards(
            episodes=patient.episodes.all(), requests=requests_of(patient), result=result
        )
        if belgian
        else {}
    )
    cards = []
    for episode in patient.episodes.all():
        key = str(episode.pk)
        outcomes = outcomes_by_episode.get(key, [])
        groups, rows, count = _episode_years(
            episode,
            outcomes,
            reader,
            links,
            as_of=result.as_of,
            warned=warned,
            asked=year,
            patient_years=patient_years,
        )
        rx_facts = [
            t.Prescription(id=str(rx.pk), date=rx.date, sessions=rx.sessions)
            for rx in episode.prescriptions.all()
        ]
        prescribers = {str(rx.pk): rx.prescriber for rx in episode.prescriptions.all()}
        rx_rows = [
            dataclasses.replace(row, prescriber=prescribers[fact.id])
            for row, fact in zip(
                prescriptions_left(rx_facts, outcomes, as_of=result.as_of),
                sorted(rx_facts, key=lambda rx: (rx.date, rx.id)),
                strict=True,
            )
        ]
        cards.append(
            EpisodeCard(
                id=episode.pk,
                title=episode.title,
                category_label=str(episode.get_category_display()),
                facts=_episode_facts(episode),
                bars=[quota_bar(q) for q in result.quotas if q.episode == key],
                sessions=rows,
                warnings=folded(warnings_by_episode.get(key, [])),
                prescriptions=rx_rows,
                has_amounts=any(o.amounts is not None for o in outcomes),
                agreements=agreements.get(episode.pk),
                earlier=episode.prior_treatments,
                years=groups,
                session_count=count,
            )
        )
    return PatientPage(
        id=patient.pk,
        name=f"{patient.first_name} {patient.last_name}",
        birth_date=patient.birth_date,
        country=patient.practice.country,
        national_id=national_id_display(patient.national_id, patient.practice.country),
        preferential=patient.preferential,
        as_of=result.as_of,
        episodes=cards,
        pools=patient_pools(
            result.pools,
            birth_date=patient.birth_date,
            has_courante=any(e.category == "courante" for e in patient.episodes.all()),
        ),
        warnings=folded(warnings_by_episode.get(None, [])),
        warning_count=len(result.warnings),
        session_count=len(result.sessions),
        elsewhere=elsewhere_form(patient=patient, year=result.as_of.year) if belgian else None,
        coverages=[
            Fact(str(c.year), _coverage_name(c))
            for c in patient.coverages.all()
            if c.year == result.as_of.year
        ],
        coverage_notices=[
            notice
            for c in sorted(patient.coverages.all(), key=lambda c: -c.year)
            if (notice := package_year_notice(year=c.year, package_year=_package_year(c)))
        ],
    )


def _episode_years(
    episode: Episode,
    outcomes: Sequence[t.SessionOutcome],
    reader: Reader,
    links: PatientLinks,
    *,
    as_of: date,
    warned: frozenset[str] | set[str] = frozenset(),
    asked: int | None = None,
    only: int | None = None,
    patient_years: set[int] | None = None,
) -> tuple[list[YearGroup], list[SessionRow], int]:
    """Return an episode's year groups (newest first), the rows built, and the session count.

    Rows (with their sentences, the costly part) are built for the years shown only, or for
    the year ``only`` alone (the fragment).
    """
    stored = {str(s.pk): s for s in episode.sessions.all()}
    evaluated = {o.id for o in outcomes}
    # Sessions on dates no rule covers are not in the result; the page still lists them.
    unknown = [s for sid, s in stored.items() if sid not in evaluated]
    dated: list[tuple[date, t.SessionOutcome | None, Session | None]] = [
        (o.date, o, stored.get(o.id)) for o in outcomes
    ]
    dated += [(s.date, None, s) for s in unknown]
    per_year = Counter(day.year for day, _o, _s in dated)
    if only is not None:
        shown = {only} & set(per_year)
    else:
        # A session no rule covers is a blocking warning of the patient's: its year is shown.
        also = {o.date.year for o in outcomes if o.id in warned} | {s.date.year for s in unknown}
        if asked is not None:
            also.add(asked)
        shown = years_shown(per_year, as_of=as_of, also=also, patient_years=patient_years)
    words = _RowWords(reader)
    rows = sorted(
        (
            _session_row_of(outcome, session, words, links, as_of)
            for day, outcome, session in dated
            if day.year in shown
        ),
        key=lambda row: row.date,
    )[::-1]  # newest first: the therapist looks for the latest sessions
    by_year: dict[int, list[SessionRow]] = {}
    for row in rows:
        by_year.setdefault(row.date.year, []).append(row)
    groups = [
        YearGroup(
            year,
            by_year.get(year, []),
            year in shown,
            per_year[year],
            href=links.year_href(episode.pk, year),
            fragment=links.year_fragment(episode.pk, year),
        )
        for year in sorted(per_year, reverse=True)
    ]
    return groups, rows, len(dated)


class _RowWords:
    """The words a patient page repeats on every session row, each written once per page.

    A status, a place and an amount recur across hundreds of rows; translating or formatting
    them once (the request's language is fixed) keeps a long history's table cheap.
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.labels: dict[int, str] = {}  # by the lazy label's identity: hashing one translates it
        self.money: dict[Decimal, str] = {}
        self.months: dict[tuple[int, int], str] = {}

    def label(self, value: Label) -> str:
        if isinstance(value, str):
            return value
        found = self.labels.get(id(value))
        if found is None:
            found = self.labels[id(value)] = str(value)
        return found

    def amount(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        found = self.money.get(value)
        if found is None:
            found = self.money[value] = self.reader.money(value)
        return found

    def day(self, value: date) -> str:
        """``DAY_FORMAT`` ("j F Y"): the day of the month, then the month and year written
        once a month (formatting a date costs as much as the rest of its row)."""
        month = self.months.get((value.year, value.month))
        if month is None:
            month = self.months[(value.year, value.month)] = formats.date_format(
                value, MONTH_FORMAT
            )
        return f"{value.day} {month}"


def _session_row_of(
    outcome: t.SessionOutcome | None,
    session: Session | None,
    words: _RowWords,
    links: PatientLinks,
    as_of: date,
) -> SessionRow:
    """The row of ``unknown_row`` or ``session_row``, built once with its words."""
    if outcome is None:
        assert session is not None
        status = "unknown"
        day = session.date
        row_id = str(session.pk)
        ordinal, code, share = None, None, None
        explanation = str(UNKNOWN_EXPLANATION)
    else:
        status, day, row_id = outcome.status, outcome.date, outcome.id
        ordinal, code = outcome.ordinal, outcome.code
        share = outcome.amounts.patient if outcome.amounts is not None else None
        explanation = explain.explanation(outcome, words.reader)
    return SessionRow(
        id=row_id,
        date=day,
        ordinal=ordinal,
        status=status,
        status_label=words.label(STATUS_LABELS.get(status, status)),
        code=code,
        explanation=explanation,
        minutes=session.minutes if session is not None else None,
        place_label=(
            words.label(PLACE_LABELS.get(session.place, session.place))
            if session is not None
            else ""
        ),
        patient_share=share,
        edit_href=links.session_href(row_id),
        day_label=words.day(day),
        share_label=words.amount(share),
        # Numbers as the template would write them (no thousands separator), without a
        # template filter per cell.
        ordinal_label=str(ordinal) if ordinal else "–",
        minutes_label=str(session.minutes) if session is not None else "",
        code_label=code or "—",
        planned=day > as_of,
    )


def session_year(
    *, patient: Patient, result: t.Result, episode_id: int, year: int, links: PatientLinks
) -> SessionYear | None:
    """Return one episode's sessions of one year, as the patient page would show them.

    None when the episode is not this patient's; a year without sessions has no rows.
    """
    episode = next((e for e in patient.episodes.all() if e.pk == episode_id), None)
    if episode is None:
        return None
    reader = Reader.current(patient.practice.country)
    outcomes = [o for o in result.sessions if o.episode == str(episode_id)]
    groups, _rows, _count = _episode_years(
        episode, outcomes, reader, links, as_of=result.as_of, only=year
    )
    group = next((g for g in groups if g.year == year), YearGroup(year, [], True, 0))
    return SessionYear(
        patient_id=patient.pk,
        episode_id=episode_id,
        as_of=result.as_of,
        has_amounts=any(o.amounts is not None for o in outcomes),
        group=dataclasses.replace(group, open=True),
    )


def _package_year(coverage: Coverage) -> int | None:
    return coverage.package.year if coverage.package_id and coverage.package else None


def _coverage_name(coverage: Coverage) -> str:
    if coverage.package_name or coverage.insurer:
        return " ".join(part for part in (coverage.insurer, coverage.package_name) if part)
    if coverage.package:
        return f"{coverage.package.insurer} {coverage.package.name} ({coverage.package.year})"
    return "—"


ATTENTION_PER_PAGE = 50


def attention_page(
    warnings: Sequence[PatientWarning],
    reader: Reader,
    *,
    as_of: date | None = None,
    number: int | str | None = 1,
    per_page: int | None = None,
    links: AttentionLinks | None = None,
) -> AttentionPage:
    """Build one page of the Needs-attention list from the selector's rows (most urgent first).

    A warning repeated for several sessions of one episode (a late prescription covers every
    session under it) is one row that says how many more sessions it concerns. Each row says
    what to do. Within a severity, rows are ranked by the days left: a limit already reached
    first (no day left), then what ends soonest, then the rest in the selector's order.

    Ranking needs only a small key per row; the sentences (the costly part) are written for
    the ``per_page`` rows shown (default: all). ``number`` is the page asked for: past the
    end it is the last page, anything but a page number the first (Django's ``get_page``).
    The counts and the number of patients are the whole list's. ``attention_list_page``
    builds the same page from a list the database ranks (``selectors.attention_list``).
    """
    first: dict[tuple[int, int | None, str], PatientWarning] = {}
    repeats: Counter[tuple[int, int | None, str]] = Counter()
    for w in warnings:
        key = (w.patient_id, w.episode_id, w.code)
        if key in first:
            repeats[key] += 1
        else:
            first[key] = w
    ranked = sorted(first.items(), key=lambda item: _days_rank(item[1], as_of))
    return _attention_page(
        [(w, repeats[key]) for key, w in ranked],
        Counter(str(w.severity) for w in first.values()),
        len({w.patient_id for w in first.values()}),
        reader,
        as_of=as_of,
        number=number,
        per_page=per_page,
        links=links,
    )


def attention_list_page(
    listing: AttentionList,
    reader: Reader,
    *,
    as_of: date | None = None,
    number: int | str | None = 1,
    per_page: int | None = None,
    links: AttentionLinks | None = None,
) -> AttentionPage:
    """Build one page of Needs attention from the list the database ranks and counts.

    The same page as ``attention_page`` of the same warnings: only the rows shown are read.
    """
    counts = listing.counts
    return _attention_page(
        listing,
        counts.by_severity,
        counts.patients,
        reader,
        as_of=as_of,
        number=number,
        per_page=per_page,
        links=links,
    )


def _attention_page(
    ranked: Sequence[tuple[PatientWarning, int]],
    tally: Mapping[str, int],
    patient_count: int,
    reader: Reader,
    *,
    as_of: date | None,
    number: int | str | None,
    per_page: int | None,
    links: AttentionLinks | None,
) -> AttentionPage:
    """Page ``ranked`` (each row with how many repeats it stands for) and write the rows shown."""
    links = links or AttentionLinks()
    counts = [
        (str(s), label, tally.get(str(s), 0))
        for s, label in explain.SEVERITY_LABELS.items()
        if tally.get(str(s), 0)
    ]
    paginator = Paginator(ranked, per_page or max(len(ranked), 1))
    shown = paginator.get_page(number)
    rows = [_attention_row(w, more, reader, as_of, links) for w, more in shown]
    return AttentionPage(
        rows=rows,
        patient_count=patient_count,
        counts=counts,
        total=paginator.count,
        number=shown.number,
        pages=paginator.num_pages,
        first=shown.start_index(),
        last=shown.end_index(),
        previous_url=links.page_href(shown.number - 1) if shown.has_previous() else "",
        next_url=links.page_href(shown.number + 1) if shown.has_next() else "",
    )


def _reached(w: PatientWarning) -> bool:
    return urgency.reached(w.code, w.params)


def _attention_row(
    w: PatientWarning, more: int, reader: Reader, as_of: date | None, links: AttentionLinks
) -> AttentionRow:
    return AttentionRow(
        patient_id=w.patient_id,
        patient_name=w.patient_name,
        episode_id=w.episode_id,
        episode_title=w.episode_title,
        code=w.code,
        label=warning_label(w.code, w.params),
        severity=w.severity,
        severity_label=explain.label(explain.SEVERITY_LABELS, w.severity),
        message=explain.warning_text({"code": w.code, "params": w.params}, reader),
        tone=tone(code=w.code, severity=w.severity),
        more=more,
        action=actions.action_text(w.code, w.params, reader),
        days_left=actions.days_left(w.code, w.params, as_of) if as_of else None,
        reached=_reached(w),
        href=links.patient_href(w.patient_id, w.episode_id),
    )


def _days_rank(w: PatientWarning, as_of: date | None) -> tuple[int, int]:
    """Severity, then the days left: 0 for a limit reached, unknown after every known day."""
    unknown = 10**6
    severity = urgency.severity_rank(w.severity)
    if _reached(w):
        return severity, 0
    days = actions.days_left(w.code, w.params, as_of) if as_of else None
    return severity, unknown if days is None else days


def patient_list(patients: QuerySet[Patient], country: str = "BE") -> list[PatientListRow]:
    return [
        PatientListRow(
            p.pk,
            f"{p.last_name}, {p.first_name}",
            p.birth_date,
            national_id_display(p.national_id, country),
        )
        for p in patients
    ]


def national_id_display(national_id: str, country: str) -> str:
    """Write a stored compact national id as people read it: INSZ ``71.09.30-011.61``."""
    if not national_id:
        return ""
    module = be_nn if country == "BE" else nl_bsn
    try:
        return str(module.format(national_id))
    except ValueError:  # not a valid id of that country: shown as stored
        return national_id


def patient_search(query: str) -> Q:
    """Return the filter of patients matching every word of ``query``, in any order.

    "Jan Janssens", "Janssens Jan", "jans" match by name; a national id matches in any written
    form ("71.09.30-011.61", "710930"): separators are dropped before comparing.
    """
    found = Q()
    for word in query.split():
        digits = "".join(ch for ch in word if ch.isalnum())
        match = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if digits and digits.isdigit():
            match |= Q(national_id__icontains=digits)
        found &= match
    return found


# ------------------------------------------------------------------------------- what-if


def patient_for_evaluation(*, practice: Practice, patient_id: int) -> Patient | None:
    """Load a practice's patient with everything the engine needs; None for anyone else's."""
    return patients_for_evaluation(Patient.objects.filter(practice=practice, pk=patient_id)).first()


def episode_choices(patient: Patient) -> list[tuple[int, str]]:
    return [(e.pk, f"{e.title} — {e.get_category_display()}") for e in patient.episodes.all()]


def episode_of(patient: Patient, episode_id: int) -> Episode:
    """Return the prefetched episode of this patient (the form only offers these)."""
    return next(e for e in patient.episodes.all() if e.pk == episode_id)


def session_preview(
    *,
    patient: Patient,
    episode: Episode,
    date: date,
    minutes: int,
    place: str,
    price: Decimal | None,
    kind: str = "physiotherapy",
) -> Preview:
    """Return how a session would be reimbursed if it were recorded now; saves nothing.

    The engine reports quotas for the period containing its ``as_of``, so the case is judged
    on the session's own date: the quota shown is the one this session counts in (last year's
    when recording late, next year's when planning ahead), after it and every other session of
    that period.
    """
    proposed = t.Session(
        id="preview",
        date=date,
        episode=str(episode.pk),
        minutes=minutes,
        place=place,
        price=price,
        kind=kind,
    )
    result = patient_status_with(patient=patient, as_of=date, extra_sessions=[proposed])
    reader = Reader.current(patient.practice.country)
    outcome = next((o for o in result.sessions if o.id == "preview"), None)
    key = str(episode.pk)
    return Preview(
        session=(
            unknown_row(proposed) if outcome is None else session_row(outcome, reader, proposed)
        ),
        bars=[quota_bar(q) for q in result.quotas if q.episode == key],
        warnings=[
            warning_row(w, reader)
            for w in result.warnings
            if w.session == "preview" or (w.episode == key and w.session is None)
        ],
    )


@dataclass(frozen=True)
class SameDay:
    """The sessions a patient already has on a day a new one is about to be recorded for."""

    day: date
    count: int


def same_day(patient: Patient, day: date, submission_key: UUID | None = None) -> SameDay | None:
    """Return the patient's sessions already recorded on ``day`` (prefetched; None if none).

    The session this form already recorded (its ``submission_key``: a double click, a
    retry) is not "another" session that day.
    """
    count = sum(
        1
        for episode in patient.episodes.all()
        for s in episode.sessions.all()
        if s.date == day and (submission_key is None or s.submission_key != submission_key)
    )
    return SameDay(day, count) if count else None


def plan_dates(*, first: date, per_week: int, weeks: int) -> list[date]:
    """Return ``per_week × weeks`` weekdays from ``first`` on (twice a week: Monday, Thursday).

    The pattern is anchored on the Monday of ``first``'s week; days before ``first`` are
    skipped and made up at the end, so the plan always has the number of sessions asked for.
    """
    monday = first - timedelta(days=first.weekday())
    wanted = per_week * weeks
    days: list[date] = []
    week = 0
    while len(days) < wanted:
        for weekday in PLAN_WEEKDAYS[per_week]:
            day = monday + timedelta(weeks=week, days=weekday)
            if day >= first and len(days) < wanted:
                days.append(day)
        week += 1
    return days


def plan_ahead(
    *,
    patient: Patient,
    episode: Episode,
    dates: Sequence[date],
    minutes: int,
    place: str,
    price: Decimal | None,
    kind: str = "physiotherapy",
) -> Plan:
    """Return how planned sessions would be reimbursed and the quotas after them; saves nothing."""
    planned = [
        t.Session(
            id=f"plan-{n}",
            date=day,
            episode=str(episode.pk),
            minutes=minutes,
            place=place,
            price=price,
            kind=kind,
        )
        for n, day in enumerate(dates, start=1)
    ]
    # Quotas are reported for the period containing as_of: judge the plan on its first and its
    # last day, so a plan running into next year shows both years' quotas at the plan's end.
    result = patient_status_with(patient=patient, as_of=min(dates), extra_sessions=planned)
    later = patient_status_with(patient=patient, as_of=max(dates), extra_sessions=planned)
    reader = Reader.current(patient.practice.country)
    by_id = {s.id: s for s in planned}
    row_warnings: dict[str, list[WarningRow]] = {}
    for warning in result.warnings:
        if warning.session in by_id:
            row_warnings.setdefault(warning.session, []).append(warning_row(warning, reader))
    rows = [
        dataclasses.replace(
            session_row(o, reader, by_id[o.id]), warnings=tuple(row_warnings.get(o.id, ()))
        )
        for o in result.sessions
        if o.id in by_id
    ]
    tally = Counter(row.status for row in rows)
    summary = [(s, label, tally[s]) for s, label in STATUS_LABELS.items() if tally[s]]
    key = str(episode.pk)
    quotas: dict[tuple[str, date], t.Quota] = {}
    for quota in (*result.quotas, *later.quotas):
        if quota.episode == key:
            quotas.setdefault((quota.counter, quota.period_start), quota)
    return Plan(
        rows=rows,
        bars=[quota_bar(q) for q in quotas.values()],
        summary=summary,
        has_amounts=any(row.patient_share is not None for row in rows),
    )
