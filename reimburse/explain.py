"""Sentences for the engine's codes, in the reader's language: the one presentation module.

The engine gives every session decision a ``Reason`` (code and parameters) and every warning a
code and parameters; it writes no text. Here they become sentences with Django's gettext (the
catalogues in ``locale/``), dates and money written as people of the practice's country write
them (CLDR data through Babel): Belgium ``14/03/2026``, the Netherlands ``14-03-2026``;
``€ 30,80`` in Dutch, ``30,80 €`` in French. Dutch in Belgium and in the Netherlands use their
own words (kinesitherapeut, zitting vs fysiotherapeut, behandeling): the language ``nl-be``
reads the ``nl`` catalogue, ``nl-nl`` reads ``nl_NL`` over it (``Reader.translation``).

Every code of ``engine.vocabulary`` has a sentence here (``tests/reimburse/test_explain.py``
renders each in four languages); ``docs/codes.md`` is generated from this module
(``manage.py codes_table``). Parameters may arrive as engine values (``date``, ``Decimal``) or
as their JSON form (ISO strings, money strings), as stored lists keep them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeAlias

from babel.dates import format_date
from babel.numbers import format_currency
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from reimburse.engine.types import Reason, SessionOutcome, Warning, money
from reimburse.engine.vocabulary import (
    AgreementStatus,
    Counter,
    PoolName,
    ReasonCode,
    SessionKind,
    Severity,
    Status,
    WarningCode,
)

R = ReasonCode
W = WarningCode
Label = str | Promise

LANGUAGES = ("en", "nl", "fr")
# How each country writes a date in a sentence (CLDR short dates, four-digit year).
DATE_PATTERNS = {"BE": "dd/MM/y", "NL": "dd-MM-y"}
# The CLDR locale that writes money for a language in a country.
MONEY_LOCALES = {
    ("nl", "BE"): "nl_BE",
    ("nl", "NL"): "nl_NL",
    ("fr", "BE"): "fr_BE",
    ("fr", "NL"): "fr_BE",
    ("en", "BE"): "en_GB",
    ("en", "NL"): "en_GB",
}


@dataclass(frozen=True)
class Reader:
    """Who reads: a language (``en``, ``nl``, ``fr``) and the country of their practice."""

    language: str = "en"
    country: str = "BE"

    @classmethod
    def of(cls, language: str | None, country: str) -> Reader:
        """Return the reader of a language code such as ``nl``, ``nl-be`` or ``fr-BE``."""
        base = (language or "en").split("-")[0].split("_")[0].lower()
        return cls(
            base if base in LANGUAGES else "en", country if country in DATE_PATTERNS else "BE"
        )

    @classmethod
    def current(cls, country: str) -> Reader:
        """Return the reader of the active Django language (a request's, a page's)."""
        return cls.of(translation.get_language(), country)

    @property
    def translation(self) -> str:
        """The Django language whose catalogue this reader reads (``nl-nl``: the Dutch words)."""
        if self.language == "nl":
            return f"nl-{self.country.lower()}"
        return self.language

    def day(self, value: date) -> str:
        return _written_day(value, DATE_PATTERNS[self.country], MONEY_LOCALES[self.key])

    def money(self, value: Decimal) -> str:
        return format_currency(value, "EUR", locale=MONEY_LOCALES[self.key])

    @property
    def key(self) -> tuple[str, str]:
        return (self.language, self.country)


@lru_cache(maxsize=4096)
def _written_day(value: date, pattern: str, locale: str) -> str:
    # Babel parses the locale on every call; a result names the same few days many times.
    return format_date(value, pattern, locale=locale)


# Inside a ``reading``: its language and the catalogue's answers asked so far. The sentences
# of a result of a hundred sessions ask the same few dozen messages hundreds of times, and
# each of Django's lookups finds the active language again (a third of a sentence's cost).
_words: ContextVar[tuple[str, dict[Any, str]] | None] = ContextVar("explain_words", default=None)


class _Reading:
    """The span of one ``reading``: the language switched (if it was not active) and a memo."""

    __slots__ = ("override", "reader", "token")

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.override: translation.override | None = None
        self.token: Token[tuple[str, dict[Any, str]] | None] | None = None

    def __enter__(self) -> Reader:
        language = self.reader.translation
        words = _words.get()
        if words is not None and words[0] == language == translation.get_language():
            # Inside a reading of this language (a whole result written inside one): it is
            # still active (unless code switched language by hand). Switching again for each
            # sentence cost a tenth of a quota call.
            return self.reader
        if translation.get_language() != language:
            self.override = translation.override(language)
            self.override.__enter__()
        self.token = _words.set((language, {}))
        return self.reader

    def __exit__(self, *exc: Any) -> None:
        if self.token is not None:
            _words.reset(self.token)
        if self.override is not None:
            self.override.__exit__(*exc)


def reading(reader: Reader) -> _Reading:
    """Render inside ``reader``'s language (and restore the caller's afterwards).

    Inside it, write in another language only through another ``reading``: a reading within
    a reading of the same language takes it as still active.
    """
    return _Reading(reader)


def _(message: str) -> str:
    """``gettext``, answered once per message within a ``reading``."""
    words = _words.get()
    if words is None:
        return translation.gettext(message)
    found = words[1].get(message)
    if found is None:
        found = words[1][message] = translation.gettext(message)
    return found


def pgettext(context: str, message: str) -> str:
    """``pgettext``, answered once per message within a ``reading``."""
    words = _words.get()
    if words is None:
        return translation.pgettext(context, message)
    key = (context, message)
    found = words[1].get(key)
    if found is None:
        found = words[1][key] = translation.pgettext(context, message)
    return found


def ngettext(singular: str, plural: str, number: int) -> str:
    """``ngettext``, answered once per message and number within a ``reading``."""
    words = _words.get()
    if words is None:
        return translation.ngettext(singular, plural, number)
    key = (singular, plural, number)
    found = words[1].get(key)
    if found is None:
        found = words[1][key] = translation.ngettext(singular, plural, number)
    return found


# ------------------------------------------------------------------------------- the labels

STATUS_LABELS: dict[Status, Label] = {
    Status.BEST: gettext_lazy("Best rate"),
    Status.REDUCED: gettext_lazy("Reduced rate"),
    Status.REDUCED_2: gettext_lazy("Second reduced rate"),
    Status.PENDING: gettext_lazy("Pending"),
    Status.NOT_REIMBURSED: gettext_lazy("Not reimbursed"),
    Status.BASIC: gettext_lazy("Basic insurance"),
    Status.SUPPLEMENTARY: gettext_lazy("Supplementary insurance"),
    Status.PATIENT: gettext_lazy("Paid by patient"),
}

SEVERITY_LABELS: dict[Severity, Label] = {
    Severity.BLOCKING: gettext_lazy("Blocking"),
    Severity.WARNING: gettext_lazy("Warning"),
    Severity.INFO: gettext_lazy("Information"),
}

WARNING_LABELS: dict[WarningCode, Label] = {
    W.QUOTA_LOW: gettext_lazy("Quota almost used"),
    W.QUOTA_EXHAUSTED: gettext_lazy("Quota used up"),
    W.POOL_LOW: gettext_lazy("Overflow sessions almost used"),
    W.POOL_EXHAUSTED: gettext_lazy("Overflow sessions used up"),
    W.ALLOWANCE_LOW: gettext_lazy("Supplementary cover almost used"),
    W.ALLOWANCE_EXHAUSTED: gettext_lazy("Supplementary cover used up"),
    W.PRESCRIPTION_MISSING: gettext_lazy("No prescription"),
    W.PRESCRIPTION_USED_UP: gettext_lazy("Prescription used up"),
    W.PRESCRIPTION_LATE_START: gettext_lazy("Prescription started too late"),
    W.PRESCRIPTION_LOW: gettext_lazy("New prescription needed soon"),
    W.REFERRAL_MISSING: gettext_lazy("No referral"),
    W.NOTIFICATION_MISSING: gettext_lazy("Notification missing"),
    W.AGREEMENT_MISSING: gettext_lazy("Agreement missing"),
    W.AGREEMENT_ENDING: gettext_lazy("Agreement ends soon"),
    W.PERIOD_ENDING: gettext_lazy("Period ends soon"),
    W.PERIOD_ENDED: gettext_lazy("Period ended"),
    W.SITUATIONS_EXCEEDED: gettext_lazy("Too many situations this year"),
    W.SECOND_SESSION_SAME_DAY: gettext_lazy("Second session on one day"),
    W.BASIC_STARTS: gettext_lazy("Basic insurance starts"),
    W.AGE_TRANSITION: gettext_lazy("Turns 18"),
    W.RULES_UNKNOWN: gettext_lazy("No rules for these records"),
    W.AGREEMENT_WAITING: gettext_lazy("Agreement asked, no decision yet"),
    W.AGREEMENT_REFUSED: gettext_lazy("Agreement refused"),
    W.DUPLICATE_SITUATION: gettext_lazy("Same situation twice"),
    W.TARIFF_UNKNOWN: gettext_lazy("Tariff not known"),
    W.CODE_UNKNOWN: gettext_lazy("Code not known"),
    W.DEDUCTIBLE_UNKNOWN: gettext_lazy("Eigen risico not known"),
}

# Where an eAgreement request stands, inside a sentence.
AGREEMENT_STATUS_NAMES: dict[str, Label] = {
    AgreementStatus.AGREEMENT: gettext_lazy("granted"),
    AgreementStatus.PARTIAL_AGREEMENT: gettext_lazy("partly granted"),
    AgreementStatus.IN_TREATMENT: gettext_lazy("with the sickness fund, without a decision yet"),
    AgreementStatus.WFI_PHYSIOTHERAPIST: gettext_lazy(
        "waiting for information from the physiotherapist"
    ),
    AgreementStatus.WFI_PRESCRIPTOR: gettext_lazy("waiting for information from the prescriber"),
    AgreementStatus.WFI_SERVICE_PROVIDER: gettext_lazy(
        "waiting for information from the care provider"
    ),
    AgreementStatus.REFUSAL: gettext_lazy("refused"),
}

# A quota or pool bar: the period's dates are beside it, so the labels name no year.
COUNTER_LABELS: dict[Counter, Label] = {
    Counter.COURANTE: gettext_lazy("Sessions at the best rate"),
    Counter.FA: gettext_lazy("Fa sessions at the best rate"),
    Counter.FB: gettext_lazy("Fb sessions at the best rate"),
    Counter.E: gettext_lazy("E-list sessions"),
    Counter.PERINATAL: gettext_lazy("Perinatal sessions"),
    Counter.PALLIATIVE: gettext_lazy("Palliative sessions"),
    Counter.CHRONIC: gettext_lazy("Treatments in the chronic-list term"),
    Counter.OSTEOARTHRITIS: gettext_lazy("Osteoarthritis treatments"),
    Counter.CLAUDICATION: gettext_lazy("Claudication treatments"),
    Counter.PELVIC_FLOOR: gettext_lazy("Pelvic floor treatments"),
    Counter.COPD: gettext_lazy("COPD treatments"),
    Counter.RHEUMATOID_ARTHRITIS: gettext_lazy("Rheumatoid arthritis treatments"),
    Counter.CHILD_SERIES: gettext_lazy("Basic treatments for children"),
}

POOL_LABELS: dict[PoolName, Label] = {
    PoolName.OVERFLOW: gettext_lazy("Overflow sessions (all situations)"),
    PoolName.SUPPLEMENTARY: gettext_lazy("Supplementary insurance"),
    PoolName.DEDUCTIBLE: gettext_lazy("Deductible (eigen risico)"),
}

# How a Belgian category or a Dutch scheme is named inside a sentence.
CATEGORY_NAMES: dict[str, Label] = {
    "courante": pgettext_lazy("category", "courante"),
    "fa": pgettext_lazy("category", "Fa"),
    "fb": pgettext_lazy("category", "Fb"),
    "e": pgettext_lazy("category", "E"),
    "perinatal": pgettext_lazy("category", "perinatal"),
    "palliative": pgettext_lazy("category", "palliative"),
    "osteoarthritis": gettext_lazy("Osteoarthritis of the hip or knee"),
    "claudication": gettext_lazy("Claudication (Fontaine 2)"),
    "pelvic_floor": gettext_lazy("Pelvic-floor therapy for urinary incontinence"),
    "rheumatoid_arthritis": gettext_lazy("Severe rheumatoid arthritis"),
    "copd": gettext_lazy("COPD"),
}

# What a quota counts, inside a sentence ("… only 2 left in this period").
COUNTER_NAMES: dict[str, Label] = {
    "courante": gettext_lazy("Courante sessions at the best rate"),
    "fa": gettext_lazy("Fa sessions at the best rate"),
    "fb": gettext_lazy("Fb sessions at the best rate this year"),
    "perinatal": gettext_lazy("Perinatal sessions of this pregnancy"),
    "osteoarthritis": gettext_lazy("Basic treatments of the osteoarthritis scheme"),
    "claudication": gettext_lazy("Basic treatments of the claudication scheme"),
    "pelvic_floor": gettext_lazy("Basic treatments of the pelvic-floor scheme"),
    "copd": gettext_lazy("Basic COPD treatments of this treatment year"),
    "child_series": gettext_lazy("Basic treatments of the children's series this year"),
}

# What ends, inside a period_ending sentence.
PERIOD_NAMES: dict[str, Label] = {
    "fa": gettext_lazy("The Fa period"),
    "fb": gettext_lazy("The Fb period"),
    "chronic": gettext_lazy("The chronic-list term"),
    "osteoarthritis": gettext_lazy("The osteoarthritis 12-month window"),
    "claudication": gettext_lazy("The claudication 12-month window"),
    "copd": gettext_lazy("The current COPD treatment year"),
}


# Which sessions of a category a nomenclature code is for (a ``code_unknown`` warning's tier).
TIER_NAMES: dict[str, Label] = {
    "1-9": gettext_lazy("sessions 1 to 9"),
    "10-18": gettext_lazy("sessions 10 to 18"),
    "overflow": gettext_lazy("overflow sessions"),
    "intake": gettext_lazy("the intake"),
    "1-20": gettext_lazy("sessions 1 to 20"),
    "best": gettext_lazy("sessions at the best rate"),
    "reduced": gettext_lazy("sessions at the reduced rate"),
    "61-80": gettext_lazy("sessions 61 to 80"),
    "81+": gettext_lazy("sessions from the 81st"),
    "session": gettext_lazy("sessions"),
    "second": gettext_lazy("second sessions of a day"),
}

SESSION_KIND_NAMES: dict[str, Label] = {
    SessionKind.PHYSIOTHERAPY: gettext_lazy("physiotherapy"),
    SessionKind.MANUAL_THERAPY: gettext_lazy("manual therapy"),
}

PLACE_NAMES: dict[str, Label] = {
    "practice": gettext_lazy("at the practice"),
    "home": gettext_lazy("at home"),
}


# What the rules could not read (a ``rules_unknown`` warning's ``problem``).
PROBLEM_NAMES: dict[str, Label] = {
    "category": gettext_lazy("category"),
    "episode": gettext_lazy("episode"),
    "condition": gettext_lazy("chronic-list condition"),
    "country": gettext_lazy("country"),
    "records": gettext_lazy("record"),
}


def label(table: Mapping[Any, Label], code: str) -> str:
    """Return the label of ``code`` in ``table`` (the code itself only if the table lacks it)."""
    found = table.get(code)
    return str(found) if found is not None else code


# ----------------------------------------------------------------------------- the params


class Params:
    """A reason's or warning's parameters, written for the reader.

    ``p["date"]`` is a date as the country writes it, ``p["price"]`` money, a count a number;
    ``p.raw("x")`` is the value itself. JSON forms (ISO dates, money strings) are read back by
    the kind the name says (``DATE_PARAMS``, ``MONEY_PARAMS``).
    """

    def __init__(self, params: Mapping[str, object], reader: Reader) -> None:
        self.params = params
        self.reader = reader
        self._written: dict[str, str] | None = None  # ``self()``, written once

    def raw(self, name: str) -> Any:
        value = self.params.get(name)
        if isinstance(value, str) and name in DATE_PARAMS:
            return date.fromisoformat(value)
        if isinstance(value, str) and name in MONEY_PARAMS:
            return Decimal(value)
        return value

    def __getitem__(self, name: str) -> str:
        value = self.params.get(name)
        if type(value) is int or type(value) is bool:  # a count or a flag: most parameters
            return str(value)
        value = self.raw(name)
        if isinstance(value, date):
            return self.reader.day(value)
        if isinstance(value, Decimal):
            return self.reader.money(value)
        if isinstance(value, list | tuple):
            return ", ".join(self._one(name, item) for item in value)
        return "" if value is None else str(value)

    def _one(self, name: str, value: object) -> str:
        if isinstance(value, str) and name in DATE_PARAMS:
            value = date.fromisoformat(value)
        if isinstance(value, date):
            return self.reader.day(value)
        return str(value)

    def __call__(self, **extra: object) -> dict[str, str]:
        """Every parameter written for the reader, plus ``extra``: for ``%`` formatting."""
        # A sentence's clauses each ask for them: write them once.
        written = self._written
        if written is None:
            written = self._written = {name: self[name] for name in self.params if name != "basis"}
        return {**written, **{k: str(v) for k, v in extra.items()}}


# The parameters that hold dates and euros, whatever code they belong to.
DATE_PARAMS = frozenset(
    {
        "date",
        "dates",
        "deadline",
        "prescribed",
        "start",
        "end",
        "until",
        "since",
        "term_end",
        "after_term",
        "year_start",
        "turns",
    }
)
MONEY_PARAMS = frozenset({"price", "part", "left", "insurer", "budget"})


def _clauses(*parts: str) -> str:
    """Join the clauses of one explanation: ``"a; b; c."`` (French: ``"a ; b ; c."``)."""
    return _separator().join(part for part in parts if part) + "."


def _separator() -> str:
    # Translators: between two clauses of one sentence; French puts a space before it.
    return pgettext("clause separator", "; ")


def _restart(p: Params) -> str:
    return _("the count restarted on 1 January (interpretation)") if p.raw("restarted") else ""


def _intake(p: Params) -> str:
    return _("intake billed with this first session of the treatment") if p.raw("intake") else ""


def _pool(p: Params) -> str:
    if p.raw("pool_left") is None:
        return _("no yearly cap on overflow sessions before 1 August 2021")
    return _("%(pool_left)s of %(pool_limit)s overflow sessions left in %(year)s") % p()


def _given_reason(p: Params) -> str:
    """The fund's own reason, as it gave it (its language, its code)."""
    if not p.raw("reason"):
        return ""
    return _("reason given: %(reason)s") % p()


