"""What of a patient's history can still produce a warning the practice can act on.

"Needs attention" shows what a practice can still act on: warnings that name a session dated
before the cut - 1 January of the year before ``as_of`` - are not shown there (those sessions
are beyond the two-year limit for claims); the patient page keeps the full history.

``relevant_case(case)`` drops the episodes that lie wholly before the cut *and* provably
cannot change any other warning, quota or pool of ``as_of``; ``actionable(result, case)``
removes the warnings that name a session before the cut. For every case::

    actionable(evaluate(relevant_case(case)), case).warnings
        == actionable(evaluate(case), case).warnings          (same order)

and the pools, and the quotas of the kept episodes, are equal. The proof, per rule, is in the
comments of the ``*_quiet`` functions; ``tests/engine/test_history_trimming.py`` checks it.

``unloaded(case)`` names a subset of what ``relevant_case`` drops that can be decided without
an episode's session days - by category, last session and shared days only - so the bridge
never reads those sessions (``attention.compute.unread_episodes`` is the same selection
in SQL; ``tests/reimburse/test_needs_attention_trimming.py`` checks that the two agree).

An episode that is kept is kept whole. An episode with no session, an unknown category or a
fact the tables cannot answer is kept (the engine then says what it would have said).

``stable_until(case, result, unread)`` says until when, the records unchanged, what Needs
attention shows for ``case.as_of`` holds: the bridge stores each patient's list and reuses it
on the days before (``tests/engine/test_attention_horizon.py`` checks it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta

from reimburse.engine import be, nl
from reimburse.engine import types as t
from reimburse.engine.be import tables as be_tables
from reimburse.engine.nl import tables as nl_tables
from reimburse.engine.types import (
    BE_CATEGORIES,
    Case,
    Coverage,
    Episode,
    Result,
)
from reimburse.engine.vocabulary import TABLE_GAPS


def cut_date(as_of: date) -> date:
    """Return the cut: 1 January of the year before ``as_of`` (A8 carries one year over)."""
    return date(as_of.year - 1, 1, 1)


def actionable(result: Result, case: Case, dates: EpisodeDates | None = None) -> Result:
    """Return ``result`` without the warnings that name a session dated before the cut.

    Nor those about what the tables lack (``TABLE_GAPS``): they concern the practice, not
    the patient, and Needs attention says them once for the practice. ``dates``: the
    ``episode_dates`` of ``case`` (or of the case it was trimmed from), if known.
    """
    cut = cut_date(case.as_of)
    # Without a day before the cut (two thirds of a practice's cases once the old episodes
    # are left unread) no session is old: no pass over the sessions.
    if dates is not None and all(days[0] >= cut for days in dates.values()):
        old: set[str] = set()
    else:
        old = {s.id for s in case.sessions if s.date < cut}
    kept = tuple(
        w
        for w in result.warnings
        if w.code not in TABLE_GAPS and (w.session is None or w.session not in old)
    )
    if len(kept) == len(result.warnings):
        return result
    return _with_warnings(result, kept)


def _with_warnings(result: Result, warnings: tuple[t.Warning, ...]) -> Result:
    """Return ``replace(result, warnings=warnings)``: for a result without slots or checks,
    a copy of its ``__dict__`` (2 µs where ``replace`` took 10, for three patients in four)."""
    if not _PLAIN_RESULT:
        return replace(result, warnings=warnings)
    values = result.__dict__.copy()
    values["warnings"] = warnings
    copy: Result = _new(Result)
    _set(copy, "__dict__", values)
    return copy


_new, _set = object.__new__, object.__setattr__
_PLAIN_RESULT = not hasattr(Result, "__slots__") and not hasattr(Result, "__post_init__")


def relevant_case(case: Case, dates: EpisodeDates | None = None) -> Case:
    """Return the case without the episodes that cannot change what Needs attention shows.

    ``dates``: ``episode_dates(case)``, if already gathered (``stable_until`` uses it too).
    """
    # A country without a proven trimming keeps everything (it is always right, only slower).
    trim = _TRIMMING.get(case.country)
    if trim is None:
        return case
    dropped = trim(case, episode_dates(case) if dates is None else dates)
    if not dropped:
        return case
    return replace(
        case,
        episodes=tuple(e for e in case.episodes if e.id not in dropped),
        sessions=tuple(s for s in case.sessions if s.episode not in dropped),
    )


# ------------------------------------------------------------------ what need not be loaded


def unloaded_categories(as_of: date) -> dict[str, date]:
    """Return, per Belgian category, a day before which an old episode needs no loading.

    An episode of such a category whose sessions all fall before that day, whose agreement
    does not end within ``be.ENDING_SOON`` of ``as_of`` and none of whose days is shared
    with an episode that is read is one ``relevant_case`` would drop (``_be_quiet`` clears it
    for every set of days before the returned one, and it shares no day with a kept episode).
    Such episodes can be left out when the records are read - their sessions are never
    loaded - with the same result; ``unloaded(case)`` is the same selection on a loaded case,
    and ``reimburse.services`` writes it as SQL. Every day returned is on or before the
    cut. A category that is missing has its episodes loaded (perinatal: its quietness
    depends on how many sessions there were; a category whose quota is low at ``as_of``).
    """
    cut = cut_date(as_of)
    found = {"e": cut, "palliative": cut}
    try:
        if _courante_quiet(as_of):
            found["courante"] = cut
    except (ValueError, LookupError):
        pass  # the tables cannot answer: read them all (the engine says why)
    for category, end_of, years in (
        ("fa", be.fa_period_end, "fa_period_years"),
        ("fb", be.fb_period_end, "fb_period_following_years"),
    ):
        # The period ends later for a later first session as long as its length never
        # shrinks; then every start before the first period still running at as_of is quiet.
        try:
            if _never_shrinks(years):
                found[category] = _first_running(end_of, as_of, cut)
        except (ValueError, LookupError, OverflowError):
            pass
    return found


def _never_shrinks(name: str) -> bool:
    """Tell whether a parameter's value never decreases over time (a numeric one)."""
    entries = sorted(
        (p for p in be_tables.PARAMETERS if p.name == name), key=lambda p: p.valid_from
    )
    values = [p.value for p in entries]
    return bool(values) and None not in values and values == sorted(values)  # type: ignore[type-var]


