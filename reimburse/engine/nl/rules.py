"""The Dutch rules: who pays each physiotherapy session - basic insurance, the supplementary
package or the patient - and how much of it goes to the eigen risico.

Rule ids (``NL.B2``, ``NL.S-ART``, ``NL.K1`` …) are those of
``docs/rules/netherlands-coverage.md``; where the sources leave room the product decisions
12-18 of ``docs/rules/simulate.md`` apply. Parameters live in ``nl.tables``.

Two passes over the sessions in ``(date, input position)`` order:

1. *basic*: per episode (the osteoarthritis entitlement per patient) decide whether basic
   insurance pays, with the episode's counters; nothing here depends on money;
2. *money*: walk all sessions in order, charging basic-covered adult sessions to the eigen risico
   of their calendar year and the others to that year's supplementary allowance, then the patient.

Both run for every session; the reasons, amounts and outcomes only when the caller asks for
outcomes (Needs attention does not). Per session the engine builds plain slots objects, and the
frozen outcome types through their slots (``_reason``, ``_new_outcome``): issue 19 measured the
frozen dataclasses' ``__init__`` as most of the cost (``scripts/bench_engine_nl.py``).

Conventions (interpretations, written down once):

- Months are added with ``relativedelta``, end exclusive: 2025-03-10 + 6 months runs up to and
  including 2025-09-09. When the target month is shorter, relativedelta clamps to its last day
  and that day is the (exclusive) end: 2025-08-31 + 6 months ends before 2026-02-28, so the last
  covered day is 2026-02-27.
- The 18th birthday is ``birth_date + 18 years`` (29 February -> 28 February).
- ``prior_treatments`` carry no dates. They count toward an episode's first 20 and a scheme's
  single window only if the patient was an adult on the episode's first treatment; toward a
  COPD treatment year or a child's calendar year only when that period holds both the first
  treatment and the first listed session (otherwise when they happened is unknown, so they
  count nowhere).
- ``ordinal`` is the session's number within its episode, priors included, for children too.
- CSI codes (B11): 008 for the first 20 of a chronic indication whoever pays, 001 for chronic
  basic from the 21st, 012 for basic osteoarthritis, 003 for a child's basic series, 009 for a
  non-chronic session the supplementary pays; otherwise none (the sources give no code for a
  child's chronic indication or the other schemes, and nothing is declared when the patient
  pays a non-chronic session).
- One reimbursed session per day (A5) limits the supplementary: a session basic does not pay
  gets nothing on a day that already has a basic or supplementary session. Basic cover itself
  is not limited per day (the sources state the limit for supplementary packages only).
- Amounts need a price and a known eigen risico: without them the status is still decided but
  ``amounts`` is ``None``; a basic session without a price makes the rest of that year's eigen
  risico unknown, and a pool whose amount is unknown is not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from reimburse.engine.dated import first_day as _first_day
from reimburse.engine.drafts import new_outcome as _new_outcome
from reimburse.engine.drafts import new_reason as _reason
from reimburse.engine.errors import (
    RulesNotInForce,
    UnknownCategory,
    UnknownCondition,
    UnknownEpisode,
)
from reimburse.engine.nl.tables import (
    ADULT_AGE,
    CHILD_SERIES,
    CHRONIC_KEYS,
    CHRONIC_UNPAID_FIRST,
    COPD_CAPS,
    COPD_WINDOW_MONTHS,
    LIST_2012,
    SCHEMES,
    ChronicCondition,
    Scheme,
    child_series,
    chronic_condition,
    copd_caps,
    csi_codes,
    in_force,
    scheme,
    statutory_deductible,
)
from reimburse.engine.types import (
    CENT,
    Case,
    Coverage,
    Episode,
    NlAmounts,
    Pool,
    Quota,
    Reason,
    Result,
    Session,
    SessionOutcome,
    Warning,
    money,
)
from reimburse.engine.vocabulary import SEVERITY, ReasonCode, Severity, Status, WarningCode

ZERO = money(0)
SOON = timedelta(days=30)  # "ends within 30 days after as_of"
LOW_AT_MOST = 3  # quotas and allowances with 1-3 left are "low"
R = ReasonCode
W = WarningCode

SCHEME_RULES = {
    "osteoarthritis": "NL.S-ART",
    "claudication": "NL.S-GLT",
    "pelvic_floor": "NL.S-BEK",
    "rheumatoid_arthritis": "NL.S-RA",
    "copd": "NL.S-COPD",
}


# ------------------------------------------------------------------------------ small helpers


def add_months(day: date, months: int) -> date:
    """Return ``day`` plus ``months`` calendar months, clamped to the month end."""
    return day + relativedelta(months=months)


def _last_day(end: date) -> date:
    """Return the last day of a period whose end is exclusive."""
    return end - timedelta(days=1)


class _Item:
    """A session with its number within its episode (``prior_treatments`` included)."""

    __slots__ = ("episode", "ordinal", "position", "session")

    def __init__(self, ordinal: int, session: Session, episode: Episode, position: int) -> None:
        self.ordinal = ordinal
        self.session = session
        self.episode = episode
        self.position = position  # rank in (date, input position) order


# The engine decides every session twice (basic insurance, then money): a plain class with
# slots costs a fraction of a frozen dataclass, whose ``__init__`` sets each field through
# ``object.__setattr__``. Nothing outside ``evaluate`` sees a verdict.
class _Verdict:
    """What the basic-insurance rules decide for one session, before any money moves.

    ``basis`` says why basic insurance does or does not pay (the ``basis`` of the outcome's
    reason); ``None`` when the caller asked for no outcomes, so no reason is built.
    ``code``: the CSI code when basic, or 008 for one of the chronic first 20.
    ``chronic_first``: one of the unpaid first 20 of a chronic indication.
    ``after_period``: falls after the chronic term or the scheme window.
    """

    __slots__ = ("adult", "after_period", "basic", "basis", "chronic_first", "code", "item", "rule")

    def __init__(
        self,
        item: _Item,
        basic: bool,
        rule: str,
        basis: Reason | None,
        code: str | None = None,
        adult: bool = True,
        chronic_first: bool = False,
        after_period: bool = False,
    ) -> None:
        self.item = item
        self.basic = basic
        self.rule = rule
        self.basis = basis
        self.code = code
        self.adult = adult
        self.chronic_first = chronic_first
        self.after_period = after_period


# Outcomes and reasons are built through their slots (``_reason``, ``_new_outcome``), as in
# Belgium: ``reimburse.engine.drafts``.


@dataclass(frozen=True)
class _Period:
    """One counting period of an episode counter; ``end`` is exclusive."""

    episode: str
    counter: str
    start: date
    end: date | None
    limit: int | None
    used: int
    whiplash: bool = False  # a whiplash term: 3 months more only if the triad persists
    elsewhere: int = 0  # of ``used``: the treatments before the listed ones (priors)

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class _Evaluated:
    """Verdicts, counting periods and episode warnings of the basic pass."""

    verdicts: list[_Verdict] = field(default_factory=list)
    periods: list[_Period] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def extend(self, other: _Evaluated) -> None:
        self.verdicts.extend(other.verdicts)
        self.periods.extend(other.periods)
        self.warnings.extend(other.warnings)


class _Patient:
    """Age facts of the patient."""

    __slots__ = ("adult_from", "birth_date")

    def __init__(self, birth_date: date) -> None:
        self.birth_date = birth_date
        # Asked for every session: dateutil's arithmetic once per patient.
        self.adult_from = self.turns(ADULT_AGE)

    def is_adult(self, day: date) -> bool:
        return day >= self.adult_from

    def turns(self, age: int) -> date:
        """Return the day the patient turns ``age`` (at least 1): aged ``age`` or more on a day
        iff the day is not before it.

        ``birth_date + relativedelta(years=age)``, which moves 29 February to 28 February in a
        common year, without its cost once per patient (``test_fast_paths`` compares them).
        """
        born = self.birth_date
        try:
            return born.replace(year=born.year + age)
        except ValueError:  # 29 February, in a common year
            return born.replace(year=born.year + age, day=28)


@cache  # a pure lookup in a constant table, asked per session
def _first_unpaid(day: date) -> int:
    """Return how many chronic treatments basic insurance leaves unpaid on ``day`` (B2)."""
    entry = in_force(CHRONIC_UNPAID_FIRST, day)
    if entry is None:
        raise RulesNotInForce(
            day, "chronic-list rules", covered_from=_first_day(CHRONIC_UNPAID_FIRST)
        )
    return entry.count


CodeKind = Literal[
    "chronic_first", "chronic_basic", "non_chronic_supplementary", "osteoarthritis", "child_series"
]


def _code(day: date, kind: CodeKind) -> str | None:
    """Return the CSI code of ``kind`` in force on ``day`` (B11), if the table has it."""
    codes = csi_codes(day)
    return None if codes is None else str(getattr(codes, kind))


def _start(episode: Episode, items: Sequence[_Item]) -> date | None:
    """Return the episode's first treatment: ``first_treatment_on``, else its first session."""
    if episode.first_treatment_on is not None:
        return episode.first_treatment_on
    return items[0].session.date if items else None