def _category(p: Params, name: str = "category") -> str:
    return label(CATEGORY_NAMES, p.raw(name))


# ---------------------------------------------------------------- Belgian session reasons


def _be_same_day(p: Params) -> str:
    why = p.raw("why")
    if why == "no_second_code":
        clause = _("%(category)s sessions have no second-session code") % p(category=_category(p))
    elif why == "at_most_two":
        clause = _("at most one motivated second session is reimbursed on one day")
    else:
        clause = _("its prescription does not motivate a second session that day")
    return _clauses(
        _("Not reimbursed: another session already took %(date)s (one session per day)") % p(),
        clause,
    )


def _be_courante_best(p: Params) -> str:
    return _clauses(
        _("Session %(n)s of %(limit)s at the best rate for this situation in %(year)s") % p(),
        _("%(remaining)s left this year") % p(),
        _restart(p),
        _intake(p),
    )


def _be_courante_agreed(p: Params) -> str:
    return _clauses(
        _("Session %(n)s of %(limit)s at the best rate for this situation in %(year)s") % p(),
        _("agreed courante situation %(rank)s of %(year)s") % p(),
        _restart(p),
        _intake(p),
    )


def _be_courante_pending(p: Params) -> str:
    return _clauses(
        _(
            "Pending: session %(n)s of courante situation %(rank)s of %(year)s waits for the "
            "advising physician's agreement (interpretation)"
        )
        % p(),
        _restart(p),
        _intake(p),
    )


