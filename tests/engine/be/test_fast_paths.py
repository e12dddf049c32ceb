"""The Belgian engine's shortcuts give exactly what the straightforward evaluation gives.

``rules.py`` keeps a cursor into an episode's prescriptions, prices each (code, tier, place,
day, status) once and builds outcomes and reasons without their dataclass ``__init__``. On
generated cases (``test_properties.cases``) the results equal those of the engine with the
plain scan of the prescriptions (decision 8 as written), uncached pricing and outcomes built
through ``__init__``: the whole ``Result``, outcome by outcome, warning by warning.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given

from reimburse.engine import evaluate
from reimburse.engine.be import rules
from reimburse.engine.types import Case, Reason, SessionOutcome
from reimburse.engine.vocabulary import ReasonCode, Status
from tests.engine.be.test_properties import BOUNDED, cases


def _plain_pick(
    state: rules._EpisodeState, day: date
) -> tuple[rules._PrescriptionState | None, str]:
    """Decision 8 as written: the oldest prescription dated on or before the day with room
    that can still start in time; else the oldest with room (a late start); else none."""
    rxs = state.prescriptions
    if not rxs or rxs[0].prescription.date > day:
        return None, "missing"
    with_room = [
        rx for rx in rxs if rx.prescription.date <= day and rx.used < rx.prescription.sessions
    ]
    usable = [rx for rx in with_room if rx.usable_on(day)]
    if usable:
        return usable[0], "ok"
    if with_room:
        return with_room[0], "late"
    return None, "used_up"


@given(case=cases())
@BOUNDED
def test_the_fast_paths_give_the_straightforward_result(case: Case) -> None:
    fast = [evaluate(case), evaluate(case, outcomes=False)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules._Evaluation, "_pick_prescription", staticmethod(_plain_pick))
        patch.setattr(rules, "_new_outcome", SessionOutcome)
        patch.setattr(rules, "_new_reason", Reason)
        patch.setattr(rules, "_priced", rules._priced.__wrapped__)
        plain = [evaluate(case), evaluate(case, outcomes=False)]
    assert fast == plain


@given(case=cases())
@BOUNDED
def test_a_prescription_per_session_is_found_as_the_plain_scan_finds_it(case: Case) -> None:
    # Non-conventioned sessions with and without a price, so the cached prices vary too.
    sessions = tuple(
        replace(s, conventioned=i % 3 != 0, price=None if i % 2 else rules.Decimal("40"))
        for i, s in enumerate(case.sessions)
    )
    varied = replace(case, sessions=sessions)
    fast = evaluate(varied)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules._Evaluation, "_pick_prescription", staticmethod(_plain_pick))
        patch.setattr(rules, "_priced", rules._priced.__wrapped__)
        assert evaluate(varied) == fast


def test_an_outcome_built_directly_is_the_outcome_built_through_init() -> None:
    fields: dict[str, Any] = {
        "id": "1",
        "date": date(2025, 3, 3),
        "episode": "e",
        "status": Status.BEST,
        "ordinal": 1,
        "code": "560011",
        "extra_codes": (),
        "amounts": None,
        "rule": "BE.C1",
        "prescription": "rx",
    }
    direct = rules._new_outcome(
        **fields, reason=rules._new_reason(code=ReasonCode.BE_COURANTE_BEST, params={"n": 1})
    )
    built = SessionOutcome(**fields, reason=Reason(ReasonCode.BE_COURANTE_BEST, {"n": 1}))
    assert direct == built
    assert type(direct) is SessionOutcome and type(direct.reason) is Reason
    assert asdict(direct) == asdict(built)
    assert replace(direct, code="x") == replace(built, code="x")
    with pytest.raises(AttributeError):
        direct.code = "x"  # type: ignore[misc]