def _first_running(end_of: Callable[[date], date], as_of: date, before: date) -> date:
    """Return the first day, up to ``before``, whose period (``end_of``) runs until as_of.

    ``end_of`` is non-decreasing; so every day before the one returned ends before as_of.
    """
    low, high = date.min.toordinal(), before.toordinal()
    while low < high:
        middle = (low + high) // 2
        if end_of(date.fromordinal(middle)) < as_of:
            low = middle + 1
        else:
            high = middle
    return date.fromordinal(low)


def unloaded(case: Case) -> set[str]:
    """Return the episodes of a Belgian case that ``unloaded_categories`` leaves unread.

    The candidates: episodes of a category in ``unloaded_categories``, with sessions, all
    before that category's day, and no agreement ending soon. They are left unread unless a
    day before the cut has a session of an episode that is read and one of another episode:
    then the patient is read whole (a candidate may share a day with another candidate, both
    unread; never with an episode that is read).
    """
    if case.country != "BE":
        return set()
    before = unloaded_categories(case.as_of)
    days = episode_dates(case)
    ids = Counter(e.id for e in case.episodes)
    candidates = {
        e.id
        for e in case.episodes
        if e.category in before
        and ids[e.id] == 1
        and days.get(e.id)
        and days[e.id][-1] < before[e.category]
        and not _agreement_ending(e, case.as_of)
        and not _began_elsewhere(e)
    }
    cut = cut_date(case.as_of)
    episodes_on: dict[date, set[str]] = {}
    for session in case.sessions:
        if session.date < cut:
            episodes_on.setdefault(session.date, set()).add(session.episode)
    if any(len(on) > 1 and on - candidates for on in episodes_on.values()):
        return set()
    return candidates


# Each episode's session dates, in ascending order: its first is ``[0]``, its last ``[-1]``.
EpisodeDates = dict[str, list[date]]


def episode_dates(case: Case) -> EpisodeDates:
    """Return each episode's session dates, in ascending order.

    The one pass over a case's sessions that ``relevant_case``, ``actionable`` and
    ``stable_until`` share when given it: each used to make its own (a fifth of a
    practice's horizon time per pass). Sorted, so that each step reads an episode's first
    or last day without a pass over its days; the sessions as the bridge reads them come in
    date order, for which a sort is a comparison a day.
    """
    dates: EpisodeDates = {}
    for session in case.sessions:
        days = dates.get(session.episode)
        if days is None:
            dates[session.episode] = [session.date]
        else:
            days.append(session.date)
    for days in dates.values():
        days.sort()
    return dates


def _duplicate_ids(episodes: tuple[Episode, ...]) -> set[str]:
    """Return the ids more than one episode has (a set's size tells there are none: no
    ``Counter``, whose construction cost a tenth of the horizon's time)."""
    ids = [e.id for e in episodes]
    if len(set(ids)) == len(ids):
        return set()
    return {pk for pk, count in Counter(ids).items() if count > 1}