def _be_overflow(p: Params) -> str:
    return _clauses(
        _(
            "Session %(n)s of this situation in %(year)s, past the %(limit)s at the best rate: "
            "overflow session at a reduced rate"
        )
        % p(),
        _pool(p),
    )


def _be_situation_overflow(p: Params) -> str:
    return _clauses(
        _(
            "Session %(n)s of courante situation %(rank)s of %(year)s: beyond %(situations)s "
            "situations a year only overflow sessions at a reduced rate"
        )
        % p(),
        _pool(p),
    )


def _be_fb_best(p: Params) -> str:
    return _clauses(
        _("Fb session %(n)s of %(limit)s at the best rate in %(year)s") % p(), _restart(p)
    )


def _be_e_agreed(p: Params) -> str:
    if p.raw("until") is None:
        return _("E session %(n)s: no cap within the agreement (without end date).") % p()
    return _("E session %(n)s: no cap within the agreement (until %(until)s).") % p()


def _be_palliative(p: Params) -> str:
    if p.raw("second"):
        return _("Palliative home session, motivated second session of the day; no patient share.")
    return _("Palliative home session; no cap and no patient share.")


# ------------------------------------------------------------------ Dutch session reasons


def _child_why(p: Params) -> str:
    if p.raw("after_term") is not None:
        return (
            _(
                "Child under 18 after the chronic term ended on %(after_term)s, counted as a "
                "non-list condition (interpretation)"
            )
            % p()
        )
    if p.raw("outgrown") is not None:
        return (
            _(
                "Child of %(outgrown)s or older: the list item has lapsed, counted as a non-list "
                "condition (interpretation)"
            )
            % p()
        )
    return _("Child under 18")


