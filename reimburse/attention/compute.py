"""Needs attention computed from the records: what the practice can still act on.

``actionable_evaluations`` evaluates each patient's ``horizon.relevant_case`` without session
outcomes and keeps the warnings ``horizon.actionable`` keeps; for a Belgian practice the
episodes ``horizon.unloaded`` leaves out are not even read (``unread_episodes``, the same
selection in SQL; ``tests/attention/test_needs_attention_trimming.py`` checks that the two
agree). Each result carries ``horizon.stable_until``: how long it holds, the records unchanged.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from practice.models import AgreementRequest, Episode, Patient, Practice, TreatmentSession
from reimburse import engine
from reimburse.attention import horizon
from reimburse.engine import be
from reimburse.engine.errors import EngineError
from reimburse.engine.vocabulary import GRANTED
from reimburse.services import (
    EPISODE_ROW,
    PatientCase,
    PatientEvaluation,
    episode_rows,
    fetched_date,
    ids_sql,
    plain_rows,
    practice_cases,
    rules_unknown,
)


def actionable_evaluations(
    *, practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> Iterator[PatientEvaluation]:
    """Evaluate what each patient's Needs attention shows, and until when it holds.

    The result holds only what the practice can still act on: no warning naming a session
    before 1 January of the year before ``as_of``, no quota of an episode that lies wholly
    before it and cannot warn, and no session outcomes (``sessions`` is empty); every other
    warning and pool is what the full evaluation gives. A patient the rules cannot evaluate
    gets one blocking ``rules_unknown`` warning and is tried again the next day.
    """
    with _collector_paused():
        yield from _actionable_evaluations(practice, as_of, patients)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, as it was before on the way out.

    A practice's evaluation builds a few objects per session and keeps every patient's
    result: each full collection on the way visits all of them (a tenth of the work at 5,000
    patients). Nothing here makes reference cycles (the engine leaves none:
    ``tests/engine/test_no_garbage_cycles.py``), so reference counting frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _actionable_evaluations(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None
) -> Iterator[PatientEvaluation]:
    skip: frozenset[int] = frozenset()
    suspects: frozenset[int] = frozenset()
    episodes = None
    if practice.country == "BE":
        selection = _unread_selection(practice, as_of, patients)
        skip, suspects = selection.unread, selection.undecided
        episodes = selection.episodes  # read once, for the selection and the facts
    for found in practice_cases(
        practice=practice, as_of=as_of, patients=patients, skip=skip, episodes=episodes
    ):
        if found.patient_id in suspects:
            # Read whole (none of its episodes skipped): what the SQL would leave unread, known
            # only from its days, is left out here - the same case as if never read.
            found = _without(found, horizon.unloaded(found.case))
        case = found.case
        # One pass over the case's sessions for the horizon's three steps, not one each.
        dates = horizon.episode_dates(case)
        try:
            relevant = horizon.relevant_case(case, dates)
            # Needs attention shows warnings only: no session outcomes are built.
            result = engine.evaluate_known(relevant, outcomes=False)
            result = horizon.actionable(result, relevant, dates)
            until = horizon.stable_until(case, result, found.unread, dates)
        except EngineError as error:  # RulesNotInForce not a session's, UnknownCategory…
            # The rules may cover the next day: try again then.
            result, until = rules_unknown(case, error), as_of + timedelta(days=1)
        yield PatientEvaluation(
            found.patient_id, found.patient_name, found.episode_titles, result, until
        )


def unread_episodes(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> frozenset[int]:
    """Return the ids of the practice's Belgian episodes ``horizon.unloaded`` leaves out.

    The candidates: episodes of a category in ``unloaded_categories`` with sessions, none on
    or after that category's day, with no granted agreement ending within ``be.ENDING_SOON`` of
    ``as_of``, and none of their sessions given elsewhere. Left out: the candidates of the
    patients none of whose days before the cut has a session of an episode that is not a
    candidate and one of another episode. With ``patients`` (some of the practice's), only
    their episodes are looked at.

    ``_unread_selection`` (two queries), then the days of the candidates of the patients it
    leaves undecided (a third). Needs attention reads those patients whole instead and leaves
    the same episodes out after reading them (``actionable_evaluations``).
    """
    selection = _unread_selection(practice, as_of, patients)
    unread = set(selection.unread)
    if selection.suspects:
        active = TreatmentSession.objects.filter(cancelled_at__isnull=True)
        vendor = connections[active.db].vendor
        shared: set[int] = set()
        for episode, day in plain_rows(
            active.filter(episode__in=ids_sql(selection.suspects, vendor))
            .order_by()
            .annotate(day=fetched_date("date", vendor))
            .values_list("episode_id", "day")
        ):
            patient = selection.suspects[episode]
            if day in selection.read_days[patient]:
                shared.add(patient)
        unread |= {pk for pk, patient in selection.suspects.items() if patient not in shared}
    return frozenset(unread)


@dataclass(frozen=True)
class _Selection:
    unread: frozenset[int]  # the episodes left out
    # Every episode looked at, as ``practice_cases`` reads them (``episode_rows``).
    episodes: list[tuple[Any, ...]]
    # The candidates of the patients undecided (episode: patient), and the days before the cut
    # of those patients' episodes that are read: a candidate on one of them is not left out.
    suspects: dict[int, int]
    read_days: dict[int, dict[date, int]]

    @property
    def undecided(self) -> frozenset[int]:
        return frozenset(self.suspects.values())


def _unread_selection(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None
) -> _Selection:
    """Decide ``unread_episodes`` without the candidates' days, in two queries.

    Each selection is evaluated once, and no session is read twice: the episodes with the
    first and last day of their sessions (two index probes each), then the days before the
    cut of the other episodes of the candidates' patients. A patient is undecided when one of
    its candidates' first-to-last span holds one of those days. (A grouping of every session
    before the cut in the database, by patient and day, cost as much as reading the rows of
    the whole practice.)
    """
    before = horizon.unloaded_categories(as_of)
    cut = horizon.cut_date(as_of)
    active = TreatmentSession.objects.filter(cancelled_at__isnull=True)
    of_episode = active.filter(episode=OuterRef("pk"))
    # ``horizon._agreement_ending``: a granted agreement (decided, not a draft) ending soon.
    ending = AgreementRequest.objects.filter(
        episode=OuterRef("pk"),
        status__in=[str(s) for s in GRANTED],
        granted_until__range=(as_of, as_of + be.ENDING_SOON),
    )
    episodes = Episode.objects.filter(patient__practice=practice).order_by()
    vendor = connections[episodes.db].vendor
    fetched_day = fetched_date("date", vendor)
    if patients is not None:
        episodes = episodes.filter(patient__in=patients.values("pk"))
    # The episodes' facts come with the selection's columns: one read of them for both.
    rows = episode_rows(
        episodes.annotate(
            # As fetched (SQLite's text, each distinct day converted once), not through the
            # driver's converter per row.
            first=Subquery(of_episode.order_by("date").values(day=fetched_day)[:1]),
            last=Subquery(of_episode.order_by("-date").values(day=fetched_day)[:1]),
            ending=Exists(ending),
            # ``horizon._began_elsewhere``: sessions given at another practice.
            elsewhere=ExpressionWrapper(
                ~Q(prior_sessions={}) | Q(first_session_on__isnull=False),
                output_field=BooleanField(),
            ),
        ),
        "first",
        "last",
        "ending",
        "elsewhere",
    )
    candidates: dict[int, tuple[int, date, date]] = {}  # episode: patient, first, last day
    old: dict[int, int] = {}  # the other episodes with sessions before the cut: patient
    for row in rows:
        pk, patient, category = row[0], row[1], row[_CATEGORY]
        first, last, ends, elsewhere = row[-4:]
        day = before.get(category)
        if day is not None and last is not None and last < day and not ends and not elsewhere:
            candidates[pk] = (patient, first, last)
        elif first is not None and first < cut:
            old[pk] = patient
    if not candidates:
        return _Selection(frozenset(), rows, {}, {})
    owners = {patient for patient, _, _ in candidates.values()}
    watched = [pk for pk, patient in old.items() if patient in owners]
    # A patient is read whole if a day before the cut has sessions of two episodes or more,
    # one of them read: two read ones, seen here, or a read one and a candidate (undecided).
    days_of: defaultdict[int, dict[date, int]] = defaultdict(dict)
    shared: set[int] = set()
    if watched:
        for episode, day in plain_rows(
            active.filter(episode__in=ids_sql(watched, vendor), date__lt=cut)
            .order_by()
            .annotate(day=fetched_date("date", vendor))
            .values_list("episode_id", "day")
        ):
            patient = old[episode]
            if days_of[patient].setdefault(day, episode) != episode:
                shared.add(patient)
    sorted_days = {patient: sorted(days) for patient, days in days_of.items()}
    undecided = {
        patient
        for patient, first, last in candidates.values()
        if patient not in shared and _any_within(sorted_days.get(patient, ()), first, last)
    }
    return _Selection(
        episodes=rows,
        unread=frozenset(
            pk
            for pk, (patient, _, _) in candidates.items()
            if patient not in shared and patient not in undecided
        ),
        suspects={
            pk: patient for pk, (patient, _, _) in candidates.items() if patient in undecided
        },
        read_days={patient: days_of[patient] for patient in undecided},
    )


_CATEGORY = EPISODE_ROW.index("category")


def _without(found: PatientCase, unread: set[str]) -> PatientCase:
    """Return a case read whole as ``practice_cases`` gives it with ``unread`` skipped."""
    if not unread:
        return found
    case = found.case
    return replace(
        found,
        case=replace(
            case,
            episodes=tuple(e for e in case.episodes if e.id not in unread),
            sessions=tuple(s for s in case.sessions if s.episode not in unread),
        ),
        episode_titles={k: v for k, v in found.episode_titles.items() if k not in unread},
        unread=tuple(replace(e, prescriptions=()) for e in case.episodes if e.id in unread),
    )


def _any_within(days: Sequence[date], first: date, last: date) -> bool:
    """Tell whether the sorted ``days`` have one from ``first`` to ``last``."""
    at = bisect_left(days, first)
    return at < len(days) and days[at] <= last