# ----------------------------------------------------------------------- children (K1, K2)


class _ChildSeries:
    """Count a child's non-list treatments of one episode per calendar year (K1, decision 15)."""

    def __init__(
        self, episode: Episode, items: Sequence[_Item], patient: _Patient, with_priors: bool
    ) -> None:
        self.episode = episode
        self.counts: dict[int, int] = {}
        self.priors: tuple[int, int] = (0, 0)  # the year the priors count in, and how many
        first_on = episode.first_treatment_on
        start = _start(episode, items)
        # Decision 18: undated priors are a child's treatments only when the episode began
        # before the 18th birthday; an adult's priors never enter a children's series (K1).
        child_priors = start is not None and not patient.is_adult(start)
        if with_priors and child_priors and items and episode.prior_treatments:
            year = items[0].session.date.year
            # Priors count in the first listed session's year only if they surely fell in it.
            if first_on is None or first_on.year == year:
                self.counts[year] = episode.prior_treatments
                self.priors = (year, episode.prior_treatments)

    def verdict(self, item: _Item, explain: bool, **why: object) -> _Verdict:
        """Count a child's session in its year's series; ``why`` says why it is counted here
        (``after_term``: the chronic term ended; ``outgrown``: the list item's age)."""
        day = item.session.date
        year = day.year
        limit = self.limit(day)
        count = self.counts.get(year, 0) + 1
        self.counts[year] = count
        basis = None
        if count <= limit:
            if explain:
                # The second series of 9 needs an insufficient result after the first (K1).
                params = {**why, "limit": limit, "year": year, "n": count, "second": count > 9}
                basis = _reason(R.NL_CHILD_SERIES, params)
            code = _code(day, "child_series")
            return _Verdict(item, True, "NL.K1", basis, code, False)
        if explain:
            params = {**why, "limit": limit, "year": year, "extension": self.episode.extension}
            basis = _reason(R.NL_CHILD_USED_UP, params)
        return _Verdict(item, False, "NL.K1", basis, None, False)

    def limit(self, on: date) -> int:
        series = child_series(on)
        if series is None:
            raise RulesNotInForce(on, "children's rules", covered_from=_first_day(CHILD_SERIES))
        return series.with_extension if self.episode.extension else series.per_year

    def periods(self) -> list[_Period]:
        return [
            _Period(
                self.episode.id,
                "child_series",
                date(year, 1, 1),
                date(year + 1, 1, 1),
                self.limit(date(year, 1, 1)),
                used,
                elsewhere=self.priors[1] if year == self.priors[0] else 0,
            )
            for year, used in sorted(self.counts.items())
        ]


# ---------------------------------------------------------------------- regular (B1, decision 12)


def _regular(
    episode: Episode, items: Sequence[_Item], patient: _Patient, explain: bool
) -> _Evaluated:
    """Evaluate a condition that is neither on the chronic list nor a scheme (B1, K1)."""
    children = _ChildSeries(episode, items, patient, with_priors=True)
    out = _Evaluated()
    verdicts = out.verdicts
    adult_from = patient.adult_from
    for item in items:
        if item.session.date >= adult_from:
            # B1: basic insurance pays no adult's session of a non-list condition.
            basis = _reason(R.NL_REGULAR, {}) if explain else None
            verdicts.append(_Verdict(item, False, "NL.B1", basis))
        else:
            verdicts.append(children.verdict(item, explain))
    out.periods = children.periods()
    return out


# ------------------------------------------------------------- chronic list (B2-B5, decision 13)


def _chronic_entry(episode: Episode, on: date) -> ChronicCondition:
    """Return the list entry of the episode's condition; older episodes use the oldest entry."""
    if episode.condition not in CHRONIC_KEYS:
        raise UnknownCondition(episode.condition, owner=f"episode {episode.id}")
    assert episode.condition is not None  # narrowed by the membership test above
    # A lifelong episode may have begun before the oldest tabled list (2012): its term is
    # read from the oldest entry, the best the sources give (interpretation).
    entry = chronic_condition(episode.condition, max(on, LIST_2012))
    if entry is None:
        raise RulesNotInForce(on, f"chronic-list entry for {episode.condition}")
    return entry


@dataclass(frozen=True)
class _Term:
    """The term of a chronic episode: ``end`` exclusive, ``None`` = unlimited."""

    start: date
    end: date | None
    known: bool  # False: the list's term was not retrieved and no override was given

    def params(self) -> dict[str, object]:
        """The term in a reason's parameters: its last day, and whether the list gives it.

        An unknown term is treated as unlimited (interpretation; check Bijlage 1).
        """
        end = None if self.end is None else _last_day(self.end)
        return {"term_end": end, "term_known": self.known}


def _term(episode: Episode, start: date, entry: ChronicCondition) -> _Term:
    """Return the term from the first treatment for the list's (or overridden) months (B5)."""
    months = episode.term_months if episode.term_months is not None else entry.term_months
    end = add_months(start, months) if months is not None else None
    return _Term(start, end, known=episode.term_months is not None or entry.term_known)


# ------------------------------------------------------------ the public facts of the rules


def is_adult(birth_date: date, day: date) -> bool:
    """Tell whether a patient born on ``birth_date`` is 18 or older on ``day`` (K3)."""
    return _Patient(birth_date).is_adult(day)


def chronic_term(episode: Episode, start: date) -> date | None:
    """Return the exclusive end of a chronic episode's term from ``start``; None: unlimited (B5)."""
    return _term(episode, start, _chronic_entry(episode, start)).end


def first_unpaid(day: date) -> int:
    """Return how many chronic treatments basic insurance leaves unpaid as of ``day`` (B2).

    Before the oldest tabled list (2012) the oldest list's count is taken, as for a lifelong
    episode that began then.
    """
    return _first_unpaid(max(day, LIST_2012))


