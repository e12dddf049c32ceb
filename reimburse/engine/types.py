"""Facts in, outcome out: the value types of the pure reimbursement engine.

These mirror the simulate contract (``docs/rules/simulate.md``). The engine never
imports Django, reads no clock and touches no database: callers build these facts (from JSON
in ``reimburse.simulate``, from rows in ``reimburse.services``) and pass ``as_of`` explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, Protocol

from reimburse.engine import vocabulary
from reimburse.engine.errors import RulesNotInForce
from reimburse.engine.vocabulary import (
    GRANTED,
    AgreementStatus,
    ReasonCode,
    Severity,
    WarningCode,
)

__all__ = ["RulesNotInForce"]  # re-exported: callers import it with the facts

Country = Literal["BE", "NL"]

BE_CATEGORIES = ("courante", "fa", "fb", "e", "perinatal", "palliative")
NL_CATEGORIES = (
    "regular",
    "chronic",
    "osteoarthritis",
    "claudication",
    "pelvic_floor",
    "copd",
    "rheumatoid_arthritis",
)
PLACES = ("practice", "home")

# BE list codes used in MyCareNet notifications and agreements (domain note §6, MYCARENET).
# fb-52/fb-53 do not exist in the source list; fa-16 is polytrauma (120 sessions).
BE_PATHOLOGIES: dict[str, tuple[str, ...]] = {
    "fa": (*(f"fa-{n}" for n in range(1, 18)), "fa-2-b"),
    "fb": ("fb-51", *(f"fb-{n}" for n in range(54, 61))),
    "e": tuple(f"e-{letter}" for letter in "abcdefghijkl"),
}

# The statuses and severities are the vocabulary's (``engine.vocabulary``).
BE_STATUSES = tuple(str(s) for s in vocabulary.BE_STATUSES)
NL_STATUSES = tuple(str(s) for s in vocabulary.NL_STATUSES)
SEVERITIES = tuple(str(s) for s in vocabulary.Severity)

CENT = Decimal("0.01")

# The dates and amounts the rules can reason about. Period arithmetic ("31 December of the
# second following year", a 12-month window) needs headroom below 9999-12-31, and a date
# outside this range is a typo in a practice's records. Amounts fit DecimalField(10, 2).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_AMOUNT = Decimal("99999999.99")


def money(value: Decimal | str | int) -> Decimal:
    """Round to the cent with the project's one rounding policy (half up)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Prescription:
    """A Belgian medical prescription for a number of sessions (art. 7 §3)."""

    id: str
    date: date
    sessions: int
    second_session_motivated: bool = False

    def __post_init__(self) -> None:
        if self.sessions <= 0:
            raise ValueError("a prescription prescribes at least one session")


@dataclass(frozen=True)
class Agreement:
    """An advising physician's decision on a request, as the eAgreement flow reports it.

    A granted one (``agreement``, ``partialAgreement``) covers ``start``..``until`` inclusive
    (``until`` None: open-ended). A request without a decision yet (``intreatment``,
    ``wfi-*``) or a refused one may have no period (``start`` None): it then concerns every
    session that needs the agreement. ``reason`` is the fund's reason, code and/or text
    (``WFI_AGREE_SRV_PHYSIO_004: …``), shown as given.
    """

    start: date | None
    until: date | None = None
    status: AgreementStatus = AgreementStatus.AGREEMENT
    decision_id: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.start is not None and self.until is not None and self.until < self.start:
            raise ValueError("an agreement cannot end before it starts")
        if self.status in GRANTED and self.start is None:
            raise ValueError("a granted agreement starts on a day")

    @property
    def granted(self) -> bool:
        return self.status in GRANTED

    def concerns(self, day: date) -> bool:
        """Tell whether ``day`` is in the decision's period (any day, without a period)."""
        return (self.start is None or self.start <= day) and (
            self.until is None or day <= self.until
        )

    def covers(self, day: date) -> bool:
        """Tell whether a session on ``day`` has the agreement (granted, and in its period)."""
        return self.granted and self.concerns(day)


@dataclass(frozen=True)
class Referral:
    """A Dutch referral: when, and by a ``gp`` or a ``specialist``."""

    date: date
    by: Literal["gp", "specialist"]


