"""The bridge's fast constructors and plain rows give exactly what the ordinary ones give."""

from __future__ import annotations

import gc
import inspect
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Value

from practice.models import Episode, Patient, TreatmentSession
from reimburse.attention.compute import _collector_paused
from reimburse.engine import types as t
from reimburse.services import (
    EPISODE_FACT_FIELDS,
    Periods,
    _episode_facts_from,
    _session_facts,
    episode_fact,
    episode_rows,
    patient_case,
    patients_for_evaluation,
    plain_rows,
    practice_cases,
    session_fact,
)
from tests.factories import (
    AgreementRequestFactory,
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
)

# A value for every field, none of them its default: a field set wrongly cannot pass unseen.
SESSION = {
    "id": "7",
    "date": date(2025, 2, 3),
    "episode": "3",
    "minutes": 45,
    "place": "home",
    "price": Decimal("37.50"),
    "conventioned": False,
    "kind": "manual_therapy",
}
EPISODE = {
    "id": "3",
    "category": "fa",
    "pathology": "fa-3",
    "notified_on": date(2025, 1, 2),
    "agreements": (t.Agreement(date(2025, 1, 1), date(2025, 6, 30)),),
    "prescriptions": (t.Prescription("9", date(2025, 1, 1), 18, True),),
    "prior_sessions": {2024: 4},
    "first_session_on": date(2024, 11, 4),
    "condition": "cva",
    "term_months": 12,
    "gold_class": "B1",
    "gold_stage": 3,
    "prior_treatments": 10,
    "first_treatment_on": date(2024, 10, 1),
    "referral": t.Referral(date(2024, 9, 1), "gp"),
    "extension": True,
}


@pytest.mark.parametrize(
    ("build", "kind", "values"),
    [(session_fact, t.Session, SESSION), (episode_fact, t.Episode, EPISODE)],
)
def test_a_fast_fact_is_the_dataclass_with_every_field(
    build: Any, kind: type, values: dict[str, Any]
) -> None:
    # Every field of the type is a parameter, in the type's order: a field added to the
    # engine's type fails here until the bridge sets it.
    assert list(inspect.signature(build).parameters) == [f.name for f in fields(kind)]
    assert set(values) == {f.name for f in fields(kind)}

    fast: Any = build(**values)
    ordinary = kind(**values)

    with pytest.raises(AttributeError):  # still frozen
        fast.id = "8"
    assert type(fast) is kind
    assert fast == ordinary
    assert vars(fast) == vars(ordinary)
    if kind is t.Session:  # an episode holds dicts: unhashable either way
        assert hash(fast) == hash(ordinary)


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["BE", "NL"])
def test_practice_cases_read_from_plain_rows_equal_the_model_instances_case(country: str) -> None:
    patient = PatientFactory.create(practice__country=country, preferential=country == "BE")
    category = "fa" if country == "BE" else "chronic"
    episode = EpisodeFactory.create(
        patient=patient,
        category=category,
        pathology="fa-3" if country == "BE" else "",
        condition="cva" if country == "NL" else "",
        notified_on=date(2025, 1, 2),
        prior_sessions={"2024": 4},
        first_session_on=date(2024, 11, 4),
        referral_date=date(2024, 9, 1),
        referral_by="gp",
    )
    other = EpisodeFactory.create(
        patient=patient, category="courante" if country == "BE" else "regular"
    )
    AgreementRequestFactory.create(
        episode=episode, granted_from=date(2025, 1, 1), granted_until=date(2025, 6, 30)
    )
    PrescriptionFactory.create(episode=episode, date=date(2025, 1, 3), sessions=18)
    PrescriptionFactory.create(episode=other, date=date(2025, 1, 2), sessions=9)
    for day, on in ((6, episode), (6, other), (7, other), (8, episode)):
        SessionFactory.create(
            episode=on, date=date(2025, 1, day), minutes=20, place="home", price=Decimal("40.00")
        )
    loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
    as_of = date(2025, 6, 30)

    (found,) = practice_cases(practice=patient.practice, as_of=as_of)

    assert found.case == patient_case(patient=loaded, as_of=as_of)
    assert [s.date.day for s in found.case.sessions] == [6, 6, 7, 8]