class _Chronic:
    """Walk one chronic episode: the first 20 unpaid, then basic within the term."""

    def __init__(
        self, episode: Episode, items: Sequence[_Item], patient: _Patient, explain: bool
    ) -> None:
        self.episode = episode
        self.items = items
        self.patient = patient
        self.explain = explain
        start = _start(episode, items)
        assert start is not None  # only called once the episode has begun
        self.entry = _chronic_entry(episode, start)
        self.term = _term(episode, start, self.entry)
        # Read once for every session: the term's exclusive end and its reason parameters.
        self.end = self.term.end
        self.term_params = self.term.params()
        # The list item's age bound (juvenile osteochondrosis: under 22) as the day it lapses.
        max_age = self.entry.max_age
        self.lapses_on = None if max_age is None else patient.turns(max_age)
        # Decision 18: treatments before the 18th birthday do not count toward the adult
        # first 20; undated priors count only if the episode began in adulthood.
        self.adult_count = episode.prior_treatments if patient.is_adult(start) else 0
        self.in_term = episode.prior_treatments
        self.children = _ChildSeries(episode, items, patient, with_priors=False)

    def run(self, as_of: date) -> _Evaluated:
        out = _Evaluated()
        verdicts = out.verdicts
        counted_by_as_of = self.adult_count
        for item in self.items:
            verdicts.append(self._verdict(item))
            if item.session.date <= as_of:
                counted_by_as_of = self.adult_count
        chronic = _Period(
            self.episode.id,
            "chronic",
            self.term.start,
            self.term.end,
            None,
            self.in_term,
            whiplash=self.entry.key == "whiplash",
            elsewhere=self.episode.prior_treatments,
        )
        out.periods = [chronic, *self.children.periods()]
        out.warnings = self._basic_starts(as_of, counted_by_as_of)
        return out

    def _verdict(self, item: _Item) -> _Verdict:
        day = item.session.date
        end = self.end
        after = end is not None and day >= end
        lapsed = self.lapses_on is not None and day >= self.lapses_on
        if day < self.patient.adult_from:
            return self._child(item, after, lapsed)
        self.adult_count += 1
        explain = self.explain
        basis = None
        if lapsed:
            if explain:
                basis = _reason(R.NL_CHRONIC_OUTGROWN, {"max_age": self.entry.max_age})
            return _Verdict(item, False, "NL.B1", basis)
        if after:
            assert end is not None
            if explain:
                basis = _reason(R.NL_CHRONIC_AFTER_TERM, {"n": item.ordinal, "end": _last_day(end)})
            return _Verdict(item, False, "NL.B5", basis, None, True, False, True)
        self.in_term += 1
        first = _first_unpaid(day)
        count = self.adult_count
        if count <= first:
            if explain:
                # ``adult_n`` differs from ``n`` when treatments before the 18th birthday do
                # not count (decision 18, interpretation).
                params: dict[str, object] = {"n": item.ordinal, "adult_n": count, "first": first}
                basis = _reason(R.NL_CHRONIC_FIRST, params)
            code = _code(day, "chronic_first")
            return _Verdict(item, False, "NL.B2", basis, code, True, True)
        if explain:
            params = {"n": item.ordinal, "starts": count == first + 1, **self.term_params}
            basis = _reason(R.NL_CHRONIC_BASIC, params)
        return _Verdict(item, True, "NL.B2", basis, _code(day, "chronic_basic"))

    def _child(self, item: _Item, after: bool, lapsed: bool) -> _Verdict:
        if after:
            # [I] after the term a child's session counts as a non-list condition (K1).
            assert self.end is not None
            verdict = self.children.verdict(item, self.explain, after_term=_last_day(self.end))
            verdict.after_period = True
            return verdict
        if lapsed:
            # [I] past the list item's age a child's session counts as a non-list condition.
            return self.children.verdict(item, self.explain, outgrown=self.entry.max_age)
        self.in_term += 1
        basis = _reason(R.NL_CHILD_CHRONIC, dict(self.term_params)) if self.explain else None
        return _Verdict(item, True, "NL.K2", basis, None, False)

    def _basic_starts(self, as_of: date, counted: int) -> list[Warning]:
        """Warn when the next treatment after ``as_of`` is the first one basic pays."""
        first = first_unpaid(as_of)
        in_term = self.term.end is None or as_of < self.term.end
        if counted != first or not in_term or not self.patient.is_adult(as_of):
            return []
        upcoming = [i for i in self.items if i.session.date > as_of]
        # The next treatment: the first planned one, else one right after as_of. A list item
        # bound to an age (juvenile osteochondrosis: under 22) that has lapsed by then is not
        # basic (``_verdict``), so basic does not start there.
        next_day = upcoming[0].session.date if upcoming else as_of + timedelta(days=1)
        if self.lapses_on is not None and next_day >= self.lapses_on:
            return []
        # Nor when the term ends before the next treatment: it falls after the term (B5).
        if self.term.end is not None and next_day >= self.term.end:
            return []
        session = upcoming[0].session.id if upcoming else None
        return [_warning(W.BASIC_STARTS, self.episode.id, session, n=first + 1)]


def _chronic(
    episode: Episode, items: Sequence[_Item], patient: _Patient, as_of: date, explain: bool
) -> _Evaluated:
    """Evaluate a chronic-list episode (B2-B5, K2; decisions 13, 15, 18)."""
    if not items and episode.first_treatment_on is None:
        if not episode.prior_treatments:
            return _Evaluated()  # not begun: no term, nothing to count
        # Begun elsewhere on a day not given: no term to report, but the next treatment may be
        # the first basic pays. Its term would run from that treatment (decision 13: the first
        # listed session), so it is judged as if it began the day after ``as_of``.
        begun = replace(episode, first_treatment_on=as_of + timedelta(days=1))
        warnings = _Chronic(begun, items, patient, False).run(as_of).warnings
        return _Evaluated(warnings=warnings)
    return _Chronic(episode, items, patient, explain).run(as_of)


# ------------------------------------------------------------ capped schemes (§2, decision 14)


@cache  # a pure lookup in constant tables, asked per session
def _scheme_params(category: str, day: date) -> Scheme | None:
    """Return the scheme in force on ``day``; ``None`` before the scheme was introduced.

    Raises ``RulesNotInForce`` when the scheme existed but its parameters for that day are not
    tabled (the table starts later than the scheme for want of older sources).
    """
    params = scheme(category, day)
    if params is not None:
        return params
    first = min((s for s in SCHEMES if s.category == category), key=lambda s: s.valid_from)
    if first.introduced and day < first.valid_from:
        return None
    raise RulesNotInForce(day, f"{category} scheme parameters", covered_from=first.valid_from)


def _scheme_starts(
    episodes: Sequence[Episode],
    items: Sequence[_Item],
    patient: _Patient,
    available: Callable[[date], bool],
) -> list[tuple[date, int]]:
    """Return per begun episode its first adult treatment under the scheme and its priors.

    Undated priors count only when the episode itself began in adulthood under the scheme.
    """
    starts: list[tuple[date, int]] = []
    by_episode = _by_episode(items)
    for episode in episodes:
        own = by_episode.get(episode.id, [])
        start = _start(episode, own)
        if start is not None and patient.is_adult(start) and available(start):
            starts.append((start, episode.prior_treatments))
            continue
        later = next(
            (
                i.session.date
                for i in own
                if patient.is_adult(i.session.date) and available(i.session.date)
            ),
            None,
        )
        if later is not None:
            starts.append((later, 0))
    return starts