@dataclass(frozen=True)
class Episode:
    """One thing being treated: a BE pathological situation or an NL indication.

    Country-specific fields keep their defaults in the other country.
    """

    id: str
    category: str
    # Belgium
    pathology: str | None = None
    notified_on: date | None = None
    agreements: tuple[Agreement, ...] = ()  # in the order they were asked for or decided
    prescriptions: tuple[Prescription, ...] = ()
    # Sessions of this situation given by another practice, per calendar year (contract v2),
    # and the first session when the treatment began elsewhere (Fa, Fb: the period's start).
    prior_sessions: Mapping[int, int] = field(default_factory=dict)
    first_session_on: date | None = None
    # The Netherlands
    condition: str | None = None
    term_months: int | None = None
    gold_class: str | None = None
    gold_stage: int = 2
    prior_treatments: int = 0
    first_treatment_on: date | None = None
    referral: Referral | None = None
    extension: bool = False


@dataclass(frozen=True)
class Session:
    """A treatment session, done or planned (after ``as_of``); both are evaluated alike."""

    id: str
    date: date
    episode: str
    minutes: int = 30
    place: str = "practice"
    # What the practice charges: NL always; BE when the physiotherapist is not conventioned.
    price: Decimal | None = None
    # BE: the physiotherapist adheres to the convention in force on the session date (v2).
    conventioned: bool = True
    # NL: what kind of treatment, for a package's sub-limits (``vocabulary.SessionKind``).
    # Dry needling is an ordinary physiotherapy session and counts as one (coverage note).
    kind: str = "physiotherapy"


@dataclass(frozen=True)
class Coverage:
    """An NL supplementary package for one calendar year.

    ``treatments`` (count) or ``budget`` (euros) or neither (no supplementary cover).
    ``pays_chronic_first_20`` and ``sub_limits`` come from the insurer package catalogue;
    simulate input leaves them at their defaults.
    """

    year: int
    insurer: str = ""
    package: str = ""
    treatments: int | None = None
    budget: Decimal | None = None
    carry_over_max: int = 0
    pays_chronic_first_20: bool = False
    sub_limits: Mapping[str, int] = field(default_factory=dict)
    # Treatments (or euros, for a budget) of this year's allowance used at another practice.
    used_elsewhere: int | Decimal = 0


@dataclass(frozen=True)
class Patient:
    birth_date: date
    preferential: bool = False  # BE: verhoogde tegemoetkoming / BIM
    # BE, per calendar year: overflow sessions billed elsewhere, and courante situations
    # treated elsewhere earlier that year (they rank first) - contract v2.
    overflow_elsewhere: Mapping[int, int] = field(default_factory=dict)
    situations_elsewhere: Mapping[int, int] = field(default_factory=dict)
    coverage: tuple[Coverage, ...] = ()  # NL
    deductible_remaining: Mapping[int, Decimal] = field(default_factory=dict)  # NL, by year


@dataclass(frozen=True)
class Tariff:
    """Fee and insurer amounts of a Belgian nomenclature code (conventioned kine), dated.

    ``insurer=None`` means the source gives only the fee: the insurer pays the fee minus the
    fixed patient share of the session (RIZIV-RG: reimbursement = fee − remgeld [I]).
    """

    code: str
    fee: Decimal
    insurer: Decimal | None
    insurer_preferential: Decimal | None
    valid_from: date
    valid_until: date | None
    source: str


@dataclass(frozen=True)
class Case:
    """Everything the engine needs to answer for one patient as of one day.

    ``tariffs``: rows of an official tariff table the clinic loaded (BE); on their dates they
    win over the shipped table (``be.tables.tariff_for``).
    """

    country: Country
    as_of: date
    patient: Patient
    episodes: tuple[Episode, ...]
    sessions: tuple[Session, ...]
    tariffs: tuple[Tariff, ...] = ()


# ------------------------------------------------------------------------------------- outcome


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


