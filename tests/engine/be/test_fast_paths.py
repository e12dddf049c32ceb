"""The Belgian engine's shortcuts give exactly what the straightforward evaluation gives.

``rules.py`` keeps a cursor into an episode's prescriptions, prices each (code, tier, place,
day, status) once and builds outcomes and reasons without their dataclass ``__init__``. On
generated cases (``test_properties.cases``) the results equal those of the engine with the
plain scan of the prescriptions (decision 8 as written), uncached pricing and outcomes built
through ``__init__``: the whole ``Result``, outcome by outcome, warning by warning.
"""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from reimburse.engine import evaluate
from reimburse.engine.be import rules
from reimburse.engine.types import (
    Agreement,
    Case,
    Episode,
    Patient,
    Prescription,
    Reason,
    Session,
    SessionOutcome,
    Tariff,
)
from reimburse.engine.vocabulary import AgreementStatus, ReasonCode, Status
from tests.engine.be.test_properties import BOUNDED, CATEGORIES, cases
from tests.engine.oracle import answers, be_varied, many_prescriptions


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


# ------------------------------------------------------------------------------------ in runs


@st.composite
def busy_cases(draw: st.DrawFn) -> Case:
    """A Belgian case of up to 300 sessions on distinct days over two years and more, so runs
    cross every threshold: 18 courante sessions, the pool of 54, 20 and 60 Fa sessions, 60 and
    80 Fb sessions, prescriptions used up or started late, periods ending, 1 January, tariff
    and parameter changes; sessions all alike (one price) or varied."""
    rng = draw(st.randoms(use_true_random=False))
    start = date(2023, rng.choice([1, 6, 11]), rng.randint(1, 28))
    span = rng.choice([120, 400, 900])
    count = rng.choice([rng.randint(0, 60), rng.randint(100, 300)])
    days = sorted(rng.sample(range(span), min(count, span)))
    categories = [rng.choice(CATEGORIES) for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
    if rng.random() < 0.3:  # one long treatment: past 60 Fa and 80 Fb sessions
        categories = [rng.choice(["courante", "fa", "fb"])]
    episodes = []
    for i, category in enumerate(categories):
        roomy = rng.random() < 0.7
        prescriptions = tuple(
            Prescription(
                f"rx{i}-{j}",
                start + timedelta(days=rng.randint(-20, span) if not roomy else j * 60 - 5),
                rng.randint(20, 90) if roomy else rng.randint(1, 30),
                second_session_motivated=rng.random() < 0.5,
            )
            for j in range(span // 60 + 1 if roomy else rng.randint(0, 3))
        )
        agreements: tuple[Agreement, ...] = ()
        if rng.random() < 0.4:
            begins = start + timedelta(days=rng.randint(-30, span))
            agreements = (Agreement(begins, rng.choice([None, begins + timedelta(days=120)])),)
        if rng.random() < 0.2:
            agreements += (
                Agreement(None, None, rng.choice(list(AgreementStatus)[2:]), reason="x"),
            )
        episodes.append(
            Episode(
                f"ep{i}",
                category,
                pathology={"fa": rng.choice(["fa-1", "fa-16"]), "fb": "fb-51", "e": "e-b"}.get(
                    category, rng.choice([None, "co-1-1-1-1"])
                ),
                notified_on=rng.choice([None, start, start]),
                agreements=agreements,
                prescriptions=prescriptions,
                prior_sessions=rng.choice([{}, {}, {2023: 10}, {2024: 17}]),
                first_session_on=rng.choice([None, None, None, start - timedelta(days=200)]),
            )
        )
    varied = rng.random() < 0.3
    sessions = tuple(
        Session(
            f"s{n}",
            start + timedelta(days=offset),
            rng.choice(episodes).id,
            minutes=rng.choice([30, 30, 30, 30, 15, 20, 45]) if varied else 30,
            place=rng.choice(["practice", "home"]) if varied else "practice",
            conventioned=rng.random() < 0.8 if varied else True,
            price=rng.choice([None, Decimal("40")]) if varied else None,
        )
        for n, offset in enumerate(days)
    )
    patient = Patient(
        date(1960, 1, 1),
        preferential=rng.random() < 0.3,
        overflow_elsewhere=rng.choice([{}, {}, {2024: 50}]),
        situations_elsewhere=rng.choice([{}, {}, {2024: 2}, {2023: 1}]),
    )
    tariffs: tuple[Tariff, ...] = ()
    if rng.random() < 0.2:
        tariffs = (
            Tariff(
                "560011",
                Decimal("30.00"),
                Decimal("22.00"),
                Decimal("27.00"),
                date(2024, 6, 1),
                date(2024, 9, 1),
                "clinic table",
            ),
        )
    as_of = start + timedelta(days=rng.randint(-30, span + 30))
    return Case("BE", as_of, patient, tuple(episodes), sessions, tariffs)


def _one_by_one(case: Case) -> list[object]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "RUNS", False)
        found: list[object] = answers(evaluate, case)
    return found


@given(case=busy_cases())
@settings(max_examples=300, deadline=None, phases=[Phase.explicit, Phase.generate])
def test_sessions_decided_in_runs_get_what_one_by_one_gives(case: Case) -> None:
    """Every outcome, reason (its parameters in their order), quota, pool and warning (in its
    order), or the same error, with and without outcomes."""
    assert answers(evaluate, case) == _one_by_one(case)


@given(case=be_varied())
@BOUNDED
def test_varied_sessions_a_day_apart_get_in_runs_what_one_by_one_gives(case: Case) -> None:
    """The oracle's varied cases (care elsewhere, prices, a clinic's tariffs), a session a day."""
    days: set[date] = set()
    sessions = []
    for session in case.sessions:
        if session.date not in days:
            days.add(session.date)
            sessions.append(session)
    one_a_day = replace(case, sessions=tuple(sessions))
    assert answers(evaluate, one_a_day) == _one_by_one(one_a_day)


@st.composite
def treatments_in_turn(draw: st.DrawFn) -> Case:
    """A busy case whose episodes follow each other (each one's sessions after the one
    before's), listed and given in any order; now and then two neighbours share a stretch."""
    case = draw(busy_cases())
    rng = draw(st.randoms(use_true_random=False))
    episodes = list(case.episodes)
    by_day = sorted(case.sessions, key=rules._session_date)
    cuts = sorted(rng.randint(0, len(by_day)) for _ in episodes[1:])
    owners = []
    for n in range(len(by_day)):
        owners.append(episodes[sum(cut <= n for cut in cuts)].id)
    inner = [cut for cut in cuts if 0 < cut < len(by_day)]
    if inner and rng.random() < 0.3:  # two neighbours trade the sessions either side of a cut
        n = rng.choice(inner)
        owners[n - 1], owners[n] = owners[n], owners[n - 1]
    sessions = [replace(s, episode=owner) for s, owner in zip(by_day, owners, strict=True)]
    rng.shuffle(sessions)
    rng.shuffle(episodes)
    return replace(case, episodes=tuple(episodes), sessions=tuple(sessions))


@given(case=treatments_in_turn())
@settings(max_examples=200, deadline=None, phases=[Phase.explicit, Phase.generate])
def test_episodes_one_after_another_get_their_outcomes_in_date_order(case: Case) -> None:
    """``decide_in_runs`` puts such episodes' outcomes one after the other without a sort
    when none starts before the one before it ends: the answers are the one-by-one loop's."""
    assert answers(evaluate, case) == _one_by_one(case)


def _through_keep_run(case: Case) -> tuple[Any, list[int], tuple[SessionOutcome, ...]]:
    """Evaluate ``case`` in runs, a run's outcomes kept by ``drafts.keep_run``: its answers, the
    length of each run kept so, and its outcomes."""
    keep_run = rules.keep_run
    runs: list[int] = []

    def counted(kept: list[SessionOutcome], sessions: list[Session], *rest: Any) -> None:
        runs.append(len(sessions))
        keep_run(kept, sessions, *rest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "keep_run", counted)
        found = answers(evaluate, case)
        outcomes = evaluate(case).sessions
    return found, runs, outcomes


@given(case=busy_cases())
@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.generate])
def test_runs_kept_by_drafts_keep_run_get_what_one_by_one_gives(case: Case) -> None:
    """A run's outcomes, kept by ``drafts.keep_run`` (a loop of its own, pure even in the
    compiled build), are those the session-by-session loop builds with ``new_outcome``: the
    same answers, every outcome a frozen ``SessionOutcome``."""
    found, runs, outcomes = _through_keep_run(case)
    assert found == _one_by_one(case)
    assert all(type(o) is SessionOutcome for o in outcomes)
    if runs:
        with pytest.raises(AttributeError):
            outcomes[0].code = "x"  # type: ignore[misc]


