"""Placeholder: the belgium rules are being written (see the open issue)."""

from reimburse.engine.types import Case, Result


def evaluate(case: Case) -> Result:
    raise NotImplementedError("belgium rules not implemented yet")
