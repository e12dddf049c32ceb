"""The official pathology-situation codes of MyCareNet, with their Dutch and French labels.

312 codes (``data/pathology-situation-codes.csv``, from the HL7 Belgium MyCareNet code system
``nihdi-physiotherapy-pathologysituationcode``; ``docs/rules/belgium-eagreement.md`` §2.3):
``co-*`` courante situations (region-subregion-pathology-laterality), ``fa-*``, ``fb-*``,
``e-*`` and ``eb-*`` for the E list, ``m-1`` perinatal, ``p-1`` palliative, and two that no
category of the rules takes (``dh-1`` day hospitalisation, ``cr-1`` consultative review).

Beside them the E list's letters of contract v1 (``e-a`` … ``e-l``) stay valid, as v2 promises
("a v1 input is a valid v2 input"): five of them (``e-e``, ``e-g``, ``e-h``, ``e-i``,
``e-j``) have only sub-items in the official list (``e-h-1`` … ``e-h-6``), so the letter
itself is added, labelled with its sub-items' common heading ("h) Chronische auto-immune
inflammatoire polyarthritis"). E has no rule per letter (E1, E2): the letter and its sub-items
are judged alike.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "pathology-situation-codes.csv"

# The code families each category of the rules accepts (contract v2).
FAMILIES: dict[str, tuple[str, ...]] = {
    "courante": ("co",),
    "fa": ("fa",),
    "fb": ("fb",),
    "e": ("e", "eb"),
    "perinatal": ("m",),
    "palliative": ("p",),
}
# Categories whose episodes must name their situation (a list code: FA4, FB4, E1).
REQUIRED = ("fa", "fb", "e")
POLYTRAUMA = "fa-16"  # FA2: 120 sessions at the best rate


@dataclass(frozen=True)
class Situation:
    code: str
    family: str
    label_nl: str
    label_fr: str


class InvalidSituationTable(ValueError):
    """The code list does not read: names the row."""


@cache
def situations() -> dict[str, Situation]:
    """Return every official code, in the order of the list."""
    found: dict[str, Situation] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, family = row.get("code") or "", row.get("family") or ""
            if not code or not family or not code.startswith(f"{family}-") or code in found:
                raise InvalidSituationTable(f"{DATA.name}, line {line}: {row!r}")
            found[code] = Situation(code, family, row["label_nl"], row["label_fr"])
    letters: dict[str, Situation] = {}  # each before its sub-items, in the list's order
    for letter in V1_E_LETTERS:
        code = f"e-{letter}"
        items = [s for c, s in found.items() if c.startswith(f"{code}-")]
        if code not in found and items:
            nl, fr = _heading([s.label_nl for s in items]), _heading([s.label_fr for s in items])
            letters[items[0].code] = Situation(code, "e", nl, fr)
    ordered: dict[str, Situation] = {}
    for code, situation in found.items():
        if code in letters:
            ordered[letters[code].code] = letters[code]
        ordered[code] = situation
    return ordered


# Contract v1's E pathologies, ``e-a`` … ``e-l`` (the letters of the E list).
V1_E_LETTERS = "abcdefghijkl"


def _heading(labels: list[str]) -> str:
    """Return what the labels of a letter's sub-items share: its heading ("i) Myopathieën")."""
    # The longest start they share, character by character: that of the first and the last
    # in sorted order.
    first, last = min(labels), max(labels)
    size = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first)
    )
    shared = first[:size]
    return shared.split(":", 1)[0].rstrip().rstrip(";").rstrip() if len(labels) > 1 else labels[0]


def codes_for(category: str) -> tuple[str, ...]:
    """Return the official codes an episode of ``category`` may name."""
    families = FAMILIES.get(category, ())
    return tuple(s.code for s in situations().values() if s.family in families)


def accepts(category: str, code: str) -> bool:
    """Tell whether an episode of ``category`` may name the situation ``code``."""
    found = situations().get(code)
    return found is not None and found.family in FAMILIES.get(category, ())
