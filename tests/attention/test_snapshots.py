"""Needs attention recomputes only the patients whose records changed since the last read.

``reimburse.attention.store.practice_attention`` stores each patient's warnings with the
version of their records; every write path raises that version (``attention.signals``).
Each test here writes through one path and checks three things: the list equals a
computation from scratch, the write changed what is shown (or at least which patient is
recomputed, so a snapshot that was not made stale would fail), and the other patients'
warnings were reused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from practice.agreements import agreement_decision_correct
from practice.models import Episode, Patient, Practice, TreatmentSession
from practice.services import (
    coverage_set,
    episode_create,
    episode_update,
    patient_update,
    prescription_create,
    session_cancel,
    session_record,
)
from reimburse.attention import store
from reimburse.engine import be as belgium
from reimburse.models import AttentionSnapshot, InsurerPackage
from reimburse.selectors import PatientWarning, practice_warnings
from reimburse.services import PatientEvaluation
from tests.factories import (
    AgreementRequestFactory,
    CoverageFactory,
    EpisodeFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    PrescriptionFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


@dataclass
class Clinic:
    practice: Practice
    patients: dict[str, Patient]
    episodes: dict[str, Episode]


def _weekly(episode: Episode, count: int, price: Decimal | None = None) -> None:
    for week in range(count):
        SessionFactory.create(
            episode=episode, date=date(2025, 2, 5) + timedelta(weeks=week), price=price
        )


@pytest.fixture
def be() -> Clinic:
    """A Belgian practice: Aerts 14 of 18 courante sessions, Bosmans 5 without prescription,
    Claes an E episode with an agreement until the end of next year."""
    practice = PracticeFactory.create(country="BE")
    aerts = PatientFactory.create(practice=practice, last_name="Aerts")
    bosmans = PatientFactory.create(practice=practice, last_name="Bosmans")
    claes = PatientFactory.create(practice=practice, last_name="Claes")
    knee = EpisodeFactory.create(patient=aerts, title="Knee")
    PrescriptionFactory.create(episode=knee, sessions=18)
    _weekly(knee, 14)
    back = EpisodeFactory.create(patient=bosmans, title="Back")
    _weekly(back, 5)
    hip = EpisodeFactory.create(
        patient=claes,
        title="Hip",
        category="e",
        pathology="e-a",
    )
    AgreementRequestFactory.create(
        episode=hip, granted_from=date(2025, 1, 1), granted_until=date(2026, 12, 31)
    )
    PrescriptionFactory.create(episode=hip, sessions=60)
    _weekly(hip, 10)
    return Clinic(
        practice,
        {"aerts": aerts, "bosmans": bosmans, "claes": claes},
        {"knee": knee, "back": back, "hip": hip},
    )


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The patients each read recomputed (the rest came from their snapshots)."""
    calls: list[set[int]] = []
    real = store.actionable_evaluations

    def spy(**kwargs: Any) -> Iterator[PatientEvaluation]:
        evaluations = list(real(**kwargs))
        calls.append({e.patient_id for e in evaluations})
        return iter(evaluations)

    monkeypatch.setattr(store, "actionable_evaluations", spy)
    return calls


def _shown(practice: Practice, as_of: date = AS_OF) -> list[PatientWarning]:
    return practice_warnings(practice=practice, as_of=as_of)


def _from_scratch(practice: Practice, as_of: date = AS_OF) -> list[PatientWarning]:
    AttentionSnapshot.objects.filter(patient__practice=practice).delete()
    return _shown(practice, as_of)


def _codes(rows: list[PatientWarning], patient: Patient) -> list[tuple[str, str | None]]:
    return [(r.code, r.episode_title) for r in rows if r.patient_id == patient.pk]


# ------------------------------------------------------------------------- each write path


def _record_15th(c: Clinic) -> None:
    session_record(episode=c.episodes["knee"], date=date(2025, 6, 2))