def _candidates(
    case: Case, before: date, quiet: Callable[[Episode, list[date]], bool], dates: EpisodeDates
) -> set[str]:
    """Return the episodes with sessions, all dated before ``before``, that ``quiet`` clears."""
    duplicates = _duplicate_ids(case.episodes)
    found: set[str] = set()
    for episode in case.episodes:
        own = dates.get(episode.id)
        # A duplicate episode id is ambiguous for the engine: keep every copy.
        if not own or own[-1] >= before or episode.id in duplicates:
            continue
        try:
            if quiet(episode, own):
                found.add(episode.id)
        except (ValueError, LookupError):
            pass  # the tables cannot answer (RulesNotInForce, MissingParameter…): keep it
    return found


# --------------------------------------------------------------------------------- Belgium


def _be_dropped(case: Case, dates: EpisodeDates) -> set[str]:
    """Return the Belgian episodes to drop.

    Between episodes the Belgian engine shares only: the day (S1, per day), the ranks of the
    courante situations (per calendar year, decision 2), the intake (once per calendar year,
    S7) and the overflow pool (per calendar year, C5; the 2021 split on 1 August is inside a
    year). A dropped episode has sessions only in years before the cut's, so none of these
    changes for a year from the cut's on. A kept episode may still have sessions before the
    cut: a rank, intake or pool change there alters only courante outcomes of that earlier
    year, and what a courante episode carries into a later year (whether it counted a session
    before: the intake, an explanation) is no warning, quota or pool. A day change would alter
    what a kept episode's prescription and counters used, so an episode sharing a day with a
    kept one is kept too (to a fixed point). Per-episode counters and warnings
    (prescriptions, Fa/Fb periods, E agreement, notifications; "once per episode" warnings)
    are the episode's own.
    """
    as_of = case.as_of
    dropped = _candidates(case, cut_date(as_of), lambda ep, days: _be_quiet(ep, days, as_of), dates)
    if not dropped:
        return dropped
    days_of = {episode_id: set(days) for episode_id, days in dates.items()}
    kept_days: set[date] = set()
    for episode_id, days in days_of.items():
        if episode_id not in dropped:
            kept_days |= days
    changed = True
    while changed:
        changed = False
        for episode_id in sorted(dropped):
            if days_of[episode_id] & kept_days:
                dropped.discard(episode_id)
                kept_days |= days_of[episode_id]
                changed = True
    return dropped


def _agreement_ending(episode: Episode, as_of: date) -> bool:
    """Tell whether ``agreement_ending`` (any category with an agreement) fires at ``as_of``."""
    return any(
        agreement.granted
        and agreement.until is not None
        and as_of <= agreement.until <= as_of + be.ENDING_SOON
        for agreement in episode.agreements
    )


def _began_elsewhere(episode: Episode) -> bool:
    """Sessions given elsewhere count in the periods and years they name (v2): an episode
    with any is never taken for quiet (it is evaluated, which is always right)."""
    return bool(episode.prior_sessions) or episode.first_session_on is not None


def _courante_quiet(as_of: date) -> bool:
    """Tell whether a courante episode with no session in as_of's year can warn at as_of.

    The counter is the as_of year's, in which the episode has no session: used 0, rank 1
    (ranks only come from sessions), so the limit is the best-rate count (C1).
    """
    over = be_tables.limit("courante_situations", as_of) < 1
    quota = 0 if over else be_tables.limit("courante_best_rate", as_of)
    return quota > be.LOW_AT_MOST


def _be_quiet(episode: Episode, days: list[date], as_of: date) -> bool:
    """Tell whether a Belgian episode with all sessions before the cut warns at ``as_of``.

    Its session warnings all name a session before the cut. What remains are the result's
    state warnings (``be._Evaluation.result``): quota low/exhausted for a period still
    running at ``as_of``, ``agreement_ending`` and ``period_ending``; the pool is the
    patient's for the ``as_of`` year, which the episode has no session in.
    """
    if episode.category not in BE_CATEGORIES or _agreement_ending(episode, as_of):
        return False
    if _began_elsewhere(episode):
        return False
    category = episode.category
    if category == "courante":
        return _courante_quiet(as_of)
    if category in ("fa", "fb"):
        # The period starts at the first counted session, one of ``days``; it warns only while
        # it has not ended before as_of (quota, period_ending) - for every possible start.
        end_of = be.fa_period_end if category == "fa" else be.fb_period_end
        return all(end_of(day) < as_of for day in set(days))
    if category == "perinatal":
        # Open-ended (PN1): it warns forever once 3 or fewer of the sessions are left. At most
        # len(days) are used, and the limit is read on the first counted session's date.
        used_at_most = len(days)
        return all(
            be_tables.limit("perinatal_sessions", day) - used_at_most > be.LOW_AT_MOST
            for day in set(days)
        )
    # E (with or without an agreement) and palliative: no cap, so no quota warning.
    return True


