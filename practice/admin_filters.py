"""What the patient admin shows from the engine: the quota column, and filters on its warnings.

The admin never calls the engine itself: it asks the bridge (``reimburse.services.statuses``)
for a batch of patients as of one day and turns each engine ``Result`` into plain values here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practice.models import Patient
from reimburse.engine import types as t
from reimburse.services import statuses

# Where the evaluated state of a changelist row is attached to its Patient instance.
STATE_ATTRIBUTE = "_admin_quota_state"


@dataclass(frozen=True)
class QuotaState:
    """What the patient list shows of one patient's outcome as of one day."""

    quota: str  # "3 left of 18 (Back pain)", "" when no limited quota applies
    remaining: int | None
    warning_count: int
    warning_codes: frozenset[str]


def admin_today() -> date:
    """Return today in the project's time zone (Europe/Brussels): the admin's ``as_of``."""
    return timezone.localdate()


def tightest_quota(result: t.Result) -> t.Quota | None:
    """Return the limited quota with the fewest sessions left (ties: the smaller limit).

    The engine reports one row per episode counter for the ``as_of`` period; counters without
    a limit (E inside an agreement, a lifelong chronic term) never run out, so they are skipped.
    """
    limited = [q for q in result.quotas if q.limit is not None and q.remaining is not None]
    if not limited:
        return None
    return min(limited, key=lambda q: (q.remaining or 0, q.limit or 0))


def quota_state(result: t.Result, episode_titles: dict[str, str]) -> QuotaState:
    """Summarise one engine result for a list row."""
    quota = tightest_quota(result)
    text = ""
    if quota is not None:
        title = episode_titles.get(quota.episode, quota.counter)
        text = _("%(left)s left of %(limit)s (%(title)s)") % {
            "left": quota.remaining,
            "limit": quota.limit,
            "title": title,
        }
    return QuotaState(
        quota=str(text),
        remaining=quota.remaining if quota else None,
        warning_count=len(result.warnings),
        warning_codes=frozenset(w.code for w in result.warnings),
    )


def evaluate_states(patients: QuerySet[Patient], *, as_of: date) -> dict[int, QuotaState]:
    """Evaluate every patient of the queryset in one batch (a fixed number of queries)."""
    states: dict[int, QuotaState] = {}
    for patient, result in statuses(patients=patients, as_of=as_of):
        # Episodes are prefetched by the bridge, so the titles cost no query.
        titles = {str(e.pk): e.title for e in patient.episodes.all()}
        states[patient.pk] = quota_state(result, titles)
    return states


def attach_states(request: HttpRequest, rows: Iterable[Patient], *, as_of: date) -> None:
    """Attach each row's ``QuotaState`` for the list columns, evaluating the page in one batch.

    A patient the rules cannot evaluate shows its ``rules_unknown`` warning (the bridge maps
    the engine's errors); anything else is a bug and fails loudly.
    """
    rows = list(rows)
    if not rows:
        return
    pks = [row.pk for row in rows]
    states = evaluate_states(Patient.objects.filter(pk__in=pks), as_of=as_of)
    for row in rows:
        setattr(row, STATE_ATTRIBUTE, states.get(row.pk))


def state_of(patient: Patient) -> QuotaState | None:
    """Return the state ``attach_states`` put on a changelist row, if any."""
    state: QuotaState | None = getattr(patient, STATE_ATTRIBUTE, None)
    return state


class EngineWarningFilter(admin.SimpleListFilter):
    """Filter patients by the engine's current warnings.

    The warnings are not stored: they follow from today's date and all of the patient's records,
    so filtering evaluates every patient in the (already practice-scoped) queryset through the
    bridge and keeps the matching primary keys. That is a handful of queries but O(patients)
    engine work per request: fine for a clinic's few thousand patients; a superuser filtering
    across all practices pays for all of them. The evaluation is cached on the request so two
    active engine filters evaluate once.
    """

    # value -> (label, warning codes that match)
    options: dict[str, tuple[Any, frozenset[str]]] = {}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(value, label) for value, (label, _codes) in self.options.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = self.value()
        if value not in self.options:
            return queryset
        codes = self.options[value][1]
        states = _request_states(request, queryset)
        matching = [pk for pk, state in states.items() if state.warning_codes & codes]
        return queryset.filter(pk__in=matching)


def _request_states(request: HttpRequest, queryset: QuerySet[Patient]) -> dict[int, QuotaState]:
    cache: dict[int, QuotaState] | None = getattr(request, "_admin_filter_states", None)
    if cache is None:
        cache = evaluate_states(queryset, as_of=admin_today())
        request._admin_filter_states = cache  # type: ignore[attr-defined]
    return cache


class QuotaFilter(EngineWarningFilter):
    title = _("best-rate / basic quota")
    parameter_name = "quota"
    options = {
        "low": (_("near the end (1-3 left)"), frozenset({"quota_low"})),
        "exhausted": (_("exhausted"), frozenset({"quota_exhausted"})),
    }


class PendingFilter(EngineWarningFilter):
    title = _("pending formalities")
    parameter_name = "pending"
    options = {
        "any": (
            _("notification or agreement"),
            frozenset({"notification_missing", "agreement_missing"}),
        ),
        "notification": (_("notification missing"), frozenset({"notification_missing"})),
        "agreement": (_("agreement missing"), frozenset({"agreement_missing"})),
    }


class LateStartFilter(EngineWarningFilter):
    title = _("prescription")
    parameter_name = "prescription"
    options = {
        "late_start": (_("not started in time"), frozenset({"prescription_late_start"})),
    }