@dataclass(frozen=True)
class BeAmounts:
    """Belgian money for one session: fee = insurer + patient.

    ``fee`` and ``patient`` are ``None`` for a non-conventioned physiotherapist whose price is
    not given (contract v2: the fee is what they charge).
    """

    fee: Decimal | None
    insurer: Decimal
    patient: Decimal | None

    def __post_init__(self) -> None:
        if (self.fee is None) != (self.patient is None):
            raise ValueError("the fee and the patient share are known together")
        if self.fee is not None and self.fee != self.insurer + (self.patient or 0):
            raise ValueError("fee must equal insurer + patient share")

    def as_dict(self) -> dict[str, str | None]:
        return {name: _text(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class NlAmounts:
    """Dutch money for one session: price = insurer + patient; deductible is part of patient.

    ``insurer``, ``deductible`` and ``patient`` are all ``None`` when the year's deductible is
    not known (contract v2 ``deductible_unknown``): the price is known, how it splits is not.
    """

    price: Decimal
    insurer: Decimal | None
    deductible: Decimal | None
    patient: Decimal | None

    def __post_init__(self) -> None:
        split = (self.insurer, self.deductible, self.patient)
        if None in split:
            if split != (None, None, None):
                raise ValueError("the insurer, deductible and patient shares are known together")
            return
        assert self.insurer is not None and self.deductible is not None
        assert self.patient is not None
        if self.price != self.insurer + self.patient:
            raise ValueError("price must equal insurer + patient share")
        if not Decimal(0) <= self.deductible <= self.patient:
            raise ValueError("the deductible is a part of what the patient pays")

    def as_dict(self) -> dict[str, str | None]:
        return {name: _text(getattr(self, name)) for name in self.__dataclass_fields__}


# Slots: the engine builds a reason and an outcome for every session; without an instance
# dict each is one object instead of two (``be.rules`` fills them fast, see ``_new_outcome``).
@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a stable code and the values a sentence about it uses (``reimburse.explain``).

    Values are dates, ``Decimal`` euros, counts, booleans, short codes (a category, a counter)
    or a nested ``Reason``; the simulate output writes dates as ISO and money as strings.
    """

    code: ReasonCode
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """How one session is reimbursed, with the rule that decided it and why."""

    id: str
    date: date
    episode: str
    status: str
    ordinal: int | None
    code: str | None
    extra_codes: tuple[str, ...]
    amounts: BeAmounts | NlAmounts | None
    rule: str
    reason: Reason
    # BE: the prescription the session was assigned to (decision 8), also when it started too
    # late; None when none covers it. For pages that show what is left on each prescription;
    # not part of the simulate output.
    prescription: str | None = None


@dataclass(frozen=True)
class Quota:
    """An episode counter for the period containing ``as_of``; ``None`` limit = unlimited."""

    episode: str
    counter: str
    period_start: date
    period_end: date | None
    limit: int | None
    used: int
    # Of ``used``, the sessions given elsewhere (another practice, earlier treatments).
    elsewhere: int = 0

    def __post_init__(self) -> None:
        if self.used < 0:
            raise ValueError("used cannot be negative")
        if not 0 <= self.elsewhere <= self.used:
            raise ValueError("what came from elsewhere is a part of what is used")

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@dataclass(frozen=True)
class Pool:
    """A patient-wide pool (BE overflow; NL supplementary, deductible) for the ``as_of`` year.

    Counts are ``int``; euro pools (deductible, euro budgets) are ``Decimal``.
    """

    pool: str
    period_start: date
    period_end: date | None
    limit: int | Decimal | None
    used: int | Decimal
    # Of ``used``, what was used elsewhere (another practice), as a count or euros.
    elsewhere: int | Decimal = 0

    @property
    def remaining(self) -> int | Decimal | None:
        if self.limit is None:
            return None
        left = self.limit - self.used
        if isinstance(left, Decimal):
            return max(money(left), money(0))
        return max(left, 0)


@dataclass(frozen=True)
class Warning:
    """Something the practice should know, with the values its sentence uses (``params``)."""

    code: WarningCode
    severity: Severity
    episode: str | None = None
    session: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    country: Country
    as_of: date
    sessions: tuple[SessionOutcome, ...]
    quotas: tuple[Quota, ...]
    pools: tuple[Pool, ...]
    warnings: tuple[Warning, ...]


class Jurisdiction(Protocol):
    """One country's rules: a pure function from a case to its result."""

    def evaluate(self, case: Case, *, outcomes: bool = True) -> Result: ...