def _term(p: Params) -> str:
    if p.raw("term_end") is not None:
        return _(" within the term ending %(term_end)s") % p()
    if p.raw("term_known") is False:
        return _(" (term not known: treated as unlimited, interpretation; check Bijlage 1)")
    return ""


def _nl_child_series(p: Params) -> str:
    text = _("%(why)s: treatment %(n)s of %(limit)s basic for this condition in %(year)s") % p(
        why=_child_why(p)
    )
    if p.raw("second"):
        text += _(" (second series: result insufficient after 9)")
    return text


def _nl_child_used_up(p: Params) -> str:
    text = _(
        "%(why)s: the %(limit)s basic treatments for this condition in %(year)s are used up"
    ) % p(why=_child_why(p))
    if not p.raw("extension"):
        text += _(" (9 more only after an insufficient result)")
    return text


def _nl_chronic_first(p: Params) -> str:
    if p.raw("adult_n") != p.raw("n"):
        return (
            _(
                "Treatment %(n)s is adult treatment %(adult_n)s of the first %(first)s of a "
                "chronic-list indication (treatments before the 18th birthday do not count, "
                "interpretation): not basic"
            )
            % p()
        )
    return _("Treatment %(n)s of the first %(first)s of a chronic-list indication: not basic") % p()


def _nl_chronic(p: Params) -> str:
    if p.raw("starts"):
        text = _("Treatment %(n)s: basic insurance pays from here") % p()
    else:
        text = _("Treatment %(n)s: basic insurance pays") % p()
    return text + _term(p)


def _nl_scheme(p: Params) -> str:
    scheme = _category(p, "scheme")
    if p.raw("cap") is None:
        return _("%(scheme)s: basic insurance from the first treatment, no maximum") % p(
            scheme=scheme
        )
    text = _("%(scheme)s: basic insurance, treatment %(n)s of %(cap)s") % p(scheme=scheme)
    if p.raw("months") is not None:
        text += _(" within %(months)s months of %(start)s") % p()
    return text


def _nl_scheme_used_up(p: Params) -> str:
    if p.raw("shared"):
        return _(
            "%(scheme)s: the %(cap)s basic treatments (one entitlement for all joints) are used "
            "up: not basic"
        ) % p(scheme=_category(p, "scheme"))
    return _("%(scheme)s: the %(cap)s basic treatments are used up: not basic") % p(
        scheme=_category(p, "scheme")
    )


def _copd_year(p: Params) -> str:
    if p.raw("year") == 1:
        return _("first treatment year")
    return _("treatment year %(year)s (from %(year_start)s)") % p()


def _nl_copd(p: Params) -> str:
    return _(
        "COPD class %(gold_class)s, %(period)s: basic insurance, treatment %(n)s of %(cap)s"
    ) % p(period=_copd_year(p))


def _nl_copd_used_up(p: Params) -> str:
    if p.raw("cap") == 0:
        return _(
            "COPD class %(gold_class)s, %(period)s: no basic treatments in this period: not basic"
        ) % p(period=_copd_year(p))
    return _(
        "COPD class %(gold_class)s, %(period)s: the %(cap)s basic treatments are used up: not basic"
    ) % p(period=_copd_year(p))


def _pays(p: Params) -> str:
    return "" if p.raw("price") is None else " " + p["price"]


def _nl_pay_basic(p: Params) -> str:
    part, price = p.raw("part"), p.raw("price")
    if part == 0:
        return _("the %(year)s eigen risico is used up, so the insurer pays %(price)s") % p()
    if part == price:
        if p.raw("left") == 0:
            return _("%(part)s goes to the %(year)s eigen risico (now used up)") % p()
        return _("%(part)s goes to the %(year)s eigen risico (%(left)s left)") % p()
    return _("the last %(part)s of the %(year)s eigen risico, the insurer pays %(insurer)s") % p(
        insurer=p.reader.money(price - part)
    )


def _nl_pay_deductible_unknown(p: Params) -> str:
    if p.raw("why") == "not_known":
        return (
            _(
                "no %(year)s eigen risico is given or on file, so the amounts are not computed "
                "(the statutory amount of that year is not in our tables)"
            )
            % p()
        )
    return (
        _(
            "what is left of the %(year)s eigen risico is not known (an earlier session had no "
            "price), so the amounts are not computed"
        )
        % p()
    )


def _nl_pay_package(p: Params) -> str:
    package = p.raw("package") or _("the package")
    return _("%(package)s pays the first %(first)s treatments of a chronic indication") % p(
        package=package
    )


def _nl_pay_allowance(p: Params) -> str:
    if p.raw("carried"):
        return _(
            "paid from the %(year)s supplementary allowance (treatment %(n)s of %(of)s, "
            "%(carried)s of them carried over from %(previous)s)"
        ) % p(previous=p.raw("year") - 1)
    return _("paid from the %(year)s supplementary allowance (treatment %(n)s of %(of)s)") % p()


