"""Needs attention ranked in SQL: the rows beside the stored lists, and the page they give.

Each stored list (``AttentionSnapshot.warnings``) has one ``AttentionRow`` per warning, made
by the database's triggers in the statement that stores the list. Two things must hold:
after every kind of write the rows say what the stored list says, and the page the database
ranks, counts and pages (``selectors.attention_list``) is the page ``attention_page`` makes of
``practice_warnings``, row for row, on every page and with the therapist filter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from practice import pages
from practice.models import Patient, Practice, Therapist
from reimburse.attention import store, urgency
from reimburse.engine.vocabulary import Severity
from reimburse.explain import Reader
from reimburse.models import AttentionRow, AttentionSnapshot
from reimburse.selectors import AttentionList, attention_list, practice_warnings
from tests.attention.test_snapshots import AS_OF, WRITES, Clinic, be  # noqa: F401 (fixture)
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PracticeFactory,
    SessionFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

EN = Reader("en", "BE")
Row = tuple[int, str, str, bool, int, int, int, bool, date | None]


def _rows_of(snapshot: AttentionSnapshot) -> list[Row]:
    return list(
        AttentionRow.objects.filter(patient_id=snapshot.patient_id)
        .order_by("position")
        .values_list(
            "position",
            "code",
            "severity",
            "lead",
            "more",
            "severity_rank",
            "code_rank",
            "reached",
            "deadline",
        )
    )


def _said(snapshot: AttentionSnapshot) -> list[Row]:
    """The rows a stored list says it has: its warnings, ranked from their codes and params."""
    ranks = urgency.ranking(snapshot.warnings)
    return [
        (
            position,
            w["code"],
            w["severity"],
            rank["lead"],
            rank["more"],
            urgency.severity_rank(w["severity"]),
            urgency.code_rank(w["code"]),
            urgency.reached(w["code"], w["params"]),
            urgency.deadline(w["code"], w["params"]),
        )
        for position, (w, rank) in enumerate(zip(snapshot.warnings, ranks, strict=True))
    ]


def _assert_rows_say_what_the_lists_say() -> int:
    """Check every snapshot's rows against its list; return how many rows there are."""
    snapshots = list(AttentionSnapshot.objects.all())
    for snapshot in snapshots:
        assert _rows_of(snapshot) == _said(snapshot), snapshot
        assert snapshot.ranking == urgency.ranking(snapshot.warnings)
    # No row without its snapshot.
    stored = [s.patient_id for s in snapshots]
    assert not AttentionRow.objects.exclude(patient_id__in=stored).exists()
    return AttentionRow.objects.count()


def _page_of_rows(practice: Practice, therapist: Therapist | None = None, **kw: Any) -> Any:
    return pages.attention_list_page(
        attention_list(practice=practice, as_of=AS_OF, therapist=therapist), EN, as_of=AS_OF, **kw
    )


def _page_of_lists(practice: Practice, therapist: Therapist | None = None, **kw: Any) -> Any:
    warnings = practice_warnings(practice=practice, as_of=AS_OF, therapist=therapist)
    return pages.attention_page(warnings, EN, as_of=AS_OF, **kw)


# ----------------------------------------------------- the rows after every kind of write


@pytest.mark.parametrize(
    ("prepare", "write"), [pytest.param(case[1], case[2], id=case[0]) for case in WRITES]
)
def test_after_every_write_path_the_rows_say_what_the_stored_lists_say(
    be: Clinic,  # noqa: F811
    prepare: Callable[[Clinic], None] | None,
    write: Callable[[Clinic], None],
) -> None:
    if prepare is not None:
        prepare(be)
    assert _assert_rows_say_what_the_lists_say() == 0  # nothing stored yet
    practice_warnings(practice=be.practice, as_of=AS_OF)  # stored by practice_attention
    assert _assert_rows_say_what_the_lists_say() > 0

    write(be)  # raises a version: the rows stay those of the list still stored
    _assert_rows_say_what_the_lists_say()
    attention_list(practice=be.practice, as_of=AS_OF)  # stored again by attention_update
    _assert_rows_say_what_the_lists_say()
    assert _page_of_rows(be.practice) == _page_of_lists(be.practice)


def test_a_shorter_list_stored_over_a_longer_one_leaves_no_row_behind(be: Clinic) -> None:  # noqa: F811
    back = be.episodes["back"]
    for week in range(3):  # more sessions without a prescription: more rows for Bosmans
        SessionFactory.create(episode=back, date=date(2025, 5, 5) + timedelta(weeks=week))
    attention_list(practice=be.practice, as_of=AS_OF)
    longer = AttentionRow.objects.filter(patient_id=be.patients["bosmans"].pk).count()

    back.sessions.all().delete()
    attention_list(practice=be.practice, as_of=AS_OF)

    assert longer >= 3
    assert AttentionRow.objects.filter(patient_id=be.patients["bosmans"].pk).count() == 0
    _assert_rows_say_what_the_lists_say()


