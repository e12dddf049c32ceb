"""Builders for Dutch engine tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from reimburse.engine.types import NlAmounts, Reason, Session, SessionOutcome

PRICE = Decimal("40.00")


def every(start: date, count: int, days: int = 7) -> list[date]:
    """Return ``count`` dates ``days`` apart from ``start``."""
    return [start + timedelta(days=days * n) for n in range(count)]


def sessions(episode: str, dates: Iterable[date], price: Decimal | None = PRICE) -> list[Session]:
    return [Session(f"{episode}-{n}", day, episode, price=price) for n, day in enumerate(dates, 1)]


def nl(outcome: SessionOutcome) -> NlAmounts:
    assert isinstance(outcome.amounts, NlAmounts), outcome
    return outcome.amounts


def statuses(outcomes: Sequence[SessionOutcome]) -> list[str]:
    return [o.status for o in outcomes]


def deductibles(outcomes: Sequence[SessionOutcome]) -> list[Decimal]:
    return [nl(o).deductible for o in outcomes]


def basis(outcome: SessionOutcome) -> Reason:
    """The basic-insurance verdict a Dutch session's payment followed from."""
    found = outcome.reason.params["basis"]
    assert isinstance(found, Reason), outcome.reason
    return found
