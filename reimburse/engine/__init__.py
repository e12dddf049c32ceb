"""The pure reimbursement engine: no Django, no clock, no database.

``evaluate(case)`` picks the jurisdiction module by country code from a plain dict.
"""

from __future__ import annotations

from reimburse.engine import belgium, netherlands
from reimburse.engine.types import Case, Jurisdiction, Result

JURISDICTIONS: dict[str, Jurisdiction] = {"BE": belgium, "NL": netherlands}


def evaluate(case: Case, *, outcomes: bool = True) -> Result:
    """Return how every session of the case is reimbursed, its quotas, pools and warnings.

    ``outcomes=False`` leaves the result's ``sessions`` empty and spares building them; the
    quotas, pools and warnings are those of the full evaluation.
    """
    return JURISDICTIONS[case.country].evaluate(case, outcomes=outcomes)
