"""The engine's words: every status, counter, pool, severity, warning code and reason code.

One home for the vocabulary, used by the engine, the simulate contract, the OpenAPI enums, the
API and admin filters and the UI labels. Members are ``StrEnum``: they compare equal to their
string, so ``outcome.status == "best"`` holds, and JSON carries the plain string.

Every code is documented with its parameters in ``docs/codes.md``, generated from the English
sentences of ``reimburse.explain`` (``manage.py codes_table``; a test keeps it current).
"""

from __future__ import annotations

from enum import StrEnum


class Country(StrEnum):
    BE = "BE"
    NL = "NL"


class Status(StrEnum):
    """How a session is reimbursed (simulate contract, sessions[].status)."""

    # Belgium
    BEST = "best"
    REDUCED = "reduced"
    REDUCED_2 = "reduced_2"
    PENDING = "pending"
    NOT_REIMBURSED = "not_reimbursed"
    # The Netherlands
    BASIC = "basic"
    SUPPLEMENTARY = "supplementary"
    PATIENT = "patient"


BE_STATUSES = (
    Status.BEST,
    Status.REDUCED,
    Status.REDUCED_2,
    Status.PENDING,
    Status.NOT_REIMBURSED,
)
NL_STATUSES = (Status.BASIC, Status.SUPPLEMENTARY, Status.PATIENT)
# BE: the statuses of a session that can be reimbursed; the first such session takes the day.
REIMBURSABLE = frozenset({Status.BEST, Status.REDUCED, Status.REDUCED_2, Status.PENDING})


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"


class Counter(StrEnum):
    """An episode counter (quotas[].counter): BE by category, NL by scheme, term or series."""

    COURANTE = "courante"
    FA = "fa"
    FB = "fb"
    E = "e"
    PERINATAL = "perinatal"
    PALLIATIVE = "palliative"
    CHRONIC = "chronic"
    OSTEOARTHRITIS = "osteoarthritis"
    CLAUDICATION = "claudication"
    PELVIC_FLOOR = "pelvic_floor"
    COPD = "copd"
    RHEUMATOID_ARTHRITIS = "rheumatoid_arthritis"
    CHILD_SERIES = "child_series"


class AgreementStatus(StrEnum):
    """The decision values of MyCareNet eAgreement (``docs/rules/belgium-eagreement.md`` §2.1)."""

    AGREEMENT = "agreement"
    PARTIAL_AGREEMENT = "partialAgreement"
    IN_TREATMENT = "intreatment"  # the request is sent, no decision yet
    WFI_PHYSIOTHERAPIST = "wfi-physiotherapist"  # waiting for information from …
    WFI_PRESCRIPTOR = "wfi-prescriptor"
    WFI_SERVICE_PROVIDER = "wfi-serviceprovider"
    REFUSAL = "refusal"


# An agreement or a partial one covers its period; the others leave sessions pending or lost.
GRANTED = frozenset({AgreementStatus.AGREEMENT, AgreementStatus.PARTIAL_AGREEMENT})
WAITING = frozenset(
    {
        AgreementStatus.IN_TREATMENT,
        AgreementStatus.WFI_PHYSIOTHERAPIST,
        AgreementStatus.WFI_PRESCRIPTOR,
        AgreementStatus.WFI_SERVICE_PROVIDER,
    }
)


class SessionKind(StrEnum):
    """What kind of treatment a session is, where an insurer's package limits a kind (NL)."""

    PHYSIOTHERAPY = "physiotherapy"
    MANUAL_THERAPY = "manual_therapy"


class PoolName(StrEnum):
    """A patient-wide pool (pools[].pool)."""

    OVERFLOW = "overflow"
    SUPPLEMENTARY = "supplementary"
    DEDUCTIBLE = "deductible"


