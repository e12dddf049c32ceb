"""The pure reimbursement engine: no Django, no clock, no database.

``evaluate(case)`` picks the jurisdiction module by country code from a plain dict.
``RUNNING`` says whether the pure modules or their compiled build run
(``reimburse/compiled_engine.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

# isort: off
# First: when asked, the compiled build must be in front before any engine module is imported.
from reimburse.compiled_engine import RUNNING as RUNNING

# isort: on
from reimburse.engine import be, nl
from reimburse.engine.errors import RulesNotInForce, UnknownCountry
from reimburse.engine.types import Case, Jurisdiction, Result, Warning
from reimburse.engine.vocabulary import SEVERITY, WarningCode

JURISDICTIONS: dict[str, Jurisdiction] = {"BE": be, "NL": nl}


def evaluate(case: Case, *, outcomes: bool = True) -> Result:
    """Return how every session of the case is reimbursed, its quotas, pools and warnings.

    ``outcomes=False`` leaves the result's ``sessions`` empty and spares building them; the
    quotas, pools and warnings are those of the full evaluation. Raises an ``EngineError``
    when the case cannot be evaluated (``RulesNotInForce`` for a date no rule covers).
    """
    jurisdiction = JURISDICTIONS.get(case.country)
    if jurisdiction is None:
        raise UnknownCountry(case.country)
    return jurisdiction.evaluate(case, outcomes=outcomes)


def evaluate_known(case: Case, *, outcomes: bool = True) -> Result:
    """Evaluate the sessions the rules cover, and say which dates they do not cover.

    The one way stored records meet a date no rule table covers (a session of 2010): the
    sessions on such dates are left out of the evaluation - a session the rules cannot judge
    counts nowhere - and one blocking ``rules_unknown`` warning names the first of them and
    lists their dates. When leaving sessions out does not help (the uncovered date is not a
    session's), ``RulesNotInForce`` is raised as by ``evaluate``.
    """
    uncovered: set[date] = set()
    current = case
    while True:
        try:
            result = evaluate(current, outcomes=outcomes)
            break
        except RulesNotInForce as exc:
            if exc.covered_from is not None:
                left_out = {s.date for s in current.sessions if s.date < exc.covered_from}
            else:
                left_out = {s.date for s in current.sessions if s.date == exc.day}
            if not left_out:
                raise
            uncovered |= left_out
            current = replace(
                current, sessions=tuple(s for s in current.sessions if s.date not in left_out)
            )
    if not uncovered:
        return result
    dropped = [s for s in case.sessions if s.date in uncovered]
    first = min(dropped, key=lambda s: s.date)
    warning = Warning(
        WarningCode.RULES_UNKNOWN,
        SEVERITY[WarningCode.RULES_UNKNOWN],
        episode=first.episode,
        session=first.id,
        params={"count": len(dropped), "dates": tuple(sorted(uncovered))},
    )
    return replace(result, warnings=(warning, *result.warnings))
