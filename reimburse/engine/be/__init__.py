"""Belgium: kinesitherapy reimbursement under article 7 of the RIZIV/INAMI nomenclature.

The jurisdiction's public interface: ``evaluate(case)`` and the period arithmetic other
packages may rely on (the Needs attention horizon). Everything else is the package's own.
"""

from __future__ import annotations

from reimburse.engine.be.rules import (
    ENDING_SOON,
    LOW_AT_MOST,
    TREATED_RECENTLY,
    evaluate,
    fa_period_end,
    fb_period_end,
    overflow_pool_period,
    prescription_deadline,
)

__all__ = [
    "ENDING_SOON",
    "LOW_AT_MOST",
    "TREATED_RECENTLY",
    "evaluate",
    "fa_period_end",
    "fb_period_end",
    "overflow_pool_period",
    "prescription_deadline",
]
