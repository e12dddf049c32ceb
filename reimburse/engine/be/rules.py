"""Belgian kinesitherapy reimbursement (RIZIV/INAMI, nomenclature article 7) as a pure function.

``evaluate(case)`` walks the sessions in ``(date, input position)`` order and decides each one
in three steps, always in this order:

1. **One session per day** (S1, decision 9). A session that loses its day consumes nothing:
   no prescription slot, no quota.
2. **The prescription** (P1, P3, P6, decision 8). A session no usable prescription covers is
   ``not_reimbursed`` and consumes no quota.
3. **The category's counter** (courante, Fa, Fb, E, perinatal, palliative). Only sessions that
   get this far are counted: ``not_reimbursed`` sessions never use quota, ``pending`` ones do.

Because every counter only looks at sessions already decided, a session's outcome depends on
the sessions before it and never on the ones after it.

Rule ids (``BE.C1`` …) are those of ``docs/rules/belgium-riziv.md`` §1–§3. "Decision N"
refers to the numbered decisions of ``docs/rules/simulate.md``, the product's choices
where the sources leave room; explanations they drive say "(interpretation)".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from heapq import heappop, heappush
from itertools import chain, pairwise, repeat
from operator import attrgetter
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

from dateutil.relativedelta import relativedelta

from reimburse.engine.be import tables as tables
from reimburse.engine.be.tables import Tariff
from reimburse.engine.drafts import keep_run
from reimburse.engine.drafts import new_outcome as _new_outcome
from reimburse.engine.drafts import new_reason as _new_reason
from reimburse.engine.drafts import object_new as _object_new
from reimburse.engine.errors import UnknownCategory, UnknownEpisode
from reimburse.engine.types import (
    BE_CATEGORIES,
    Agreement,
    BeAmounts,
    Case,
    Episode,
    Pool,
    Prescription,
    Quota,
    Reason,
    Result,
    Session,
    SessionOutcome,
    Warning,
)
from reimburse.engine.vocabulary import (
    SEVERITY,
    AgreementStatus,
    ReasonCode,
    Status,
    WarningCode,
)

# The codes' members as plain attributes of a namespace, typed as their classes (mypy checks
# every name): in Python 3.11 an attribute of an Enum class goes through
# ``EnumType.__getattr__``'s hook, ten times the cost of a global (about 1,500 instructions;
# a clinic-shaped patient's runs and warnings read a dozen).
R = cast("type[ReasonCode]", SimpleNamespace(**ReasonCode.__members__))
W = cast("type[WarningCode]", SimpleNamespace(**WarningCode.__members__))
# Members read for every run or warning, as globals.
_BEST, _REDUCED, _REDUCED_2 = Status.BEST, Status.REDUCED, Status.REDUCED_2
_PENDING, _NOT_REIMBURSED = Status.PENDING, Status.NOT_REIMBURSED
_REFUSAL = AgreementStatus.REFUSAL
_TARIFF_UNKNOWN, _CODE_UNKNOWN = W.TARIFF_UNKNOWN, W.CODE_UNKNOWN
_PRESCRIPTION_LOW = W.PRESCRIPTION_LOW
_AGREEMENT_MISSING = W.AGREEMENT_MISSING
_QUOTA_EXHAUSTED, _QUOTA_LOW = W.QUOTA_EXHAUSTED, W.QUOTA_LOW
# Reasons of a year's first courante or Fb session and of courante overflow (every case).
_COURANTE_BEST, _COURANTE_OVERFLOW, _FB_BEST = (
    R.BE_COURANTE_BEST,
    R.BE_COURANTE_OVERFLOW,
    R.BE_FB_BEST,
)

# Warnings about things that end soon look this far ahead of ``as_of`` (simulate contract).
ENDING_SOON = timedelta(days=30)
# Quotas with this many best-rate sessions left, or fewer (but not none), are "low".
LOW_AT_MOST = 3
# An episode with a session this recently (or later) is still being treated: its next sessions
# need a prescription that can cover them (``prescription_low``) [I: a longer pause is taken as
# the end of the treatment].
TREATED_RECENTLY = timedelta(days=60)
# Categories with a code for a motivated second session on one day (S2; PAL1; decision 9).
SECOND_SESSION_CATEGORIES = ("palliative", "e")
# The codes in the tables are those of a standard 30-minute session (S4).
STANDARD_MINUTES = 30
# 15- and 20-minute sessions have codes of their own (S4), not in the tables.
SHORT_MINUTES = tables.SHORT_SESSION_MINUTES
# Official situation codes that name no situation: a paper agreement (MyCareNet).
UNSPECIFIED = frozenset({"co-0-0-0-0"})
CENT = Decimal("0.01")
_new_decision = tuple.__new__  # ``_new_decision(_Decision, (…all seven fields…))``: no ``__new__``


def evaluate(case: Case, *, outcomes: bool = True) -> Result:
    """Return how each session of a Belgian case is reimbursed, with quotas, pools, warnings.

    With ``outcomes=False`` the result's ``sessions`` is empty and no code, amount or outcome
    is built for them; every session is still decided, so the quotas, pools and warnings are
    the same (for lists that show only those, such as Needs attention).
    """
    evaluation = _Evaluation(case, outcomes=outcomes)
    if RUNS:
        try:
            # In the input order: the runs need each episode's sessions in date order, not all
            # the sessions (sorting them all cost more than putting the episodes' in order).
            if evaluation.decide_in_runs(case.sessions):
                return evaluation.result()
        except (_NotInRuns, ValueError, ArithmeticError):  # an EngineError is a ValueError
            # The session-by-session order names the first session a table cannot judge.
            evaluation = _Evaluation(case, outcomes=outcomes)
    evaluation.decide_all(ordered(case.sessions))
    return evaluation.result()


class _NotInRuns(Exception):
    """``decide_in_runs`` met what only the session-by-session loop decides."""


# ``evaluate`` decides a case's sessions in runs when it can (``_Evaluation.decide_in_runs``);
# False: always one by one (``decide_all``), the straightforward evaluation tests compare with.
RUNS = True


def ordered(sessions: Iterable[Session]) -> list[Session]:
    """Return the sessions in ``(date, input position)`` order (the contract's order)."""
    # ``sorted`` is stable: sessions of one day keep their input order.
    return sorted(sessions, key=_session_date)


_session_date = attrgetter("date")
_session_id = attrgetter("id")
_prescription_date = attrgetter("date")
_outcome_date = attrgetter("date")


def _first_outcome_date(outcomes: list[SessionOutcome]) -> date:
    """Return the day of the first of an episode's outcomes (in date order)."""
    return outcomes[0].date


# What a session's code and amounts depend on besides its tier and day.
_price_facts = attrgetter("minutes", "place", "conventioned", "price")


@cache  # ``date(…)`` parses its arguments as keywords: a lookup costs a fraction
def _new_year(year: int) -> date:
    return date(year + 1, 1, 1)


@cache  # as ``_new_year``: every result reports a year or two
def _calendar_year(year: int) -> tuple[date, date]:
    """Return 1 January and 31 December of ``year``."""
    return date(year, 1, 1), date(year, 12, 31)


# ------------------------------------------------------------------------------- period helpers


# The period helpers are pure functions of a date; caching them spares the dateutil
# arithmetic on every session (a few thousand distinct dates at most).


@cache
def fa_period_end(first_session: date) -> date:
    """Return the last day of an Fa period: the day before the first session's anniversary.

    2025-03-10 → 2026-03-09 and 2023-03-01 → 2024-02-29 (FA1, decision 4). The anniversary
    of 29 February in a common year is 1 March, so a period starting 2024-02-29 ends
    2025-02-28: 366 days, as domain rule E3 says (decision 4, v1.1).
    """
    years = tables.limit("fa_period_years", first_session)
    try:
        anniversary = first_session.replace(year=first_session.year + years)
    except ValueError:  # 29 February, and the anniversary year is not a leap year
        anniversary = date(first_session.year + years, 3, 1)
    return anniversary - timedelta(days=1)


@cache
def fb_period_end(first_session: date) -> date:
    """Return the last day of an Fb period: 31 December of the second following year (FB1)."""
    years = tables.limit("fb_period_following_years", first_session)
    return date(first_session.year + years, 12, 31)


@cache
def prescription_deadline(prescribed_on: date) -> date:
    """Return the last day a prescription's first session may take place (P6, decision 8).

    Two calendar months with dateutil's month-end clamping: 2025-03-01 → 2025-05-01,
    2024-12-31 → 2025-02-28, 2023-12-30 → 2024-02-29 [I on the day arithmetic].
    """
    months = tables.limit("prescription_start_months", prescribed_on)
    return prescribed_on + relativedelta(months=months)


@cache
def overflow_pool_period(day: date) -> tuple[date, date, int | None]:
    """Return the overflow pool period containing ``day``: start, end (inclusive), limit.

    The pool is per calendar year (C5). In 2021 the year is cut on 1 August, when the cap of
    54 began: sessions before it were unlimited and do not count in the 54 (decision 3).
    """
    entry = tables.parameter_entry("overflow_pool", day)
    start = max(date(day.year, 1, 1), entry.valid_from)
    end = date(day.year, 12, 31)
    if entry.valid_until is not None and entry.valid_until.year == day.year:
        end = entry.valid_until - timedelta(days=1)
    return start, end, entry.value


# A rule reads the same few parameters for every session, and they change on a handful of
# dates: an episode keeps the span of days on which its category's values hold, and only a
# session outside it reads the tables again.
Span = tuple[date, date, tuple[int, ...]]  # first day, day after the last, the values
NO_SPAN: Span = (date.max, date.min, ())
COURANTE_LIMITS = ("courante_best_rate", "courante_situations")
FA_LIMITS = ("fa_best_rate",)
FA_POLYTRAUMA_LIMITS = ("fa_best_rate_polytrauma",)
FB_LIMITS = ("fb_best_rate", "fb_first_reduced")


@cache
def limits_span(names: tuple[str, ...], day: date) -> Span:
    """Return the values of the parameters ``names`` on ``day`` and the days they all hold."""
    values = tuple(tables.limit(name, day) for name in names)  # raises as the rule would
    entries = [tables.parameter_entry(name, day) for name in names]
    start = max(entry.valid_from for entry in entries)
    end = min(entry.valid_until or date.max for entry in entries)
    return start, end, values


def _table_changes(category: str, *, cuts: bool) -> tuple[date, ...]:
    """Return the days on which an entry of a Belgian table that prices or counts a session
    of ``category`` begins or ends, in order: its codes and their tariffs, every parameter
    and patient share (few, and read across categories), the periods without a convention,
    and the convention cuts if ``cuts``.
    """
    codes = [c for c in tables.CODES if c.category == category]
    priced = {c.code for c in codes}
    tariffs = [t for t in tables.TARIFF_ROWS if t.code in priced]
    entries: list[tables.Sourced] = [
        *tables.PARAMETERS,
        *codes,
        *tables.PATIENT_SHARES,
        *tariffs,
        *(tables.CONVENTION_CUTS if cuts else ()),
        # A conventioned session is priced by its own price while no convention is in force:
        # a change only where one of the category's tariffs is in force then (the others have
        # no amounts either way), so no other category's runs are cut there.
        *(g for g in tables.NO_CONVENTION if any(t.tariff and _overlap(t, g) for t in tariffs)),
    ]
    days = {e.valid_from for e in entries} | {e.valid_until for e in entries if e.valid_until}
    return tuple(sorted(days))


def _overlap(a: tables.Sourced, b: tables.Sourced) -> bool:
    """Tell whether two dated entries share a day."""
    return a.valid_from < (b.valid_until or date.max) and b.valid_from < (a.valid_until or date.max)


# Between two of these days every table lookup for a category's session gives one answer: a
# run of sessions (see ``_Evaluation.decide_in_runs``) has one set of parameters, codes and
# amounts. Per category, as ``TABLE_CHANGES[conventioned][category]``: a tariff of another
# category's code cuts no run (the courante tariffs of 2025-02-01 are no Fa or Fb bound), and
# without the convention cuts when every session is conventioned (they price only a
# non-conventioned session).
TABLE_CHANGES = {
    conventioned: {c: _table_changes(c, cuts=not conventioned) for c in BE_CATEGORIES}
    for conventioned in (False, True)
}


def _boundaries(loaded: tuple[Tariff, ...], conventioned: bool) -> dict[str, tuple[date, ...]]:
    """Return each category's days a table changes, with those of a clinic's ``loaded``
    table; without the convention cuts when every session is ``conventioned``."""
    changes = TABLE_CHANGES[conventioned]
    if not loaded:
        return changes
    days = {t.valid_from for t in loaded} | {t.valid_until for t in loaded if t.valid_until}
    # A loaded tariff may be in force while no convention is: its category's runs end there.
    days |= {g.valid_from for g in tables.NO_CONVENTION}
    days |= {g.valid_until for g in tables.NO_CONVENTION if g.valid_until}
    return {c: tuple(sorted(days.union(changed))) for c, changed in changes.items()}


# ------------------------------------------------------------------------- codes and amounts


# A session's code and amounts depend only on these values and the constant tables, and a
# practice's sessions share a few hundred combinations: each is priced once (the tables'
# lookups, the gap around a missing tariff and the checked ``BeAmounts``, which is immutable
# and so shared by every session priced alike).
Priced = tuple[str | None, BeAmounts | None, tuple[date | None, date | None] | None]


@lru_cache(maxsize=1 << 16)
def _priced(
    category: str,
    tier: str,
    place: str,
    day: date,
    preferential: bool,
    conventioned: bool,
    price: Decimal | None,
) -> Priced:
    """Price a standard session by the shipped tables (cached: see ``_price``)."""
    return _price(category, tier, place, day, preferential, conventioned, price, ())


def _price(
    category: str,
    tier: str,
    place: str,
    day: date,
    preferential: bool,
    conventioned: bool,
    price: Decimal | None,
    loaded: tuple[Tariff, ...],
) -> Priced:
    """Return the code of a standard session, its amounts, and the tariff gap when it has none.

    ``(None, None, None)``: no code in the sources; ``(code, None, gap)``: no tariff on ``day``
    (``gap`` is ``tables.tariff_gap``); else ``(code, amounts, None)``, amounts ``None`` when
    the patient share is not known. A row of a table the clinic ``loaded`` wins over the
    shipped one on its dates.
    """
    code = tables.code_for(category, tier, place, day)
    if code is None:
        return None, None, None
    tariff = tables.tariff_for(code, day, loaded)
    if tariff is None:
        return code, None, tables.tariff_gap(code, day, loaded)
    return code, _amounts(tariff, category, day, preferential, conventioned, price), None


def _amounts(
    tariff: Tariff,
    category: str,
    day: date,
    preferential: bool,
    conventioned: bool,
    price: Decimal | None,
) -> BeAmounts | None:
    """Price a standard session by its tariff; ``None`` when the patient share is not known.

    A non-conventioned physiotherapist (contract v2) charges their own ``price``: the
    insurer pays the official reimbursement, cut to 75 % (half up to the cent) for a
    patient without preferential status on the dates that rule is in force (§1.2). So does
    every physiotherapist while no convention is in force (``tables.NO_CONVENTION``: January
    2025, when the fees were free and no cut applied).
    """
    insurer = tariff.insurer_preferential if preferential else tariff.insurer
    if insurer is None:
        share = tables.patient_share(
            tables.share_kind(category, STANDARD_MINUTES), day, preferential=preferential
        )
        if share is None:
            return None
        insurer = tariff.fee - share
    if conventioned and tables.fees_bound(day):
        return BeAmounts(fee=tariff.fee, insurer=insurer, patient=tariff.fee - insurer)
    # Not conventioned, or no convention in force (January 2025, §1.1): the practice's price.
    cut = tables.convention_cut(day)
    if cut is not None and not preferential:
        insurer = (insurer * cut).quantize(CENT, rounding=ROUND_HALF_UP)
    if price is None:
        return BeAmounts(fee=None, insurer=insurer, patient=None)
    return BeAmounts(fee=price, insurer=insurer, patient=price - insurer)


# Outcomes and reasons are built through their slots: ``reimburse.engine.drafts``.


# The earliest session that met a missing tariff: its day, episode and id.
_Met = tuple[date, str, str]


# A warning, quota, pool and result, frozen dataclasses without slots, are built without their
# frozen ``__init__`` (a field set through ``object.__setattr__`` costs several plain ones):
# their fields are stored one by one in the new instance's dict, in order
# (``tests/engine/be/test_fast_paths.py`` checks), with no dict of values to build and merge
# (about 1,900 instructions a quota less, of 5,800; issue 19). A ``__post_init__`` check is the
# caller's to run.


def _warning(
    code: WarningCode, episode: str | None, session: str | None, params: Mapping[str, object]
) -> Warning:
    """Return ``Warning(code, SEVERITY[code], episode, session, params)``, built as above."""
    built: Any = _object_new(Warning)
    fields = built.__dict__
    fields["code"] = code
    fields["severity"] = SEVERITY[code]
    fields["episode"] = episode
    fields["session"] = session
    fields["params"] = params
    warning: Warning = built
    return warning


_NEW_OUTCOME = _new_outcome  # ``_Evaluation._outcomes`` writes it out unless a test replaced it


# --------------------------------------------------------------------------------------- state


class _PrescriptionState:
    """How much of one prescription is used and whether it started in time.

    A plain class with slots (not a dataclass): an evaluation makes one per prescription and
    reads its fields for every run, and the dataclass ``__init__`` cost more than the runs.
    """

    __slots__ = ("deadline", "id", "prescribed_on", "prescription", "size", "started_late", "used")

    def __init__(self, prescription: Prescription, deadline: date) -> None:
        self.prescription = prescription
        self.deadline = deadline
        self.used = 0
        self.started_late: bool | None = None  # None until its first session
        # The prescription's date and size, read for every session of the episode.
        self.prescribed_on = prescription.date
        self.size = prescription.sessions
        self.id = prescription.id

    def has_room(self) -> bool:
        return self.used < self.size

    def usable_on(self, day: date) -> bool:
        """Tell whether a session on ``day`` would be covered (not a late start)."""
        if self.started_late is None:
            return day <= self.deadline
        return not self.started_late


class _EpisodeState:
    """The running counts of one episode while its sessions are decided in order.

    A plain class with slots, as ``_PrescriptionState``.
    """

    __slots__ = (
        "category",
        "counted",
        "elsewhere",
        "episode",
        "first_of_year",
        "first_session",
        "last_session",
        "limits",
        "per_year",
        "period_start",
        "prescriptions",
        "room_from",
        "rule",
        "usable_from",
    )

    def __init__(
        self,
        episode: Episode,
        prescriptions: list[_PrescriptionState],
        rule: Callable[[_Evaluation, Session, _EpisodeState, bool], _Decision],
    ) -> None:
        self.episode = episode
        self.prescriptions = prescriptions
        self.counted: list[date] = []  # best, reduced, reduced_2, pending
        # Sessions per year; those given elsewhere count toward the year's tiers (courante,
        # Fb; v2). A plain dict read with ``get(year, 0)``.
        prior = episode.prior_sessions
        self.per_year: dict[int, int] = dict(prior) if prior else {}
        # The id of its first session in order, whatever its fate, and each year's first.
        self.first_session: str | None = None
        self.first_of_year: dict[int, Session] = {}
        self.last_session: date | None = None  # the latest session day, whatever its fate
        # Cursors of ``_pick_prescription``: no prescription before ``room_from`` has room
        # left, none before ``usable_from`` can still cover a session.
        self.room_from = 0
        self.usable_from = 0
        # Fixed for the evaluation, read per session: the sessions of this situation given by
        # another practice, all years together, and the first session of an Fa or Fb treatment
        # (elsewhere if it began there, v2; else the first counted here, set by ``count``).
        self.elsewhere: int = sum(prior.values()) if prior else 0
        self.period_start: date | None = episode.first_session_on
        self.category: str = episode.category
        self.limits: Span = NO_SPAN  # the category's parameters (``limits_span``)
        # The category's step 3, ``_Evaluation._courante`` … ``_palliative``, unbound: a bound
        # method here would tie the evaluation into a reference cycle, freed only by the
        # collector.
        self.rule = rule

    @property
    def first_counted(self) -> date | None:
        return self.counted[0] if self.counted else None

    def count(self, day: date) -> None:
        if not self.counted and self.period_start is None:
            self.period_start = day
        self.counted.append(day)
        per_year = self.per_year
        per_year[day.year] = per_year.get(day.year, 0) + 1

    def used_between(self, start: date, end: date | None) -> int:
        # Sessions are decided in date order, so ``counted`` is sorted.
        last = len(self.counted) if end is None else bisect_right(self.counted, end)
        used = last - bisect_left(self.counted, start)
        return used if used > 0 else 0


class _Decision(NamedTuple):
    """A session's status and why, before codes and amounts are attached (one per session).

    ``reason`` and ``params`` become the outcome's ``Reason``; the engine writes no sentence
    (``reimburse.explain`` renders one in the reader's language).
    """

    status: Status
    rule: str
    reason: ReasonCode
    params: Mapping[str, object]
    ordinal: int | None = None
    tier: str | None = None  # the code tier in ``be.tables.CODES``
    extra_codes: tuple[str, ...] = ()


# A run of sessions one decision takes (``_Evaluation._decide_block``): how many, their
# status, rule and code tier, the first one's number (the others follow; None: no number),
# their reasons, built only when outcomes are asked for, and the extra codes of the run's first
# session (the others have none): the intake billed with a courante situation's first (S7).
# The reasons come as a key that tells them apart from any other run's and holds all they say,
# and a module function that builds them from it: runs alike in many cases (the 10th to 18th
# courante sessions of a year) share them (``_reasons``), and no closure is made per run (a
# run's plan is made with or without outcomes; a closure cost more than the rest of a plan).
_Run = tuple[
    int,
    Status,
    str,
    str | None,
    int | None,
    tuple[Any, ...],
    Callable[[tuple[Any, ...]], list[Reason]],
    tuple[str, ...],
]


# Reasons are immutable: the runs of every evaluation that have the same key share them. The
# keys are few (a category's thresholds, years, numbers); the cache is emptied when full.
_REASONS: dict[tuple[object, ...], list[Reason]] = {}
_REASONS_KEPT = 4096


def _reasons(
    key: tuple[Any, ...], build: Callable[[tuple[Any, ...]], list[Reason]]
) -> list[Reason]:
    """Return the reasons of a run, built by ``build(key)`` the first time ``key`` is met."""
    found = _REASONS.get(key)
    if found is None:
        if len(_REASONS) >= _REASONS_KEPT:
            _REASONS.clear()
        found = _REASONS[key] = build(key)
    return found


def _courante_best_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """C1: courante sessions at the best rate (``_Evaluation._courante_run``); when the run
    opens the situation's year, its first session says whether the count restarted (decision
    1) and whether the intake was billed with it (S7)."""
    _, best_rate, year, first, k, restarted, intake = key
    return [
        _new_reason(
            _COURANTE_BEST,
            {
                "n": n,
                "limit": best_rate,
                "year": year,
                "restarted": restarted and n == first,
                "intake": intake and n == first,
                "remaining": best_rate - n,
            },
        )
        for n in range(first, first + k)
    ]


def _courante_agreed_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """C6: a 2nd or 3rd situation's sessions, agreed or pending without an agreement
    (``_Evaluation._agreed_run``); the first as ``_courante_best_reasons``'s."""
    code, best_rate, year, rank, first, k, restarted, intake = key
    return [
        _new_reason(
            code,
            {
                "n": n,
                "limit": best_rate,
                "year": year,
                "restarted": restarted and n == first,
                "intake": intake and n == first,
                "rank": rank,
            },
        )
        for n in range(first, first + k)
    ]


def _waiting_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """C6, E1: sessions waiting for the advising physician (``_agreed_run``, ``_e_run``)."""
    code, category, status, reason, decision_id, first, k = key
    return [
        _new_reason(
            code,
            {
                "n": n,
                "category": category,
                "status": status,
                "reason": reason,
                "decision_id": decision_id,
            },
        )
        for n in range(first, first + k)
    ]


def _e_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """E1, E2: E sessions inside an agreement (until its end) or without one (``_e_run``)."""
    code, until, first, k = key
    if code is R.BE_E_PENDING:
        return [_new_reason(code, {"n": n}) for n in range(first, first + k)]
    return [_new_reason(code, {"n": n, "until": until}) for n in range(first, first + k)]


def _pool_exhausted_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """C5: overflow sessions the empty pool refuses, one reason for all (``_overflow_run``)."""
    _, first, year, pool_limit, k = key
    params = {"n": first, "year": year, "pool_limit": pool_limit}
    return [_new_reason(R.BE_COURANTE_POOL_EXHAUSTED, params)] * k


def _overflow_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """C4, C9: overflow sessions drawn from the pool (``_Evaluation._overflow_run``)."""
    _, code, about, year, first, k, used, pool_limit = key
    return [
        _new_reason(
            code,
            {
                **dict(about),
                "n": first + m,
                "year": year,
                "pool_left": None if pool_limit is None else pool_limit - used - m - 1,
                "pool_limit": pool_limit,
            },
        )
        for m in range(k)
    ]


def _fa_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """FA1-FA3: Fa sessions at one rate (``_Evaluation._fa_run``)."""
    _, best_rate, end, first, k = key
    code = R.BE_FA_BEST if first <= best_rate else R.BE_FA_REDUCED
    return [
        _new_reason(code, {"n": n, "limit": best_rate, "end": end}) for n in range(first, first + k)
    ]


def _fb_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """FB2, FB3: Fb sessions at one rate, after the year's first (``_Evaluation._fb_run``)."""
    _, best_rate, reduced_to, year, first, k = key
    if first <= best_rate:
        return [
            _new_reason(_FB_BEST, {"n": n, "limit": best_rate, "year": year, "restarted": False})
            for n in range(first, first + k)
        ]
    if first <= reduced_to:
        return [
            _new_reason(
                R.BE_FB_REDUCED,
                {"n": n, "year": year, "first": best_rate + 1, "last": reduced_to},
            )
            for n in range(first, first + k)
        ]
    return [
        _new_reason(R.BE_FB_REDUCED_2, {"n": n, "year": year, "first": reduced_to + 1})
        for n in range(first, first + k)
    ]


def _notification_reasons(key: tuple[Any, ...]) -> list[Reason]:
    """FA4, FB4: Fa/Fb sessions pending a notification (``_notification_run``)."""
    _, category, first, k = key
    return [
        _new_reason(R.BE_NOTIFICATION_PENDING, {"n": n, "category": category})
        for n in range(first, first + k)
    ]


def _not_reimbursed(rule: str, code: ReasonCode, /, **params: object) -> _Decision:
    return _Decision(_NOT_REIMBURSED, rule, code, params)


class _Warnings:
    """Collect warnings in order, each state warning once (per episode, or episode and year)."""

    def __init__(self) -> None:
        self.items: list[Warning] = []
        self.seen: set[tuple[object, ...]] = set()

    def add(
        self,
        kind: WarningCode,  # not ``code``: mypyc drops a ``code=`` parameter from ``params``
        /,
        *,
        episode: str | None = None,
        session: str | None = None,
        once_per: tuple[object, ...] | None = None,
        **params: object,
    ) -> None:
        if once_per is not None:
            key = (kind, *once_per)
            if key in self.seen:
                return
            self.seen.add(key)
        self.items.append(_warning(kind, episode, session, params))


# ------------------------------------------------------------------------------------ evaluation


class _Evaluation:
    """Decide the sessions of one case in order, keeping the patient-wide counts."""

    def __init__(self, case: Case, *, outcomes: bool = True) -> None:
        self.case = case
        self.keep_outcomes = outcomes
        # Loops, not comprehensions, over a case's few episodes and prescriptions: making a
        # comprehension's function costs more than its handful of iterations.
        self.episodes: dict[str, _EpisodeState] = {}
        for ep in case.episodes:
            self.episodes[ep.id] = self._episode_state(ep)
        self.admitted_per_day: dict[date, int] = {}
        self.situation_ranks: dict[int, dict[str, int]] = {}  # year → episode → rank
        self.intake_years: set[int] = set()
        self.pool_used: dict[date, int] = {}  # pool period start → sessions drawn
        for year, count in case.patient.overflow_elsewhere.items():
            # Overflow sessions billed elsewhere that year draw on the same pool (v2).
            start = overflow_pool_period(date(year, 12, 31))[0]
            self.pool_used[start] = self.pool_used.get(start, 0) + count
        self.outcomes: list[SessionOutcome] = []
        self.assigned: dict[str, str] = {}  # session id → prescription id (decision 8)
        self.warnings = _Warnings()
        # ``decide_in_runs``: the days its tables change on, each warning's session day, and
        # the missing tariffs met, by code and gap: the earliest session that met each (its
        # day, episode and id), warned about at the end (``_warnings_in_date_order``).
        self.bounds = TABLE_CHANGES[False]
        self.warning_days: list[date] = []
        self.tariffs_missing: dict[tuple[str, tuple[date | None, date | None]], _Met] = {}
        self.alike = False  # every session has the same minutes, place, convention and price
        self.ids_unique: bool | None = None  # known once asked
        self.episode_outcomes: dict[str, list[SessionOutcome]] = {}
        # ``_quota``: as_of's year, its first and last day, its ranks and situations.
        self.courante_year: tuple[int, date, date, dict[str, int], int] | None = None

    @staticmethod
    def _episode_state(episode: Episode) -> _EpisodeState:
        """Start an episode's counts, its prescriptions oldest first."""
        if episode.category not in BE_CATEGORIES:
            raise UnknownCategory(episode.category, owner=f"episode {episode.id}")
        # "The oldest prescription first" (decision 8); ``sorted`` is stable, so equal dates
        # keep the input order.
        prescriptions = episode.prescriptions
        if len(prescriptions) > 1:
            prescriptions = tuple(sorted(prescriptions, key=_prescription_date))
        states = []
        for rx in prescriptions:
            states.append(_PrescriptionState(rx, prescription_deadline(rx.date)))
        return _EpisodeState(episode, states, _RULES[episode.category])

    # -- the three steps ------------------------------------------------------------------

    def decide_all(self, sessions: Iterable[Session]) -> None:
        """Decide the sessions, which must come in ``ordered`` order.

        The order of the steps matters: the day check, then the prescription, then the
        counter. A step that refuses the session returns a decision and the later steps never
        see it, so a refused session consumes no prescription slot (day check) and no quota
        (both). The loop is written out flat, with the tables and methods it needs in local
        names: it runs once per session, and a call or an attribute lookup less per session
        is most of what makes it fast (issue 19).
        """
        episodes = self.episodes
        admitted_per_day = self.admitted_per_day
        assigned = self.assigned
        outcomes = self.outcomes if self.keep_outcomes else None
        pick = self._pick_prescription
        same_day = self._same_day
        refused = self._refused_by_prescription
        price = self._code_and_amounts
        priced = _priced
        tables_lack = self._tables_lack
        warned = self.warnings.seen
        preferential = self.case.patient.preferential
        loaded = bool(self.case.tariffs)
        new_outcome, new_reason = _new_outcome, _new_reason
        not_reimbursed = _NOT_REIMBURSED
        tariff_unknown = W.TARIFF_UNKNOWN
        for session in sessions:
            day = session.date
            state = episodes.get(session.episode)
            if state is None:
                raise UnknownEpisode(session.episode, owner=f"session {session.id}")
            # Sessions come in date order: a year's first session is one whose year differs
            # from the episode's session before it.
            last = state.last_session
            if last is None or last.year != day.year:
                if last is None:
                    state.first_session = session.id
                state.first_of_year.setdefault(day.year, session)
            state.last_session = day
            admitted = admitted_per_day.get(day, 0)
            decision = same_day(session, state, True) if admitted else None
            if decision is None:
                rx, verdict = pick(state, day)
                if rx is not None:
                    if rx.started_late is None:
                        rx.started_late = verdict == "late"
                    rx.used += 1
                    assigned[session.id] = rx.id
                if verdict == "ok":
                    decision = state.rule(self, session, state, admitted >= 1)
                else:
                    decision = refused(session, state, rx, verdict)
                # Decision 9 (v1.1): the day goes to the first session that can be
                # reimbursed; one that is itself not reimbursed (no prescription, a 10th
                # perinatal session, an exhausted pool) leaves it to the next session that day.
                if decision.status is not not_reimbursed:
                    admitted_per_day[day] = admitted + 1
            # Codes and amounts are looked up in both modes: what they lack is a warning too.
            tier = decision.tier
            code: str | None  # declared for mypyc, which would infer None from the first branch
            gap: tuple[date | None, date | None] | None
            if tier is None or session.minutes != STANDARD_MINUTES:
                code = amounts = None
                if tier is not None and session.minutes in SHORT_MINUTES:
                    tables_lack(session, state.episode, tier, None, None, session.minutes)
            elif loaded:
                code, amounts = price(session, state, tier)
            else:
                code, amounts, gap = priced(
                    state.category,
                    tier,
                    session.place,
                    day,
                    preferential,
                    session.conventioned,
                    session.price,
                )
                if gap is not None:
                    if (tariff_unknown, code, *gap) not in warned:
                        tables_lack(session, state.episode, tier, code, gap)
                elif code is None:
                    tables_lack(session, state.episode, tier, code, gap)
            if outcomes is not None:
                outcomes.append(
                    new_outcome(
                        session.id,
                        day,
                        session.episode,
                        decision.status,
                        decision.ordinal,
                        code,
                        decision.extra_codes,
                        amounts,
                        decision.rule,
                        new_reason(decision.reason, decision.params),
                        assigned.get(session.id),
                    )
                )

    # -- in runs (issue 19) ---------------------------------------------------------------

    def decide_in_runs(self, sessions: Sequence[Session]) -> bool:
        """Decide the sessions as ``decide_all`` does, a run of one episode's sessions at a time.

        ``sessions`` come in the case's order (they need not be ``ordered``).

        Returns False, having changed nothing, for a case it does not take: two sessions on
        one day (the day check links the episodes) or a session of an unknown episode; and
        raises ``_NotInRuns`` for a session without a prescription whose id another session
        has (``decide_all`` gives its outcome that one's prescription). ``decide_all`` decides
        those. Otherwise the episodes depend on each
        other only through the courante situations (ranks, the overflow pool, the intake):
        every other episode is decided on its own, the courante ones in date order as blocks
        of one episode's consecutive sessions. In an episode, the sessions up to the next
        threshold (its prescription's last session, a quota's last session at one rate and
        tier, the end of the pool, of a period, of a year, a day a table changes) all get the
        same decision: they are counted together, and their outcomes, when asked for, differ
        only by their number. Any other session is decided by the category's rule, as
        ``decide_all`` does. The warnings are then put in date order (every session has a day
        of its own), a missing tariff named once, at its first session.
        """
        episodes = self.episodes
        groups: dict[str, list[Session]] = {}
        for ep in episodes:  # as in ``__init__``, a loop
            groups[ep] = []
        # One pass: the episodes known, the sessions grouped by episode (in input order), and
        # whether they all have the same price facts.
        alike = True
        if sessions:
            first = sessions[0]
            minutes, place = first.minutes, first.place
            conventioned, price = first.conventioned, first.price
            # A session of an unknown episode raises KeyError: no test per session for it.
            try:
                for session in sessions:
                    groups[session.episode].append(session)
                    if alike and (
                        session.minutes is not minutes
                        or session.place is not place
                        or session.conventioned is not conventioned
                        or session.price is not price
                    ):
                        # Equal values need not be the same objects.
                        alike = (
                            session.minutes == minutes
                            and session.place == place
                            and session.conventioned == conventioned
                            and session.price == price
                        )
            except KeyError:
                return False
            conventioned = alike and first.conventioned
        else:
            conventioned = True
        # Each episode's sessions in date order, and their days: most often they come so, and
        # sorting the days again only compares neighbours. Every session must have a day of
        # its own: a set of them all (the days' hashes are cached).
        days: dict[str, list[date]] = {}
        every_day: set[date] = set()
        for ep, group in groups.items():
            if group:
                # A comprehension: in Python 3.11 its specialised attribute load costs a
                # fraction of ``map(attrgetter)``'s generic one.
                dates = [session.date for session in group]
                days[ep] = in_order = sorted(dates)
                if dates != in_order:
                    group.sort(key=_session_date)  # stable, but the days are distinct anyway
                every_day.update(in_order)
        if len(every_day) != len(sessions):
            return False
        # Sessions all alike are priced once a run (the usual case); else one by one.
        self.alike = alike
        self.bounds = _boundaries(self.case.tariffs, conventioned)
        if self.keep_outcomes:
            self.episode_outcomes = {ep: [] for ep in episodes}
        courante = []
        for ep, state in episodes.items():
            if groups[ep] and state.category == "courante":
                courante.append(ep)
        for ep, group in groups.items():
            if group and (len(courante) < 2 or ep not in courante):
                in_order = days[ep]
                self._decide_block(episodes[ep], group, in_order, 0, len(in_order))
        if len(courante) > 1:
            # In date order, a block of an episode's sessions up to the next day of another
            # courante episode: each found by bisecting its days, with a heap of the
            # episodes' next days, not by sorting the sessions (a key call each) and grouping
            # them again (most often the situations follow one another, one block each). A
            # block goes on past that day with the runs that change and read nothing the
            # other situations' runs do (``_quiet``), and stops at the first other run: a
            # clinic-shaped patient's situations overlap, and a run cut at each day of another
            # cost a run's set-up again (1,040k → 880k instructions a case, issue 19).
            queue = []
            for ep in courante:
                queue.append((days[ep][0], 0, ep))
            queue.sort()  # a sorted list is a heap
            while queue:
                _, start, ep = heappop(queue)
                in_order = days[ep]
                end = bisect_left(in_order, queue[0][0], start) if queue else len(in_order)
                end = self._decide_block(episodes[ep], groups[ep], in_order, start, end)
                if end < len(in_order):
                    heappush(queue, (in_order[end], end, ep))
        if self.keep_outcomes:
            # Each episode's outcomes are in date order: take them in the sessions' order.
            found = [outcomes for outcomes in self.episode_outcomes.values() if outcomes]
            if len(found) == 1:
                self.outcomes = found[0]
            elif found:  # (none: a case without sessions keeps its empty list)
                # Merged by date: every session has a day of its own (checked above). Taken by
                # their first day, the episodes' outcomes are already in date order when each
                # episode ends before the next one starts (treatments one after another, four
                # patients in ten of the benchmark clinic's): then no sort, whose key alone
                # costs about 300 instructions an outcome.
                found.sort(key=_first_outcome_date)
                by_date = list(chain.from_iterable(found))
                if any(before[-1].date > after[0].date for before, after in pairwise(found)):
                    by_date.sort(key=_outcome_date)
                self.outcomes = by_date
        self._warnings_in_date_order()
        return True

    def _decide_block(
        self, state: _EpisodeState, block: list[Session], dates: list[date], start: int, end: int
    ) -> int:
        """Decide an episode's sessions ``start`` to ``end`` of ``block`` (no other session
        falls between them), in date order, and after ``end`` those of its runs that are
        ``_quiet``; ``dates`` are their days. Returns where it stopped."""
        count = len(dates)
        uniform = self.alike
        bounds = self.bounds[state.category]
        pick = _Evaluation._pick_prescription
        plan_run = _RUN_PLANS.get(state.category)
        keep_outcomes = self.keep_outcomes
        dated, warnings = self.warning_days, self.warnings.items
        tariffs_missing = self.tariffs_missing
        # What prices a run of sessions all alike: its first session's facts (``_priced``).
        loaded = self.case.tariffs
        preferential = self.case.patient.preferential
        category = state.category
        ep = state.episode.id
        if keep_outcomes:
            kept = self.episode_outcomes[ep]  # ``keep_run`` appends to it
        rxs = state.prescriptions
        until = date.min  # the next 1 January or table change after the run's first day
        year = 0  # the year of the days before ``until``, passed to the plans (``date.year``
        # is a descriptor call each time)
        # The first day of the tables' period holding the run: every day of it prices alike
        # (``TABLE_CHANGES``), so a run is priced as of that day and the cache of ``_priced``
        # meets the same key again (priced by the run's own day, most runs missed it).
        period = date.min
        i = start
        while i < count:
            day = dates[i]
            if i >= end and not self._quiet(state, day, day.year):
                break
            # ``_pick_prescription``'s first test written out: most runs fall under the
            # prescription the run before used, without a call.
            usable = state.usable_from
            rx: _PrescriptionState | None  # declared for mypy and mypyc: ``pick`` may give None
            if usable < len(rxs) and usable >= state.room_from:
                rx = rxs[usable]
                if (
                    rx.prescribed_on <= day
                    and rx.used < rx.size
                    and (not rx.started_late if rx.started_late is not None else day <= rx.deadline)
                ):
                    verdict = "ok"
                else:
                    rx, verdict = pick(state, day)
            else:
                rx, verdict = pick(state, day)
            if rx is not None and rx.started_late is None:
                rx.started_late = verdict == "late"
            if verdict != "ok":
                if rx is not None:
                    rx.used += 1
                decision = self._refused_by_prescription(block[i], state, rx, verdict)
                self._decided(state, block[i], decision, rx)
                i += 1
                continue
            assert rx is not None
            # A run ends with the prescription, the year, and the day before a table changes
            # (both the same for every day before ``until``).
            if day >= until:
                year = day.year  # every run's year until ``until`` (before the next 1 January)
                until = _new_year(year)
                at = bisect_right(bounds, day)
                period = bounds[at - 1] if at else day
                if at < len(bounds) and bounds[at] < until:
                    until = bounds[at]
            # No ``min``/``max`` in the runs: a builtin call that parses keyword arguments
            # costs several times a conditional expression.
            room = i + rx.size - rx.used
            stop = bisect_left(dates, until, i, room if room < count else count)
            if i < end < stop and not self._quiet(state, day, year):
                stop = end
            # The sessions from ``i`` on (before ``stop``) that one decision takes, if the
            # category has runs; else the session alone, by its rule.
            plan = None if plan_run is None else plan_run(self, state, block, dates, i, stop, year)
            if plan is None:
                decision = state.rule(self, block[i], state, False)
                self._decided(state, block[i], decision, rx)
                rx.used += 1
                i += 1
                continue
            if len(dated) < len(warnings):  # ``_dated``, written out
                dated.extend([day] * (len(warnings) - len(dated)))
            k, status, rule, tier, first, key, reasons, extra = plan
            rx.used += k
            codes: list[tuple[str | None, BeAmounts | None]] | None = None
            # Declared for mypyc, which would infer None from the first assignment.
            code: str | None = None
            amounts: BeAmounts | None = None
            gap: tuple[date | None, date | None] | None = None
            if tier is not None:
                if uniform:
                    session = block[i]
                    if session.minutes == STANDARD_MINUTES:
                        facts = (
                            category,
                            tier,
                            session.place,
                            day if loaded else period,
                            preferential,
                            session.conventioned,
                            session.price,
                        )
                        code, amounts, gap = _price(*facts, loaded) if loaded else _priced(*facts)
                        if gap is not None:
                            # ``_priced_without``'s, written out: most runs of 2025 meet a
                            # missing tariff an earlier session met already.
                            assert code is not None  # a gap is a known code's
                            met = tariffs_missing.get((code, gap))
                            if met is None or day < met[0]:
                                tariffs_missing[(code, gap)] = (day, ep, session.id)
                        elif code is None:
                            self._priced_without(state, session, tier, code, gap)
                    elif session.minutes in SHORT_MINUTES:
                        self._short_session(state, session, tier)
                else:
                    codes = [
                        self._price_session(state, s, tier)
                        if s.minutes == STANDARD_MINUTES
                        else self._short_session(state, s, tier)
                        for s in block[i : i + k]
                    ]
            if keep_outcomes:
                sessions = block[i : i + k]
                # ``_reasons``'s lookup written out: its key is met again in most runs.
                shared = _REASONS.get(key) or _reasons(key, reasons)
                if codes is None and _new_outcome is _NEW_OUTCOME:
                    # ``_outcomes``'s loop without its pricing, a call a run, in ``drafts``,
                    # which is never compiled: the interpreter's specialised slot stores cost
                    # less than a compiled build's generic attribute stores into a Python class
                    # (clinic-shaped patients with outcomes, compiled: 1,216k → 1,105k
                    # instructions a case; pure, the loop written out here saved 0.8 %).
                    keep_run(
                        kept,
                        sessions,
                        repeat(None, k) if first is None else range(first, first + k),
                        shared,
                        ep,
                        status,
                        code,
                        extra,
                        amounts,
                        rule,
                        rx.id,
                    )
                else:
                    self._outcomes(
                        state,
                        sessions,
                        status,
                        rule,
                        first,
                        shared,
                        rx.id,
                        code,
                        amounts,
                        codes,
                        extra,
                    )
            i += k
        # The episode's first session, each year's first and its latest day.
        if state.last_session is None:
            state.first_session = block[start].id
        first_of_year = state.first_of_year
        year = dates[start].year
        if year == dates[i - 1].year:  # most blocks
            if year not in first_of_year:
                first_of_year[year] = block[start]
        else:
            j = start
            while j < i:
                year = dates[j].year
                first_of_year.setdefault(year, block[j])
                j = bisect_left(dates, _new_year(year), j, i)
        state.last_session = dates[i - 1]
        return i

    def _quiet(self, state: _EpisodeState, day: date, year: int) -> bool:
        """Tell whether a run from ``day`` on neither reads nor changes what another
        situation's runs change or read (a situation's rank, the overflow pool, the intake):
        a courante situation ranked and counted in ``year``, at the best rate, not its
        year's first session, and without an agreement to ask for unless it ranks first.
        Such a run may be decided after another situation's later sessions."""
        if state.category != "courante" or not state.counted:
            return False
        ranks = self.situation_ranks.get(year)
        if ranks is None:
            return False
        rank = ranks.get(state.episode.id)
        if rank is None:
            return False
        lo, hi, values = state.limits
        if not lo <= day < hi:
            return False
        best_rate, situations = values
        first = state.per_year.get(year, 0) + 1
        return (
            rank <= situations
            and first <= best_rate
            and (rank == 1 or (first > 1 and not state.episode.agreements))
        )

    def _outcomes(
        self,
        state: _EpisodeState,
        sessions: list[Session],
        status: Status,
        rule: str,
        first: int | None,
        shared: list[Reason],
        rx_id: str,
        code: str | None,
        amounts: BeAmounts | None,
        codes: list[tuple[str | None, BeAmounts | None]] | None,
        extra: tuple[str, ...],
    ) -> None:
        """Keep the outcomes of a run of sessions one decision took (``_new_outcome`` each: the
        sessions are priced one by one, or a test replaced it); ``extra``: the first one's extra
        codes."""
        k = len(sessions)
        new_outcome = _new_outcome
        append = self.episode_outcomes[state.episode.id].append
        ordinals: Iterable[int | None] = (
            repeat(None, k) if first is None else range(first, first + k)
        )
        # One price for the run, or each session's own.
        priced: Iterable[tuple[str | None, BeAmounts | None]] = (
            repeat((code, amounts), k) if codes is None else codes
        )
        for s, n, reason, (code, amounts) in zip(sessions, ordinals, shared, priced, strict=True):
            append(
                new_outcome(
                    s.id, s.date, s.episode, status, n, code, extra, amounts, rule, reason, rx_id
                )
            )
            extra = ()  # the first session's extra codes (S7), then none

    def _decided(
        self,
        state: _EpisodeState,
        session: Session,
        decision: _Decision,
        rx: _PrescriptionState | None,
    ) -> None:
        """Price one session decided on its own and keep its outcome (as ``decide_all`` does)."""
        self._dated(session.date)
        tier = decision.tier
        code: str | None = None  # declared for mypyc, which would infer None
        amounts: BeAmounts | None = None
        if tier is not None:
            if session.minutes == STANDARD_MINUTES:
                code, amounts = self._price_session(state, session, tier)
            else:
                self._short_session(state, session, tier)
        if self.keep_outcomes:
            self.episode_outcomes[state.episode.id].append(
                _new_outcome(
                    session.id,
                    session.date,
                    session.episode,
                    decision.status,
                    decision.ordinal,
                    code,
                    decision.extra_codes,
                    amounts,
                    decision.rule,
                    _new_reason(decision.reason, decision.params),
                    self._unassigned(session) if rx is None else rx.id,
                )
            )

    def _unassigned(self, session: Session) -> str | None:
        """Refuse to go on when ``decide_all`` would give a session no prescription covers the
        prescription of an earlier session with its id (``assigned``): ids are unique."""
        if self.ids_unique is None:
            ids = list(map(_session_id, self.case.sessions))
            self.ids_unique = len(set(ids)) == len(ids)
        if not self.ids_unique:
            raise _NotInRuns(session.id)
        return None

    def _price_session(
        self, state: _EpisodeState, session: Session, tier: str
    ) -> tuple[str | None, BeAmounts | None]:
        """Return a standard session's code and amounts, collecting what the tables lack
        (``_priced_without``)."""
        loaded = self.case.tariffs
        day = session.date
        if not loaded:  # priced as of its tables' period's first day, as a run (``_priced``)
            bounds = self.bounds[state.category]
            at = bisect_right(bounds, day)
            if at:
                day = bounds[at - 1]
        facts = (
            state.category,
            tier,
            session.place,
            day,
            self.case.patient.preferential,
            session.conventioned,
            session.price,
        )
        code: str | None  # declared for mypyc, which would infer None
        code, amounts, gap = _price(*facts, loaded) if loaded else _priced(*facts)
        if code is None or gap is not None:
            self._priced_without(state, session, tier, code, gap)
        return code, amounts

    def _short_session(
        self, state: _EpisodeState, session: Session, tier: str
    ) -> tuple[str | None, BeAmounts | None]:
        """Return the code and amounts of a session of a decided tier that is not 30 minutes:
        none. A 15- or 20-minute session has a code of its own (S4), not in the tables: say so
        (``code_unknown``, once per episode, tier, place and length); other lengths get no code
        from the rules and no warning."""
        if session.minutes in SHORT_MINUTES:
            self._tables_lack(session, state.episode, tier, None, None, session.minutes)
            self._dated(session.date)
        return None, None

    def _priced_without(
        self,
        state: _EpisodeState,
        session: Session,
        tier: str,
        code: str | None,
        gap: tuple[date | None, date | None] | None,
    ) -> None:
        """Collect what the tables lack to price a session: its code, or a tariff on its day."""
        if code is None:
            self._tables_lack(session, state.episode, tier, code, gap)
            self._dated(session.date)
        elif gap is not None:
            # ``decide_all`` names a missing tariff once, at the first session in date order
            # that meets it. The blocks do not come in date order (the episodes are decided one
            # after another): the earliest session met yet is kept, and the warning made once,
            # for the earliest of all, by ``_warnings_in_date_order`` (a clinic-shaped
            # patient's runs meet a missing tariff of 2025 about ten times; a warning made at
            # each earlier one made 6.5 for 4.3 kept, issue 19).
            day = session.date
            met = self.tariffs_missing.get((code, gap))
            if met is None or day < met[0]:
                self.tariffs_missing[(code, gap)] = (day, state.episode.id, session.id)

    def _dated(self, day: date) -> None:
        """Give the warnings added since the last call the day of the session they concern."""
        dated, items = self.warning_days, self.warnings.items
        if len(dated) < len(items):
            dated.extend([day] * (len(items) - len(dated)))

    def _warnings_in_date_order(self) -> None:
        """Warn about each missing tariff at the first session that met it, and order the
        warnings of ``decide_in_runs`` by their sessions' days.

        A session's ``tariff_unknown`` follows its other warnings, as ``decide_all`` prices a
        session after deciding it: appended last, it stays after them in the stable sort.
        """
        warnings = self.warnings
        items, days = warnings.items, self.warning_days
        for (code, (start, end)), (day, ep, session) in self.tariffs_missing.items():
            params = {"code": code, "date": day, "start": start, "end": end}
            items.append(_warning(_TARIFF_UNKNOWN, ep, session, params))
            days.append(day)
        if len(items) > 1 and days != sorted(days):
            warnings.items = [items[i] for i in sorted(range(len(items)), key=days.__getitem__)]

    def _courante_run(
        self,
        state: _EpisodeState,
        block: list[Session],
        dates: list[date],
        i: int,
        stop: int,
        year: int,
    ) -> _Run | None:
        """Count a run of courante sessions at the best rate (a situation's first of the year
        opening it), agreed or pending (C6, ``_agreed_run``), or drawn from the overflow pool
        (``_courante``, ``_overflow``)."""
        day = dates[i]
        ep = state.episode.id
        ranks = self.situation_ranks.get(year)
        if ranks is None:
            ranks = self._ranks(year)
        rank = ranks.get(ep)
        if rank is None:  # the rank it would get (``_situation_rank``, written out)
            rank = self._ranked_before(year) + len(ranks) + 1
        lo, hi, values = state.limits
        if not lo <= day < hi:
            lo, hi, values = state.limits = limits_span(COURANTE_LIMITS, day)
        best_rate, situations = values
        per_year = state.per_year
        first = per_year.get(year, 0) + 1
        if rank > situations or first > best_rate:
            ranks[ep] = rank  # ``_rank``, written out: ``ranks`` is unchanged since
            about: dict[str, object]
            if rank > situations:
                self.warnings.add(
                    W.SITUATIONS_EXCEEDED,
                    episode=ep,
                    session=block[i].id,
                    once_per=(ep, year),
                    rank=rank,
                    year=year,
                    situations=situations,
                )
                rule, code, about = (
                    "BE.C9",
                    R.BE_COURANTE_SITUATION_OVERFLOW,
                    {
                        "rank": rank,
                        "situations": situations,
                    },
                )
            else:
                rule, code, about = "BE.C4", _COURANTE_OVERFLOW, {"limit": best_rate}
            return self._overflow_run(state, dates, i, stop, year, first, rule, code, about)
        last = (best_rate if best_rate < 9 else 9) if first <= 9 else best_rate
        cap = i + last - first + 1
        if cap < stop:
            stop = cap
        # The sessions ``_courante`` does not take on its fast path (the first situation's
        # sessions after its first) open a run too: a situation's first session of the year (it
        # ranks the situation, C6 asks a 2nd or 3rd one for an agreement, the count may restart,
        # decision 1, and S7 bills the intake with it), or a 2nd or 3rd situation's session 1
        # after its sessions of an earlier year. Its decision differs from the next sessions'
        # only by its reason's ``restarted`` and ``intake`` and its extra codes: one run takes
        # them all (a fifth of a clinic's sessions decided alone were these, issue 19).
        opening = not (ep in ranks and state.counted) or (rank > 1 and first == 1)
        if rank > 1:
            return self._agreed_run(
                state, block, dates, i, stop, year, rank, first, best_rate, opening
            )
        counted = state.counted
        restarted = False
        intake: tuple[str, ...] = ()
        if opening:
            ranks[ep] = rank  # ``_rank``, written out: ``ranks`` is unchanged since
            # Decision 1 [I]: a treatment running across 1 January restarts at session 1.
            restarted = first == 1 and bool(counted) and counted[0].year < year
            intake = self._intake(block[i], state, first)
            if not counted and state.period_start is None:  # ``_count_run``'s test
                state.period_start = day
        k = stop - i
        counted.extend(dates[i:stop])
        per_year[year] = first + k - 1
        tier = "1-9" if first <= 9 else "10-18"
        key = ("C1", best_rate, year, first, k, restarted, bool(intake))
        return k, _BEST, "BE.C1", tier, first, key, _courante_best_reasons, intake

    def _agreed_run(
        self,
        state: _EpisodeState,
        block: list[Session],
        dates: list[date],
        i: int,
        stop: int,
        year: int,
        rank: int,
        first: int,
        best_rate: int,
        opening: bool,
    ) -> _Run | None:
        """Count a run of a 2nd or 3rd situation's sessions at one verdict of the advising
        physician (C6): granted, waiting or missing; refused is the rule's (``_courante``).
        An ``opening`` run's first session is decided as ``_courante``'s general path does."""
        if state.episode.agreements:
            verdict, agreement, stop = self._verdict_run(state, dates, i, stop)
            if verdict == "refused":
                return None
        else:  # ``_verdict_run`` without an agreement: missing every day
            verdict, agreement = "missing", None
        counted = state.counted
        restarted = False
        intake: tuple[str, ...] = ()
        if opening:
            # ``_rank``, written out: ``_courante_run`` found ``rank`` in these ranks.
            self.situation_ranks[year][state.episode.id] = rank
            restarted = first == 1 and bool(counted) and counted[0].year < year  # decision 1
            intake = self._intake(block[i], state, first)  # S7
            if not counted and state.period_start is None:  # ``_count_run``'s test
                state.period_start = dates[i]
        k = stop - i
        counted.extend(dates[i:stop])
        state.per_year[year] = first + k - 1
        tier = "1-9" if first <= 9 else "10-18"
        key: tuple[Any, ...]
        if verdict == "granted":
            key = (R.BE_COURANTE_AGREED, best_rate, year, rank, first, k, restarted, bool(intake))
            return k, _BEST, "BE.C6", tier, first, key, _courante_agreed_reasons, intake
        if verdict == "waiting":
            assert agreement is not None
            return self._waiting_run(state, block[i], agreement, "BE.C6", tier, first, k, intake)
        ep = state.episode.id
        if (_AGREEMENT_MISSING, ep, year) not in self.warnings.seen:  # once a year: most runs
            self.warnings.add(
                _AGREEMENT_MISSING,
                episode=ep,
                session=block[i].id,
                once_per=(ep, year),
                category="courante",
                rank=rank,
                year=year,
            )
        key = (R.BE_COURANTE_PENDING, best_rate, year, rank, first, k, restarted, bool(intake))
        return k, _PENDING, "BE.C6", tier, first, key, _courante_agreed_reasons, intake

    def _waiting_run(
        self,
        state: _EpisodeState,
        session: Session,
        agreement: Agreement,
        rule: str,
        tier: str,
        first: int,
        k: int,
        extra: tuple[str, ...],
    ) -> _Run:
        """Hold a run of C6 or E sessions as pending while their request waits (``_courante``,
        ``_e``); the warning is once per agreement, a no-op after the run's first session.
        ``extra``: the first session's extra codes (a C6 situation's intake, S7)."""
        self._without_agreement(session, state, "waiting", agreement)
        key = (
            R.BE_AGREEMENT_WAITING,
            state.category,
            agreement.status,
            agreement.reason,
            agreement.decision_id,
            first,
            k,
        )
        return k, _PENDING, rule, tier, first, key, _waiting_reasons, extra

    def _verdict_run(
        self, state: _EpisodeState, dates: list[date], i: int, stop: int
    ) -> tuple[str, Agreement | None, int]:
        """Return ``_agreement``'s verdict on the run's first day, its agreement, and where
        the run of days with that same verdict and agreement stops (at most ``stop``)."""
        verdict, agreement = self._agreement(state, dates[i])
        if state.episode.agreements:  # else "missing" every day
            found = (verdict, agreement)
            j = i + 1
            while j < stop and self._agreement(state, dates[j]) == found:
                j += 1
            stop = j
        return verdict, agreement, stop

    def _e_run(
        self,
        state: _EpisodeState,
        block: list[Session],
        dates: list[date],
        i: int,
        stop: int,
        year: int,
    ) -> _Run | None:
        """Count a run of E sessions at one verdict of the advising physician (``_e``: E1,
        E2); refused is the rule's."""
        verdict, agreement, stop = self._verdict_run(state, dates, i, stop)
        if verdict == "refused":
            return None
        first = len(state.counted) + 1
        k = stop - i
        self._count_run(state, dates, i, stop)
        per_year = state.per_year
        per_year[year] = per_year.get(year, 0) + k
        key: tuple[Any, ...]
        if verdict == "granted":
            assert agreement is not None
            key = (R.BE_E_AGREED, agreement.until, first, k)
            return k, _BEST, "BE.E2", "session", first, key, _e_reasons, ()
        if verdict == "waiting":
            assert agreement is not None
            return self._waiting_run(state, block[i], agreement, "BE.E1", "session", first, k, ())
        ep = state.episode.id
        self.warnings.add(
            W.AGREEMENT_MISSING,
            episode=ep,
            session=block[i].id,
            once_per=(ep, year),
            category="e",
            year=year,
        )
        key = (R.BE_E_PENDING, None, first, k)
        return k, _PENDING, "BE.E1", "session", first, key, _e_reasons, ()

    def _overflow_run(
        self,
        state: _EpisodeState,
        dates: list[date],
        i: int,
        stop: int,
        year: int,
        first: int,
        rule: str,
        code: ReasonCode,
        about: dict[str, object],
    ) -> _Run:
        """Draw a run of overflow sessions from the pool, or refuse them once it is empty."""
        day = dates[i]
        start, end, pool_limit = overflow_pool_period(day)
        stop = bisect_right(dates, end, i, stop)
        used = self.pool_used.get(start, 0)
        if pool_limit is not None and used >= pool_limit:
            k = stop - i
            key = ("C5", first, year, pool_limit, k)
            return k, _NOT_REIMBURSED, "BE.C5", None, None, key, _pool_exhausted_reasons, ()
        if pool_limit is not None:
            cap = i + pool_limit - used
            if cap < stop:
                stop = cap
        k = stop - i
        self.pool_used[start] = used + k
        self._count_run(state, dates, i, stop)
        state.per_year[year] = first + k - 1
        run = (rule, code, tuple(about.items()), year, first, k, used, pool_limit)
        return k, _REDUCED, rule, "overflow", first, run, _overflow_reasons, ()

    @staticmethod
    def _count_run(state: _EpisodeState, dates: list[date], i: int, stop: int) -> None:
        """Count sessions ``i`` to ``stop`` of the block (``_EpisodeState.count``, for a run)."""
        if not state.counted and state.period_start is None:
            state.period_start = dates[i]
        state.counted.extend(dates[i:stop])

    def _fa_run(
        self,
        state: _EpisodeState,
        block: list[Session],
        dates: list[date],
        i: int,
        stop: int,
        year: int,
    ) -> _Run | None:
        """Count a run of Fa sessions at one rate and tier, in the period (``_fa``)."""
        day, ep = dates[i], state.episode
        end = fa_period_end(state.period_start or day)
        if day > end:
            return None
        polytrauma = ep.pathology == "fa-16"
        lo, hi, values = state.limits
        if not lo <= day < hi:
            names = FA_POLYTRAUMA_LIMITS if polytrauma else FA_LIMITS
            lo, hi, values = state.limits = limits_span(names, day)
        (best_rate,) = values
        first = state.elsewhere + len(state.counted) + 1
        if first <= best_rate:
            last = (best_rate if best_rate < 20 else 20) if first <= 20 else best_rate
            if i + last - first + 1 < stop:
                stop = i + last - first + 1
        stop = bisect_right(dates, end, i, stop)
        k = stop - i
        self._count_run(state, dates, i, stop)
        per_year = state.per_year
        per_year[year] = per_year.get(year, 0) + k
        # The reason (FA best or reduced) is ``_fa_reasons``'s to say from the numbers.
        if first <= best_rate:
            status, rule = _BEST, "BE.FA2" if polytrauma else "BE.FA1"
            tier = "1-20" if first <= 20 else "best"
        else:
            status, rule, tier = _REDUCED, "BE.FA3", "reduced"
        if ep.notified_on is None:
            return self._notification_run(state, block[i], k, first, tier, "BE.FA4")
        return k, status, rule, tier, first, (rule, best_rate, end, first, k), _fa_reasons, ()

    def _fb_run(
        self,
        state: _EpisodeState,
        block: list[Session],
        dates: list[date],
        i: int,
        stop: int,
        year: int,
    ) -> _Run | None:
        """Count a run of Fb sessions at one rate, after the year's first (``_fb``)."""
        day = dates[i]
        end = fb_period_end(state.period_start or day)
        if day > end:
            return None
        lo, hi, values = state.limits
        if not lo <= day < hi:
            lo, hi, values = state.limits = limits_span(FB_LIMITS, day)
        best_rate, first_reduced = values
        per_year = state.per_year
        first = per_year.get(year, 0) + 1
        if first == 1:
            return None  # whether the count restarted is the rule's to say
        reduced_to = best_rate + first_reduced
        if first <= reduced_to:
            last = best_rate if first <= best_rate else reduced_to
            if i + last - first + 1 < stop:
                stop = i + last - first + 1
        stop = bisect_right(dates, end, i, stop)
        k = stop - i
        self._count_run(state, dates, i, stop)
        per_year[year] = first + k - 1
        tier = "best" if first <= best_rate else "61-80" if first <= reduced_to else "81+"
        if state.episode.notified_on is None:
            return self._notification_run(state, block[i], k, first, tier, "BE.FB4")
        status = _BEST if first <= best_rate else _REDUCED if first <= reduced_to else _REDUCED_2
        key = ("FB", best_rate, reduced_to, year, first, k)
        rule = "BE.FB2" if first <= best_rate else "BE.FB3"
        return k, status, rule, tier, first, key, _fb_reasons, ()

    def _notification_run(
        self, state: _EpisodeState, session: Session, k: int, first: int, tier: str, rule: str
    ) -> _Run:
        """Hold a run of Fa/Fb sessions as pending: no notification (``_notification``)."""
        episode = state.episode
        self._notification_missing(episode, session.id)
        key = (rule, episode.category, first, k)
        return k, _PENDING, rule, tier, first, key, _notification_reasons, ()

    def _same_day(
        self, session: Session, state: _EpisodeState, second_of_day: bool
    ) -> _Decision | None:
        """Refuse a second session on a day unless it is motivated and has a code (S1, S2).

        The day belongs to the first session of it, in order, that can be reimbursed (best,
        reduced, reduced_2 or pending; decision 9); at most two sessions a day are admitted.
        """
        if not second_of_day:
            return None
        category = state.episode.category
        candidate, _ = self._pick_prescription(state, session.date)
        motivated = candidate is not None and candidate.prescription.second_session_motivated
        if (
            self.admitted_per_day.get(session.date, 0) == 1
            and motivated
            and category in SECOND_SESSION_CATEGORIES
        ):
            return None
        self.warnings.add(
            W.SECOND_SESSION_SAME_DAY,
            episode=session.episode,
            session=session.id,
            date=session.date,
        )
        if category not in SECOND_SESSION_CATEGORIES:
            why = "no_second_code"
        elif self.admitted_per_day.get(session.date, 0) >= 2:
            why = "at_most_two"
        else:
            why = "not_motivated"
        return _not_reimbursed(
            "BE.S1", R.BE_SAME_DAY, date=session.date, category=category, why=why
        )

    @staticmethod
    def _pick_prescription(
        state: _EpisodeState, day: date
    ) -> tuple[_PrescriptionState | None, str]:
        """Choose the prescription a session on ``day`` falls under, without using it.

        Returns the prescription and ``"ok"``, ``"late"``, ``"missing"`` or ``"used_up"``.
        Only prescriptions dated on or before the day with room left qualify; the oldest
        usable one wins. A prescription that can no longer start in time (P6) is skipped
        while a usable one exists [I: it "covers nothing", so a newer prescription takes the
        session]; without one, the session falls to it and is lost as a late start.

        Sessions come in date order, and a prescription that is full, or can no longer be
        used (started late, or not started by its deadline), stays so for every later day:
        two cursors skip those for good, so an episode's prescriptions are scanned once in
        all, not once per session.
        """
        rxs = state.prescriptions  # oldest first (``_episode_state``)
        count = len(rxs)
        usable = state.usable_from
        # Most sessions fall under the prescription the last one used: ``usable_from`` is never
        # before ``room_from`` once set, so the scan below would stop at it too.
        if usable < count:
            rx = rxs[usable]
            if (
                rx.prescribed_on <= day
                and rx.used < rx.size
                and usable >= state.room_from
                and (day <= rx.deadline if rx.started_late is None else not rx.started_late)
            ):
                return rx, "ok"
        if not rxs or rxs[0].prescribed_on > day:
            return None, "missing"
        while state.room_from < count and not rxs[state.room_from].has_room():
            state.room_from += 1
        if usable < state.room_from:
            usable = state.room_from
        while usable < count and not (rxs[usable].has_room() and rxs[usable].usable_on(day)):
            usable += 1
        state.usable_from = usable
        if usable < count and rxs[usable].prescribed_on <= day:
            return rxs[usable], "ok"
        if state.room_from < count and rxs[state.room_from].prescribed_on <= day:
            return rxs[state.room_from], "late"
        return None, "used_up"

    def _refused_by_prescription(
        self,
        session: Session,
        state: _EpisodeState,
        rx: _PrescriptionState | None,
        verdict: str,
    ) -> _Decision:
        """Refuse a session no prescription covers (decision 8): missing, used up, or the one
        it falls to started too late (it is assigned to that one all the same)."""
        ep = state.episode.id
        if rx is None:
            if verdict == "missing":
                self.warnings.add(
                    W.PRESCRIPTION_MISSING, episode=ep, session=session.id, date=session.date
                )
                return _not_reimbursed("BE.P1", R.BE_PRESCRIPTION_MISSING)
            self.warnings.add(
                W.PRESCRIPTION_USED_UP, episode=ep, session=session.id, date=session.date
            )
            return _not_reimbursed("BE.P3", R.BE_PRESCRIPTION_USED_UP)
        prescribed = rx.prescription.date
        self.warnings.add(
            W.PRESCRIPTION_LATE_START,
            episode=ep,
            session=session.id,
            prescribed=prescribed,
            deadline=rx.deadline,
            date=session.date,
        )
        return _not_reimbursed(
            "BE.P6", R.BE_PRESCRIPTION_LATE, prescribed=prescribed, deadline=rx.deadline
        )

    # -- courante (C1–C9, S7; decisions 1–3) ------------------------------------------------

    def _situation_rank(self, episode: str, year: int) -> int:
        """Return the rank a courante situation has, or would get, in ``year`` (decision 2).

        Situations rank by their first counted session; the situations treated elsewhere
        earlier that year come first, then those of this case that began elsewhere (they had
        sessions there: ``prior_sessions``), in episode order (v2) [I]. ``_rank`` records it
        once a session of the situation is counted: sessions refused by the day, the
        prescription or a refused agreement do not rank a situation [I].
        """
        ranks = self._ranks(year)
        return ranks.get(episode, self._ranked_before(year) + len(ranks) + 1)

    def _rank(self, episode: str, year: int) -> None:
        ranks = self._ranks(year)
        ranks.setdefault(episode, self._ranked_before(year) + len(ranks) + 1)

    def _ranks(self, year: int) -> dict[str, int]:
        if year not in self.situation_ranks:
            # The situations begun elsewhere, in episode order (a loop: no comprehension to
            # make for a dict most often empty).
            ranks: dict[str, int] = {}
            rank = self._ranked_before(year)
            for ep in self.case.episodes:
                if ep.category == "courante" and ep.prior_sessions.get(year, 0) > 0:
                    rank += 1
                    ranks[ep.id] = rank
            self.situation_ranks[year] = ranks
        return self.situation_ranks[year]

    def _ranked_before(self, year: int) -> int:
        """The courante situations treated elsewhere earlier in ``year`` (v2)."""
        return self.case.patient.situations_elsewhere.get(year, 0)

    def _agreement(self, state: _EpisodeState, day: date) -> tuple[str, Agreement | None]:
        """Say whether a session on ``day`` has the advising physician's agreement.

        ``granted`` (an agreement or a partial agreement covers the day), ``waiting`` (a
        request is in treatment or waits for information), ``refused``, or ``missing``.
        Of the decisions that concern the day without granting it, the last one asked for or
        decided is the one that holds (a refused request followed by a new one) [I].
        """
        agreements = state.episode.agreements
        for agreement in agreements:
            if agreement.covers(day):
                return "granted", agreement
        for agreement in reversed(agreements):
            if not agreement.granted and agreement.concerns(day):
                if agreement.status == _REFUSAL:
                    return "refused", agreement
                return "waiting", agreement
        return "missing", None

    def _without_agreement(
        self,
        session: Session,
        state: _EpisodeState,
        verdict: str,
        agreement: Agreement | None,
    ) -> _Decision | None:
        """Warn about a session that needs an agreement it has not got; refuse it if refused.

        Returns the refusal, or None: a session waiting for the agreement (or without one) is
        counted and pending.
        """
        ep = state.episode
        if agreement is None:
            return None
        about = {
            "category": ep.category,
            "reason": agreement.reason,
            "decision_id": agreement.decision_id,
        }
        once = (ep.id, state.episode.agreements.index(agreement))
        if verdict == "refused":
            self.warnings.add(
                W.AGREEMENT_REFUSED, episode=ep.id, session=session.id, once_per=once, **about
            )
            return _not_reimbursed(
                "BE.E1" if ep.category == "e" else "BE.C6", R.BE_AGREEMENT_REFUSED, **about
            )
        self.warnings.add(
            W.AGREEMENT_WAITING,
            episode=ep.id,
            session=session.id,
            once_per=once,
            status=agreement.status,
            **about,
        )
        return None

    def _courante(
        self, session: Session, state: _EpisodeState, second_of_day: bool = False
    ) -> _Decision:
        """Decide a courante session: best, pending (no agreement) or overflow (C1–C9)."""
        day, year, ep = session.date, session.date.year, state.episode
        ranks = self.situation_ranks.get(year)
        if ranks is None:
            ranks = self._ranks(year)
        rank = ranks.get(ep.id)
        if rank is None:
            rank = self._situation_rank(ep.id, year)
        n = state.per_year.get(year, 0) + 1
        lo, hi, values = state.limits
        if not lo <= day < hi:
            lo, hi, values = state.limits = limits_span(COURANTE_LIMITS, day)
        best_rate, situations = values
        if rank > situations:
            self._rank(ep.id, year)
            self.warnings.add(
                W.SITUATIONS_EXCEEDED,
                episode=ep.id,
                session=session.id,
                once_per=(ep.id, year),
                rank=rank,
                year=year,
                situations=situations,
            )
            return self._overflow(
                session,
                state,
                n,
                "BE.C9",
                R.BE_COURANTE_SITUATION_OVERFLOW,
                rank=rank,
                situations=situations,
            )
        if n > best_rate:
            self._rank(ep.id, year)
            return self._overflow(session, state, n, "BE.C4", _COURANTE_OVERFLOW, limit=best_rate)
        # C2: sessions 1-9 of a treatment have their own codes.
        tier = "1-9" if n <= 9 else "10-18"
        if rank == 1 and ep.id in ranks and state.counted:
            # The first situation's sessions after its first (most sessions): ranked already,
            # no agreement needed, no intake, no restart.
            state.counted.append(day)
            state.per_year[year] = n
            params = {
                "n": n,
                "limit": best_rate,
                "year": year,
                "restarted": False,
                "intake": False,
                "remaining": best_rate - n,
            }
            return _new_decision(_Decision, (_BEST, "BE.C1", _COURANTE_BEST, params, n, tier, ()))
        # C6: the 2nd and 3rd situation of a year need the advising physician's agreement.
        verdict, agreement = self._agreement(state, day) if rank > 1 else ("granted", None)
        if verdict == "refused":
            refusal = self._without_agreement(session, state, verdict, agreement)
            assert refusal is not None
            return refusal
        self._rank(ep.id, year)

        # Decision 1 [I]: a treatment running across 1 January restarts at session 1.
        # ``counted`` is in date order: its first day is its earliest.
        restarted = n == 1 and bool(state.counted) and state.counted[0].year < year
        intake = self._intake(session, state, n)
        state.count(day)
        params = {
            "n": n,
            "limit": best_rate,
            "year": year,
            "restarted": restarted,
            "intake": bool(intake),
        }
        if verdict == "waiting":
            self._without_agreement(session, state, verdict, agreement)
            assert agreement is not None
            waiting = {
                "n": n,
                "category": "courante",
                "status": agreement.status,
                "reason": agreement.reason,
                "decision_id": agreement.decision_id,
            }
            return _Decision(_PENDING, "BE.C6", R.BE_AGREEMENT_WAITING, waiting, n, tier, intake)
        if verdict == "missing":
            self.warnings.add(
                W.AGREEMENT_MISSING,
                episode=ep.id,
                session=session.id,
                once_per=(ep.id, year),
                category="courante",
                rank=rank,
                year=year,
            )
            return _Decision(
                _PENDING,
                "BE.C6",
                R.BE_COURANTE_PENDING,
                {**params, "rank": rank},
                n,
                tier,
                intake,
            )
        if rank > 1:
            reason, rule, params = R.BE_COURANTE_AGREED, "BE.C6", {**params, "rank": rank}
        else:
            reason, rule = _COURANTE_BEST, "BE.C1"
            params = {**params, "remaining": best_rate - n}
        return _Decision(_BEST, rule, reason, params, n, tier, intake)

    def _intake(self, session: Session, state: _EpisodeState, n: int) -> tuple[str, ...]:
        """Bill the intake with a treatment's first session, once a year, with a 1–9 code (S7)."""
        year = session.date.year
        # A treatment begun at another practice had its intake there (v2) [I].
        begun_elsewhere = bool(state.episode.prior_sessions)
        if state.counted or begun_elsewhere or n > 9 or year in self.intake_years:
            return ()
        code = tables.code_for("courante", "intake", session.place, session.date)
        if code is None:
            return ()
        self.intake_years.add(year)
        return (code,)

    def _overflow(
        self,
        session: Session,
        state: _EpisodeState,
        n: int,
        rule: str,
        reason: ReasonCode,
        **params: object,
    ) -> _Decision:
        """Draw an overflow session from the patient's yearly pool (C4, C5; decision 3)."""
        start, _, pool_limit = overflow_pool_period(session.date)
        year = session.date.year
        used = self.pool_used.get(start, 0)
        if pool_limit is not None and used >= pool_limit:
            return _not_reimbursed(
                "BE.C5", R.BE_COURANTE_POOL_EXHAUSTED, n=n, year=year, pool_limit=pool_limit
            )
        self.pool_used[start] = used + 1
        state.count(session.date)
        # No yearly cap before 1 August 2021 (C5): ``pool_left`` is then None.
        left = None if pool_limit is None else pool_limit - self.pool_used[start]
        params = {**params, "n": n, "year": year, "pool_left": left, "pool_limit": pool_limit}
        return _Decision(_REDUCED, rule, reason, params, n, "overflow")

    # -- Fa (FA1–FA5; decisions 4, 6) -------------------------------------------------------

    def _notification(
        self, session: Session, state: _EpisodeState, decision: _Decision
    ) -> _Decision:
        """Hold Fa/Fb sessions as pending while no notification is recorded (decision 6)."""
        ep = state.episode
        if ep.notified_on is not None:
            return decision
        self._notification_missing(ep, session.id)
        return _Decision(
            _PENDING,
            "BE.FA4" if ep.category == "fa" else "BE.FB4",
            R.BE_NOTIFICATION_PENDING,
            {"n": decision.ordinal, "category": ep.category},
            decision.ordinal,
            decision.tier,
        )

    def _notification_missing(self, episode: Episode, session: str | None) -> None:
        """Warn once per Fa/Fb episode that its notification is not recorded (FA4, FB4)."""
        self.warnings.add(
            W.NOTIFICATION_MISSING,
            episode=episode.id,
            session=session,
            once_per=(episode.id,),
            category=episode.category,
        )

    def _period_ended(self, session: Session, state: _EpisodeState, end: date) -> None:
        """Warn once per episode that sessions fall after its Fa/Fb period."""
        ep = state.episode
        self.warnings.add(
            W.PERIOD_ENDED,
            episode=ep.id,
            session=session.id,
            once_per=(ep.id,),
            category=ep.category,
            date=session.date,
            end=end,
        )

    def _fa(self, session: Session, state: _EpisodeState, second_of_day: bool = False) -> _Decision:
        """Decide an Fa session by its number within the one-year Fa period (FA1–FA5)."""
        day, ep = session.date, state.episode
        start = state.period_start or day
        end = fa_period_end(start)
        if day > end:
            self._period_ended(session, state, end)
            return _not_reimbursed("BE.FA5", R.BE_FA_PERIOD_ENDED, start=start, end=end)
        polytrauma = ep.pathology == "fa-16"
        lo, hi, values = state.limits
        if not lo <= day < hi:
            names = FA_POLYTRAUMA_LIMITS if polytrauma else FA_LIMITS
            lo, hi, values = state.limits = limits_span(names, day)
        (best_rate,) = values
        # Sessions given elsewhere count in the period (v2).
        counted = state.counted
        n = state.elsewhere + len(counted) + 1
        if not counted and state.period_start is None:
            state.period_start = day
        counted.append(day)
        per_year = state.per_year
        per_year[day.year] = per_year.get(day.year, 0) + 1
        params = {"n": n, "limit": best_rate, "end": end}
        if n <= best_rate:
            decision = (
                _BEST,
                "BE.FA2" if polytrauma else "BE.FA1",
                R.BE_FA_BEST,
                params,
                n,
                # FA6: since 2021-06-01 sessions 1–20 have codes of their own.
                "1-20" if n <= 20 else "best",
                (),
            )
        else:
            decision = (_REDUCED, "BE.FA3", R.BE_FA_REDUCED, params, n, "reduced", ())
        if ep.notified_on is None:
            return self._notification(session, state, _new_decision(_Decision, decision))
        return _new_decision(_Decision, decision)

    # -- Fb (FB1–FB4; decisions 5, 6) -------------------------------------------------------

    def _fb(self, session: Session, state: _EpisodeState, second_of_day: bool = False) -> _Decision:
        """Decide an Fb session by its number within its calendar year of the period (FB1–FB3)."""
        day, year = session.date, session.date.year
        start = state.period_start or day
        end = fb_period_end(start)
        if day > end:
            self._period_ended(session, state, end)
            return _not_reimbursed("BE.FB1", R.BE_FB_PERIOD_ENDED, start=start, end=end)
        lo, hi, values = state.limits
        if not lo <= day < hi:
            lo, hi, values = state.limits = limits_span(FB_LIMITS, day)
        best_rate, first_reduced = values
        counted, per_year = state.counted, state.per_year
        n = per_year.get(year, 0) + 1
        if not counted and state.period_start is None:
            state.period_start = day
        counted.append(day)
        per_year[year] = n
        if n <= best_rate:
            # [I] "per year" is the calendar year (CM-PAT), decision 5.
            params = {
                "n": n,
                "limit": best_rate,
                "year": year,
                "restarted": n == 1 and start.year < year,
            }
            decision = (_BEST, "BE.FB2", _FB_BEST, params, n, "best", ())
        elif n <= best_rate + first_reduced:
            params = {
                "n": n,
                "year": year,
                "first": best_rate + 1,
                "last": best_rate + first_reduced,
            }
            decision = (_REDUCED, "BE.FB3", R.BE_FB_REDUCED, params, n, "61-80", ())
        else:
            params = {"n": n, "year": year, "first": best_rate + first_reduced + 1}
            decision = (_REDUCED_2, "BE.FB3", R.BE_FB_REDUCED_2, params, n, "81+", ())
        if state.episode.notified_on is None:
            return self._notification(session, state, _new_decision(_Decision, decision))
        return _new_decision(_Decision, decision)

    # -- E, perinatal, palliative (E1, E2, PN1, PAL1; decisions 7, 10) ------------------------

    def _e(self, session: Session, state: _EpisodeState, second_of_day: bool) -> _Decision:
        """Decide an E session: uncapped inside the agreement, pending outside it (E1, E2)."""
        day, ep = session.date, state.episode
        verdict, agreement = self._agreement(state, day)
        if verdict == "refused":
            refusal = self._without_agreement(session, state, verdict, agreement)
            assert refusal is not None
            return refusal
        n = len(state.counted) + 1
        state.count(day)
        tier = "second" if second_of_day else "session"
        if verdict == "granted":
            assert agreement is not None
            params = {"n": n, "until": agreement.until}
            return _Decision(_BEST, "BE.E2", R.BE_E_AGREED, params, n, tier)
        if verdict == "waiting":
            self._without_agreement(session, state, verdict, agreement)
            assert agreement is not None
            waiting = {
                "n": n,
                "category": "e",
                "status": agreement.status,
                "reason": agreement.reason,
                "decision_id": agreement.decision_id,
            }
            return _Decision(_PENDING, "BE.E1", R.BE_AGREEMENT_WAITING, waiting, n, tier)
        self.warnings.add(
            W.AGREEMENT_MISSING,
            episode=ep.id,
            session=session.id,
            once_per=(ep.id, day.year),
            category="e",
            year=day.year,
        )
        return _Decision(_PENDING, "BE.E1", R.BE_E_PENDING, {"n": n}, n, tier)

    def _perinatal(
        self, session: Session, state: _EpisodeState, second_of_day: bool = False
    ) -> _Decision:
        """Decide a perinatal session: 9 per pregnancy, then not reimbursed (PN1, decision 10)."""
        max_sessions = tables.limit("perinatal_sessions", session.date)
        n = len(state.counted) + 1
        if n > max_sessions:
            return _not_reimbursed("BE.PN1", R.BE_PERINATAL_EXHAUSTED, limit=max_sessions)
        state.count(session.date)
        params = {"n": n, "limit": max_sessions}
        return _Decision(_BEST, "BE.PN1", R.BE_PERINATAL_SESSION, params, n, "session")

    def _palliative(self, session: Session, state: _EpisodeState, second_of_day: bool) -> _Decision:
        """Decide a palliative home session: no cap found, no patient share (PAL1, PAL3)."""
        n = len(state.counted) + 1
        state.count(session.date)
        tier = "second" if second_of_day else "session"
        params = {"n": n, "second": second_of_day}
        return _Decision(_BEST, "BE.PAL1", R.BE_PALLIATIVE_SESSION, params, n, tier)

    # -- codes and amounts (decision 11) -------------------------------------------------------

    def _code_and_amounts(
        self, session: Session, state: _EpisodeState, tier: str
    ) -> tuple[str | None, BeAmounts | None]:
        """Return the code of a standard session's decided tier and its amounts, saying what
        the tables lack (``decide_all`` does the same inline for every session).

        A standard session whose tier the rules decide gets that tier's code; a code the
        sources do not give is ``code_unknown``, a code without a tariff on the session date
        ``tariff_unknown`` (contract v2; decision 11).
        """
        facts = (
            state.episode.category,
            tier,
            session.place,
            session.date,
            self.case.patient.preferential,
            session.conventioned,
            session.price,
        )
        # Loaded tariffs (a clinic's own table) are read uncached: they vary by case.
        loaded = self.case.tariffs
        code, amounts, gap = _price(*facts, loaded) if loaded else _priced(*facts)
        if code is None or gap is not None:
            self._tables_lack(session, state.episode, tier, code, gap)
        return code, amounts

    def _tables_lack(
        self,
        session: Session,
        episode: Episode,
        tier: str,
        code: str | None,
        gap: tuple[date | None, date | None] | None,
        minutes: int = STANDARD_MINUTES,
    ) -> None:
        """Warn that no code, or no tariff on the session's day, prices a decided session
        (``minutes``: a 15- or 20-minute session's code kind is its length too)."""
        category, place, seen = episode.category, session.place, self.warnings.seen
        if code is None:
            # A short session's length is part of its code kind, and said (``minutes``).
            short = minutes != STANDARD_MINUTES
            kind: tuple[object, ...] = (episode.id, category, tier, place)
            if short:
                kind = (*kind, minutes)
            if (_CODE_UNKNOWN, *kind) in seen:
                return
            length: dict[str, object] = {"minutes": minutes} if short else {}
            self.warnings.add(
                _CODE_UNKNOWN,
                episode=episode.id,
                session=session.id,
                once_per=kind,
                category=category,
                tier=tier,
                place=place,
                **length,
                date=session.date,
            )
        elif gap is not None:
            start, end = gap
            if (_TARIFF_UNKNOWN, code, start, end) in seen:
                return
            self.warnings.add(
                _TARIFF_UNKNOWN,
                episode=episode.id,
                session=session.id,
                once_per=(code, start, end),
                code=code,
                date=session.date,
                start=start,
                end=end,
            )

    # -- quotas, pools and the warnings they raise ----------------------------------------------

    def result(self) -> Result:
        """Assemble the result once every session is decided."""
        as_of = self.case.as_of
        episodes, states = self.case.episodes, self.episodes
        items = self.warnings.items
        quotas = []
        for ep in episodes:
            quota = self._quota(states[ep.id])
            if quota is None:
                continue
            quotas.append(quota)
            # A best-rate quota with 1-3 or no sessions left, if still running; appended
            # directly, as ``_Warnings.add`` would without ``once_per`` (``quota.remaining``
            # written out: a property call less).
            limit, end = quota.limit, quota.period_end
            if limit is None or (end is not None and end < as_of):
                continue
            remaining = limit - quota.used
            if remaining <= 0:
                params = {"counter": quota.counter, "limit": limit}
                items.append(_warning(_QUOTA_EXHAUSTED, quota.episode, None, params))
            elif remaining <= LOW_AT_MOST:
                params = {"counter": quota.counter, "remaining": remaining}
                items.append(_warning(_QUOTA_LOW, quota.episode, None, params))
        pool = self._pool()
        self._pool_warnings(pool)
        for ep in episodes:
            state = states[ep.id]
            self._ending_warnings(ep, state)
            self._prescription_warnings(state)
            # Every Fa/Fb episode without a notification, also when none of its sessions got
            # as far as pending (refused for another reason, or none yet): it names the
            # first pending session if one was, else the episode's first session (FA4, FB4).
            if ep.notified_on is None and ep.category in ("fa", "fb"):
                self._notification_missing(ep, state.first_session)
        self._duplicate_situations()
        built: Any = _object_new(Result)
        fields = built.__dict__
        fields["country"] = "BE"
        fields["as_of"] = as_of
        fields["sessions"] = tuple(self.outcomes)
        fields["quotas"] = tuple(quotas)
        fields["pools"] = (pool,)
        fields["warnings"] = tuple(items)
        result: Result = built
        return result

    def _duplicate_situations(self) -> None:
        """Warn about two courante episodes with one official code in one year (v2).

        They are probably one situation entered twice: the later one (by its first session
        that year) is named. The code of a paper agreement (``co-0-0-0-0``) names no
        situation and is left out [I].
        """
        named = []
        for state in self.episodes.values():  # a loop: no comprehension made for none
            if (
                state.category == "courante"
                and state.episode.pathology
                and state.episode.pathology not in UNSPECIFIED
            ):
                named.append(state)
        if not named:  # no situation named by a code (the usual case): nothing to compare
            return
        # Sessions are in order of (date, position in the input): on one day, the one listed
        # later is the later one.
        position = {id(session): i for i, session in enumerate(self.case.sessions)}
        first: dict[tuple[str, int], tuple[tuple[date, int], str]] = {}
        for state in named:
            ep = state.episode
            pathology = ep.pathology or ""  # never "": ``named`` has a code
            for year, session in state.first_of_year.items():
                order = (session.date, position.get(id(session), -1))
                seen = first.get((pathology, year))
                if seen is None or order < seen[0]:
                    first[(pathology, year)] = (order, ep.id)
        for state in self.episodes.values():
            ep = state.episode
            for year, session in state.first_of_year.items():
                earliest = first.get((ep.pathology or "", year))
                if earliest is None or earliest[1] == ep.id:
                    continue
                self.warnings.add(
                    W.DUPLICATE_SITUATION,
                    episode=ep.id,
                    session=session.id,
                    once_per=(ep.id, year),
                    pathology=ep.pathology,
                    year=year,
                    other=earliest[1],
                )

    def _quota(self, state: _EpisodeState) -> Quota | None:
        """Report an episode's counter for the period containing ``as_of``.

        If none contains it, the latest period that began before it; if the counter's only
        period is still to come, that one [I]. A counter whose period starts at the episode's
        first session has no row until it has a counted session (or began elsewhere).
        ``used`` includes the sessions given elsewhere, and ``elsewhere`` says how many.
        """
        ep, as_of = state.episode, self.case.as_of
        category = ep.category
        start: date | None
        end: date | None
        elsewhere = 0
        if category == "courante":
            # as_of's year, its days, its ranks and how many situations it has: the same for
            # every courante quota of the result (four a clinic-shaped patient), found once.
            found = self.courante_year
            if found is None:
                year = as_of.year
                start, end = _calendar_year(year)
                situations = tables.limit("courante_situations", as_of)
                found = self.courante_year = (year, start, end, self._ranks(year), situations)
            year, start, end, ranks, situations = found
            # An episode without a session in as_of's year is reported as its first
            # situation would be (ranks only come from sessions) [I].
            rank = ranks.get(ep.id, 1)
            # [I] A 4th or later situation has no best-rate series that year: its limit is 0.
            over = rank > situations
            quota_limit: int | None = 0 if over else tables.limit("courante_best_rate", as_of)
            elsewhere = ep.prior_sessions.get(year, 0)
        elif category == "e" and (agreement := self._reported_agreement(ep)) is not None:
            assert agreement.start is not None  # a granted agreement starts on a day
            start, end, quota_limit = agreement.start, agreement.until, None
        else:
            start = state.period_start if category in ("fa", "fb") else state.first_counted
            if start is None:
                return None
            if category == "fa":
                end = fa_period_end(start)
                polytrauma = ep.pathology == "fa-16"
                quota_limit = tables.limit(
                    "fa_best_rate_polytrauma" if polytrauma else "fa_best_rate", start
                )
                elsewhere = state.elsewhere
            elif category == "fb":
                start, end = self._fb_year(start, as_of)
                quota_limit = tables.limit("fb_best_rate", start)
                elsewhere = ep.prior_sessions.get(start.year, 0)
            elif category == "perinatal":
                end, quota_limit = None, tables.limit("perinatal_sessions", start)
            else:  # e without an agreement, palliative: open-ended, no cap
                end, quota_limit = None, None
        built: Any = _object_new(Quota)
        fields = built.__dict__
        fields["episode"] = ep.id
        fields["counter"] = category
        fields["period_start"] = start
        fields["period_end"] = end
        fields["limit"] = quota_limit
        fields["used"] = elsewhere + state.used_between(start, end)
        fields["elsewhere"] = elsewhere
        quota: Quota = built
        if elsewhere < 0:
            # The invariants ``Quota`` guards: ``used`` is ``elsewhere`` and a count, so only
            # a negative count of sessions given elsewhere can break them.
            quota.__post_init__()
        return quota

    def _reported_agreement(self, episode: Episode) -> Agreement | None:
        """The granted agreement whose period to report: the one containing as_of, else the
        latest begun before it, else the first to come."""
        granted = [a for a in episode.agreements if a.granted]
        as_of = self.case.as_of
        for agreement in granted:
            if agreement.covers(as_of):
                return agreement
        begun = [a for a in granted if a.start is not None and a.start <= as_of]
        if begun:
            return max(begun, key=lambda a: a.start or as_of)
        return min(granted, key=lambda a: a.start or as_of, default=None)

    @staticmethod
    def _fb_year(first_session: date, as_of: date) -> tuple[date, date]:
        """Return the calendar-year slice of an Fb period to report for ``as_of``."""
        # As ``min(max(as_of.year, first_session.year), period_end.year)``: no builtin call.
        year = as_of.year if as_of.year > first_session.year else first_session.year
        last_year = fb_period_end(first_session).year
        start, end = _calendar_year(year if year < last_year else last_year)
        return (start if start > first_session else first_session), end

    def _pool(self) -> Pool:
        start, end, pool_limit = overflow_pool_period(self.case.as_of)
        year = self.case.as_of.year
        elsewhere = self.case.patient.overflow_elsewhere.get(year, 0)
        if elsewhere and overflow_pool_period(date(year, 12, 31))[0] != start:
            # Booked in the year's last pool (``__init__``): in 2021 the one from August on,
            # not the unlimited months before it, whose row would show them outside ``used``.
            elsewhere = 0
        built: Any = _object_new(Pool)
        fields = built.__dict__
        fields["pool"] = "overflow"
        fields["period_start"] = start
        fields["period_end"] = end
        fields["limit"] = pool_limit
        fields["used"] = self.pool_used.get(start, 0)
        fields["elsewhere"] = elsewhere
        pool: Pool = built
        return pool

    def _pool_warnings(self, pool: Pool) -> None:
        # ``pool.remaining`` written out for a count (the overflow pool's limit is one).
        limit = pool.limit
        if limit is None:
            return
        remaining = limit - pool.used
        if remaining < 0:
            remaining = 0
        year = pool.period_start.year
        if remaining == 0:
            self.warnings.add(W.POOL_EXHAUSTED, limit=pool.limit, year=year)
        elif remaining <= LOW_AT_MOST:
            self.warnings.add(W.POOL_LOW, remaining=remaining, year=year)

    def _prescription_warnings(self, state: _EpisodeState) -> None:
        """Warn when the prescriptions of an episode in treatment cover 3 or fewer next sessions.

        A session after ``as_of`` needs a prescription with room that started in time, or one
        not started yet whose deadline is not past (P3, P6, decision 8). A prescription with
        room that can no longer cover anything (started late, or not started by its deadline)
        is named: it is why the next sessions would not be reimbursed. An episode without any
        prescription has ``prescription_missing`` on its sessions instead.
        """
        as_of = self.case.as_of
        if (
            not state.prescriptions
            or state.last_session is None
            or state.last_session < as_of - TREATED_RECENTLY
        ):
            return
        remaining = 0
        lost: _PrescriptionState | None = None
        for rx in state.prescriptions:  # oldest first
            room = rx.size - rx.used
            if room <= 0:
                continue
            if as_of <= rx.deadline if rx.started_late is None else not rx.started_late:
                remaining += room
            else:
                lost = rx
        if remaining > LOW_AT_MOST:
            return
        params = {
            "remaining": remaining,
            "prescribed": lost.prescription.date if lost else None,
            "deadline": lost.deadline if lost else None,
        }  # appended directly, as ``result`` does a quota's
        self.warnings.items.append(_warning(_PRESCRIPTION_LOW, state.episode.id, None, params))

    def _ending_warnings(self, episode: Episode, state: _EpisodeState) -> None:
        """Tell about an agreement or Fa/Fb period ending within 30 days after ``as_of``."""
        as_of = self.case.as_of
        soon = as_of + ENDING_SOON
        for agreement in episode.agreements:
            if (
                agreement.granted
                and agreement.until is not None
                and as_of <= agreement.until <= soon
            ):
                self.warnings.add(
                    W.AGREEMENT_ENDING,
                    episode=episode.id,
                    once_per=(episode.id, agreement.until),
                    until=agreement.until,
                )
        first = state.period_start
        if first is None or episode.category not in ("fa", "fb"):
            return
        end = fa_period_end(first) if episode.category == "fa" else fb_period_end(first)
        if as_of <= end <= soon:
            self.warnings.add(
                W.PERIOD_ENDING, episode=episode.id, counter=episode.category, end=end
            )


# Each category's step 3 (``_EpisodeState.rule``).
_RULES: dict[str, Callable[[_Evaluation, Session, _EpisodeState, bool], _Decision]] = {
    "courante": _Evaluation._courante,
    "fa": _Evaluation._fa,
    "fb": _Evaluation._fb,
    "e": _Evaluation._e,
    "perinatal": _Evaluation._perinatal,
    "palliative": _Evaluation._palliative,
}
assert set(_RULES) == set(BE_CATEGORIES)

# The categories whose sessions are decided in runs (``_Evaluation._decide_block``): a plan
# says how many sessions from a block's ``i``-th on one decision takes, or None for the rule.
_RUN_PLANS: dict[
    str,
    Callable[[_Evaluation, _EpisodeState, list[Session], list[date], int, int, int], _Run | None],
] = {
    "courante": _Evaluation._courante_run,
    "fa": _Evaluation._fa_run,
    "fb": _Evaluation._fb_run,
    "e": _Evaluation._e_run,
}
assert not any(hasattr(t, "__slots__") for t in (Warning, Quota, Pool, Result))