# ------------------------------------------------------------------------- the Netherlands

# Osteoarthritis: one entitlement for all the patient's joints, its window starting at the
# earliest of them (S-ART) - dropping an old one would move the window of the others.
# COPD: the treatment years run on until as_of, so a period always contains as_of and may
# warn (a cap of 3 or fewer, the year ending within 30 days). Both are always kept.
_NL_ALWAYS_KEPT = ("osteoarthritis", "copd")
_NL_CAPPED = ("claudication", "pelvic_floor", "rheumatoid_arthritis")


def _nl_cut(case: Case) -> date:
    """Return the Dutch cut: the cut, moved back over every year a carry-over links (A8).

    A year's supplementary allowance depends on the year before only through the carried
    treatments (``netherlands._Ledger._carried``); a year into which nothing can carry
    depends on its own sessions alone. Everything else of the money pass is per year (the
    allowance, the eigen risico) or per day (one reimbursed session a day).
    """
    coverage: dict[int, Coverage] = {}
    for c in case.patient.coverage:
        coverage.setdefault(c.year, c)  # as the ledger: a duplicate year keeps the first
    year = cut_date(case.as_of).year
    while _carries_into(coverage, year):
        year -= 1
    return date(year, 1, 1)


def _carries_into(coverage: dict[int, Coverage], year: int) -> bool:
    before, now = coverage.get(year - 1), coverage.get(year)
    return (
        before is not None
        and now is not None
        and before.carry_over_max > 0
        and before.treatments is not None
        and now.treatments is not None
    )


def _nl_dropped(case: Case, dates: EpisodeDates) -> set[str]:
    """Return the Dutch episodes to drop.

    Between episodes the Dutch engine shares only the osteoarthritis entitlement (kept) and
    the money pass (see ``_nl_cut``): a dropped episode has sessions only before the Dutch
    cut, so every allowance, eigen risico and day from that year on is unchanged, and with
    them every money warning and pool of a kept session on or after the cut. The basic pass
    is per episode.
    """
    as_of = case.as_of
    born = case.patient.birth_date
    return _candidates(
        case, _nl_cut(case), lambda ep, days: _nl_quiet(ep, days, as_of, born), dates
    )


def _nl_quiet(episode: Episode, days: list[date], as_of: date, born: date) -> bool:
    """Tell whether a Dutch episode with all sessions before the cut warns at ``as_of``.

    Its session warnings (``period_ended``, ``second_session_same_day``) name a session
    before the cut; ``age_transition`` needs a session in the as_of year. What remains:
    ``referral_missing`` (any non-regular episode), ``basic_starts`` (chronic), and the
    quota and ``period_ending`` warnings of a period containing or ending just after as_of.
    Children's series count per calendar year in which the episode has sessions (or its
    priors), none of them the as_of year, and have no ``period_ending``.
    """
    category = episode.category
    if category == "regular":
        return True
    if category in _NL_ALWAYS_KEPT or episode.referral is None:
        return False
    if category == "chronic":
        return _chronic_quiet(episode, days, as_of, born)
    if category in _NL_CAPPED:
        return _capped_quiet(episode, days, as_of)
    return False  # unknown category: the engine raises, keep it


def _chronic_quiet(episode: Episode, days: list[date], as_of: date, born: date) -> bool:
    """A chronic term has no cap; it warns when it ends soon or when basic starts next (B2)."""
    start = episode.first_treatment_on or min(days)
    end = nl.chronic_term(episode, start)
    if end is not None and as_of <= end - timedelta(days=1) <= as_of + nl.SOON:
        return False  # period_ending
    in_term = end is None or as_of < end
    if not in_term or not nl.is_adult(born, as_of):
        return True
    # ``_Chronic.run``: the adult count after the last session up to as_of - every session
    # here is before as_of - is the priors (if it began in adulthood) plus each adult session.
    counted = (episode.prior_treatments if nl.is_adult(born, start) else 0) + sum(
        1 for day in days if nl.is_adult(born, day)
    )
    return counted != nl.first_unpaid(as_of)


