"""The contract's JSON renderer writes DRF's bytes (``reimburse.api.ContractJSONRenderer``).

The quota and simulate answers are written by orjson; the bytes must be those DRF's own
``JSONRenderer`` writes: every answer of the engine's 3,307 recorded results, stored patients'
quotas through the API in three languages, and any plain JSON value hypothesis draws.
"""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from practice.models import Practice
from reimburse.api import ContractJSONRenderer
from reimburse.explain import Reader
from reimburse.simulate import result_to_dict
from tests.engine.oracle import recorded_results
from tests.factories import (
    AgreementRequestFactory,
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
)

READERS = (Reader("en", "BE"), Reader("nl", "BE"), Reader("nl", "NL"), Reader("fr", "BE"))


def drf(data: Any, media_type: str | None = None) -> bytes:
    return JSONRenderer().render(data, media_type)


def ours(data: Any, media_type: str | None = None) -> bytes:
    return ContractJSONRenderer().render(data, media_type)


def test_every_recorded_result_is_written_as_drf_writes_it() -> None:
    results = recorded_results()
    assert len(results) > 3000

    for index, result in enumerate(results):
        answer = result_to_dict(result, READERS[index % len(READERS)])
        written = ours(answer)
        assert written == drf(answer), index
        assert json.loads(written) == answer
        assert _plain_json(answer), index


def _plain_json(value: Any) -> bool:
    """Tell whether ``value`` holds only what the renderer writes as DRF does without asking
    DRF: exact dicts, lists, strings, integers, booleans and None; no float (orjson writes some
    otherwise), no subclass (handed back to DRF, slower)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in (str, int, bool) or value is None


@pytest.mark.django_db
def test_stored_patients_quotas_are_written_as_drf_writes_them(
    api: APIClient, practice: Practice
) -> None:
    rng = random.Random(19)
    patients = []
    for _ in range(12):
        patient = PatientFactory.create(
            practice=practice, birth_date=date(1950 + rng.randrange(60), 5, 1)
        )
        for _ in range(rng.randrange(1, 4)):
            category, pathology = rng.choice([("courante", ""), ("fa", "fa-1"), ("e", "e-a")])
            episode = EpisodeFactory.create(patient=patient, category=category, pathology=pathology)
            start = date(2024, 1, 1) + timedelta(days=rng.randrange(500))
            if rng.random() < 0.8:
                PrescriptionFactory.create(
                    episode=episode, date=start, sessions=rng.choice([9, 18])
                )
            if category == "e":
                AgreementRequestFactory.create(episode=episode)
            for day in sorted(rng.sample(range(200), rng.randrange(1, 40))):
                SessionFactory.create(episode=episode, date=start + timedelta(days=day + 1))
        patients.append(patient)

    for patient in patients:
        for language in ("en", "nl", "fr"):
            response = api.get(
                f"/api/v1/patients/{patient.pk}/quota",
                {"as_of": "2025-12-15"},
                HTTP_ACCEPT_LANGUAGE=language,
            )
            assert response.status_code == 200
            assert response.content == drf(response.data)
            assert json.loads(response.content) == response.data


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_plain_json_value_is_written_as_drf_writes_it(value: Any) -> None:
    assert ours(value) == drf(value)


class _Text(str):
    pass


def _moved_to_end() -> OrderedDict[str, int]:
    ordered = OrderedDict(a=1, b=2)
    ordered.move_to_end("a")
    return ordered


@pytest.mark.parametrize(
    "value",
    [
        'line\u2028and paragraph\u2029separators, \x00\x1f\x7f controls, "quotes" \\ é €',
        {"big": 2**64, "negative big": -(2**63) - 1},  # past orjson's integers
        {"money": Decimal("30.80"), "day": date(2026, 3, 14)},
        {"moment": datetime(2026, 3, 14, 9, 12, 3, 510_000)},
        {"lazy": gettext_lazy("Best rate")},
        {1: "a key that is not a string", None: "nor this"},
        (1, "tuple"),
        _moved_to_end(),  # orjson alone would write a and b in their stored order
        {"text": _Text("a str subclass")},
        [],
        {},
    ],
)
def test_values_drf_writes_its_own_way_are_left_to_it(value: Any) -> None:
    assert ours(value) == drf(value)


def test_an_indented_answer_asked_for_is_drfs() -> None:
    value = {"sessions": [{"id": "1", "explanation": "Séance 1."}]}
    media_type = "application/json; indent=4"

    assert ours(value, media_type) == drf(value, media_type)
    assert b"\n    " in ours(value, media_type)


def test_no_answer_is_no_bytes() -> None:
    assert ours(None) == drf(None) == b""


def test_a_lone_surrogate_fails_as_drf_fails() -> None:
    with pytest.raises(UnicodeEncodeError):
        drf({"text": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        ours({"text": "\ud800"})