class WarningCode(StrEnum):
    """Every warning the engine and the bridge can give (simulate contract, warnings[].code)."""

    QUOTA_LOW = "quota_low"
    QUOTA_EXHAUSTED = "quota_exhausted"
    POOL_LOW = "pool_low"
    POOL_EXHAUSTED = "pool_exhausted"
    ALLOWANCE_LOW = "allowance_low"
    ALLOWANCE_EXHAUSTED = "allowance_exhausted"
    PRESCRIPTION_MISSING = "prescription_missing"
    PRESCRIPTION_USED_UP = "prescription_used_up"
    PRESCRIPTION_LATE_START = "prescription_late_start"
    # BE: the prescriptions of an episode in treatment cover at most 3 next sessions.
    PRESCRIPTION_LOW = "prescription_low"
    REFERRAL_MISSING = "referral_missing"
    NOTIFICATION_MISSING = "notification_missing"
    AGREEMENT_MISSING = "agreement_missing"
    AGREEMENT_WAITING = "agreement_waiting"
    AGREEMENT_REFUSED = "agreement_refused"
    AGREEMENT_ENDING = "agreement_ending"
    PERIOD_ENDING = "period_ending"
    PERIOD_ENDED = "period_ended"
    SITUATIONS_EXCEEDED = "situations_exceeded"
    DUPLICATE_SITUATION = "duplicate_situation"
    SECOND_SESSION_SAME_DAY = "second_session_same_day"
    BASIC_STARTS = "basic_starts"
    AGE_TRANSITION = "age_transition"
    # A date no rule table covers, or records the rules cannot read (engine.evaluate_known).
    RULES_UNKNOWN = "rules_unknown"
    # A figure the tables do not have (contract v2): said, never guessed.
    TARIFF_UNKNOWN = "tariff_unknown"
    CODE_UNKNOWN = "code_unknown"
    DEDUCTIBLE_UNKNOWN = "deductible_unknown"


# The warnings about what the tables lack rather than about a patient: Needs attention says
# them once for the practice, not on every patient's row.
TABLE_GAPS = frozenset(
    {WarningCode.TARIFF_UNKNOWN, WarningCode.CODE_UNKNOWN, WarningCode.DEDUCTIBLE_UNKNOWN}
)


# Warnings the product gives beyond the simulate contract's table (docs/rules/simulate.md):
# simulate leaves them out, so its output stays the contract's; the pages and the API's
# records show them.
BEYOND_CONTRACT = frozenset({WarningCode.PRESCRIPTION_LOW})


# One severity per warning code, the same in both countries:
# blocking = a session is held or lost until the practice acts (paperwork), or the rules
#            cannot judge it;
# warning  = a limit is near or reached, something ends within 30 days, or a session is lost
#            by rule;
# info     = good to know, nothing to do yet.
# The one exception a rule makes: ``allowance_exhausted`` for a patient with no supplementary
# cover at all is ``info`` (nothing runs out; the engine says ``cover: false``).
SEVERITY: dict[WarningCode, Severity] = {
    WarningCode.PRESCRIPTION_MISSING: Severity.BLOCKING,
    WarningCode.PRESCRIPTION_USED_UP: Severity.BLOCKING,
    WarningCode.PRESCRIPTION_LATE_START: Severity.BLOCKING,
    WarningCode.NOTIFICATION_MISSING: Severity.BLOCKING,
    WarningCode.AGREEMENT_MISSING: Severity.BLOCKING,
    WarningCode.AGREEMENT_WAITING: Severity.BLOCKING,
    WarningCode.AGREEMENT_REFUSED: Severity.BLOCKING,
    WarningCode.RULES_UNKNOWN: Severity.BLOCKING,
    WarningCode.QUOTA_LOW: Severity.WARNING,
    WarningCode.PRESCRIPTION_LOW: Severity.WARNING,
    WarningCode.QUOTA_EXHAUSTED: Severity.WARNING,
    WarningCode.POOL_LOW: Severity.WARNING,
    WarningCode.POOL_EXHAUSTED: Severity.WARNING,
    WarningCode.ALLOWANCE_LOW: Severity.WARNING,
    WarningCode.ALLOWANCE_EXHAUSTED: Severity.WARNING,
    WarningCode.PERIOD_ENDED: Severity.WARNING,
    WarningCode.PERIOD_ENDING: Severity.WARNING,
    WarningCode.AGREEMENT_ENDING: Severity.WARNING,
    WarningCode.SITUATIONS_EXCEEDED: Severity.WARNING,
    WarningCode.DUPLICATE_SITUATION: Severity.WARNING,
    WarningCode.SECOND_SESSION_SAME_DAY: Severity.WARNING,
    WarningCode.REFERRAL_MISSING: Severity.WARNING,
    WarningCode.AGE_TRANSITION: Severity.WARNING,
    WarningCode.BASIC_STARTS: Severity.INFO,
    WarningCode.TARIFF_UNKNOWN: Severity.INFO,
    WarningCode.CODE_UNKNOWN: Severity.INFO,
    WarningCode.DEDUCTIBLE_UNKNOWN: Severity.INFO,
}