def _capped_quiet(episode: Episode, days: list[date], as_of: date) -> bool:
    """A scheme window warns while it contains as_of or ends within 30 days after it.

    Its start is ``first_treatment_on`` or one of the session dates (``_scheme_starts``);
    every candidate start must give a window ended by as_of.
    """
    starts = set(days)
    if episode.first_treatment_on is not None:
        starts.add(episode.first_treatment_on)
    for start in starts:
        params = nl_tables.scheme(episode.category, start)
        if params is None:
            continue  # the scheme is not available then: this cannot be the start
        if not params.window_months:
            return False  # no window: the period never ends
        if nl.add_months(start, params.window_months) > as_of:
            return False
    return True


# ------------------------------------------------------------------- how long warnings hold

# Every day a rule parameter starts or stops: the Belgian warnings read parameters at as_of
# (the courante series and situations, the overflow pool), the rest at a session's date.
_PARAMETER_CHANGES = tuple(
    sorted(
        {p.valid_from for p in be_tables.PARAMETERS if p.valid_from != be_tables.SINCE_EVER}
        | {p.valid_until for p in be_tables.PARAMETERS if p.valid_until is not None}
    )
)


def stable_until(
    case: Case,
    result: Result,
    unread: Iterable[Episode] = (),
    dates: EpisodeDates | None = None,
) -> date:
    """Return a day after ``case.as_of`` before which Needs attention cannot change by itself.

    ``case`` is what was read, ``result`` the actionable result of its ``relevant_case`` and
    ``unread`` the episodes whose sessions were not read (``unloaded``): an episode left out
    either way may still warn later (an agreement coming to an end). For the same records, the
    actionable warnings of every day from ``case.as_of`` up to the day before the one returned
    are the ones of ``case.as_of`` (``tests/engine/test_attention_horizon.py`` checks it
    against full evaluations).

    The Dutch rules read as_of in many places (ages, terms, the treatment counted so far):
    their warnings are taken to hold for ``case.as_of`` only. ``dates``:
    ``episode_dates(case)``, if already gathered.
    """
    as_of = case.as_of
    if case.country != "BE":
        return as_of + timedelta(days=1)
    # Belgian outcomes of sessions never read as_of; what does (be.Evaluation.result):
    # - the as_of year: the courante series and situations (C1, C6), the Fb slice (FB2),
    #   the overflow pool (C5) and the cut of what is actionable (A8) - 1 January;
    # - the parameters in force at as_of - the days they change;
    # - a quota warns only while its period runs (end >= as_of): for Fa and an E agreement,
    #   the day after the period ends (courante and Fb slices end on 31 December);
    # - agreement_ending and period_ending fire from 30 days before the end to the end: the
    #   first day of that window and the day after it. Fb periods end on 31 December (FB1),
    #   so their window opens on 1 December.
    # An unread episode stays unread while these hold (unloaded_categories: its Fa or Fb
    # period has ended, its courante year is over), except for an agreement coming to an end.
    changes = [date(as_of.year + 1, 1, 1), *[day for day in _PARAMETER_CHANGES if day > as_of][:1]]
    windows: list[date] = []  # the last days of ending windows
    for quota in result.quotas:
        if quota.period_end is not None:
            changes.append(quota.period_end + timedelta(days=1))
            if quota.counter == "fa":
                windows.append(quota.period_end)
    # - prescription_low fires while the episode had a session within TREATED_RECENTLY of
    #   as_of (the day after, if it fires), and counts a prescription not started yet only
    #   up to its deadline: for an episode in treatment, the day after each deadline (every
    #   prescription's: more change days are only safe). An episode not in treatment stays
    #   so as as_of moves on.
    if dates is None:
        dates = episode_dates(case)
    low = {w.episode for w in result.warnings if w.code == "prescription_low"}
    for episode in case.episodes:
        if not episode.prescriptions or episode.id not in dates:
            continue
        treated = dates[episode.id][-1]  # the episode's last session
        if treated >= as_of - be.TREATED_RECENTLY:
            if episode.id in low:
                changes.append(treated + be.TREATED_RECENTLY + timedelta(days=1))
            changes += [
                be.prescription_deadline(rx.date) + timedelta(days=1)
                for rx in episode.prescriptions
            ]
    for episode in (*case.episodes, *unread):
        for agreement in episode.agreements:
            if agreement.granted and agreement.until is not None:
                windows.append(agreement.until)
        if episode.category == "fb":
            windows.append(date(as_of.year, 12, 31))
    for end in windows:
        changes += [end - be.ENDING_SOON, end + timedelta(days=1)]
    return min(day for day in changes if day > as_of)


_TRIMMING: dict[str, Callable[[Case, EpisodeDates], set[str]]] = {
    "BE": _be_dropped,
    "NL": _nl_dropped,
}
