"""The Netherlands: who pays each physiotherapy session under the Zorgverzekeringswet -
basic insurance, the insurer's supplementary package or the patient.

The jurisdiction's public interface: ``evaluate(case)`` and the facts other packages may rely
on (the Needs attention horizon). Everything else is the package's own.
"""

from __future__ import annotations

from reimburse.engine.nl.rules import (
    SOON,
    add_months,
    chronic_term,
    evaluate,
    first_unpaid,
    is_adult,
)

__all__ = ["SOON", "add_months", "chronic_term", "evaluate", "first_unpaid", "is_adult"]
