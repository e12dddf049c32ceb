"""The engine's full answers on generated cases, as plain JSON, to prove a rewrite changes none.

``encode`` turns facts and results (dataclasses, enums, dates, ``Decimal``, tuples, mappings)
into JSON values that keep every distinction ``==`` would blur: an enum's class, ``Decimal("40")``
against ``Decimal("40.00")``, a tuple against a list, the order of a mapping's keys. ``decode``
rebuilds the facts. ``generated_cases`` draws the cases with the hypothesis strategies of the
engine's property tests, derandomized, so the same hypothesis version draws the same cases.
``scripts/engine_oracle.py`` records them with the answers in ``tests/fixtures/engine``;
``tests/engine/test_oracle.py`` checks the engine still gives those answers.
"""

from __future__ import annotations

import dataclasses
import enum
import gzip
import json
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reimburse.engine import types, vocabulary
from reimburse.engine.types import Case, Episode, Patient, Prescription, Result, Session, Tariff

Json = Any


def registry(*modules: object) -> dict[str, type]:
    """Name the dataclasses and enums of ``modules`` (an engine's ``types`` and ``vocabulary``)."""
    return {
        name: cls
        for module in modules
        for name, cls in vars(module).items()
        if isinstance(cls, type) and (dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum))
    }


_TYPES = registry(types, vocabulary)


def encode(value: object) -> Json:
    """Return ``value`` as JSON that tells apart what a byte-exact comparison must."""
    if isinstance(value, enum.Enum):
        return {"E": type(value).__name__, "v": value.value}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date):
        return {"D": value.isoformat()}
    if isinstance(value, Decimal):
        return {"M": str(value)}
    if isinstance(value, tuple):
        return {"T": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"K": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "C": type(value).__name__,
            "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(data: Json, known: Mapping[str, type] = _TYPES) -> Any:
    """Rebuild what ``encode`` wrote with the types ``known`` (by default this engine's)."""
    if isinstance(data, list):
        return [decode(v, known) for v in data]
    if not isinstance(data, dict):
        return data
    if "E" in data:
        return known[data["E"]](data["v"])
    if "D" in data:
        return date.fromisoformat(data["D"])
    if "M" in data:
        return Decimal(data["M"])
    if "T" in data:
        return tuple(decode(v, known) for v in data["T"])
    if "K" in data:
        return {decode(k, known): decode(v, known) for k, v in data["K"]}
    return known[data["C"]](**{name: decode(v, known) for name, v in data["f"].items()})


def answers(evaluate: Callable[..., object], case: Case) -> Json:
    """Return the engine's answers on ``case`` with and without outcomes, or its error."""
    found = []
    for outcomes in (True, False):
        try:
            found.append(encode(evaluate(case, outcomes=outcomes)))
        except Exception as exc:  # an engine error is an answer too
            found.append({"error": type(exc).__name__, "args": [str(a) for a in exc.args]})
    return found


# ----------------------------------------------------------------------------------- the cases


def _collect(strategy: st.SearchStrategy[Case], count: int) -> list[Case]:
    drawn: list[Case] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(case: Case) -> None:
        drawn.append(case)

    draw()
    return drawn


@st.composite
def be_varied(draw: st.DrawFn) -> Case:
    """A Belgian case of the property tests, with what those leave at its defaults varied:
    minutes, non-conventioned prices, care given elsewhere, polytrauma, official situation
    codes, the first session elsewhere and a clinic's loaded tariff."""
    from tests.engine.be.test_properties import cases

    case = draw(cases())
    codes = st.sampled_from([None, "co-1-1-1-1", "co-1-1-1-1", "co-0-0-0-0"])
    episodes = []
    for ep in case.episodes:
        changes: dict[str, Any] = {}
        if ep.category == "fa" and draw(st.booleans()):
            changes["pathology"] = "fa-16"
        if ep.category == "courante":
            changes["pathology"] = draw(codes)
            if draw(st.integers(0, 4)) == 0:
                changes["prior_sessions"] = {2024: draw(st.integers(1, 20))}
        if ep.category in ("fa", "fb") and draw(st.integers(0, 3)) == 0:
            changes["first_session_on"] = date(2023, 11, 20)
        episodes.append(dataclasses.replace(ep, **changes))
    sessions = tuple(
        dataclasses.replace(
            s,
            minutes=draw(st.sampled_from([30, 30, 30, 30, 30, 15, 20, 45])),
            conventioned=draw(st.sampled_from([True, True, True, False])),
            price=draw(st.sampled_from([None, Decimal("40"), Decimal("35.50")])),
        )
        for s in case.sessions
    )
    patient = dataclasses.replace(
        case.patient,
        overflow_elsewhere=draw(st.sampled_from([{}, {}, {2024: 10}, {2025: 53}])),
        situations_elsewhere=draw(st.sampled_from([{}, {}, {2024: 1}, {2025: 3}])),
    )
    tariffs: tuple[Tariff, ...] = ()
    if draw(st.integers(0, 5)) == 0:
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
    return dataclasses.replace(
        case, episodes=tuple(episodes), sessions=sessions, patient=patient, tariffs=tariffs
    )


def many_prescriptions(n: int) -> Case:
    """One patient-year of a courante and an E episode with ``n`` prescriptions each."""
    start = date(2025, 1, 2)
    rxs = tuple(
        Prescription(f"rx{i}", start + timedelta(days=i * 330 // n), 2 + i % 3) for i in range(n)
    )
    episodes = (
        Episode("c", "courante", prescriptions=rxs),
        Episode("e", "e", pathology="e-b", prescriptions=rxs),
    )
    sessions = tuple(
        Session(f"s{i}", start + timedelta(days=i * 350 // 160), ("c", "e")[i % 2])
        for i in range(160)
    )
    return Case("BE", date(2025, 7, 1), Patient(date(1960, 1, 1)), episodes, sessions)


def generated_cases(count: int) -> list[Case]:
    """Draw ``count`` Belgian and ``count`` Dutch cases, and a few large Belgian ones."""
    from tests.engine.be.test_properties import cases as be_cases
    from tests.engine.nl.test_properties import cases as nl_cases

    found = _collect(be_varied(), count)
    found += _collect(be_cases(courante_only=True), count // 10)
    found += _collect(nl_cases(), count)
    found += _collect(nl_cases(unique_days=True), count // 10)
    found += [many_prescriptions(n) for n in (1, 10, 60, 240)]
    found += [_bench_case(n) for n in range(3)]
    return found


def _bench_case(n: int) -> Case:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_engine.py"
    spec = importlib.util.spec_from_file_location("bench_engine", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    case: Case = module.patient_year(n)
    return case


__all__ = ["Patient", "answers", "decode", "encode", "generated_cases"]


# The recorded cases and answers (``scripts/engine_oracle.py`` writes them).
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "engine" / "oracle.json.gz"


def recorded() -> list[dict[str, Any]]:
    """Return the recorded rows: each a ``case`` and its ``answers``, as JSON values."""
    with gzip.open(FIXTURE, "rt") as data:
        rows: list[dict[str, Any]] = json.load(data)
    return rows


def recorded_results() -> list[Result]:
    """Return the first answer of every recorded case that is a ``Result`` (not an error)."""
    found = (decode(row["answers"][0]) for row in recorded())
    return [result for result in found if isinstance(result, Result)]
