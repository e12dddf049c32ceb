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

from django.db import connections
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet

from practice.models import AgreementRequest, Episode, Patient, Practice, TreatmentSession
from reimburse import engine
from reimburse.attention import horizon
from reimburse.engine import be
from reimburse.engine.errors import EngineError
from reimburse.engine.vocabulary import GRANTED
from reimburse.services import PatientEvaluation, ids_sql, practice_cases, rules_unknown


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
    skip: frozenset[int] = frozenset()
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


def unread_episodes(
    practice: Practice, as_of: date, patients: QuerySet[Patient] | None = None
) -> frozenset[int]:
    """Return the ids of the practice's Belgian episodes ``horizon.unloaded`` leaves out.

    The candidates: episodes of a category in ``unloaded_categories`` with sessions, none on
    or after that category's day, with no granted agreement ending within ``be.ENDING_SOON`` of
    ``as_of``. Left out: the candidates of the patients none of whose days before the cut
    has a session of an episode that is not a candidate and one of another episode.
    Two queries, each selection evaluated once: the candidates (with their patients), then
    the days before the cut with sessions of two episodes or more, one of them not a
    candidate (the candidates travel as one parameter: ``ids_sql``). With ``patients``
    (some of the practice's), only their episodes are looked at.
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
    if patients is not None:
        episodes = episodes.filter(patient__in=patients.values("pk"))
    # ``horizon._agreement_ending``: a granted agreement (decided, not a draft) ending soon.
    ending = AgreementRequest.objects.filter(
        episode=OuterRef("pk"),
        status__in=[str(s) for s in GRANTED],
        granted_until__range=(as_of, as_of + be.ENDING_SOON),
    )
    candidates = dict(
        episodes.filter(categories, Exists(active.filter(episode=OuterRef("pk"))))
        .exclude(Exists(ending))
        .values_list("pk", "patient_id")
    )
    if not candidates:
        return frozenset()
    # The patients with a day before the cut that has sessions of two episodes or more, one
    # of them read: one pass over the old sessions, grouped by patient and day (the former
    # correlated "another episode on that day" probe, with the candidates' subquery inside,
    # took 0.85-1.15 s on PostgreSQL at 5,000 patients; this 0.4-1.0 s on a loaded machine).
    old = active.filter(
        practice=practice,
        date__lt=horizon.cut_date(as_of),
    ).order_by()
    vendor = connections[episodes.db].vendor
    # Only the candidates' patients have anything to leave out.
    old = old.filter(episode__patient__in=ids_sql(set(candidates.values()), vendor))
    is_candidate = Q(episode__in=ids_sql(candidates, vendor))
    shared = {
        row["episode__patient"]
        for row in old.values("episode__patient", "date")
        # Two episodes or more: their smallest and largest ids differ (a COUNT(DISTINCT)
        # would make PostgreSQL sort the old sessions rather than hash them).
        .annotate(first=Min("episode"), last=Max("episode"), read=Count("pk", filter=~is_candidate))
        .filter(read__gt=0)
        .exclude(first=F("last"))
    }
    return frozenset(pk for pk, patient in candidates.items() if patient not in shared)
