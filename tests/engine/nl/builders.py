"""Builders for Dutch engine tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reimburse.engine.types import NlAmounts, Reason, Session, SessionOutcome

PRICE = Decimal("40.00")


def every(start: date, count: int, days: int = 7) -> list[date]:
    """Return ``count`` dates ``days`` apart from ``start``."""
    return [start + timedelta(days=days * n) for n in range(count)]


def sessions(episode: str, dates: Iterable[date], price: Decimal | None = PRICE) -> list[Session]:
    return [Session(f"{episode}-{n}", day, episode, price=price) for n, day in enumerate(dates, 1)]


@dataclass(frozen=True)
class Split:
    """A Dutch session's money with every part known (``NlAmounts`` allows an unknown split)."""

    price: Decimal
    insurer: Decimal
    deductible: Decimal
    patient: Decimal


def nl(outcome: SessionOutcome) -> Split:
    """The session's money; fails when it has none or its split is unknown."""
    amounts = outcome.amounts
    assert isinstance(amounts, NlAmounts), outcome
    insurer, deductible, patient = amounts.insurer, amounts.deductible, amounts.patient
    assert insurer is not None and deductible is not None and patient is not None, outcome
    return Split(amounts.price, insurer, deductible, patient)


def statuses(outcomes: Sequence[SessionOutcome]) -> list[str]:
    return [o.status for o in outcomes]


def deductibles(outcomes: Sequence[SessionOutcome]) -> list[Decimal]:
    return [nl(o).deductible for o in outcomes]


def basis(outcome: SessionOutcome) -> Reason:
    """The basic-insurance verdict a Dutch session's payment followed from."""
    found = outcome.reason.params["basis"]
    assert isinstance(found, Reason), outcome.reason
    return found
