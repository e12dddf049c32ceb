"""Needs attention computed from the records: what the practice can still act on.

``actionable_evaluations`` evaluates each patient's ``horizon.relevant_case`` without session
outcomes and keeps the warnings ``horizon.actionable`` keeps; for a Belgian practice the
episodes ``horizon.unloaded`` leaves out are not even read (``unread_episodes``, the same
selection in SQL; ``tests/attention/test_needs_attention_trimming.py`` checks that the two
agree). Each result carries ``horizon.stable_until``: how long it holds, the records unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from practice.models import AgreementRequest, Episode, Patient, Practice, TreatmentSession
from reimburse import engine
from reimburse.attention import horizon
from reimburse.engine import be
from reimburse.engine.errors import EngineError
from reimburse.engine.vocabulary import GRANTED
from reimburse.services import PatientEvaluation, practice_cases, rules_unknown


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
    skip = None
    if practice.country == "BE":
        skip = unread_episodes(practice, as_of, patients)
    for found in practice_cases(practice=practice, as_of=as_of, patients=patients, skip=skip):
        case = found.case
        try:
            relevant = horizon.relevant_case(case)
            # Needs attention shows warnings only: no session outcomes are built.
            result = engine.evaluate_known(relevant, outcomes=False)
            result = horizon.actionable(result, relevant)
            until = horizon.stable_until(case, result, found.unread)
        except EngineError as error:  # RulesNotInForce not a session's, UnknownCategory…
            # The rules may cover the next day: try again then.
            result, until = rules_unknown(case, error), as_of + timedelta(days=1)
        yield PatientEvaluation(
            found.patient_id, found.patient_name, found.episode_titles, result, until
        )


# Up to this many patients with a shared day are named in the SQL; more, and the query that
# finds them is repeated as a subquery instead (slower, never a parameter list without end).
SHARED_DAY_PATIENTS_INLINE = 500


def unread_episodes(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> QuerySet[Episode]:
    """Return the practice's Belgian episodes ``horizon.unloaded`` leaves out, in SQL.

    The candidates: episodes of a category in ``unloaded_categories`` with sessions, none on
    or after that category's day, with no granted agreement ending within ``be.ENDING_SOON`` of
    ``as_of``. Left out: the candidates of the patients none of whose days before the cut
    has a session of an episode that is not a candidate and one of another episode. Finding
    those patients costs one query here; the queryset returned is evaluated again by each query
    that uses it (about 0.05 s on SQLite and 0.12 s on PostgreSQL at 5,000 patients).
    With ``patients`` (some of the practice's), only their episodes are looked at.
    """
    active = TreatmentSession.objects.filter(cancelled_at__isnull=True)
    by_day: defaultdict[date, list[str]] = defaultdict(list)
    for category, before in horizon.unloaded_categories(as_of).items():
        by_day[before].append(category)
    categories = Q()
    for before, names in by_day.items():
        later = active.filter(episode=OuterRef("pk"), date__gte=before)
        categories |= Q(~Exists(later), category__in=names)
    episodes = Episode.objects.filter(patient__practice=practice).order_by()
    if patients is not None:  # every query below goes through these episodes
        episodes = episodes.filter(patient__in=patients.values("pk"))
    # ``horizon._agreement_ending``: a granted agreement (decided, not a draft) ending soon.
    ending = AgreementRequest.objects.filter(
        episode=OuterRef("pk"),
        status__in=[str(s) for s in GRANTED],
        granted_until__range=(as_of, as_of + be.ENDING_SOON),
    )
    candidates = (
        episodes.filter(categories, Exists(active.filter(episode=OuterRef("pk"))))
        .exclude(Exists(ending))
        .values("pk")
    )
    # The old sessions of the episodes that are read, each with a session of another episode
    # of the patient on its day (SQLite probes ``session_episode_date_idx`` per session;
    # PostgreSQL hashes the practice's old sessions: 0.12 s and 0.26 s at 5,000 patients).
    cut = horizon.cut_date(as_of)
    same_day = active.filter(
        practice=practice,
        date__lt=cut,
        episode__patient=OuterRef("episode__patient"),
        date=OuterRef("date"),
    ).exclude(episode=OuterRef("episode"))
    if patients is not None and connections[episodes.db].vendor == "postgresql":
        # Else PostgreSQL hashes every old session of the practice; SQLite, which probes the
        # index per row, would evaluate this for each (5 s instead of 1.5 s for 1,000 of
        # 5,000 patients, measured).
        same_day = same_day.filter(episode__in=episodes)
    shared_day: QuerySet[Any] = (
        active.filter(
            practice=practice, date__lt=cut, episode__in=episodes.exclude(pk__in=candidates)
        )
        .filter(Exists(same_day))
        .values_list("episode__patient", flat=True)
        .distinct()
        .order_by()
    )
    shared = list(shared_day[: SHARED_DAY_PATIENTS_INLINE + 1])
    return episodes.filter(pk__in=candidates).exclude(
        patient__in=shared if len(shared) <= SHARED_DAY_PATIENTS_INLINE else shared_day
    )