class ReasonCode(StrEnum):
    """Why a session got its status (sessions[].reason.code), one per decision of the rules.

    The prefix is the country; the parameters of each code are listed in ``docs/codes.md``.
    A Dutch session's reason is how it was paid (``nl.pay.*``) with the basic-insurance
    verdict it followed from in its ``basis`` parameter (``nl.basic.*``, ``nl.child.*``, …).
    """

    # Belgium: one session per day (S1, S2; decision 9)
    BE_SAME_DAY = "be.same_day"
    # Belgium: the prescription (P1, P3, P6; decision 8)
    BE_PRESCRIPTION_MISSING = "be.prescription.missing"
    BE_PRESCRIPTION_USED_UP = "be.prescription.used_up"
    BE_PRESCRIPTION_LATE = "be.prescription.late"
    # Belgium: courante (C1-C9, S7; decisions 1-3)
    BE_COURANTE_BEST = "be.courante.best"
    BE_COURANTE_AGREED = "be.courante.agreed"
    BE_COURANTE_PENDING = "be.courante.pending_agreement"
    BE_COURANTE_OVERFLOW = "be.courante.overflow"
    BE_COURANTE_SITUATION_OVERFLOW = "be.courante.situation_overflow"
    BE_COURANTE_POOL_EXHAUSTED = "be.courante.pool_exhausted"
    # Belgium: Fa, Fb (FA1-FA5, FB1-FB4; decisions 4-6)
    BE_FA_BEST = "be.fa.best"
    BE_FA_REDUCED = "be.fa.reduced"
    BE_FA_PERIOD_ENDED = "be.fa.period_ended"
    BE_FB_BEST = "be.fb.best"
    BE_FB_REDUCED = "be.fb.reduced"
    BE_FB_REDUCED_2 = "be.fb.reduced_2"
    BE_FB_PERIOD_ENDED = "be.fb.period_ended"
    BE_NOTIFICATION_PENDING = "be.notification.pending"
    # Belgium: E, perinatal, palliative (E1, E2, PN1, PAL1; decisions 7, 10)
    BE_E_AGREED = "be.e.agreed"
    BE_E_PENDING = "be.e.pending_agreement"
    # Belgium: an agreement asked for and not (yet) given (eAgreement; contract v2)
    BE_AGREEMENT_WAITING = "be.agreement.waiting"
    BE_AGREEMENT_REFUSED = "be.agreement.refused"
    BE_PERINATAL_SESSION = "be.perinatal.session"
    BE_PERINATAL_EXHAUSTED = "be.perinatal.exhausted"
    BE_PALLIATIVE_SESSION = "be.palliative.session"
    # The Netherlands: what basic insurance decides (B1-B5, K1-K2, §2; decisions 12-15, 18)
    NL_REGULAR = "nl.basic.regular"
    NL_SCHEME_NOT_YET = "nl.basic.scheme_not_yet"
    NL_CHRONIC_FIRST = "nl.basic.chronic_first"
    NL_CHRONIC_BASIC = "nl.basic.chronic"
    NL_CHRONIC_AFTER_TERM = "nl.basic.chronic_after_term"
    NL_CHRONIC_OUTGROWN = "nl.basic.chronic_outgrown"
    NL_SCHEME_BASIC = "nl.basic.scheme"
    NL_SCHEME_USED_UP = "nl.basic.scheme_used_up"
    NL_SCHEME_WINDOW_ENDED = "nl.basic.scheme_window_ended"
    NL_COPD_BASIC = "nl.basic.copd"
    NL_COPD_USED_UP = "nl.basic.copd_used_up"
    NL_COPD_STAGE = "nl.basic.copd_stage"
    NL_COPD_NO_CLASS = "nl.basic.copd_no_class"
    NL_CHILD_SERIES = "nl.child.series"
    NL_CHILD_USED_UP = "nl.child.used_up"
    NL_CHILD_CHRONIC = "nl.child.chronic"
    # The Netherlands: who pays (B8, B9, A1, A3, A5, A8; decisions 16, 17)
    NL_PAY_CHILD = "nl.pay.basic_child"
    NL_PAY_DEDUCTIBLE = "nl.pay.basic"
    NL_PAY_NO_PRICE = "nl.pay.basic_no_price"
    NL_PAY_DEDUCTIBLE_UNKNOWN = "nl.pay.basic_deductible_unknown"
    NL_PAY_SAME_DAY = "nl.pay.second_same_day"
    NL_PAY_PACKAGE_CHRONIC = "nl.pay.package_chronic_first"
    NL_PAY_ALLOWANCE = "nl.pay.allowance"
    NL_PAY_BUDGET = "nl.pay.budget"
    NL_PAY_PATIENT = "nl.pay.patient"
    NL_PAY_SUB_LIMIT = "nl.pay.sub_limit"