def _nl_pay_budget(p: Params) -> str:
    insurer, price = p.raw("insurer"), p.raw("price")
    if insurer is None or price is None:
        return (
            _("paid from the %(year)s supplementary budget (amount not known: no price given)")
            % p()
        )
    if insurer == price:
        return _("paid from the %(year)s supplementary budget (%(left)s left)") % p()
    return _(
        "the %(year)s supplementary budget pays its last %(insurer)s, the patient %(rest)s"
    ) % p(rest=p.reader.money(price - insurer))


def _nl_pay_patient(p: Params) -> str:
    if p.raw("cover"):
        return _("no supplementary allowance left in %(year)s, so the patient pays") % p() + _pays(
            p
        )
    return _("no supplementary cover in %(year)s, so the patient pays") % p() + _pays(p)


Render = Callable[[Params], str]

# The sentence of every reason code. Belgian reasons are whole explanations; a Dutch reason is
# how the session was paid (``nl.pay.*``), written after its ``basis`` (``nl.basic.*``,
# ``nl.child.*``): "basis; payment."
REASONS: dict[ReasonCode, Render] = {
    R.BE_SAME_DAY: _be_same_day,
    R.BE_PRESCRIPTION_MISSING: lambda p: _(
        "Not reimbursed: no prescription of this treatment is dated on or before this session."
    ),
    R.BE_PRESCRIPTION_USED_UP: lambda p: _(
        "Not reimbursed: all prescribed sessions are used, a new prescription is needed "
        "(interpretation)."
    ),
    R.BE_PRESCRIPTION_LATE: lambda p: (
        _(
            "Not reimbursed: the prescription of %(prescribed)s had to start by %(deadline)s "
            "(2 calendar months, interpretation) and started later, so it covers nothing."
        )
        % p()
    ),
    R.BE_COURANTE_BEST: _be_courante_best,
    R.BE_COURANTE_AGREED: _be_courante_agreed,
    R.BE_COURANTE_PENDING: _be_courante_pending,
    R.BE_COURANTE_OVERFLOW: _be_overflow,
    R.BE_COURANTE_SITUATION_OVERFLOW: _be_situation_overflow,
    R.BE_COURANTE_POOL_EXHAUSTED: lambda p: (
        _(
            "Not reimbursed: session %(n)s of this situation in %(year)s could only be an overflow "
            "session, and the %(pool_limit)s overflow sessions of %(year)s are used up."
        )
        % p()
    ),
    R.BE_FA_BEST: lambda p: _clauses(
        _("Fa session %(n)s of %(limit)s at the best rate") % p(),
        _("period until %(end)s") % p(),
    ),
    R.BE_FA_REDUCED: lambda p: _clauses(
        _("Fa session %(n)s, past the %(limit)s at the best rate: reduced rate") % p(),
        _("period until %(end)s") % p(),
    ),
    R.BE_FA_PERIOD_ENDED: lambda p: (
        _("Not reimbursed: the Fa period %(start)s to %(end)s has ended and Fa cannot be extended.")
        % p()
    ),
    R.BE_FB_BEST: _be_fb_best,
    R.BE_FB_REDUCED: lambda p: (
        _("Fb session %(n)s of %(year)s: first reduced tier (sessions %(first)s to %(last)s).")
        % p()
    ),
    R.BE_FB_REDUCED_2: lambda p: (
        _("Fb session %(n)s of %(year)s: second reduced tier (from session %(first)s).") % p()
    ),
    R.BE_FB_PERIOD_ENDED: lambda p: (
        _(
            "Not reimbursed: the Fb period %(start)s to %(end)s has ended; a renewal needs a new "
            "notification."
        )
        % p()
    ),
    R.BE_NOTIFICATION_PENDING: lambda p: (
        _(
            "Pending: %(category)s session %(n)s waits for the notification to the advising "
            "physician (interpretation)."
        )
        % p(category=_category(p))
    ),
    R.BE_E_AGREED: _be_e_agreed,
    R.BE_E_PENDING: lambda p: (
        _(
            "Pending: E session %(n)s falls outside the advising physician's agreement "
            "(interpretation)."
        )
        % p()
    ),
    R.BE_PERINATAL_SESSION: lambda p: (
        _("Perinatal session %(n)s of %(limit)s for this pregnancy.") % p()
    ),
    R.BE_PERINATAL_EXHAUSTED: lambda p: (
        _(
            "Not reimbursed: the %(limit)s perinatal sessions of this pregnancy are used; further "
            "care needs its own courante treatment and prescription."
        )
        % p()
    ),
    R.BE_PALLIATIVE_SESSION: _be_palliative,
    R.BE_AGREEMENT_WAITING: lambda p: _clauses(
        _(
            "Pending: %(category)s session %(n)s waits for the advising physician's decision "
            "(request %(status)s)"
        )
        % p(category=_category(p), status=label(AGREEMENT_STATUS_NAMES, p.raw("status"))),
        _given_reason(p),
    ),
    R.BE_AGREEMENT_REFUSED: lambda p: _clauses(
        _("Not reimbursed: the advising physician refused the agreement for these sessions"),
        _given_reason(p),
    ),
    # The Netherlands: what basic insurance decides.
    R.NL_REGULAR: lambda p: _(
        "Not on the chronic list and no special scheme: basic insurance does not pay"
    ),
    R.NL_SCHEME_NOT_YET: lambda p: (
        _("%(scheme)s is no basic-insurance scheme before %(since)s: not basic")
        % p(scheme=_category(p, "scheme"))
    ),
    R.NL_CHRONIC_FIRST: _nl_chronic_first,
    R.NL_CHRONIC_BASIC: _nl_chronic,
    R.NL_CHRONIC_AFTER_TERM: lambda p: (
        _("Treatment %(n)s falls after the chronic term ended on %(end)s: not basic") % p()
    ),
    R.NL_CHRONIC_OUTGROWN: lambda p: (
        _("The list item only applies under %(max_age)s: not basic") % p()
    ),
    R.NL_SCHEME_BASIC: _nl_scheme,
    R.NL_SCHEME_USED_UP: _nl_scheme_used_up,
    R.NL_SCHEME_WINDOW_ENDED: lambda p: (
        _("%(scheme)s: the %(months)s-month window ended on %(end)s: not basic")
        % p(scheme=_category(p, "scheme"))
    ),
    R.NL_COPD_BASIC: _nl_copd,
    R.NL_COPD_USED_UP: _nl_copd_used_up,
    R.NL_COPD_STAGE: lambda p: _("COPD GOLD stage %(stage)s has no basic cover: not basic") % p(),
    R.NL_COPD_NO_CLASS: lambda p: _(
        "COPD without a known GOLD class: basic cover cannot be determined, treated as not basic "
        "(interpretation)"
    ),
    R.NL_CHILD_SERIES: _nl_child_series,
    R.NL_CHILD_USED_UP: _nl_child_used_up,
    R.NL_CHILD_CHRONIC: lambda p: (
        _(
            "Child under 18 with a chronic-list indication: basic insurance pays from the first "
            "treatment"
        )
        + _term(p)
    ),
    # The Netherlands: who pays.
    R.NL_PAY_CHILD: lambda p: _("no eigen risico under 18"),
    R.NL_PAY_DEDUCTIBLE: _nl_pay_basic,
    R.NL_PAY_NO_PRICE: lambda p: _(
        "no price given, so the part charged to the eigen risico is not known"
    ),
    R.NL_PAY_DEDUCTIBLE_UNKNOWN: _nl_pay_deductible_unknown,
    R.NL_PAY_SAME_DAY: lambda p: (
        _("a second session on one day is not reimbursed, so the patient pays") + _pays(p)
    ),
    R.NL_PAY_PACKAGE_CHRONIC: _nl_pay_package,
    R.NL_PAY_ALLOWANCE: _nl_pay_allowance,
    R.NL_PAY_BUDGET: _nl_pay_budget,
    R.NL_PAY_PATIENT: _nl_pay_patient,
    R.NL_PAY_SUB_LIMIT: lambda p: (
        _(
            "the package pays at most %(limit)s %(kind)s sessions in %(year)s and they are used, "
            "so the patient pays"
        )
        % p(kind=label(SESSION_KIND_NAMES, p.raw("kind")))
        + _pays(p)
    ),
}