def test_deleting_snapshots_deletes_their_rows_however_it_is_done(be: Clinic) -> None:  # noqa: F811
    attention_list(practice=be.practice, as_of=AS_OF)
    bosmans, aerts = be.patients["bosmans"], be.patients["aerts"]
    assert AttentionRow.objects.filter(patient_id=bosmans.pk).exists()

    AttentionSnapshot.objects.filter(patient=bosmans).delete()  # the ORM
    assert not AttentionRow.objects.filter(patient_id=bosmans.pk).exists()

    store.attention_invalidate(patients=Patient.objects.all())  # new snapshots, no list
    _assert_rows_say_what_the_lists_say()
    attention_list(practice=be.practice, as_of=AS_OF)
    with connection.cursor() as cursor:  # raw SQL, as the README allows
        cursor.execute(f"DELETE FROM {AttentionSnapshot._meta.db_table}")
    assert not AttentionRow.objects.exists()

    aerts.delete()  # a patient: the snapshot and its rows with them
    assert _page_of_rows(be.practice) == _page_of_lists(be.practice)
    _assert_rows_say_what_the_lists_say()


def test_raising_a_version_rewrites_no_row(be: Clinic) -> None:  # noqa: F811
    attention_list(practice=be.practice, as_of=AS_OF)
    before = list(AttentionRow.objects.order_by("pk").values_list("pk", flat=True))
    store.attention_invalidate(patients=Patient.objects.filter(practice=be.practice))
    assert list(AttentionRow.objects.order_by("pk").values_list("pk", flat=True)) == before


# ------------------------------------------------ the page from rows = the page from lists

TODAY = AS_OF.isoformat()
SOON = (AS_OF + timedelta(days=9)).isoformat()
LATER = (AS_OF + timedelta(days=40)).isoformat()
PAST = (AS_OF - timedelta(days=3)).isoformat()
PRESCRIBED = {"prescribed": "2025-01-02", "deadline": "2025-03-02", "date": "2025-03-10"}

# (code, severity, params): deadlines past, today and to come, limits reached, none of either.
KINDS: list[tuple[str, Severity, dict[str, Any]]] = [
    ("prescription_missing", Severity.BLOCKING, {"date": "2025-06-02"}),
    ("prescription_used_up", Severity.BLOCKING, {"date": "2025-06-03"}),
    ("prescription_late_start", Severity.BLOCKING, PRESCRIBED),
    ("prescription_low", Severity.WARNING, {"remaining": 0}),
    ("prescription_low", Severity.WARNING, {"remaining": 2}),
    ("quota_exhausted", Severity.WARNING, {"counter": "courante", "limit": 18}),
    ("quota_low", Severity.WARNING, {"counter": "courante", "remaining": 2}),
    ("quota_low", Severity.INFO, {"counter": "courante", "remaining": 3}),
    ("agreement_ending", Severity.WARNING, {"until": SOON}),
    ("agreement_ending", Severity.WARNING, {"until": TODAY}),
    ("agreement_ending", Severity.INFO, {"until": PAST}),
    ("period_ending", Severity.WARNING, {"counter": "fa", "end": LATER}),
    ("period_ending", Severity.WARNING, {"counter": "fb", "end": SOON}),
    ("age_transition", Severity.INFO, {"turns": LATER}),
]
# Names Python and a database collation would order differently, and names alike. (Patients
# of the very same name come in the database's order in ``practice_warnings``, by id in the
# ranked rows: each is given a number.)
NAMES = [
    ("Jan", "Smith"),
    ("Ann", "Smith Jones"),
    ("Bo", "Smith-Jones"),
    ("Jan", "smith"),
    ("Éva", "Ångström"),
    ("Eva", "Angstrom"),
    ("Piet", "van Dijk"),
    ("Piet", "Van Dijk"),
    ("Jan", "Smith "),
    ("Zoë", "O'Brien"),
    ("Zoe", "Obrien"),
    ("Jan", "Smith, Jr"),
]