def test_keep_run_keeps_the_outcomes_of_the_benchmark_cases_runs() -> None:
    """The benchmark's case: nearly all its sessions are kept in runs by ``keep_run`` (twice:
    ``answers`` and the outcomes), and the answers are the session-by-session loop's."""
    case = many_prescriptions(60)
    found, runs, outcomes = _through_keep_run(case)
    assert found == _one_by_one(case)
    assert len(outcomes) == len(case.sessions)
    assert len(runs) > 1 and sum(runs) // 2 > 0.9 * len(outcomes)


def test_the_benchmark_cases_are_decided_in_runs() -> None:
    """The run path takes a case with a session a day, and gives what ``decide_all`` gives."""
    case = many_prescriptions(60)
    taken = rules._Evaluation(case).decide_in_runs(rules.ordered(case.sessions))
    assert taken
    assert answers(evaluate, case) == _one_by_one(case)


def test_second_situations_and_e_sessions_under_one_verdict_are_decided_in_runs() -> None:
    """C6, E1, E2: a 2nd situation's sessions without an agreement (pending), an E
    episode's inside its agreement and after it (missing): the runs decide them all, a
    situation's first of the year opening its run (with the intake, S7), and the answers are
    those of the session-by-session loop."""
    start = date(2025, 2, 3)
    rx = (Prescription("rx", start - timedelta(days=1), 60),)
    episodes = (
        Episode("first", "courante", prescriptions=rx),
        Episode("second", "courante", prescriptions=rx),
        Episode(
            "e",
            "e",
            pathology="e-b",
            prescriptions=rx,
            agreements=(Agreement(start, start + timedelta(days=60)),),
        ),
    )
    sessions = tuple(
        Session(f"{ep}{n}", start + timedelta(days=3 * n + offset), ep)
        for offset, ep in enumerate(("first", "second", "e"))
        for n in range(30)
    )
    case = Case("BE", date(2025, 6, 30), Patient(date(1970, 1, 1)), episodes, sessions)
    decided: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        for category in ("courante", "e"):
            rule = rules._RULES[category]

            def counting(self: Any, session: Session, *rest: Any, _rule: Any = rule) -> Any:
                decided.append(session.id)
                return _rule(self, session, *rest)

            patch.setitem(rules._RULES, category, counting)
        result = evaluate(case)
    assert decided == []
    assert [o.extra_codes != () for o in result.sessions].count(True) == 1
    statuses = {(o.episode, o.status, o.rule) for o in result.sessions}
    assert ("second", Status.PENDING, "BE.C6") in statuses
    assert {("e", Status.BEST, "BE.E2"), ("e", Status.PENDING, "BE.E1")} <= statuses
    assert answers(evaluate, case) == _one_by_one(case)