# ------------------------------------------------------------------ sentences as templates

# A sentence is a function of its code, its reader, its parameters' names, the values its
# function chose by (``Params.raw``) and the values written into it (``Params[name]``). Written
# once with placeholders for the written values, it is a ``%`` template for every later
# sentence that chose alike: the hundred sessions of a result have a hundred sets of
# parameters (a count, a date) but a handful of templates, and a sentence from its template
# asks neither the catalogue nor the active language. Kept per (code, language, country,
# parameter names): a template, or the parameter the function read first with, per value
# read, the next node. ``tests/reimburse/test_explain_templates.py`` compares every sentence
# of generated results with the one its function writes.
Node: TypeAlias = str | tuple[str, dict[Hashable, "Node"]]
_TEMPLATES: dict[tuple[Any, ...], Node] = {}
_MAX_TEMPLATES = 20_000  # then start again: prices read by Dutch sentences vary
_template_count = 0
_MARK = "\x00"  # around a placeholder's name; in no sentence, label or parameter
_UNKNOWN = object()  # a value read that cannot key a template (a list)


def _choice(value: object) -> Hashable:
    """Key a value a sentence's function read: equal keys, the same sentence."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return (Decimal, str(value))  # Decimal("40") == Decimal("40.00"), written apart
    if isinstance(value, str | int | date):  # bool is an int: the type tells them apart
        return (type(value), value)
    return _UNKNOWN


class _Placeholders(Params):
    """Parameters written as placeholders; the values the function reads are recorded."""

    def __init__(self, params: Mapping[str, object], reader: Reader) -> None:
        super().__init__(params, reader)
        self.read: list[tuple[str, Hashable]] = []

    def raw(self, name: str) -> Any:
        value = super().raw(name)
        self.read.append((name, _choice(value)))
        return value

    def __getitem__(self, name: str) -> str:
        return f"{_MARK}{name}{_MARK}"


def _sentence(
    table: Mapping[Any, Render], code: str, params: Mapping[str, Any], reader: Reader
) -> str:
    """Write the sentence of ``code`` in ``table`` from its template, made on first use."""
    key = (code, reader.language, reader.country, *params)
    node = _TEMPLATES.get(key)
    written = Params(params, reader)
    while node is not None and not isinstance(node, str):
        name, branches = node
        node = branches.get(_choice(written.raw(name)))
    if node is None:
        return _first_sentence(table, code, params, reader, key)
    # A template of N placeholders asks ``written`` for each; ``%%`` is a plain percent.
    return node % written


def _written(
    table: Mapping[Any, Render], code: str, params: Mapping[str, Any], reader: Reader
) -> str:
    """Write the sentence by its function (inside a ``reading``)."""
    codes = ReasonCode if table is REASONS else WarningCode
    return table[codes(code)](Params(params, reader))


def _first_sentence(
    table: Mapping[Any, Render],
    code: str,
    params: Mapping[str, Any],
    reader: Reader,
    key: tuple[Any, ...],
) -> str:
    """Write the sentence by its function and keep its template for the next ones."""
    with reading(reader):
        text = _written(table, code, params, reader)
        codes = ReasonCode if table is REASONS else WarningCode
        marked = _Placeholders(params, reader)
        pattern = table[codes(code)](marked)
    template = _template(pattern)
    if (
        template is not None
        and all(choice is not _UNKNOWN for _, choice in marked.read)
        and template % Params(params, reader) == text
    ):
        _remember(key, marked.read, template)
    return text


def _template(pattern: str) -> str | None:
    """Turn a sentence written with placeholders into a ``%(name)s`` template."""
    parts = pattern.split(_MARK)
    if len(parts) % 2 == 0:
        return None
    names = parts[1::2]
    if not all(name.isidentifier() for name in names):
        return None
    literals = [part.replace("%", "%%") for part in parts[0::2]]
    pieces = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        pieces += [f"%({name})s", literal]
    return "".join(pieces)


def _remember(key: tuple[Any, ...], read: list[tuple[str, Hashable]], template: str) -> None:
    global _template_count
    if _template_count >= _MAX_TEMPLATES:
        _TEMPLATES.clear()
        _template_count = 0
    _template_count += 1
    if not read:
        _TEMPLATES.setdefault(key, template)
        return
    node = _TEMPLATES.setdefault(key, (read[0][0], {}))
    for index, (name, choice) in enumerate(read):
        if isinstance(node, str) or node[0] != name:
            return  # cannot happen for a function of its parameters: keep nothing
        following: Node = template if index + 1 == len(read) else (read[index + 1][0], {})
        node = node[1].setdefault(choice, following)


_SEPARATORS: dict[str, str] = {}  # per language: ``_separator()``


def _separator_of(reader: Reader) -> str:
    found = _SEPARATORS.get(reader.translation)
    if found is None:
        with reading(reader):
            found = _SEPARATORS[reader.translation] = _separator()
    return found


@receiver(setting_changed)
def _forget_templates(*, setting: str, **kwargs: Any) -> None:
    """Tests that change the languages or catalogues get sentences written anew."""
    global _template_count
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _TEMPLATES.clear()
        _SEPARATORS.clear()
        _template_count = 0


def reason_text(reason: Reason | Mapping[str, Any], reader: Reader) -> str:
    """Return the sentence of a reason (an engine ``Reason`` or its JSON form) for ``reader``.

    A reason with a ``basis`` (Dutch sessions) reads "basis; reason.".
    """
    code, params = _code_and_params(reason)
    text = _sentence(REASONS, code, params, reader)
    basis = params.get("basis")
    if basis is None:
        return text
    return f"{reason_text(basis, reader)}{_separator_of(reader)}{text}."


def written_reason_text(reason: Reason | Mapping[str, Any], reader: Reader) -> str:
    """``reason_text`` written out by its function, without templates: the reference."""
    code, params = _code_and_params(reason)
    with reading(reader):
        text = _written(REASONS, code, params, reader)
        basis = params.get("basis")
        if basis is None:
            return text
        return f"{written_reason_text(basis, reader)}{_separator()}{text}."


def _code_and_params(reason: Reason | Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    if isinstance(reason, Reason):
        return reason.code, reason.params
    return reason["code"], reason.get("params") or {}


def explanation(outcome: SessionOutcome, reader: Reader) -> str:
    """Return the one sentence that explains a session's outcome."""
    return reason_text(outcome.reason, reader)