class _Capped:
    """Walk the episodes sharing one scheme entitlement: a cap within a window from the first.

    Osteoarthritis: every episode of the patient shares one entitlement (S-ART). Claudication,
    pelvic floor and RA: one entitlement per episode (interpretation where sources disagree).
    Children get the children's series instead (K6).
    """

    def __init__(
        self,
        category: str,
        episodes: Sequence[Episode],
        items: Sequence[_Item],
        patient: _Patient,
        explain: bool,
    ) -> None:
        self.category = category
        self.explain = explain
        self.rule = SCHEME_RULES[category]
        self.episodes = episodes
        self.items = items
        self.patient = patient
        starts = _scheme_starts(
            episodes, items, patient, lambda day: scheme(category, day) is not None
        )
        self.start = min((day for day, _ in starts), default=None)
        self.params = scheme(category, self.start) if self.start else None
        self.months = self.params.window_months if self.params else None
        self.end = add_months(self.start, self.months) if self.start and self.months else None
        # The priors of every episode that began inside the (shared) window count.
        self.used = sum(priors for day, priors in starts if self.end is None or day < self.end)
        self.elsewhere = self.used
        by_episode = _by_episode(items)
        self.children = {
            e.id: _ChildSeries(e, by_episode.get(e.id, []), patient, with_priors=True)
            for e in episodes
        }

    def run(self) -> _Evaluated:
        out = _Evaluated(verdicts=[self._verdict(item) for item in self.items])
        if self.start is not None and self.params is not None:
            out.periods = [
                _Period(
                    e.id,
                    self.category,
                    self.start,
                    self.end,
                    self.params.cap,
                    self.used,
                    elsewhere=self.elsewhere,
                )
                for e in self.episodes
            ]
        for series in self.children.values():
            out.periods.extend(series.periods())
        return out

    def _verdict(self, item: _Item) -> _Verdict:
        day = item.session.date
        explain = self.explain
        if day < self.patient.adult_from:
            return self.children[item.episode.id].verdict(item, explain)
        params = _scheme_params(self.category, day)
        basis = None
        if params is None or self.start is None:
            if explain:
                since = _introduced(self.category)
                basis = _reason(R.NL_SCHEME_NOT_YET, {"scheme": self.category, "since": since})
            return _Verdict(item, False, self.rule, basis)
        end = self.end
        if end is not None and day >= end:
            if explain:
                why = {"scheme": self.category, "months": self.months, "end": _last_day(end)}
                basis = _reason(R.NL_SCHEME_WINDOW_ENDED, why)
            return _Verdict(item, False, self.rule, basis, None, True, False, True)
        # ``used`` counts every treatment in the window, beyond the cap too (contract: quotas).
        self.used += 1
        cap = params.cap
        if cap is None or self.used <= cap:
            if explain:
                why = {"scheme": self.category, "n": self.used, "cap": cap}
                if end:
                    why["months"] = self.months
                    why["start"] = self.start
                basis = _reason(R.NL_SCHEME_BASIC, why)
            code = _code(day, "osteoarthritis") if self.category == "osteoarthritis" else None
            return _Verdict(item, True, self.rule, basis, code)
        if explain:
            # S-ART: one entitlement for all joints and sides.
            shared = self.category == "osteoarthritis"
            why = {"scheme": self.category, "cap": cap, "shared": shared}
            basis = _reason(R.NL_SCHEME_USED_UP, why)
        return _Verdict(item, False, self.rule, basis)


def _entitlements(
    joints: Sequence[Episode], items: Sequence[_Item], patient: _Patient
) -> list[tuple[list[Episode], list[_Item]]]:
    """Group the osteoarthritis episodes by the entitlement they share (S-ART).

    One entitlement for every joint and side; where the scheme says so
    (``renewed_by_new_episode``), an episode whose first adult treatment under the scheme is on
    or after the end of the window before it opens a new one (a new indication, update
    2025-2026 §2.2). An episode not begun yet joins the latest.
    """
    if len(joints) == 1:
        return [(list(joints), list(items))]
    by_episode = _by_episode(items)
    begun: list[tuple[date, int, Episode]] = []
    waiting: list[Episode] = []
    for order, episode in enumerate(joints):
        found = _scheme_starts(
            [episode],
            by_episode.get(episode.id, []),
            patient,
            lambda day: scheme("osteoarthritis", day) is not None,
        )
        if found:
            begun.append((found[0][0], order, episode))
        else:
            waiting.append(episode)
    groups: list[list[Episode]] = []
    end: date | None = None
    renews = False
    for start, _, episode in sorted(begun, key=lambda row: (row[0], row[1])):
        if groups and not (renews and end is not None and start >= end):
            groups[-1].append(episode)
            continue
        groups.append([episode])
        params = scheme("osteoarthritis", start)
        months = params.window_months if params else None
        end = add_months(start, months) if months else None
        renews = bool(params and params.renewed_by_new_episode)
    if not groups:
        return [(list(joints), list(items))]
    groups[-1].extend(waiting)
    if len(groups) == 1:
        return [(list(joints), list(items))]
    # (The caller puts the quota rows back in the episodes' order.)
    split: list[tuple[list[Episode], list[_Item]]] = []
    for group in groups:
        ids = {e.id for e in group}
        # In the items' order (by date): the treatments of a group are counted in it.
        split.append((group, [i for i in items if i.episode.id in ids]))
    return split


@cache  # a pure lookup in a constant table
def _introduced(category: str) -> date:
    """Return the day the scheme of ``category`` began."""
    return min(s.valid_from for s in SCHEMES if s.category == category)


# ------------------------------------------------------------------------ COPD (S-COPD)


class _TreatmentYears:
    """The 12-month treatment years from a first treatment: which one holds a day, and the day
    each begins, each computed once (month arithmetic per session was most of COPD's cost)."""

    __slots__ = ("begins", "last", "start")

    def __init__(self, start: date) -> None:
        self.start = start
        self.begins = [start]
        self.last = 0  # the year of the day asked before: sessions come in date order

    def begin(self, index: int) -> date:
        """Return the first day of treatment year ``index`` (0 = the first)."""
        begins = self.begins
        while len(begins) <= index:
            begins.append(add_months(self.start, COPD_WINDOW_MONTHS * len(begins)))
        return begins[index]

    def index(self, day: date) -> int:
        """Return which treatment year holds ``day`` (0 = the first, and before it)."""
        index = self.last
        while index > 0 and self.begin(index) > day:
            index -= 1
        while self.begin(index + 1) <= day:
            index += 1
        self.last = index
        return index