@pytest.mark.django_db
def test_episodes_read_beforehand_and_skipped_ones_give_the_cases_read_alone() -> None:
    """Needs attention reads the episodes with its selection's columns (``episode_rows``)
    and hands them over; the sessions of skipped episodes are left out (SQLite: read through
    the other episodes; PostgreSQL: the practice's, less the skipped ones')."""
    patient = PatientFactory.create(practice__country="BE")
    second = PatientFactory.create(practice=patient.practice)
    kept = EpisodeFactory.create(patient=patient, category="courante")
    old = EpisodeFactory.create(patient=patient, category="e", pathology="e-a")
    theirs = EpisodeFactory.create(patient=second, category="courante")
    PrescriptionFactory.create(episode=kept, date=date(2025, 1, 2), sessions=9)
    PrescriptionFactory.create(episode=old, date=date(2022, 1, 2), sessions=9)
    for day, on in (
        (date(2025, 1, 6), kept),
        (date(2022, 1, 6), old),
        (date(2025, 1, 7), theirs),
        (date(2025, 1, 8), kept),
    ):
        SessionFactory.create(episode=on, date=day)
    practice, as_of, skip = patient.practice, date(2025, 6, 30), {old.pk}

    alone = list(practice_cases(practice=practice, as_of=as_of, skip=skip))
    rows = episode_rows(
        Episode.objects.filter(patient__practice=practice).annotate(extra=Value(1)), "extra"
    )
    given = list(practice_cases(practice=practice, as_of=as_of, skip=skip, episodes=rows))

    assert given == alone
    whole = {
        found.patient_id: found.case for found in practice_cases(practice=practice, as_of=as_of)
    }
    for found in alone:
        case = whole[found.patient_id]
        assert found.case.sessions == tuple(s for s in case.sessions if s.episode != str(old.pk))
        assert found.case.episodes == tuple(e for e in case.episodes if e.id != str(old.pk))
    assert [e.id for found in alone for e in found.unread] == [str(old.pk)]
    assert sum(len(found.case.sessions) for found in alone) == 3


@pytest.mark.django_db
def test_plain_rows_are_the_rows_values_list_gives() -> None:
    SessionFactory.create_batch(3, price=Decimal("12.30"))
    SessionFactory.create(price=None)
    query = TreatmentSession.objects.order_by("pk").values_list(
        "pk", "date", "price", "episode__prior_sessions", "episode__notified_on"
    )
    Episode.objects.update(prior_sessions={"2024": 2})

    assert plain_rows(query) == list(query)
    assert plain_rows(query.none()) == []


def test_the_collector_is_paused_and_restored_as_it_was() -> None:
    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_session_facts_of_fetched_rows_are_session_fact_of_their_converted_values() -> None:
    # As SQLite fetches them: the date and the price as text, converted through the mappings.
    days = {"2025-02-03": date(2025, 2, 3)}
    prices = {"37.50": Decimal("37.50"), None: None}
    rows = [
        ("2025-02-03", 7, 3, 45, "home", "37.50", 11, "manual_therapy"),
        ("2025-02-03", 8, 4, 30, "practice", None, 12, "physiotherapy"),
    ]
    # Therapist 11 did not adhere to the convention in February 2025; 12 has no period.
    values: dict[str, Any] = SESSION
    conventions: Periods = {11: [(date(2025, 2, 1), date(2025, 3, 1))]}

    facts = _session_facts(rows, conventions, days, prices)

    assert facts == (
        t.Session(**values),
        t.Session("8", date(2025, 2, 3), "4", 30, "practice", None, True, "physiotherapy"),
    )
    assert [vars(f) for f in facts] == [
        vars(t.Session(**values)),
        vars(t.Session("8", date(2025, 2, 3), "4", 30, "practice", None, True, "physiotherapy")),
    ]
    with pytest.raises(AttributeError):  # still frozen
        facts[0].id = "9"  # type: ignore[misc]


def test_session_facts_of_rows_without_therapists_are_conventioned() -> None:
    # A practice none of whose therapists left the convention: no therapist column is read.
    rows = [(date(2025, 2, 3), 7, 3, 45, "home", Decimal("37.50"), "manual_therapy")]

    values: dict[str, Any] = {**SESSION, "conventioned": True}

    facts = _session_facts(rows, {}, names={3: "3"}, therapists=False)

    assert facts == (t.Session(**values),)
    assert [vars(f) for f in facts] == [vars(t.Session(**values))]


@pytest.mark.django_db
def test_episodes_with_the_same_prior_sessions_get_a_dict_each() -> None:
    patient = PatientFactory.create(practice__country="BE")
    for _ in range(2):
        EpisodeFactory.create(patient=patient, category="fa", prior_sessions={"2024": 4})

    (found,) = practice_cases(practice=patient.practice, as_of=date(2025, 6, 30))

    first, second = found.case.episodes
    assert first.prior_sessions == second.prior_sessions == {2024: 4}
    assert first.prior_sessions is not second.prior_sessions


def test_an_episode_row_becomes_the_fact_of_its_named_columns() -> None:
    # Every column a value of its own, none a default: a column taken for another fails.
    row = {
        "pk": 3,
        "category": "fa",
        "pathology": "fa-3",
        "notified_on": date(2025, 1, 2),
        "prior_sessions": {"2024": 4},
        "first_session_on": date(2024, 11, 4),
        "condition": "cva",
        "term_months": 12,
        "gold_class": "B1",
        "gold_stage": 3,
        "prior_treatments": 10,
        "first_treatment_on": date(2024, 10, 1),
        "referral_date": date(2024, 9, 1),
        "referral_by": "gp",
        "extension": True,
    }
    assert set(row) == set(EPISODE_FACT_FIELDS)
    values: dict[str, Any] = EPISODE

    fact = _episode_facts_from(row, values["prescriptions"], values["agreements"])

    assert fact == t.Episode(**values)
    assert vars(fact) == vars(t.Episode(**values))