# The parameters each code may carry (a sentence about it uses them). ``docs/codes.md`` lists
# them; ``tests/reimburse/test_codes.py`` checks that the engine gives no others.
_BE_COURANTE = ("n", "limit", "year", "restarted", "intake")
_POOL = ("n", "year", "pool_left", "pool_limit")
_CHILD = ("limit", "year", "after_term", "outgrown")
_COPD_YEAR = ("gold_class", "year", "year_start", "cap")
_TERM = ("term_end", "term_known")
REASON_PARAMS: dict[ReasonCode, tuple[str, ...]] = {
    ReasonCode.BE_SAME_DAY: ("date", "category", "why"),
    ReasonCode.BE_PRESCRIPTION_MISSING: (),
    ReasonCode.BE_PRESCRIPTION_USED_UP: (),
    ReasonCode.BE_PRESCRIPTION_LATE: ("prescribed", "deadline"),
    ReasonCode.BE_COURANTE_BEST: (*_BE_COURANTE, "remaining"),
    ReasonCode.BE_COURANTE_AGREED: (*_BE_COURANTE, "rank"),
    ReasonCode.BE_COURANTE_PENDING: (*_BE_COURANTE, "rank"),
    ReasonCode.BE_COURANTE_OVERFLOW: (*_POOL, "limit"),
    ReasonCode.BE_COURANTE_SITUATION_OVERFLOW: (*_POOL, "rank", "situations"),
    ReasonCode.BE_COURANTE_POOL_EXHAUSTED: ("n", "year", "pool_limit"),
    ReasonCode.BE_FA_BEST: ("n", "limit", "end"),
    ReasonCode.BE_FA_REDUCED: ("n", "limit", "end"),
    ReasonCode.BE_FA_PERIOD_ENDED: ("start", "end"),
    ReasonCode.BE_FB_BEST: ("n", "limit", "year", "restarted"),
    ReasonCode.BE_FB_REDUCED: ("n", "year", "first", "last"),
    ReasonCode.BE_FB_REDUCED_2: ("n", "year", "first"),
    ReasonCode.BE_FB_PERIOD_ENDED: ("start", "end"),
    ReasonCode.BE_NOTIFICATION_PENDING: ("n", "category"),
    ReasonCode.BE_E_AGREED: ("n", "until"),
    ReasonCode.BE_E_PENDING: ("n",),
    ReasonCode.BE_AGREEMENT_WAITING: ("n", "category", "status", "reason", "decision_id"),
    ReasonCode.BE_AGREEMENT_REFUSED: ("category", "reason", "decision_id"),
    ReasonCode.BE_PERINATAL_SESSION: ("n", "limit"),
    ReasonCode.BE_PERINATAL_EXHAUSTED: ("limit",),
    ReasonCode.BE_PALLIATIVE_SESSION: ("n", "second"),
    ReasonCode.NL_REGULAR: (),
    ReasonCode.NL_SCHEME_NOT_YET: ("scheme", "since"),
    ReasonCode.NL_CHRONIC_FIRST: ("n", "adult_n", "first"),
    ReasonCode.NL_CHRONIC_BASIC: ("n", "starts", *_TERM),
    ReasonCode.NL_CHRONIC_AFTER_TERM: ("n", "end"),
    ReasonCode.NL_CHRONIC_OUTGROWN: ("max_age",),
    ReasonCode.NL_SCHEME_BASIC: ("scheme", "n", "cap", "months", "start"),
    ReasonCode.NL_SCHEME_USED_UP: ("scheme", "cap", "shared"),
    ReasonCode.NL_SCHEME_WINDOW_ENDED: ("scheme", "months", "end"),
    ReasonCode.NL_COPD_BASIC: (*_COPD_YEAR, "n"),
    ReasonCode.NL_COPD_USED_UP: _COPD_YEAR,
    ReasonCode.NL_COPD_STAGE: ("stage",),
    ReasonCode.NL_COPD_NO_CLASS: (),
    ReasonCode.NL_CHILD_SERIES: (*_CHILD, "n", "second"),
    ReasonCode.NL_CHILD_USED_UP: (*_CHILD, "extension"),
    ReasonCode.NL_CHILD_CHRONIC: _TERM,
    ReasonCode.NL_PAY_CHILD: ("basis",),
    ReasonCode.NL_PAY_DEDUCTIBLE: ("year", "price", "part", "left", "basis"),
    ReasonCode.NL_PAY_NO_PRICE: ("basis",),
    ReasonCode.NL_PAY_DEDUCTIBLE_UNKNOWN: ("year", "why", "basis"),
    ReasonCode.NL_PAY_SAME_DAY: ("date", "price", "basis"),
    ReasonCode.NL_PAY_PACKAGE_CHRONIC: ("package", "first", "basis"),
    ReasonCode.NL_PAY_ALLOWANCE: ("year", "n", "of", "carried", "basis"),
    ReasonCode.NL_PAY_BUDGET: ("year", "price", "insurer", "left", "basis"),
    ReasonCode.NL_PAY_PATIENT: ("year", "price", "cover", "basis"),
    ReasonCode.NL_PAY_SUB_LIMIT: ("year", "kind", "limit", "price", "basis"),
}
WARNING_PARAMS: dict[WarningCode, tuple[str, ...]] = {
    WarningCode.QUOTA_LOW: ("counter", "remaining"),
    WarningCode.QUOTA_EXHAUSTED: ("counter", "limit"),
    WarningCode.POOL_LOW: ("remaining", "year"),
    WarningCode.POOL_EXHAUSTED: ("limit", "year"),
    WarningCode.ALLOWANCE_LOW: ("year", "remaining"),
    WarningCode.ALLOWANCE_EXHAUSTED: ("year", "cover", "limit", "budget"),
    WarningCode.PRESCRIPTION_MISSING: ("date",),
    WarningCode.PRESCRIPTION_USED_UP: ("date",),
    WarningCode.PRESCRIPTION_LATE_START: ("prescribed", "deadline", "date"),
    WarningCode.PRESCRIPTION_LOW: ("remaining", "prescribed", "deadline"),
    WarningCode.REFERRAL_MISSING: (),
    WarningCode.NOTIFICATION_MISSING: ("category",),
    WarningCode.AGREEMENT_MISSING: ("category", "rank", "year"),
    WarningCode.AGREEMENT_WAITING: ("category", "status", "reason", "decision_id"),
    WarningCode.AGREEMENT_REFUSED: ("category", "reason", "decision_id"),
    WarningCode.AGREEMENT_ENDING: ("until",),
    WarningCode.PERIOD_ENDING: ("counter", "end", "whiplash"),
    WarningCode.PERIOD_ENDED: ("category", "date", "end", "count", "basic"),
    WarningCode.SITUATIONS_EXCEEDED: ("rank", "year", "situations"),
    WarningCode.DUPLICATE_SITUATION: ("pathology", "year", "other"),
    WarningCode.SECOND_SESSION_SAME_DAY: ("date",),
    WarningCode.BASIC_STARTS: ("n",),
    WarningCode.AGE_TRANSITION: ("turns",),
    WarningCode.RULES_UNKNOWN: ("count", "dates", "problem", "date", "value", "where"),
    # ``start``/``end``: the period without a tariff around the session (null = open).
    WarningCode.TARIFF_UNKNOWN: ("code", "date", "start", "end"),
    # ``minutes``: only for a 15- or 20-minute session's code (S4).
    WarningCode.CODE_UNKNOWN: ("category", "tier", "place", "minutes", "date"),
    WarningCode.DEDUCTIBLE_UNKNOWN: ("year",),
}
