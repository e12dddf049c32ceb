"""Most urgent first: what Needs attention ranks a stored warning on, from its code and parameters.

The page ranks by severity, then the days left before the date a warning is about (a limit
already reached has none left; a warning without such a date comes after every dated one),
then the kind of warning (``CODE_RANK``), then the patient's name. A warning repeated for
several sessions of one episode is one row: the most severe, then the first of the list,
which says how many more there are. ``ranking`` writes what a stored list needs for that
beside it (``AttentionSnapshot.ranking``), so that the page ranks, counts and pages in the
database and reads the parameters of the rows it shows only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reimburse import actions

SEVERITY_RANK = {"blocking": 0, "warning": 1, "info": 2}
UNKNOWN_SEVERITY = 3
# What the practice must act on soonest within a severity: exhausted before low; pending
# notifications and agreements; prescriptions; periods ending.
CODE_RANK = {
    code: rank
    for rank, codes in enumerate(
        (
            ("quota_exhausted", "pool_exhausted", "allowance_exhausted", "situations_exceeded"),
            ("notification_missing", "agreement_missing", "referral_missing"),
            ("prescription_late_start", "prescription_missing", "prescription_used_up"),
            ("quota_low", "pool_low", "allowance_low"),
            ("period_ended", "period_ending", "agreement_ending"),
        )
    )
    for code in codes
}
UNKNOWN_CODE = 9

# Warnings that say a limit is reached: no day left, and shown stronger than "almost used".
REACHED = frozenset(
    {
        "quota_exhausted",
        "pool_exhausted",
        "allowance_exhausted",
        "prescription_used_up",
        "period_ended",
        "situations_exceeded",
    }
)


def severity_rank(severity: str) -> int:
    return SEVERITY_RANK.get(severity, UNKNOWN_SEVERITY)


def code_rank(code: str) -> int:
    return CODE_RANK.get(code, UNKNOWN_CODE)


def reached(code: str, params: Mapping[str, Any]) -> bool:
    """Whether the warning says a limit is reached now (a prescription with nothing left)."""
    return code in REACHED or (code == "prescription_low" and not params.get("remaining"))


def deadline(code: str, params: Mapping[str, Any]) -> date | None:
    """Return the date the warning is about (an agreement's or a period's end), if any.

    ``actions.days_left`` counted from the first day there is: the same reading of the
    parameters as the page's days left, whatever the day asked for.
    """
    days = actions.days_left(code, params, date.min)
    return None if days is None else date.fromordinal(date.min.toordinal() + days)


def ranking(warnings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return, for each of a patient's stored warnings in order, what the list ranks it on.

    ``lead``: the row shown for its episode and code (the most severe, then the first);
    ``more``: how many others of the same episode and code it stands for (0 on the others).
    """
    leads: dict[tuple[Any, str], int] = {}
    counts: dict[tuple[Any, str], int] = {}
    for index in sorted(range(len(warnings)), key=lambda i: severity_rank(warnings[i]["severity"])):
        w = warnings[index]
        key = (w["episode"] or None, w["code"])
        leads.setdefault(key, index)
        counts[key] = counts.get(key, 0) + 1
    found = []
    for index, w in enumerate(warnings):
        key = (w["episode"] or None, w["code"])
        lead = leads[key] == index
        day = deadline(w["code"], w["params"])
        found.append(
            {
                "lead": lead,
                "more": counts[key] - 1 if lead else 0,
                "severity_rank": severity_rank(w["severity"]),
                "code_rank": code_rank(w["code"]),
                "reached": reached(w["code"], w["params"]),
                "deadline": day.isoformat() if day else None,
            }
        )
    return found