class _Copd:
    """Walk one COPD episode: caps by GOLD class per 12-month treatment year from the first."""

    def __init__(
        self, episode: Episode, items: Sequence[_Item], patient: _Patient, explain: bool
    ) -> None:
        self.episode = episode
        self.items = items
        self.patient = patient
        self.explain = explain
        starts = _scheme_starts([episode], items, patient, lambda day: copd_caps(day) is not None)
        self.start: date | None = starts[0][0] if starts else None
        self.years = None if self.start is None else _TreatmentYears(self.start)
        priors = starts[0][1] if starts else 0
        self.used: dict[int, int] = {}
        self.priors = 0  # the priors counted in the first treatment year
        adult = next((i for i in items if patient.is_adult(i.session.date)), None)
        # Priors count in the first treatment year only if the first listed session is in it.
        if self.years and priors and adult and self.years.index(adult.session.date) == 0:
            self.used[0] = self.priors = priors
        self.children = _ChildSeries(episode, items, patient, with_priors=True)

    def run(self, as_of: date) -> _Evaluated:
        out = _Evaluated(verdicts=[self._verdict(item) for item in self.items])
        out.periods = [*self._periods(as_of), *self.children.periods()]
        return out

    def _verdict(self, item: _Item) -> _Verdict:
        day = item.session.date
        explain = self.explain
        if day < self.patient.adult_from:
            return self.children.verdict(item, explain)
        index = None if self.years is None else self.years.index(day)
        # The caps of the treatment year's first day, as its quota (``_periods``): a B2
        # year begun in 2020 keeps the unsplit B's 27 after 2021-01-01 (a year begun before
        # the scheme, when COPD was on the chronic list, has none: the day's caps then). A
        # day before the scheme's first caps is not judged, whatever its treatment year.
        caps = None
        if self.years is not None and index is not None and copd_caps(day) is not None:
            caps = copd_caps(self.years.begin(index)) or copd_caps(day)
        if caps is None or self.years is None or index is None:
            raise RulesNotInForce(
                day, "COPD caps", covered_from=_first_day(COPD_CAPS), episode=self.episode.id
            )
        count = self.used[index] = self.used.get(index, 0) + 1
        cls = self.episode.gold_class or ""
        basis = None
        if self.episode.gold_stage < caps.lowest_basic_stage:
            if explain:
                basis = _reason(R.NL_COPD_STAGE, {"stage": self.episode.gold_stage})
            return _Verdict(item, False, "NL.S-COPD", basis)
        if cls not in caps.first_year:
            # [I] without a known GOLD class basic cover cannot be determined.
            basis = _reason(R.NL_COPD_NO_CLASS, {}) if explain else None
            return _Verdict(item, False, "NL.S-COPD", basis)
        cap = (caps.first_year if index == 0 else caps.later_years)[cls]
        if explain:
            # The treatment year: the first, or number ``year`` from its first day
            # ``year_start``.
            params = {
                "gold_class": cls,
                "year": index + 1,
                "year_start": self.years.begin(index),
                "cap": cap,
            }
            if count <= cap:
                params["n"] = count
                basis = _reason(R.NL_COPD_BASIC, params)
            else:
                basis = _reason(R.NL_COPD_USED_UP, params)
        return _Verdict(item, count <= cap, "NL.S-COPD", basis)

    def _periods(self, as_of: date) -> list[_Period]:
        if self.start is None or self.years is None:
            return []
        # The items are in date order: the last is the latest.
        last = max(as_of, self.items[-1].session.date) if self.items else as_of
        periods = []
        for index in range(self.years.index(max(last, self.start)) + 1):
            begin = self.years.begin(index)
            end = self.years.begin(index + 1)
            caps = copd_caps(begin)
            cls = self.episode.gold_class or ""
            if caps is None or cls not in caps.first_year:
                continue
            cap = (caps.first_year if index == 0 else caps.later_years)[cls]
            if self.episode.gold_stage < caps.lowest_basic_stage:
                cap = 0
            periods.append(
                _Period(
                    self.episode.id,
                    "copd",
                    begin,
                    end,
                    cap,
                    self.used.get(index, 0),
                    elsewhere=self.priors if index == 0 else 0,
                )
            )
        return periods


# ----------------------------------------------------------------------------- the basic pass


def _items(case: Case) -> list[_Item]:
    """Order the sessions by (date, input position) and number them within their episode."""
    episodes = {e.id: e for e in case.episodes}
    # The sort is stable: sessions of one day keep their input order.
    ordered = sorted(case.sessions, key=_by_date)
    seen: dict[str, int] = {}
    items: list[_Item] = []
    for position, session in enumerate(ordered):
        episode = episodes.get(session.episode)
        if episode is None:
            raise UnknownEpisode(session.episode, owner=f"session {session.id}")
        number = seen[episode.id] = seen.get(episode.id, 0) + 1
        items.append(_Item(episode.prior_treatments + number, session, episode, position))
    return items


_by_date = attrgetter("date")


def _by_episode(items: Sequence[_Item]) -> dict[str, list[_Item]]:
    """Group the items by episode id, keeping their order: one pass, whatever the episodes."""
    grouped: dict[str, list[_Item]] = {}
    for item in items:
        grouped.setdefault(item.episode.id, []).append(item)
    return grouped


def _basic_pass(case: Case, items: Sequence[_Item], patient: _Patient, explain: bool) -> _Evaluated:
    """Decide for every session whether basic insurance pays, episode by episode.

    The verdicts come back in the items' order; without ``explain`` they carry no reasons.
    """
    out = _Evaluated()
    by_episode = _by_episode(items)
    for episode in case.episodes:
        own = by_episode.get(episode.id, [])
        if episode.category == "regular":
            out.extend(_regular(episode, own, patient, explain))
        elif episode.category == "chronic":
            out.extend(_chronic(episode, own, patient, case.as_of, explain))
        elif episode.category == "copd":
            out.extend(_Copd(episode, own, patient, explain).run(case.as_of))
        elif episode.category in ("claudication", "pelvic_floor", "rheumatoid_arthritis"):
            out.extend(_Capped(episode.category, [episode], own, patient, explain).run())
        elif episode.category != "osteoarthritis":
            raise UnknownCategory(episode.category, owner=f"episode {episode.id}")
    # S-ART: one entitlement for every joint and side, so the osteoarthritis episodes together;
    # an episode begun after its window has the next one.
    joints = [e for e in case.episodes if e.category == "osteoarthritis"]
    if joints:
        shared = [i for i in items if i.episode.category == "osteoarthritis"]
        entitlements = _entitlements(joints, shared, patient)
        if len(entitlements) == 1:
            episodes, own = entitlements[0]
            out.extend(_Capped("osteoarthritis", episodes, own, patient, explain).run())
        else:
            each = _Evaluated()
            for episodes, own in entitlements:
                each.extend(_Capped("osteoarthritis", episodes, own, patient, explain).run())
            # The quota rows in the episodes' order, as with one entitlement.
            place: dict[str, int] = {}
            for n, e in enumerate(joints):
                place.setdefault(e.id, n)
            each.periods.sort(key=lambda p: place[p.episode])
            out.extend(each)
    # Every item has at least one verdict; with one each (unless episode ids repeat), each
    # goes to its item's place, without a sort.
    if len(out.verdicts) == len(items):
        ordered: list[Any] = [None] * len(items)
        for verdict in out.verdicts:
            ordered[verdict.item.position] = verdict
        out.verdicts = ordered
    else:
        out.verdicts.sort(key=lambda v: v.item.position)
    return out


# ------------------------------------------------------------------------------ the money pass


@dataclass
class _Deductible:
    """The eigen risico of one calendar year (B8, B9; decision 16); ``None`` = unknown."""

    year: int
    limit: Decimal | None
    left: Decimal | None

    def take(self, price: Decimal | None) -> Decimal | None:
        """Charge a basic-covered adult session: the patient pays ``min(price, left)``."""
        if self.left is None:
            return None
        if price is None:
            # Unknown price: what it took from the eigen risico is unknown, and so is the rest
            # of the year - unless nothing was left anyway.
            if self.left == ZERO:
                return ZERO
            self.left = None
            return None
        part = min(price, self.left)
        self.left = _cents(self.left - part)
        return part

    @property
    def used(self) -> Decimal | None:
        if self.limit is None or self.left is None:
            return None
        return money(self.limit - self.left)