def _cancel_one(c: Clinic) -> None:
    session = TreatmentSession.objects.filter(episode=c.episodes["knee"]).latest("date")
    session_cancel(session=session, by=UserFactory.create(), reason="entered twice")


def _prescribe_back(c: Clinic) -> None:
    prescription_create(episode=c.episodes["back"], date=date(2025, 2, 1), sessions=9)


def _rename_back(c: Clinic) -> None:
    episode_update(episode=c.episodes["back"], title="Lower back")


def _agreement_ends_soon(c: Clinic) -> None:
    request = c.episodes["hip"].agreement_requests.get()
    agreement_decision_correct(request=request, granted_until=AS_OF + timedelta(days=10))


def _open_an_episode(c: Clinic) -> None:
    episode_create(patient=c.patients["aerts"], title="Shoulder", category="courante")


def _new_birth_date(c: Clinic) -> None:
    patient_update(patient=c.patients["aerts"], birth_date=date(1970, 1, 1))


def _delete_back(c: Clinic) -> None:
    c.episodes["back"].delete()


WRITES: list[tuple[str, Callable[[Clinic], None] | None, Callable[[Clinic], None], str, bool]] = [
    # (name, prepared before the first read, the write, the patient it touches, shown changes)
    ("session_record", None, _record_15th, "aerts", True),
    ("session_cancel", _record_15th, _cancel_one, "aerts", True),
    ("prescription_create", None, _prescribe_back, "bosmans", True),
    ("episode_update title", None, _rename_back, "bosmans", True),
    ("episode_update agreement", None, _agreement_ends_soon, "claes", True),
    ("episode_create", None, _open_an_episode, "aerts", False),
    ("patient_update", None, _new_birth_date, "aerts", False),
    ("episode delete", None, _delete_back, "bosmans", True),
]


@pytest.mark.parametrize(
    ("prepare", "write", "touched", "changes"),
    [pytest.param(*case[1:], id=case[0]) for case in WRITES],
)
def test_a_write_recomputes_its_patient_alone_and_shows_what_a_fresh_read_shows(
    be: Clinic,
    recomputed: list[set[int]],
    prepare: Callable[[Clinic], None] | None,
    write: Callable[[Clinic], None],
    touched: str,
    changes: bool,
) -> None:
    if prepare is not None:
        prepare(be)
    before = _shown(be.practice)
    assert recomputed == [{p.pk for p in be.patients.values()}]

    write(be)
    after = _shown(be.practice)

    assert recomputed[1] == {be.patients[touched].pk}
    assert after == _from_scratch(be.practice)
    if changes:
        assert _codes(after, be.patients[touched]) != _codes(before, be.patients[touched])


def test_the_scenarios_warn_as_the_write_paths_assume(be: Clinic) -> None:
    """The fixture's facts, so that the write tests above change what they claim to."""
    shown = _shown(be.practice)
    assert _codes(shown, be.patients["aerts"]) == []
    assert ("prescription_missing", "Back") in _codes(shown, be.patients["bosmans"])
    assert _codes(shown, be.patients["claes"]) == []
    _record_15th(be)
    assert ("quota_low", "Knee") in _codes(_shown(be.practice), be.patients["aerts"])
    assert belgium.LOW_AT_MOST == 3  # 18 - 15 sessions left