@pytest.mark.parametrize(
    "agreement",
    [
        None,
        Agreement(date(2024, 12, 1), date(2025, 12, 31)),
        Agreement(None, None, AgreementStatus.IN_TREATMENT, reason="x"),
        Agreement(None, None, AgreementStatus.REFUSAL, reason="x"),
    ],
)
@pytest.mark.parametrize("rank", [1, 2])
def test_a_situations_first_session_of_the_year_opens_its_run(
    agreement: Agreement | None, rank: int
) -> None:
    """C1, C6, S7, decision 1: the first session of a situation in a year (its first ever,
    with the intake; or after 1 January, the count restarted) opens a run with the sessions
    after it, as a 1st situation or a 2nd (treated elsewhere first) agreed, waiting, without
    an agreement; refused is the rule's. The answers are the session-by-session loop's."""
    start = date(2024, 12, 2)
    rx = (Prescription("rx", start - timedelta(days=1), 18),)
    agreements = () if agreement is None else (agreement,)
    episode = Episode("back", "courante", prescriptions=rx, agreements=agreements)
    sessions = tuple(Session(f"s{n}", start + timedelta(days=4 * n), "back") for n in range(16))
    elsewhere = {2024: rank - 1, 2025: rank - 1}
    patient = Patient(date(1970, 1, 1), situations_elsewhere=elsewhere)
    case = Case("BE", date(2025, 3, 1), patient, (episode,), sessions)
    decided: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        rule = rules._RULES["courante"]

        def counting(self: Any, session: Session, *rest: Any) -> Any:
            decided.append(session.id)
            return rule(self, session, *rest)

        patch.setitem(rules._RULES, "courante", counting)
        result = evaluate(case)
    refused = agreement is not None and agreement.status is AgreementStatus.REFUSAL
    assert decided == ([s.id for s in sessions] if refused and rank > 1 else [])
    if not refused or rank == 1:
        assert result.sessions[0].extra_codes != ()
        if rank == 1 or agreement is None or agreement.granted:  # (a waiting one's reason
            # does not say)
            opening = [o for o in result.sessions if o.reason.params.get("restarted")]
            assert [o.date.year for o in opening] == [2025]
    assert answers(evaluate, case) == _one_by_one(case)