def _stored_clinic(seed: int) -> tuple[Practice, Therapist]:
    """A practice whose patients have stored lists of made-up warnings, holding on AS_OF.

    Half the patients had a session with the therapist returned (the filter's patients).
    """
    rng = random.Random(seed)
    practice = PracticeFactory.create(country="BE")
    therapist = TherapistFactory.create(practice=practice)
    snapshots: list[dict[str, Any]] = []
    for n in range(36):
        first, last = NAMES[n % len(NAMES)]
        first = f"{first} {n // len(NAMES)}" if n >= len(NAMES) else first
        patient = PatientFactory.create(practice=practice, first_name=first, last_name=last)
        episodes = [EpisodeFactory.create(patient=patient, title=f"Knee {e}") for e in range(2)]
        if n % 2:
            SessionFactory.create(episode=episodes[0], therapist=therapist, date=date(2025, 3, 3))
        warnings = []
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            code, severity, params = rng.choice(KINDS)
            episode = rng.choice([*episodes, None])
            # A warning repeated for several sessions of an episode, at times more severe.
            for repeat in range(rng.choice([1, 1, 2, 3])):
                warnings.append(
                    {
                        "code": code,
                        "severity": Severity.BLOCKING if repeat == 2 else severity,
                        "episode": str(episode.pk) if episode else None,
                        "session": str(rng.randrange(1, 10**6)) if episode else None,
                        "params": params,
                        "episode_title": episode.title if episode else None,
                    }
                )
        snapshots.append(
            {
                "patient": patient.pk,
                "version": None,  # the version the writes above raised it to: below
                "valid_until": (AS_OF + timedelta(days=30)).isoformat(),
                "warnings": warnings,
            }
        )
    versions = dict(AttentionSnapshot.objects.values_list("patient_id", "version"))
    for snapshot in snapshots:
        snapshot["version"] = versions.get(snapshot["patient"], 0)
    store._store_snapshots(snapshots, AS_OF - timedelta(days=1), using="default")
    assert not AttentionSnapshot.objects.exclude(computed_version=F("version")).exists()
    return practice, therapist


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("mine", [False, True], ids=["practice", "therapist"])
def test_the_page_ranked_in_sql_is_the_page_ranked_in_python(seed: int, mine: bool) -> None:
    practice, therapist = _stored_clinic(seed)
    chosen = therapist if mine else None
    whole = _page_of_lists(practice, chosen)
    assert whole.total > 10  # a list worth paging
    assert {r.code for r in whole.rows} > {"agreement_ending", "quota_low"}  # the made-up ones
    assert _assert_rows_say_what_the_lists_say()

    assert _page_of_rows(practice, chosen) == whole
    for number in range(1, whole.total // 7 + 2):
        assert _page_of_rows(practice, chosen, number=number, per_page=7) == _page_of_lists(
            practice, chosen, number=number, per_page=7
        )


def test_a_page_is_a_query_for_the_counts_one_for_its_rows_and_one_for_their_lists() -> None:
    practice, _therapist = _stored_clinic(5)
    listing = attention_list(practice=practice, as_of=AS_OF)  # every list holds: one query
    with CaptureQueriesContext(connection) as queries:
        assert len(listing) > 5
        shown = listing[2:7]
    assert len(queries.captured_queries) == 3
    assert "LIMIT 5 OFFSET 2" in queries.captured_queries[1]["sql"]
    assert "warnings" not in queries.captured_queries[1]["sql"]  # no list read to rank
    assert [w for w, _more in shown] == [w for w, _more in listing[:10][2:7]]
    assert listing[5:5] == []


def _made_up(code: str, severity: str, episode: str) -> dict[str, Any]:
    return {
        "code": code,
        "severity": severity,
        "episode": episode,
        "session": None,
        "params": {},
        "episode_title": "back",
    }


@pytest.mark.parametrize("shorter", [True, False], ids=["shorter list", "same length"])
def test_a_list_stored_between_ranking_and_reading_is_read_again_not_mixed(
    shorter: bool,
) -> None:
    """Another request stores the patient's list between the page's two statements."""
    practice = PracticeFactory.create()
    patient = PatientFactory.create(practice=practice)
    before = [
        _made_up("quota_low", "warning", "1"),
        _made_up("quota_low", "warning", "2"),
        _made_up("quota_exhausted", "blocking", "3"),
    ]
    # The same warnings in another order: the blocking one now first in the list.
    after = [before[0]] if shorter else [before[2], before[0], before[1]]
    snapshot = {"patient": patient.pk, "version": 0, "valid_until": None}
    store._store_snapshots([{**snapshot, "warnings": before}], AS_OF, using="default")
    rows = AttentionRow.objects.filter(lead=True, patient__practice=practice)
    listing = AttentionList(rows, AS_OF)
    stored: list[int] = []

    def another_request(execute: Any, sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        if '"reimburse_attentionrow"' in sql and "ORDER BY" in sql and not stored:
            stored.append(1)  # once, right after the page's rows were ranked
            store._store_snapshots([{**snapshot, "warnings": after}], AS_OF, using="default")
        return result

    with connection.execute_wrapper(another_request):
        page = listing[0:50]

    assert stored
    assert page == listing[0:50]  # as a read after the store ranks it, most urgent first
    assert sorted((w.code, w.episode_id) for w, _more in page) == sorted(
        (w["code"], int(w["episode"])) for w in after
    )