# ----------------------------------------------------------------------------- warnings


def _quota_exhausted(p: Params) -> str:
    counter = label(COUNTER_NAMES, p.raw("counter"))
    if p.reader.country == "NL":
        return _(
            "%(counter)s: all %(limit)s used; the next treatment is not covered by basic insurance."
        ) % p(counter=counter)
    return _(
        "%(counter)s: all %(limit)s used in this period; the next session is reduced, pending "
        "or not covered."
    ) % p(counter=counter)


def _quota_low(p: Params) -> str:
    counter = label(COUNTER_NAMES, p.raw("counter"))
    return ngettext(
        "%(counter)s: only %(remaining)s left in this period.",
        "%(counter)s: only %(remaining)s left in this period.",
        int(p.raw("remaining")),
    ) % p(counter=counter)


def _prescription_low(p: Params) -> str:
    remaining = int(p.raw("remaining"))
    if remaining:
        text = (
            ngettext(
                "Only %(remaining)s prescribed session left that can be reimbursed; the sessions "
                "after it are not reimbursed without a new prescription.",
                "Only %(remaining)s prescribed sessions left that can be reimbursed; the sessions "
                "after them are not reimbursed without a new prescription.",
                remaining,
            )
            % p()
        )
    else:
        text = _(
            "The next session would not be reimbursed: no prescription of this treatment can "
            "cover it."
        )
    if p.raw("prescribed") is None:
        return text
    return (
        text
        + " "
        + _(
            "The prescription of %(prescribed)s was not started by %(deadline)s and covers nothing."
        )
        % p()
    )


def _allowance_exhausted(p: Params) -> str:
    if p.raw("cover") is False:
        return (
            _(
                "No supplementary physiotherapy cover in %(year)s: treatments basic insurance does "
                "not pay are for the patient."
            )
            % p()
        )
    if p.raw("budget") is not None:
        return _("The %(year)s supplementary budget of %(budget)s is used up.") % p()
    return (
        _(
            "The %(year)s supplementary allowance (%(limit)s treatments) is used up: treatments "
            "basic insurance does not pay are for the patient."
        )
        % p()
    )


def _agreement_missing(p: Params) -> str:
    if p.raw("category") == "e":
        return _(
            "E sessions need the advising physician's agreement covering their date; these are "
            "pending."
        )
    return (
        _(
            "This is courante situation %(rank)s of %(year)s: its sessions need the advising "
            "physician's agreement and are pending."
        )
        % p()
    )


def _period_ending(p: Params) -> str:
    period = label(PERIOD_NAMES, p.raw("counter"))
    if p.reader.country == "NL" or p.raw("counter") not in ("fa", "fb"):
        text = _(
            "%(period)s ends on %(end)s: treatments after it are not covered the same way."
        ) % p(period=period)
        if p.raw("whiplash"):
            text += " " + _("Whiplash: 3 months more only if the triad persists.")
        return text
    return _("%(period)s ends on %(end)s.") % p(period=period)


def _period_ended(p: Params) -> str:
    if p.raw("count") is None:  # Belgium: an Fa or Fb period
        return _("The session of %(date)s falls after the period that ended on %(end)s.") % p()
    count, basic = int(p.raw("count")), int(p.raw("basic") or 0)
    text = (
        ngettext(
            "%(count)s session falls after the end of this episode's term or window, from %(date)s",
            "%(count)s sessions fall after the end of this episode's term or window, from %(date)s",
            count,
        )
        % p()
    )
    if not basic:
        return text + ": " + _("not covered by basic insurance.")
    return (
        text
        + "; "
        + ngettext(
            "%(basic)s of them is paid by basic insurance under the children's series.",
            "%(basic)s of them are paid by basic insurance under the children's series.",
            basic,
        )
        % p()
    )


def _second_session(p: Params) -> str:
    if p.reader.country == "NL":
        return (
            _(
                "%(date)s already has a reimbursed treatment: this one is for the patient (at most "
                "one reimbursed treatment per day)."
            )
            % p()
        )
    return (
        _(
            "The session of %(date)s is not the first session that day: only one session a day is "
            "reimbursed (a motivated second one for palliative and E patients)."
        )
        % p()
    )


def _rules_unknown(p: Params) -> str:
    problem = p.raw("problem")
    if problem is None:  # sessions left out (engine.evaluate_known)
        return (
            ngettext(
                "No reimbursement rules are known for the session of %(dates)s: it is left out of "
                "the counts.",
                "No reimbursement rules are known for the %(count)s sessions of %(dates)s: they "
                "are left out of the counts.",
                int(p.raw("count")),
            )
            % p()
        )
    if problem == "date":
        return (
            _(
                "No reimbursement rules are known for %(date)s, so this patient's records cannot "
                "be evaluated."
            )
            % p()
        )
    problem = label(PROBLEM_NAMES, problem)
    return _(
        "Value the rules do not know (%(problem)s): %(value)s; the records cannot be evaluated."
    ) % p(problem=problem)


def _tariff_unknown(p: Params) -> str:
    start, end = p.raw("start"), p.raw("end")
    if start is not None and end is not None:
        known = _("No tariff of code %(code)s is known from %(start)s until before %(end)s") % p()
    elif start is not None:
        known = _("No tariff of code %(code)s is known from %(start)s on") % p()
    elif end is not None:
        known = _("No tariff of code %(code)s is known before %(end)s") % p()
    else:
        known = _("No tariff of code %(code)s is known") % p()
    return _clauses(
        known,
        _(
            "sessions in that period show no amount until the RIZIV table is loaded (an "
            "administrator can load it)"
        ),
    )