class _Allowance:
    """A calendar year's supplementary allowance (A1, A8; decision 17).

    ``own``, ``treatments``, ``budget`` and ``has_cover`` are fixed once the year's package and
    what carried over are known; ``used``, ``spent`` and ``by_kind`` grow as sessions are paid.
    """

    __slots__ = (
        "budget",
        "by_kind",
        "carried",
        "coverage",
        "has_cover",
        "own",
        "spent",
        "sub_limits",
        "treatments",
        "used",
        "year",
    )

    def __init__(self, year: int, coverage: Coverage | None, carried: int = 0) -> None:
        self.year = year
        self.coverage = coverage
        self.carried = carried
        self.used = 0
        # Euros paid from a budget; ``None`` = unknown (a session without a price).
        self.spent: Decimal | None = ZERO
        self.by_kind: dict[str, int] = {}  # for the package's sub-limits
        self.own = None if coverage is None else coverage.treatments
        self.treatments = None if self.own is None else self.own + carried
        self.budget = None if coverage is None else coverage.budget
        self.has_cover = bool(self.treatments) or bool(self.budget)
        self.sub_limits: Mapping[str, int] = {} if coverage is None else coverage.sub_limits

    def covers(self) -> bool:
        """Say whether the allowance can pay one more session."""
        if self.treatments is None and self.budget is None:
            return False
        if self.treatments is not None and self.used >= self.treatments:
            return False
        return not (
            self.budget is not None and self.spent is not None and self.spent >= self.budget
        )

    def sub_limit_reached(self, kind: str) -> int | None:
        """Return the package's limit for ``kind`` when it is used up, else ``None`` (A4)."""
        limit = self.sub_limits.get(kind) if self.sub_limits else None
        if limit is not None and self.by_kind.get(kind, 0) >= limit:
            return limit
        return None

    def take(self, price: Decimal | None, kind: str) -> Decimal | None:
        """Pay one session: its price, or what is left of a euro budget; ``None`` if unknown."""
        self.used += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        if self.budget is None:
            return price
        if price is None or self.spent is None:
            self.spent = None
            return None
        part = min(price, _cents(self.budget - self.spent))
        self.spent = _cents(self.spent + part)
        return part


class _Ledger:
    """The patient's money state across the sessions, in date order."""

    def __init__(self, case: Case) -> None:
        self.coverage: dict[int, Coverage] = {}
        for coverage in case.patient.coverage:
            # One package per year; a duplicate year keeps the first row.
            self.coverage.setdefault(coverage.year, coverage)
        self.remaining = case.patient.deductible_remaining
        self.deductibles: dict[int, _Deductible] = {}
        self.allowances: dict[int, _Allowance] = {}
        self.reimbursed_days: set[date] = set()

    def deductible(self, year: int) -> _Deductible:
        if year not in self.deductibles:
            given = self.remaining.get(year)
            limit = money(given) if given is not None else statutory_deductible(year)
            self.deductibles[year] = _Deductible(year, limit, limit)
        return self.deductibles[year]

    def allowance(self, year: int) -> _Allowance:
        if year not in self.allowances:
            coverage = self.coverage.get(year)
            allowance = _Allowance(year, coverage, self._carried(year))
            # What another practice already used of this year's allowance (v2).
            if coverage is not None and coverage.used_elsewhere:
                if coverage.budget is not None:
                    allowance.spent = money(coverage.used_elsewhere)
                else:
                    allowance.used = int(coverage.used_elsewhere)
            self.allowances[year] = allowance
        return self.allowances[year]

    def _carried(self, year: int) -> int:
        """Return the unused treatments of last year that carry over (A8; interpretation).

        Only from a counted allowance with ``carry_over_max`` into a counted allowance; what was
        carried into last year can be carried again.
        """
        before, now = self.coverage.get(year - 1), self.coverage.get(year)
        if before is None or now is None or before.carry_over_max <= 0:
            return 0
        if before.treatments is None or now.treatments is None:
            return 0
        last = self.allowance(year - 1)
        assert last.treatments is not None
        return min(max(last.treatments - last.used, 0), before.carry_over_max)


def _cents(amount: Decimal) -> Decimal:
    """Return ``money(amount)``: the same rounding, cheaper per session (no copy, no keyword)."""
    if type(amount) is Decimal:
        return amount.quantize(CENT, ROUND_HALF_UP)
    return money(amount)


def _equal_or(amount: Decimal, price: Decimal) -> Decimal:
    """Return ``price`` or ``ZERO`` when ``amount`` equals one with its sign, else ``amount``."""
    signed = amount.is_signed()
    if amount == price and signed == price.is_signed():
        return price
    if amount == ZERO and not signed:
        return ZERO
    return amount


def _amounts(
    price: Decimal | None, insurer: Decimal | None, deductible: Decimal = ZERO
) -> NlAmounts | None:
    """Return the session's money, ``None`` when the price or a share is unknown."""
    if price is None or insurer is None:
        return None
    # -0 equals 0 but is written "-0.00": the signs are part of the key.
    return _rounded(
        price, insurer, deductible, price.is_signed(), insurer.is_signed(), deductible.is_signed()
    )


# A practice charges a few prices and the shares repeat: each combination is rounded and
# checked once (``NlAmounts`` is immutable, so shared); equal amounts round alike.
@lru_cache(maxsize=1 << 14)
def _rounded(price: Decimal, insurer: Decimal, deductible: Decimal, *signs: bool) -> NlAmounts:
    return NlAmounts(
        price=money(price),
        insurer=money(insurer),
        deductible=money(deductible),
        patient=money(price - insurer),
    )


Settled = tuple[SessionOutcome | None, Warning | None]


def _paid(
    verdict: _Verdict,
    status: Status,
    rule: str,
    code: str | None,
    amounts: NlAmounts | None,
    how: ReasonCode,
    params: dict[str, object],
) -> SessionOutcome:
    """Return the session's outcome: paid ``how`` (with ``params``), the verdict its basis."""
    item = verdict.item
    session = item.session
    params["basis"] = verdict.basis
    reason = _reason(how, params)
    return _new_outcome(
        session.id,
        session.date,
        session.episode,
        status,
        item.ordinal,
        code,
        (),
        amounts,
        rule,
        reason,
        None,
    )


# The two settle functions move the money (the ledger) for every session; the outcome and its
# reason only when ``explain`` (``evaluate(outcomes=True)``); their warnings always.


