"""Build the engine's frozen outcome types without their frozen ``__init__``.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, several
times the cost of a plain attribute; both countries' rules build a reason (or two) and an
outcome for every session, so these set the fields on a plain instance of a draft class with
the same slots and then make it the frozen type (``__class__`` assignment, allowed between
classes of one layout). The result is the same type, fields and equality, frozen from then
on. ``_same_fields`` checks at import that they set every field, in the type's slots (the
outcome types have no ``__post_init__`` check).

A draft class is a subclass of its frozen type that adds no slot and takes back ``object``'s
``__setattr__`` and ``__init__``: its instances have the type's own layout, so the
``__class__`` assignment checks no slot names (it does for two sibling classes, a few hundred
machine instructions a session), and its attributes are stored as any plain slot is.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from reimburse.engine.types import BeAmounts, NlAmounts, Reason, SessionOutcome
from reimburse.engine.vocabulary import ReasonCode

object_new = object.__new__


class ReasonDraft(Reason):
    """A ``Reason`` being filled in: plain attribute stores, no ``__init__`` (see above)."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    __init__ = object.__init__


class OutcomeDraft(SessionOutcome):
    """A ``SessionOutcome`` being filled in: plain attribute stores, no ``__init__``."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    __init__ = object.__init__


def new_reason(code: ReasonCode, params: Mapping[str, object]) -> Reason:
    """Return ``Reason(code, params)``, built without the frozen ``__init__``."""
    reason: Any = object_new(ReasonDraft)
    reason.code = code
    reason.params = params
    reason.__class__ = Reason
    return reason


def new_outcome(
    id: str,
    date: date,
    episode: str,
    status: str,
    ordinal: int | None,
    code: str | None,
    extra_codes: tuple[str, ...],
    amounts: BeAmounts | NlAmounts | None,
    rule: str,
    reason: Reason,
    prescription: str | None,
) -> SessionOutcome:
    """Return ``SessionOutcome(...)``, built without the frozen ``__init__``."""
    outcome: Any = object_new(OutcomeDraft)
    outcome.id = id
    outcome.date = date
    outcome.episode = episode
    outcome.status = status
    outcome.ordinal = ordinal
    outcome.code = code
    outcome.extra_codes = extra_codes
    outcome.amounts = amounts
    outcome.rule = rule
    outcome.reason = reason
    outcome.prescription = prescription
    outcome.__class__ = SessionOutcome
    return outcome


def keep_run(
    kept: list[SessionOutcome],
    sessions: Iterable[Any],
    ordinals: Iterable[int | None],
    reasons: Iterable[Reason],
    episode: str,
    status: str,
    code: str | None,
    extra_codes: tuple[str, ...],
    amounts: BeAmounts | NlAmounts | None,
    rule: str,
    prescription: str | None,
) -> None:
    """Append to ``kept`` the outcomes of a run of sessions one decision took: each session's
    id, day, number and reason, the rest shared; ``extra_codes`` are the first one's (S7), the
    others have none. ``new_outcome`` written out, a call less per session; ``kept.append(…)``,
    not a bound ``append``: Python 3.11 specialises a list's method call (about 70 instructions
    an outcome less)."""
    draft, final = OutcomeDraft, SessionOutcome
    # Without ``strict=True``: a keyword makes ``zip`` a call through its ``tp_call`` with a
    # dict, about 1,600 instructions a run; the three have as many items by construction.
    for s, n, reason in zip(sessions, ordinals, reasons):  # noqa: B905
        outcome: Any = draft()  # ``object.__new__``, without its checks
        outcome.id = s.id
        outcome.date = s.date
        outcome.episode = episode
        outcome.status = status
        outcome.ordinal = n
        outcome.code = code
        outcome.extra_codes = extra_codes
        extra_codes = ()
        outcome.amounts = amounts
        outcome.rule = rule
        outcome.reason = reason
        outcome.prescription = prescription
        outcome.__class__ = final
        kept.append(outcome)


def _same_fields(build: Callable[..., object], draft: type, cls: type) -> None:
    names = [f.name for f in fields(cls)]
    if (
        hasattr(cls, "__post_init__")
        or list(inspect.signature(build).parameters) != names
        or list(getattr(cls, "__slots__", ())) != names
        or draft.__bases__ != (cls,)
        or draft.__dict__.get("__slots__") != ()
    ):
        raise TypeError(f"{build.__name__} no longer builds a {cls.__name__}")


_same_fields(new_reason, ReasonDraft, Reason)
_same_fields(new_outcome, OutcomeDraft, SessionOutcome)