def _code_unknown(p: Params) -> str:
    words = p(
        category=_category(p),
        tier=label(TIER_NAMES, p.raw("tier")),
        place=label(PLACE_NAMES, p.raw("place")),
    )
    if p.raw("minutes") is not None:  # a 15- or 20-minute session (S4)
        return (
            _(
                "No current nomenclature code for %(category)s %(tier)s of %(minutes)s minutes "
                "%(place)s is in the tables: these sessions show no code and no amount."
            )
            % words
        )
    return (
        _(
            "The nomenclature code for %(category)s %(tier)s %(place)s is not in the sources: "
            "these sessions show no code and no amount."
        )
        % words
    )


WARNINGS: dict[WarningCode, Render] = {
    W.QUOTA_LOW: _quota_low,
    W.QUOTA_EXHAUSTED: _quota_exhausted,
    W.POOL_LOW: lambda p: (
        ngettext(
            "%(remaining)s overflow session left in %(year)s.",
            "%(remaining)s overflow sessions left in %(year)s.",
            int(p.raw("remaining")),
        )
        % p()
    ),
    W.POOL_EXHAUSTED: lambda p: (
        _(
            "The %(limit)s overflow sessions of %(year)s are used up; further overflow sessions "
            "are not reimbursed."
        )
        % p()
    ),
    W.ALLOWANCE_LOW: lambda p: (
        ngettext(
            "%(remaining)s supplementary treatment left in %(year)s (as far as this practice "
            "knows).",
            "%(remaining)s supplementary treatments left in %(year)s (as far as this practice "
            "knows).",
            int(p.raw("remaining")),
        )
        % p()
    ),
    W.ALLOWANCE_EXHAUSTED: _allowance_exhausted,
    W.PRESCRIPTION_MISSING: lambda p: (
        _("The session of %(date)s has no prescription dated on or before it.") % p()
    ),
    W.PRESCRIPTION_USED_UP: lambda p: (
        _("All prescribed sessions are used; the session of %(date)s needs a new prescription.")
        % p()
    ),
    W.PRESCRIPTION_LATE_START: lambda p: (
        _(
            "The prescription of %(prescribed)s had to start by %(deadline)s; the session of "
            "%(date)s falls under it and is not reimbursed."
        )
        % p()
    ),
    W.PRESCRIPTION_LOW: _prescription_low,
    W.REFERRAL_MISSING: lambda p: _(
        "No referral recorded: chronic-list and scheme cover needs a referral with the diagnosis."
    ),
    W.NOTIFICATION_MISSING: lambda p: (
        _(
            "Send the %(category)s notification to the advising physician; until it is received no "
            "session is paid."
        )
        % p(category=_category(p))
    ),
    W.AGREEMENT_MISSING: _agreement_missing,
    W.AGREEMENT_ENDING: lambda p: _("The advising physician's agreement ends on %(until)s.") % p(),
    W.PERIOD_ENDING: _period_ending,
    W.PERIOD_ENDED: _period_ended,
    W.SITUATIONS_EXCEEDED: lambda p: (
        _(
            "This is courante situation %(rank)s of %(year)s: beyond %(situations)s situations a "
            "year only reduced overflow sessions are reimbursed."
        )
        % p()
    ),
    W.SECOND_SESSION_SAME_DAY: _second_session,
    W.BASIC_STARTS: lambda p: (
        _(
            "The next treatment is number %(n)s of this chronic-list indication: basic insurance "
            "pays from there, and the eigen risico applies."
        )
        % p()
    ),
    W.AGE_TRANSITION: lambda p: (
        _(
            "The patient turns 18 on %(turns)s: adult rules (first 20, eigen risico) apply from "
            "then; check the transition with the insurer."
        )
        % p()
    ),
    W.RULES_UNKNOWN: _rules_unknown,
    W.AGREEMENT_WAITING: lambda p: _clauses(
        _(
            "The request for the advising physician's agreement is %(status)s: its %(category)s "
            "sessions are pending"
        )
        % p(category=_category(p), status=label(AGREEMENT_STATUS_NAMES, p.raw("status"))),
        _given_reason(p),
    ),
    W.AGREEMENT_REFUSED: lambda p: _clauses(
        _(
            "The advising physician refused the agreement: its %(category)s sessions are not "
            "reimbursed"
        )
        % p(category=_category(p)),
        _given_reason(p),
    ),
    W.DUPLICATE_SITUATION: lambda p: (
        _(
            "Another courante situation of %(year)s has the same code %(pathology)s: probably one "
            "situation entered twice."
        )
        % p()
    ),
    W.TARIFF_UNKNOWN: _tariff_unknown,
    W.CODE_UNKNOWN: _code_unknown,
    W.DEDUCTIBLE_UNKNOWN: lambda p: (
        _(
            "The statutory eigen risico of %(year)s is not known yet: basic-covered sessions of "
            "that year show their price, not what the patient pays, until it is entered."
        )
        % p()
    ),
}


def warning_text(warning: Warning | Mapping[str, Any], reader: Reader) -> str:
    """Return the sentence of a warning (an engine ``Warning`` or its stored JSON form)."""
    code, params = _warning_code_and_params(warning)
    return _sentence(WARNINGS, code, params, reader)


def written_warning_text(warning: Warning | Mapping[str, Any], reader: Reader) -> str:
    """``warning_text`` written out by its function, without templates: the reference."""
    code, params = _warning_code_and_params(warning)
    with reading(reader):
        return _written(WARNINGS, code, params, reader)


def _warning_code_and_params(
    warning: Warning | Mapping[str, Any],
) -> tuple[str, Mapping[str, Any]]:
    if isinstance(warning, Warning):
        return warning.code, warning.params
    return warning["code"], warning.get("params") or {}


# ------------------------------------------------------------------------------ JSON forms


def params_json(params: Mapping[str, object]) -> dict[str, Any]:
    """Return parameters as the simulate output and the API write them: ISO dates, money
    strings, lists for tuples, a nested reason as ``{"code", "params"}``."""
    return {name: _json(value) for name, value in params.items()}


def reason_json(reason: Reason) -> dict[str, Any]:
    return {"code": str(reason.code), "params": params_json(reason.params)}


def _json(value: object) -> Any:
    if type(value) is int or type(value) is bool:  # a count or a flag: most parameters
        return value
    if isinstance(value, Reason):
        return reason_json(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(money(value))
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, bool | int | str) or value is None:
        return str(value) if isinstance(value, str) else value
    return str(value)
