"""Properties of the Belgian engine that hold for every case, checked with hypothesis.

- The input order of sessions does not matter beyond the contract's ``(date, position)`` order.
- Planning one more session never gives back quota or overflow pool.
- Counters restart on 1 January where the rules say so (courante, Fb, overflow), not for Fa.
- Every Fa/Fb episode without a notification is flagged; a day goes to its first session that
  can be reimbursed; an Fa period lasts 365 or 366 days up to its anniversary.

The drawn window runs from January 2024 across 29 February and 1 January 2025, and sessions
fall on those hard days often, so periods start on 29 February and days are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reimburse.engine import evaluate
from reimburse.engine.types import (
    Agreement,
    Case,
    Episode,
    Patient,
    Prescription,
    Result,
    Session,
)
from reimburse.engine.vocabulary import GRANTED, AgreementStatus

BOUNDED = settings(max_examples=100, deadline=None)
WINDOW_START = date(2024, 1, 15)
WINDOW_DAYS = 470  # crosses 29 February 2024 and 1 January 2025
HARD_DAYS = (date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31), date(2025, 1, 1))
REIMBURSABLE = ("best", "reduced", "reduced_2", "pending")
NOT_GRANTED = tuple(status for status in AgreementStatus if status not in GRANTED)
CATEGORIES = ("courante", "courante", "fa", "fb", "e", "perinatal", "palliative")
PATHOLOGY = {"fa": "fa-10", "fb": "fb-51", "e": "e-b"}


def _day(offset: int) -> date:
    return WINDOW_START + timedelta(days=offset)


# A session's day: anywhere in the window, or one of the hard days (which also makes days shared).
session_days = st.one_of(
    st.integers(0, WINDOW_DAYS).map(_day), st.sampled_from(HARD_DAYS), st.sampled_from(HARD_DAYS)
)


@st.composite
def episodes(draw: st.DrawFn, courante_only: bool = False) -> tuple[Episode, ...]:
    """Draw 1–4 episodes with prescriptions, notifications and agreements (some missing)."""
    count = draw(st.integers(1, 3 if courante_only else 4))
    result = []
    for i in range(count):
        category = "courante" if courante_only else draw(st.sampled_from(CATEGORIES))
        if courante_only:
            # Roomy prescriptions every month from before the window: never used up, and
            # every session has one it starts in time (decision 8), so each session counts
            # whatever the others do; only situations, quotas and days link the episodes.
            prescriptions: tuple[Prescription, ...] = tuple(
                Prescription(f"rx{i}-{m}", WINDOW_START - timedelta(days=1 - 30 * m), 500)
                for m in range(WINDOW_DAYS // 30 + 1)
            )
        else:
            prescriptions = tuple(
                Prescription(
                    f"rx{i}-{j}",
                    _day(draw(st.integers(-20, WINDOW_DAYS))),
                    draw(st.integers(1, 40)),
                    second_session_motivated=draw(st.booleans()),
                )
                for j in range(draw(st.integers(0, 3)))
            )
        agreement = None
        if draw(st.booleans()):
            start = _day(draw(st.integers(-30, WINDOW_DAYS)))
            agreement = Agreement(start, draw(st.sampled_from([None, start + timedelta(90)])))
        # eAgreement decisions that grant nothing: waiting, or refused (v2).
        undecided = tuple(
            Agreement(
                draw(st.sampled_from([None, _day(draw(st.integers(0, WINDOW_DAYS)))])),
                None,
                draw(st.sampled_from(NOT_GRANTED)),
                reason=draw(st.sampled_from(["", "WFI_AGREE_SRV_PHYSIO_004"])),
            )
            for _ in range(0 if courante_only else draw(st.integers(0, 1)))
        )
        # Sessions given at another practice (v2).
        elsewhere = (
            {}
            if courante_only or category not in ("courante", "fa", "fb")
            else draw(st.sampled_from([{}, {2024: 5}, {2025: 17}]))
        )
        result.append(
            Episode(
                id=f"ep{i}",
                category=category,
                pathology=PATHOLOGY.get(category),
                notified_on=draw(st.sampled_from([None, WINDOW_START])),
                agreements=(() if agreement is None else (agreement,)) + undecided,
                prescriptions=prescriptions,
                prior_sessions=elsewhere,
            )
        )
    return tuple(result)


@st.composite
def cases(draw: st.DrawFn, courante_only: bool = False) -> Case:
    """Draw a Belgian case with up to 60 sessions in a window crossing the new year."""
    eps = draw(episodes(courante_only))
    session_list = [
        Session(
            id=f"s{i}",
            date=draw(session_days),
            episode=draw(st.sampled_from([e.id for e in eps])),
            place=draw(st.sampled_from(["practice", "home"])),
        )
        for i in range(draw(st.integers(0, 60)))
    ]
    as_of = _day(draw(st.integers(-30, WINDOW_DAYS + 30)))
    patient = Patient(date(1960, 1, 1), preferential=draw(st.booleans()))
    return Case("BE", as_of, patient, eps, tuple(session_list))


def _stable_shuffle(sessions: Sequence[Session], keys: Sequence[float]) -> tuple[Session, ...]:
    """Reorder sessions arbitrarily, keeping the relative order of sessions on the same day."""
    by_day: dict[date, list[Session]] = {}
    for s in sessions:
        by_day.setdefault(s.date, []).append(s)
    # Assign each day's sessions, in their original order, to the shuffled slots of that day.
    slots = sorted(range(len(sessions)), key=lambda i: keys[i])
    shuffled_days = [sessions[i].date for i in slots]
    queues = {day: iter(group) for day, group in by_day.items()}
    return tuple(next(queues[day]) for day in shuffled_days)


@BOUNDED
@given(case=cases(), data=st.data())
def test_input_order_of_sessions_does_not_change_any_outcome(
    case: Case, data: st.DataObject
) -> None:
    """Contract: sessions are ordered by (date, input position); only that order matters."""
    keys = data.draw(
        st.lists(st.floats(0, 1), min_size=len(case.sessions), max_size=len(case.sessions))
    )
    permuted = Case(
        case.country,
        case.as_of,
        case.patient,
        case.episodes,
        _stable_shuffle(case.sessions, keys),
    )

    assert evaluate(permuted) == evaluate(case)


def _remaining(result: Result) -> dict[tuple[object, ...], int]:
    rows: dict[tuple[object, ...], int] = {}
    for q in result.quotas:
        if q.remaining is not None:
            rows[(q.episode, q.counter, q.period_start)] = q.remaining
    for p in result.pools:
        if isinstance(p.remaining, int):
            rows[(p.pool, p.period_start)] = p.remaining
    return rows


def _with(case: Case, session: Session) -> Case:
    return Case(case.country, case.as_of, case.patient, case.episodes, (*case.sessions, session))


def _never_more_left(before: Result, after: Result) -> None:
    left_before, left_after = _remaining(before), _remaining(after)
    for key, remaining in left_after.items():
        if key in left_before:
            assert remaining <= left_before[key], key


@BOUNDED
@given(case=cases(), data=st.data())
def test_planning_one_more_session_never_gives_back_quota_or_pool(
    case: Case, data: st.DataObject
) -> None:
    """A newly planned session (after every listed one) only ever uses quota and pool."""
    last = max((s.date for s in case.sessions), default=WINDOW_START)
    extra = Session(
        "extra",
        last + timedelta(days=data.draw(st.integers(0, 60))),
        data.draw(st.sampled_from([e.id for e in case.episodes])),
    )

    _never_more_left(evaluate(case), evaluate(_with(case, extra)))


@BOUNDED
@given(case=cases(courante_only=True), data=st.data())
def test_adding_a_courante_session_anywhere_never_gives_back_quota_or_pool(
    case: Case, data: st.DataObject
) -> None:
    """C1, C5, C6: with up to 3 situations and roomy prescriptions, on any day."""
    extra = Session(
        "extra",
        _day(data.draw(st.integers(0, WINDOW_DAYS))),
        data.draw(st.sampled_from([e.id for e in case.episodes])),
    )

    _never_more_left(evaluate(case), evaluate(_with(case, extra)))


# ------------------------------------------------------------------------------ 1 January


def _year_end_case(
    category: str, year: int, december: int, january: int, extra_before: int = 0
) -> Result:
    """One episode with daily sessions: ``extra_before`` + ``december`` days, then January."""
    last_of_year = date(year, 12, 31)
    first = last_of_year - timedelta(days=extra_before + december - 1)
    days = [first + timedelta(days=i) for i in range(extra_before + december)]
    days += [date(year + 1, 1, 1) + timedelta(days=i) for i in range(january)]
    ep = Episode(
        "ep",
        category,
        pathology=PATHOLOGY.get(category),
        notified_on=first,
        prescriptions=(Prescription("rx", first - timedelta(days=1), 1000),),
    )
    sessions = tuple(Session(f"s{i}", day, "ep") for i, day in enumerate(days))
    case = Case("BE", date(year + 1, 1, 31), Patient(date(1960, 1, 1)), (ep,), sessions)
    return evaluate(case)


YEARS = st.integers(2022, 2030)


@BOUNDED
@given(year=YEARS, december=st.integers(1, 31), january=st.integers(1, 31))
def test_courante_and_fb_counters_restart_on_1_january(
    year: int, december: int, january: int
) -> None:
    """C1, FB2, decisions 1 and 5: the first January session is number 1 again."""
    for category in ("courante", "fb"):
        result = _year_end_case(category, year, december, january)
        in_january = [o for o in result.sessions if o.date.year == year + 1]
        assert [o.ordinal for o in in_january] == list(range(1, january + 1))
        assert in_january[0].status == "best"


@BOUNDED
@given(year=YEARS, december=st.integers(1, 31), january=st.integers(1, 31))
def test_fa_counter_does_not_restart_on_1_january(year: int, december: int, january: int) -> None:
    """FA1, E2, decision 4: the Fa count runs over its period, across 1 January."""
    result = _year_end_case("fa", year, december, january)

    assert [o.ordinal for o in result.sessions] == list(range(1, december + january + 1))


@BOUNDED
@given(year=YEARS, january_overflow=st.integers(1, 30))
def test_overflow_pool_restarts_on_1_january(year: int, january_overflow: int) -> None:
    """C5, decision 3: a pool used up in December is full again on 1 January."""
    # 18 best + 54 overflow + 3 lost in the old year; 18 best + some overflow in January.
    result = _year_end_case("courante", year, 31, 18 + january_overflow, extra_before=75 - 31)

    old_year = [o for o in result.sessions if o.date.year == year]
    assert [o.status for o in old_year[-4:]] == ["reduced"] + ["not_reimbursed"] * 3
    new_overflow = [o for o in result.sessions if o.date.year == year + 1][18:]
    assert {o.status for o in new_overflow} == {"reduced"}
    (pool,) = result.pools
    assert (pool.period_start, pool.used) == (date(year + 1, 1, 1), january_overflow)


# -------------------------------------------------------- issue 12: warnings and the day


@BOUNDED
@given(case=cases())
def test_every_fa_or_fb_episode_without_notification_is_flagged(case: Case) -> None:
    """FA4, FB4, warning table: whatever became of its sessions (refused, pending, none)."""
    flagged = {w.episode for w in evaluate(case).warnings if w.code == "notification_missing"}
    expected = {e.id for e in case.episodes if e.category in ("fa", "fb") and e.notified_on is None}
    assert flagged == expected


@BOUNDED
@given(case=cases())
def test_a_day_goes_to_its_first_session_that_can_be_reimbursed(case: Case) -> None:
    """S1, decision 9 (v1.1): a session refused as a second of the day comes after a session
    that day that is reimbursed or pending; a session that is itself not reimbursed for
    another reason never takes the day."""
    seen: dict[date, list[str]] = {}
    for outcome in evaluate(case).sessions:  # in (date, input position) order
        earlier = seen.setdefault(outcome.date, [])
        if outcome.rule == "BE.S1":
            assert any(status in REIMBURSABLE for status in earlier), outcome
        earlier.append(outcome.status)
    for statuses in seen.values():
        taken = [status for status in statuses if status in REIMBURSABLE]
        assert len(taken) <= 2  # the first, and at most a motivated second (S2)


@BOUNDED
@given(case=cases())
def test_an_fa_period_lasts_until_the_day_before_its_anniversary(case: Case) -> None:
    """FA1, decision 4 (v1.1), E3: 365 or 366 days; 29 February's anniversary is 1 March."""
    for quota in evaluate(case).quotas:
        if quota.counter != "fa":
            continue
        start, end = quota.period_start, quota.period_end
        assert end is not None
        try:
            anniversary = start.replace(year=start.year + 1)
        except ValueError:
            anniversary = date(start.year + 1, 3, 1)
        assert end == anniversary - timedelta(days=1)
        assert (end - start).days + 1 in (365, 366)
