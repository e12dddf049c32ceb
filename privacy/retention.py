"""How long a patient's record must be kept, by country, as a dated table with its sources.

Pure: no Django, no clock. A rule is in force on ``[valid_from, valid_until)``; the rule that
decides is the one in force on the day the administrator acts (``on``). A change of the law
is a new row here plus a test, never an ``if`` in the services.

The retention end is ``counted_from + years`` with ``dateutil.relativedelta`` (29 February
plus whole years lands on 28 February when that year has none). On and after that day the
record may be anonymised without a request; before it only on a lawful request (the
patient's written request where the law gives that right, a court order), which the
administrator names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class EarlyErasure(StrEnum):
    """What allows erasure before the retention period ends (the sentence is the edge's)."""

    # NL, BW 7:455: the patient's written request.
    PATIENT_REQUEST = "patient_request"
    # BE: no right to erasure during the period; a court order or another legal obligation.
    LEGAL_ORDER = "legal_order"


class CountedFrom(StrEnum):
    """What the retention period runs from."""

    # BE: "te rekenen vanaf het laatste patiëntencontact" (the last session with the patient).
    LAST_CONTACT = "last_contact"
    # NL: "te rekenen vanaf het tijdstip van de laatste wijziging in het dossier".
    LAST_CHANGE = "last_change"


@dataclass(frozen=True)
class RetentionRule:
    """One country's retention duty for the patient record over ``[valid_from, valid_until)``."""

    country: str
    valid_from: date
    valid_until: date | None
    years: int
    counted_from: CountedFrom
    # The article that sets the period, as a lawyer cites it (shown to the administrator).
    law: str
    # What allows erasure before the period ends, and the articles that say so.
    early_erasure: EarlyErasure
    early_erasure_law: str
    sources: tuple[str, ...]
    checked_on: date

    def __post_init__(self) -> None:
        if self.years <= 0:
            raise ValueError(f"{self.country}: a retention period is a positive number of years")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError(f"{self.country}: valid_until must be after valid_from")
        if not self.sources:
            raise ValueError(f"{self.country} {self.valid_from}: a rule cites its source")


# GDPR art. 17(3): the right to erasure does not apply where processing is necessary "(b) for
# compliance with a legal obligation which requires processing by Union or Member State law"
# (the retention duties below) and "(c) for reasons of public interest in the area of public
# health in accordance with points (h) and (i) of Article 9(2) as well as Article 9(3)".
GDPR_EXCEPTION = "GDPR art. 17(3)(b) and (c)"
GDPR_SOURCES = (
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj (art. 17(3))",
    "https://gdprhub.eu/Article_17_GDPR (text of art. 17, checked 2026-12-03)",
)

RULES: tuple[RetentionRule, ...] = (
    # Belgium. Law of 22 April 2019 on the quality of healthcare practice (kwaliteitswet / loi
    # qualité), art. 35: the health professional keeps the patient record for at least 30 and
    # at most 50 years from the last contact with the patient. In force on 1 July 2022
    # (Ordomedic FAQ 3.3, version of 27/04/2023). The patients' rights law of 22 August 2002,
    # art. 9 §1, gives the patient the right to a carefully kept record; it gives no right to
    # have it destroyed during the retention period, so early erasure needs a court order or
    # another legal ground.
    RetentionRule(
        country="BE",
        valid_from=date(2022, 7, 1),
        valid_until=None,
        years=30,
        counted_from=CountedFrom.LAST_CONTACT,
        law="Wet/Loi 22.04.2019 (kwaliteitswet), art. 35; Wet/Loi 22.08.2002, art. 9 §1",
        early_erasure=EarlyErasure.LEGAL_ORDER,
        early_erasure_law=GDPR_EXCEPTION,
        sources=(
            "https://ordomedic.be/nl/faq/bewaring-van-pati%C3%ABntendossiers"
            " (art. 35: min. 30, max. 50 years from the last patient contact;"
            " in force 1 July 2022)",
        ),
        checked_on=date(2026, 12, 3),
    ),
    # The Netherlands. BW 7:454 lid 3 (WGBO) since 1 January 2020: 20 years from the last change
    # in the record, or longer as far as the care of a good care provider requires (before:
    # 15 years from the making of each document). BW 7:455: the
    # patient may ask in writing for the record to be destroyed; the care provider destroys
    # it within three months unless keeping it is of considerable importance to another
    # person or a legal rule forbids it.
    RetentionRule(
        country="NL",
        valid_from=date(2020, 1, 1),
        valid_until=None,
        years=20,
        counted_from=CountedFrom.LAST_CHANGE,
        law="BW 7:454 lid 3 (WGBO)",
        early_erasure=EarlyErasure.PATIENT_REQUEST,
        early_erasure_law="BW 7:455; " + GDPR_EXCEPTION,
        sources=(
            "https://wetten.overheid.nl/BWBR0005290 (Boek 7, art. 454 and 455)",
            "https://zoek.officielebekendmakingen.nl/kst-34994-3.html"
            " (MvT §2.2: 20 years, counted from the last change)",
            "https://www.dirkzwager.nl/kennis/artikelen/wijzigingen-van-de-wgbo-per-1-januari-2020-2-"
            "verlenging-bewaartermijn-en-aanpassing-aanvangsdatum (in force 1 January 2020)",
        ),
        checked_on=date(2026, 12, 3),
    ),
)


class NoRetentionRule(LookupError):
    """No retention rule of this country is in force on that day."""


def rule_for(country: str, on: date, rules: tuple[RetentionRule, ...] = RULES) -> RetentionRule:
    """Return the retention rule of ``country`` in force on ``on``."""
    for rule in rules:
        if rule.country != country or on < rule.valid_from:
            continue
        if rule.valid_until is None or on < rule.valid_until:
            return rule
    raise NoRetentionRule(f"no retention rule for {country} on {on.isoformat()}")


@dataclass(frozen=True)
class Retention:
    """When one patient's record may be anonymised without a request, and why."""

    rule: RetentionRule
    last_contact: date | None
    last_change: date | None
    counted_from: date
    ends_on: date

    def over(self, on: date) -> bool:
        """Whether the retention period has ended on ``on``."""
        return on >= self.ends_on


def retention(
    *, rule: RetentionRule, last_contact: date | None, last_change: date | None
) -> Retention:
    """Return the retention of a record whose last contact and last change are given.

    A record without a session has had no treatment contact: its last change (the day it
    was entered at the latest) is then taken as the last contact, the later of the two days
    the law could mean.
    """
    if last_change is None and last_contact is None:
        raise ValueError("a stored record has at least its creation as a change")
    if rule.counted_from is CountedFrom.LAST_CONTACT:
        start = last_contact if last_contact is not None else last_change
    else:
        start = last_change if last_change is not None else last_contact
    assert start is not None
    return Retention(
        rule=rule,
        last_contact=last_contact,
        last_change=last_change,
        counted_from=start,
        ends_on=start + relativedelta(years=rule.years),
    )