def _settle_basic(
    verdict: _Verdict, price: Decimal | None, ledger: _Ledger, explain: bool
) -> Settled:
    """Charge a basic-covered session: children free, adults through the eigen risico.

    A year whose deductible is not known gives the price and nothing of its split, with a
    ``deductible_unknown`` warning: never last year's figure (contract v2).
    """
    session = verdict.item.session
    day = session.date
    ledger.reimbursed_days.add(day)
    params: dict[str, object]
    if not verdict.adult:
        if not explain:
            return None, None
        amounts = _amounts(price, price)
        # No eigen risico under 18 (K5).
        how, params = R.NL_PAY_CHILD, {}
        return _paid(verdict, Status.BASIC, verdict.rule, verdict.code, amounts, how, params), None
    year = day.year
    deductible = ledger.deductible(year)
    part = deductible.take(price)
    warning = None
    if price is None:
        # The year's deductible is unknown whatever this session costs (contract v2).
        if deductible.limit is None:
            warning = _warning(W.DEDUCTIBLE_UNKNOWN, session.episode, session.id, year=year)
        amounts = None
        how, params = R.NL_PAY_NO_PRICE, {}
    elif part is None:
        # No amount for the year in the tables and none given, or what is left is unknown
        # because an earlier basic session of the year had no price.
        if deductible.limit is None:
            warning = _warning(W.DEDUCTIBLE_UNKNOWN, session.episode, session.id, year=year)
        if not explain:
            return None, warning
        why = "not_known" if deductible.limit is None else "earlier_without_price"
        how, params = R.NL_PAY_DEDUCTIBLE_UNKNOWN, {"year": year, "why": why}
        amounts = NlAmounts(price=price, insurer=None, deductible=None, patient=None)
    else:
        if not explain:
            return None, None
        # Equal amounts round alike (``_rounded``): a share equal to the price or to zero is
        # passed as that number, whose hash is known, instead of a new one to hash.
        insurer = _equal_or(price - part, price)
        amounts = _amounts(price, insurer, _equal_or(part, price))
        how = R.NL_PAY_DEDUCTIBLE
        params = {"year": year, "price": price, "part": part, "left": deductible.left}
    if not explain:
        return None, warning
    return _paid(verdict, Status.BASIC, verdict.rule, verdict.code, amounts, how, params), warning


def _settle_other(
    verdict: _Verdict, price: Decimal | None, ledger: _Ledger, explain: bool
) -> Settled:
    """Charge a session basic does not pay: the supplementary allowance, then the patient."""
    session = verdict.item.session
    day = session.date
    year = day.year
    patient_code = verdict.code if verdict.chronic_first else None
    coverage = ledger.coverage.get(year)
    allowance = ledger.allowance(year)
    params: dict[str, object]
    if day in ledger.reimbursed_days:
        # A5: at most one reimbursed treatment a day.
        warning = _warning(W.SECOND_SESSION_SAME_DAY, session.episode, session.id, date=day)
        if not explain:
            return None, warning
        params = {"date": day, "price": price}
        amounts = _amounts(price, ZERO)
        how = R.NL_PAY_SAME_DAY
        return _paid(verdict, Status.PATIENT, "NL.A5", patient_code, amounts, how, params), warning
    if verdict.chronic_first and coverage is not None and coverage.pays_chronic_first_20:
        ledger.reimbursed_days.add(day)
        if not explain:
            return None, None
        params = {"package": coverage.package, "first": _first_unpaid(day)}
        code = _code(day, "chronic_first")
        amounts = _amounts(price, price)
        how = R.NL_PAY_PACKAGE_CHRONIC
        return _paid(verdict, Status.SUPPLEMENTARY, "NL.A3", code, amounts, how, params), None
    covers = allowance.covers()
    limit = allowance.sub_limit_reached(session.kind) if covers else None
    if limit is not None:
        # A4, S21: the package pays at most ``limit`` sessions of this kind a year (manual
        # therapy); an excess one is not paid as ordinary physiotherapy instead [I].
        if not explain:
            return None, None
        params = {"year": year, "kind": session.kind, "limit": limit, "price": price}
        amounts = _amounts(price, ZERO)
        how = R.NL_PAY_SUB_LIMIT
        return _paid(verdict, Status.PATIENT, "NL.A4", patient_code, amounts, how, params), None
    if covers:
        ledger.reimbursed_days.add(day)
        insurer = allowance.take(price, session.kind)
        if not explain:
            return None, None
        own = allowance.own
        rule = "NL.A8" if own is not None and allowance.used > own else "NL.A1"
        kind: CodeKind = "chronic_first" if verdict.chronic_first else "non_chronic_supplementary"
        how, params = _allowance_reason(allowance, price, insurer)
        amounts = _amounts(price, insurer)
        return _paid(
            verdict, Status.SUPPLEMENTARY, rule, _code(day, kind), amounts, how, params
        ), None
    if not explain:
        return None, None
    params = {"year": year, "price": price, "cover": allowance.has_cover}
    amounts = _amounts(price, ZERO)
    how = R.NL_PAY_PATIENT
    return _paid(verdict, Status.PATIENT, verdict.rule, patient_code, amounts, how, params), None


def _allowance_reason(
    allowance: _Allowance, price: Decimal | None, insurer: Decimal | None
) -> tuple[ReasonCode, dict[str, object]]:
    """Say what the supplementary allowance paid for a session: a treatment, or euros."""
    year = allowance.year
    if allowance.budget is None:
        assert allowance.treatments is not None
        params: dict[str, object] = {
            "year": year,
            "n": allowance.used,
            "of": allowance.treatments,
            "carried": allowance.carried,
        }
        return R.NL_PAY_ALLOWANCE, params
    # ``insurer`` None: no price was given, the amount is not known.
    left = None if allowance.spent is None else _cents(allowance.budget - allowance.spent)
    return R.NL_PAY_BUDGET, {"year": year, "price": price, "insurer": insurer, "left": left}


def _money_pass(
    verdicts: Sequence[_Verdict], ledger: _Ledger, explain: bool
) -> tuple[list[SessionOutcome], list[Warning]]:
    """Settle every session in date order against the eigen risico and the allowance.

    Every session is settled either way (the ledger and the warnings need it); without
    ``explain`` no ``SessionOutcome`` (nor its amounts and reason) is built.
    """
    outcomes: list[SessionOutcome] = []
    warnings: list[Warning] = []
    unknown_years: set[object] = set()  # deductible_unknown: once per year
    # A practice charges one price or a few: a session priced as the one before gets the same
    # rounded price (equal, with the same sign: "-0.00" stays apart), not a new one to round
    # and hash again.
    last: Decimal | None = None  # the Decimal ``price`` was rounded from
    price: Decimal | None = None
    # A5, decision 17: a day with a basic-covered session has its reimbursed treatment, whatever
    # the order of that day's sessions in the input: the allowance pays none of the others.
    for verdict in verdicts:
        if verdict.basic:
            ledger.reimbursed_days.add(verdict.item.session.date)
    for verdict in verdicts:
        given = verdict.item.session.price
        if given is None:
            price = last = None
        elif last is None or given != last or given.is_signed() != last.is_signed():
            price = _cents(given)
            last = given if type(given) is Decimal else None
        if verdict.basic:
            outcome, warning = _settle_basic(verdict, price, ledger, explain)
            if warning is not None:
                if warning.params["year"] in unknown_years:
                    warning = None
                else:
                    unknown_years.add(warning.params["year"])
        else:
            outcome, warning = _settle_other(verdict, price, ledger, explain)
        if warning is not None:
            warnings.append(warning)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes, warnings


# ------------------------------------------------------------------------ quotas and pools


def _select(periods: Sequence[_Period], as_of: date) -> _Period:
    """Pick the period containing ``as_of``, else the latest begun before it, else the first."""
    for period in periods:
        if period.contains(as_of):
            return period
    begun = [p for p in periods if p.start <= as_of]
    if begun:
        return max(begun, key=lambda p: p.start)
    # Nothing has begun yet (only planned sessions): report the first period (interpretation).
    return min(periods, key=lambda p: p.start)


def _quotas(periods: Sequence[_Period], as_of: date) -> list[_Period]:
    """Return one period per episode counter, in order of first appearance."""
    grouped: dict[tuple[str, str], list[_Period]] = {}
    for period in periods:
        grouped.setdefault((period.episode, period.counter), []).append(period)
    return [_select(group, as_of) for group in grouped.values()]