def test_nothing_written_means_one_query_and_no_engine(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    first = _shown(be.practice)
    with CaptureQueriesContext(connection) as queries:
        again = _shown(be.practice)
    assert again == first
    assert len(queries.captured_queries) == 1
    assert len(recomputed) == 1


def test_a_write_in_another_practice_recomputes_nothing_here(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    _shown(be.practice)
    other = EpisodeFactory.create()
    session_record(episode=other, date=date(2025, 6, 2))
    _shown(be.practice)
    assert len(recomputed) == 1


def test_the_days_before_stable_until_reuse_and_others_recompute_everyone(
    be: Clinic, recomputed: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in the fixture ends in 2025 (attention.horizon.stable_until: 1 January)."""
    everyone = {p.pk for p in be.patients.values()}
    first = _shown(be.practice)
    assert _shown(be.practice, AS_OF + timedelta(days=1)) == first
    assert _shown(be.practice, date(2025, 12, 31)) == first
    assert recomputed == [everyone]
    _shown(be.practice, date(2026, 1, 1))  # a new year: the counters restart
    _shown(be.practice, date(2025, 12, 31))  # a day before the one computed
    monkeypatch.setattr(store, "RULES_FINGERPRINT", "a deploy with other rules")
    _shown(be.practice, date(2025, 12, 31))
    assert recomputed == [everyone] * 4


def test_the_day_an_agreement_enters_its_last_30_days_its_patient_alone_is_recomputed(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    """E2, agreement_ending: Claes' agreement ends 40 days after the first read."""
    until = AS_OF + timedelta(days=40)
    agreement_decision_correct(
        request=be.episodes["hip"].agreement_requests.get(), granted_until=until
    )
    _shown(be.practice)
    day_before = _shown(be.practice, until - belgium.ENDING_SOON - timedelta(days=1))
    window = _shown(be.practice, until - belgium.ENDING_SOON)

    assert recomputed == [{p.pk for p in be.patients.values()}, {be.patients["claes"].pk}]
    assert ("agreement_ending", "Hip") not in _codes(day_before, be.patients["claes"])
    assert ("agreement_ending", "Hip") in _codes(window, be.patients["claes"])
    assert window == _from_scratch(be.practice, until - belgium.ENDING_SOON)


def test_saving_the_practice_recomputes_all_its_patients(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    _shown(be.practice)
    be.practice.name = "Renamed"
    be.practice.save()
    assert _shown(be.practice) == _from_scratch(be.practice)
    assert recomputed[1] == {p.pk for p in be.patients.values()}


def test_deleting_a_patient_deletes_their_snapshot(be: Clinic) -> None:
    _shown(be.practice)
    aerts = be.patients["aerts"]
    aerts.delete()
    assert not AttentionSnapshot.objects.filter(patient_id=aerts.pk).exists()
    assert all(row.patient_id != aerts.pk for row in _shown(be.practice))


def test_a_write_between_reading_versions_and_records_is_not_hidden(
    be: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that read the records before a write stores warnings that are already stale."""
    real = store.actionable_evaluations

    def records_read_then_a_session_recorded(**kwargs: Any) -> Iterator[Any]:
        evaluations = list(real(**kwargs))  # the records as they were
        _record_15th(be)  # committed before the read stores its snapshots
        return iter(evaluations)

    monkeypatch.setattr(store, "actionable_evaluations", records_read_then_a_session_recorded)
    stale = _shown(be.practice)
    monkeypatch.setattr(store, "actionable_evaluations", real)

    assert ("quota_low", "Knee") not in _codes(stale, be.patients["aerts"])
    assert ("quota_low", "Knee") in _codes(_shown(be.practice), be.patients["aerts"])


def test_the_therapist_filter_reuses_and_fills_the_same_snapshots(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    therapist = TherapistFactory.create(practice=be.practice)
    SessionFactory.create(episode=be.episodes["knee"], date=date(2025, 6, 9), therapist=therapist)
    mine = practice_warnings(practice=be.practice, as_of=AS_OF, therapist=therapist)
    assert recomputed == [{be.patients["aerts"].pk}]
    assert _stale(be) == {be.patients[n].pk for n in ("bosmans", "claes")}
    everyone = _shown(be.practice)
    assert mine == [row for row in everyone if row.patient_id == be.patients["aerts"].pk]
    assert _stale(be) == set()
    assert practice_warnings(practice=be.practice, as_of=AS_OF, therapist=therapist) == mine
    assert len(recomputed) == 2  # the last read reused what the full list stored


def _stale(c: Clinic) -> set[int]:
    """Return the patients whose stored warnings a read at AS_OF would recompute."""
    current = AttentionSnapshot.objects.filter(
        computed_version=F("version"), as_of__lte=AS_OF, valid_until__gt=AS_OF
    )
    return {p.pk for p in c.patients.values()} - set(current.values_list("patient_id", flat=True))


def test_many_stale_patients_are_recomputed_in_the_same_number_of_queries(
    be: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "STALE_INLINE", 1)  # above it: the whole selection
    with CaptureQueriesContext(connection) as queries:
        shown = _shown(be.practice)
    assert shown == _from_scratch(be.practice)
    # The versions, the records (at most 8, with the agreement requests and the uses at another
    # practice), the loaded tariffs and the convention periods (Belgium), the snapshots
    # stored: one statement.
    assert len(queries.captured_queries) <= 12


# ---------------------------------------------------------------------- the Netherlands


@pytest.fixture
def nl() -> tuple[Practice, Patient, InsurerPackage]:
    """Dekker: 7 regular sessions in 2025 on a package of 9 treatments (2 left: low)."""
    practice = PracticeFactory.create(country="NL")
    dekker = PatientFactory.create(practice=practice, last_name="Dekker")
    PatientFactory.create(practice=practice, last_name="Jansen")
    package = InsurerPackageFactory.create(treatments=9, year=2025)
    CoverageFactory.create(patient=dekker, package=package, year=2025)
    episode = EpisodeFactory.create(patient=dekker, title="Neck", category="regular")
    _weekly(episode, 7, price=Decimal("40.00"))
    return practice, dekker, package


def _allowance(rows: list[PatientWarning], patient: Patient) -> list[str]:
    return [r.code for r in rows if r.patient_id == patient.pk and r.code.startswith("allowance")]


def test_an_insurer_package_change_recomputes_the_patients_on_it(
    nl: tuple[Practice, Patient, InsurerPackage], recomputed: list[set[int]]
) -> None:
    practice, dekker, package = nl
    before = _shown(practice)
    assert _allowance(before, dekker) == ["allowance_low"]
    package.treatments = 20
    package.save()
    after = _shown(practice)
    assert recomputed[1] == {dekker.pk}
    assert _allowance(after, dekker) == []
    assert after == _from_scratch(practice)


def test_a_coverage_change_recomputes_its_patient(
    nl: tuple[Practice, Patient, InsurerPackage], recomputed: list[set[int]]
) -> None:
    practice, dekker, _ = nl
    _shown(practice)
    coverage_set(patient=dekker, year=2025, package=None, treatments=7)
    after = _shown(practice)
    assert recomputed[1] == {dekker.pk}
    assert _allowance(after, dekker) == ["allowance_exhausted"]
    assert after == _from_scratch(practice)


def test_a_session_moved_to_another_patient_recomputes_both(
    be: Clinic, recomputed: list[set[int]]
) -> None:
    """No page moves a session, but a save that does must not leave the patient it left
    with warnings that counted it: Aerts drops to 13 of 18, Bosmans' back gets a 6th."""
    _record_15th(be)
    before = _shown(be.practice)
    assert ("quota_low", "Knee") in _codes(before, be.patients["aerts"])
    session = TreatmentSession.objects.filter(episode=be.episodes["knee"]).latest("date")
    session.episode = be.episodes["back"]
    assert _stale(be) == set()
    session.save()
    assert _stale(be) == {be.patients["aerts"].pk, be.patients["bosmans"].pk}
    after = _shown(be.practice)
    assert ("quota_low", "Knee") not in _codes(after, be.patients["aerts"])
    assert after == _from_scratch(be.practice)


def test_a_cancellation_raises_one_version_and_reads_no_stored_row(be: Clinic) -> None:
    """``update_fields`` without the owner: the patient it left is the one it is in."""
    _shown(be.practice)
    session = TreatmentSession.objects.filter(episode=be.episodes["knee"]).latest("date")
    clerk = UserFactory.create()
    with CaptureQueriesContext(connection) as queries:
        session_cancel(session=session, by=clerk, reason="entered twice")
    table = AttentionSnapshot._meta.db_table
    raised = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert len(raised) == 1