def test_every_day_of_a_tables_period_prices_as_its_first_day() -> None:
    """Runs price a session as of the first day of its tables' period (its category's
    ``TABLE_CHANGES``), so that the cache meets the key again: every day of a period must
    price alike. Every code's category, tier and place, on every third day from 2018 to 2027,
    both conventions, with and without preferential status, with and without an own price."""
    kinds = {(c.category, c.tier, c.place) for c in rules.tables.CODES}
    day, last = date(2018, 1, 1), date(2027, 12, 31)
    compared = 0
    while day <= last:
        for all_conventioned, changes in rules.TABLE_CHANGES.items():
            conventions = (True,) if all_conventioned else (True, False)
            for category, tier, place in kinds:
                bounds = changes[category]
                start = bounds[rules.bisect_right(bounds, day) - 1]
                for preferential in (False, True):
                    for conventioned in conventions:
                        for price in (None, Decimal("41.00")):
                            facts = (preferential, conventioned, price)
                            on_day = rules._price(category, tier, place, day, *facts, ())
                            on_start = rules._price(category, tier, place, start, *facts, ())
                            assert on_day == on_start, (category, tier, place, facts, day)
                            compared += 1
        day += timedelta(days=3)
    assert compared > 100_000


def test_a_shared_day_is_left_to_the_session_by_session_loop() -> None:
    case = many_prescriptions(2)
    shared = replace(case, sessions=(*case.sessions, replace(case.sessions[0], id="again")))
    assert not rules._Evaluation(shared).decide_in_runs(rules.ordered(shared.sessions))
    assert answers(evaluate, shared) == _one_by_one(shared)


@given(case=busy_cases())
@settings(max_examples=50, deadline=None, phases=[Phase.explicit, Phase.generate])
def test_a_result_built_directly_is_the_result_built_through_init(case: Case) -> None:
    """``rules._frozen`` sets every field of a warning, quota, pool and result, in order."""
    try:
        result = evaluate(case, outcomes=False)
    except ValueError:  # a case the tables cannot judge
        return
    built: list[Any] = [result, *result.quotas, *result.pools, *result.warnings]
    for found in built:
        assert list(vars(found)) == [f.name for f in fields(found)]
        assert replace(found) == found
