"""What the practice should do about each warning, in the reader's language.

``reimburse.explain`` says what a warning *is*; this module says what to *do* about it (ask
the doctor for a new prescription, send the notification, request the agreement). Like the
sentences, actions are written at the edge from the code and its parameters, never in the
engine; every warning code has one (``tests/reimburse/test_actions.py``).

``days_left`` tells how many days remain before the date a warning is about (an agreement's
or a period's end, an 18th birthday): Needs attention ranks on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from reimburse.engine.vocabulary import WarningCode
from reimburse.explain import CATEGORY_NAMES, Params, Reader, label, reading

W = WarningCode
Render = Callable[[Params], str]


def _notification(p: Params) -> str:
    category = label(CATEGORY_NAMES, p.raw("category"))
    return _("Send the %(category)s notification to the advising physician.") % p(category=category)


def _agreement_missing(p: Params) -> str:
    if p.raw("category") == "e" or p.raw("rank") is None:
        return _("Request the advising physician's agreement for these sessions.")
    return _("Request the advising physician's agreement for courante situation %(rank)s.") % p()


def _quota(p: Params) -> str:
    if p.reader.country == "NL":
        return _("Tell the patient which treatments basic insurance will no longer pay.")
    return _("Plan the remaining sessions and tell the patient what changes after them.")


ACTIONS: dict[WarningCode, Render] = {
    W.QUOTA_LOW: _quota,
    W.QUOTA_EXHAUSTED: _quota,
    W.POOL_LOW: lambda p: _("Tell the patient that overflow sessions are running out."),
    W.POOL_EXHAUSTED: lambda p: _("Tell the patient that further sessions are not reimbursed."),
    W.ALLOWANCE_LOW: lambda p: _("Check the patient's cover with the insurer."),
    W.ALLOWANCE_EXHAUSTED: lambda p: _("Check the patient's cover with the insurer."),
    W.PRESCRIPTION_MISSING: lambda p: _("Ask the doctor for a prescription."),
    W.PRESCRIPTION_USED_UP: lambda p: _("Ask the doctor for a new prescription."),
    W.PRESCRIPTION_LATE_START: lambda p: _("Ask the doctor for a new prescription."),
    W.PRESCRIPTION_LOW: lambda p: _("Ask the doctor for a new prescription."),
    W.REFERRAL_MISSING: lambda p: _("Ask the patient for the referral and record it."),
    W.NOTIFICATION_MISSING: _notification,
    W.AGREEMENT_MISSING: _agreement_missing,
    W.AGREEMENT_WAITING: lambda p: _("Follow up the request with the sickness fund."),
    W.AGREEMENT_REFUSED: lambda p: _("Tell the patient, or send a new, better-founded request."),
    W.AGREEMENT_ENDING: lambda p: _("Request an extension before the agreement ends."),
    W.PERIOD_ENDING: lambda p: _("Plan the remaining sessions before the period ends."),
    W.PERIOD_ENDED: lambda p: _("Check the sessions after the end with the patient."),
    W.SITUATIONS_EXCEEDED: lambda p: _("Check that this is really another situation."),
    W.DUPLICATE_SITUATION: lambda p: _("Check whether both episodes are one situation."),
    W.SECOND_SESSION_SAME_DAY: lambda p: _(
        "Cancel or move the second session if it was recorded by mistake."
    ),
    W.BASIC_STARTS: lambda p: _("Tell the patient that the deductible applies from now on."),
    W.AGE_TRANSITION: lambda p: _("Check the transition to adult cover with the insurer."),
    W.RULES_UNKNOWN: lambda p: _("Check the dates and the episode's details."),
    W.TARIFF_UNKNOWN: lambda p: _(
        "Ask an administrator to load the RIZIV tariff table of that period."
    ),
    W.CODE_UNKNOWN: lambda p: _("Check the nomenclature code with the sickness fund."),
    W.DEDUCTIBLE_UNKNOWN: lambda p: _(
        "Enter the year's eigen risico once it is set, or what the insurer says is left."
    ),
}

# The parameter holding the date each warning is about, if it has one.
DEADLINES: dict[WarningCode, str] = {
    W.AGREEMENT_ENDING: "until",
    W.PERIOD_ENDING: "end",
    W.AGE_TRANSITION: "turns",
}


def action_text(code: str, params: Mapping[str, Any], reader: Reader) -> str:
    """Return what to do about a warning, in ``reader``'s language."""
    with reading(reader):
        return ACTIONS[WarningCode(code)](Params(params, reader))


def days_left(code: str, params: Mapping[str, Any], as_of: date) -> int | None:
    """Return the days from ``as_of`` to the date the warning is about (None: no such date)."""
    name = DEADLINES.get(WarningCode(code))
    if name is None:
        return None
    value = Params(params, Reader()).raw(name)
    if not isinstance(value, date):
        return None
    days = (value - as_of).days
    return days if days >= 0 else None