def _quota(period: _Period) -> Quota:
    end = None if period.end is None else _last_day(period.end)
    return Quota(
        period.episode,
        period.counter,
        period.start,
        end,
        period.limit,
        period.used,
        period.elsewhere,
    )


def _year(as_of: date) -> tuple[date, date]:
    return date(as_of.year, 1, 1), date(as_of.year, 12, 31)


def _pools(ledger: _Ledger, as_of: date) -> list[Pool]:
    """Report the supplementary allowance and the eigen risico of the ``as_of`` year.

    A pool whose amount is not known (no deductible on file for the year; a budget or
    deductible consumed by a session without a price) is left out rather than guessed.
    """
    first, last = _year(as_of)
    pools = []
    allowance = ledger.allowance(as_of.year)
    if allowance.treatments is not None:
        elsewhere = allowance.coverage.used_elsewhere if allowance.coverage else 0
        pools.append(
            Pool("supplementary", first, last, allowance.treatments, allowance.used, elsewhere)
        )
    elif allowance.budget is not None:
        if allowance.spent is not None:
            elsewhere = money(allowance.coverage.used_elsewhere) if allowance.coverage else ZERO
            pools.append(
                Pool(
                    "supplementary",
                    first,
                    last,
                    money(allowance.budget),
                    allowance.spent,
                    elsewhere,
                )
            )
    else:
        pools.append(Pool("supplementary", first, last, 0, 0))
    deductible = ledger.deductible(as_of.year)
    if deductible.limit is not None and deductible.used is not None:
        # Euros, as its limit and use: nothing of it is known to come from elsewhere.
        pools.append(Pool("deductible", first, last, deductible.limit, deductible.used, ZERO))
    return pools


# ------------------------------------------------------------------------------ warnings


def _warning(
    code: WarningCode, episode: str | None = None, session: str | None = None, **params: object
) -> Warning:
    """Return a warning with the one severity its code has (``vocabulary.SEVERITY``)."""
    return Warning(code, SEVERITY[code], episode, session, params)


def _allowance_warnings(ledger: _Ledger, as_of: date) -> list[Warning]:
    """Warn about the supplementary allowance of the ``as_of`` year (W1, W2)."""
    year = as_of.year
    allowance = ledger.allowance(year)
    if not allowance.has_cover:
        # No supplementary cover at all: nothing runs out, so only information.
        warning = _warning(W.ALLOWANCE_EXHAUSTED, year=year, cover=False)
        return [replace(warning, severity=Severity.INFO)]
    if allowance.treatments is not None:
        left = max(allowance.treatments - allowance.used, 0)
        if left == 0:
            return [_warning(W.ALLOWANCE_EXHAUSTED, year=year, limit=allowance.treatments)]
        if left <= LOW_AT_MOST:
            # Based on the treatments known to this practice.
            return [_warning(W.ALLOWANCE_LOW, year=year, remaining=left)]
        return []
    # A euro budget: "low" is counted in treatments, which a budget has not (left out).
    budget, spent = allowance.budget, allowance.spent
    if budget is not None and spent is not None and spent >= budget:
        return [_warning(W.ALLOWANCE_EXHAUSTED, year=year, budget=money(budget))]
    return []


# The counters whose period ends by itself (a term or a 12-month window), for period_ending.
ENDING_COUNTERS = ("chronic", "osteoarthritis", "claudication", "copd")


def _period_warnings(quotas: Sequence[_Period], as_of: date) -> list[Warning]:
    """Warn about caps with 1-3 or no treatments left and windows ending soon (W5, W7, W11)."""
    warnings: list[Warning] = []
    seen: set[tuple[str, date, date | None]] = set()
    for period in quotas:
        key = (period.counter, period.start, period.end)
        if period.counter == "osteoarthritis" and key in seen:
            continue  # the shared entitlement warns once, on its first episode
        seen.add(key)
        if period.contains(as_of) and period.limit is not None:
            warnings.extend(_quota_warning(period))
        if period.end is not None and period.counter in ENDING_COUNTERS:
            last = _last_day(period.end)
            if as_of <= last <= as_of + SOON:
                warnings.append(
                    _warning(
                        W.PERIOD_ENDING,
                        period.episode,
                        counter=period.counter,
                        end=last,
                        whiplash=period.whiplash,
                    )
                )
    return warnings


def _quota_warning(period: _Period) -> list[Warning]:
    assert period.limit is not None
    left = max(period.limit - period.used, 0)
    if left == 0:
        return [
            _warning(W.QUOTA_EXHAUSTED, period.episode, counter=period.counter, limit=period.limit)
        ]
    if left <= LOW_AT_MOST:
        return [_warning(W.QUOTA_LOW, period.episode, counter=period.counter, remaining=left)]
    return []


def _ended_warnings(verdicts: Sequence[_Verdict]) -> list[Warning]:
    """Warn once per episode whose sessions fall after its term or window (W5, W7).

    ``basic`` counts those basic insurance still pays: a child's session after the term falls
    back to the children's series (K1).
    """
    after: dict[str, list[_Verdict]] = {}
    for verdict in verdicts:
        if verdict.after_period:
            after.setdefault(verdict.item.episode.id, []).append(verdict)
    return [
        _warning(
            W.PERIOD_ENDED,
            episode,
            found[0].item.session.id,
            count=len(found),
            date=found[0].item.session.date,
            basic=sum(v.basic for v in found),
        )
        for episode, found in after.items()
    ]


def _episode_warnings(case: Case, items: Sequence[_Item], patient: _Patient) -> list[Warning]:
    """Warn about missing referrals (B6, K4) and a patient turning 18 (W12, decision 18)."""
    warnings: list[Warning] = []
    turns = patient.adult_from
    running_in_as_of_year = {i.episode.id for i in items if i.session.date.year == case.as_of.year}
    for episode in case.episodes:
        if episode.category != "regular" and episode.referral is None:
            warnings.append(_warning(W.REFERRAL_MISSING, episode.id))
        if turns.year == case.as_of.year and episode.id in running_in_as_of_year:
            warnings.append(_warning(W.AGE_TRANSITION, episode.id, turns=turns))
    return warnings


# ------------------------------------------------------------------------------- entry point


def evaluate(case: Case, *, outcomes: bool = True) -> Result:
    """Return who pays each session, the episode quotas, the pools and the warnings.

    With ``outcomes=False`` the result's ``sessions`` is empty and no outcome is built; the
    quotas, pools and warnings are the same (every session still goes through both passes).
    """
    patient = _Patient(case.patient.birth_date)
    items = _items(case)
    basic = _basic_pass(case, items, patient, outcomes)
    ledger = _Ledger(case)
    session_outcomes, session_warnings = _money_pass(basic.verdicts, ledger, outcomes)
    quotas = _quotas(basic.periods, case.as_of)
    warnings = [
        *_allowance_warnings(ledger, case.as_of),
        *_episode_warnings(case, items, patient),
        *basic.warnings,
        *_period_warnings(quotas, case.as_of),
        *_ended_warnings(basic.verdicts),
        *session_warnings,
    ]
    return Result(
        country=case.country,
        as_of=case.as_of,
        sessions=tuple(session_outcomes),
        quotas=tuple(_quota(p) for p in quotas),
        pools=tuple(_pools(ledger, case.as_of)),
        warnings=tuple(warnings),
    )
