"""The simulate contract (``docs/rules/simulate.md``): JSON case in, JSON result out.

``simulate(data)`` is the one call the API view and ``manage.py simulate`` make: it validates
the input into engine facts (``parse_case``), evaluates them with the pure engine and renders
the result (``result_to_dict``). It touches no database and reads no clock.

Invalid input raises ``InvalidInput`` carrying *every* problem found, each with a
JSON-path-like field (``sessions[3].date``; ``""`` is the whole document). Errors come in
reading order: an object's own keys first (unknown keys in document order, then missing
required ones), then its fields in contract order, so the top level comes before the
patient, the patient before the episodes and the episodes before the sessions.

Where the contract leaves room, this module decides:

- ``null`` for an optional key means the same as leaving the key out.
- ``episodes`` and ``sessions`` are required, like ``country``, ``as_of`` and ``patient``;
  they may be empty lists.
- Money is accepted as a string with at most two decimals (``"40"``, ``"40.5"``,
  ``"40.50"``) or as a JSON integer, never as a JSON number with a fraction: a binary float
  cannot carry cents exactly. It is always given back as a two-decimal string.
- A key of the other country (``conventioned`` on an NL session) is reported as ``only for BE``
  rather than ``unknown key``; likewise a key bound to other categories (``pathology``
  outside fa/fb/e, ``condition`` outside chronic, ``gold_class``/``gold_stage`` outside copd).
- While ``country`` is invalid, keys of both countries are accepted and categories go
  unchecked, so the other problems still show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar, cast

from reimburse import engine
from reimburse.engine.be import situations
from reimburse.engine.errors import EngineError, RulesNotInForce
from reimburse.engine.nl.tables import CHRONIC_LIST
from reimburse.engine.types import (
    BE_CATEGORIES,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_AMOUNT,
    NL_CATEGORIES,
    PLACES,
    Agreement,
    BeAmounts,
    Case,
    Country,
    Coverage,
    Episode,
    NlAmounts,
    Patient,
    Pool,
    Prescription,
    Quota,
    Referral,
    Result,
    Session,
    SessionOutcome,
    Warning,
    money,
)
from reimburse.engine.vocabulary import BEYOND_CONTRACT, GRANTED, AgreementStatus
from reimburse.explain import (
    LANGUAGES,
    Reader,
    explanation,
    params_json,
    reading,
    reason_json,
    warning_text,
)

COUNTRIES: tuple[Country, ...] = ("BE", "NL")
CATEGORIES: Mapping[str, tuple[str, ...]] = {"BE": BE_CATEGORIES, "NL": NL_CATEGORIES}

# The Dutch chronic list (Bijlage 1 Besluit zorgverzekering), in the order of the engine's
# dated table, so error messages list the keys in a stable order.
CHRONIC_CONDITIONS = tuple(dict.fromkeys(c.key for c in CHRONIC_LIST))
GOLD_CLASSES = ("A", "B1", "B2", "C", "D")
REFERRERS = ("gp", "specialist")

# The input shape in contract order. Country-dependent objects are (both, BE only, NL only).
CASE_KEYS = ("country", "as_of", "patient", "episodes", "sessions")
REQUIRED_KEYS = CASE_KEYS
LANGUAGE_KEY = "lang"  # v2: the language of explanations and messages, en (default), nl, fr
PATIENT_KEYS = (
    ("birth_date",),
    ("preferential", "overflow_elsewhere", "situations_elsewhere"),
    ("coverage", "deductible_remaining"),
)
EPISODE_KEYS = (
    ("id", "category"),
    (
        "pathology",
        "notified_on",
        "agreement",
        "agreements",
        "prescriptions",
        "prior_sessions",
        "first_session_on",
    ),
    (
        "condition",
        "term_months",
        "gold_class",
        "gold_stage",
        "prior_treatments",
        "first_treatment_on",
        "referral",
        "extension",
    ),
)
# ``price``: NL always; BE for a non-conventioned physiotherapist's own fee (v2).
SESSION_KEYS = (("id", "date", "episode", "minutes", "place", "price"), ("conventioned",), ())
COVERAGE_KEYS = (
    "year",
    "insurer",
    "package",
    "treatments",
    "budget",
    "carry_over_max",
    "used_elsewhere",
)
PRESCRIPTION_KEYS = ("id", "date", "sessions", "second_session_motivated")
AGREEMENT_KEYS = ("from", "until")
AGREEMENTS_KEYS = ("from", "until", "status", "decision_id", "reason")
AGREEMENT_STATUSES = tuple(str(status) for status in AgreementStatus)
REFERRAL_KEYS = ("date", "by")

# Calendar dates only: date.fromisoformat alone would also take "20250101" or "2025-W01".
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_YEAR = re.compile(r"[0-9]{4}")
_SHOWN = 40  # longest value quoted back in a message
# Counts (sessions, minutes, months, treatments) are bounded as the practice's records store
# them (PositiveSmallIntegerField, 32767 on PostgreSQL): anything larger is a typo, and an
# unbounded term in months overflows the date arithmetic.
MAX_COUNT = 32767

D = TypeVar("D")
Shape = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class FieldError:
    """One problem with the input: where (a JSON-path-like field) and what."""

    field: str
    message: str


class InvalidInput(Exception):
    """The input breaks the simulate contract; ``errors`` lists every problem found."""

    too_large = False  # over the contract's limits: HTTP answers 413 rather than 400

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        """Return the contract's error object."""
        return {"errors": [{"field": e.field, "message": e.message} for e in self.errors]}


class InputTooLarge(InvalidInput):
    """The input is over the contract's limits (v2 "Limits")."""

    too_large = True


# The contract's limits per call (v2): more sessions, episodes or bytes are an input error.
MAX_SESSIONS = 5_000
MAX_EPISODES = 500
MAX_BYTES = 2 * 1024 * 1024  # 2 MB of JSON
_BOM = "\ufeff"


# ------------------------------------------------------------------------------ entry points


def simulate(data: object, *, language: str | None = None) -> dict[str, Any]:
    """Validate a contract input, evaluate it and return the contract output.

    Explanations and messages are written in the input's ``lang``, else ``language`` (over
    HTTP: the request's ``Accept-Language``), else English.
    """
    case = parse_case(data)
    chosen = data.get(LANGUAGE_KEY) if isinstance(data, dict) else None
    reader = Reader.of(chosen or language or "en", case.country)
    try:
        result = engine.evaluate(case)
    except RulesNotInForce as exc:
        # Well-formed, but dated where no rule table entry we have a source for reaches.
        raise InvalidInput(_uncovered(data, case, exc)) from exc
    except EngineError as exc:  # a case the parser let through and the rules refuse
        raise InvalidInput([FieldError("", str(exc))]) from exc
    return result_to_dict(result, reader)


def _uncovered(data: object, case: Case, exc: RulesNotInForce) -> list[FieldError]:
    """Name each session whose date the rules do not cover (or the whole case)."""
    # The sessions of the episode whose table does not reach them (or of any episode).
    sessions = [s for s in case.sessions if exc.episode is None or s.episode == exc.episode]
    if exc.covered_from is not None:
        days = {s.date for s in sessions if s.date < exc.covered_from}
    else:
        days = {s.date for s in sessions if s.date == exc.day}
    listed = data.get("sessions") if isinstance(data, dict) else None
    if not days or not isinstance(listed, list):
        return [FieldError("", str(exc))]
    # Each session is named with its own day (the exception names the first one met).
    found = [
        (i, _parsed_date(item.get("date")), item.get("episode"))
        for i, item in enumerate(listed)
        if isinstance(item, dict)
    ]
    return [
        FieldError(
            f"sessions[{i}].date",
            str(RulesNotInForce(day, exc.what, covered_from=exc.covered_from)),
        )
        for i, day, episode in found
        if day is not None and day in days and (exc.episode is None or episode == exc.episode)
    ]


def _parsed_date(value: object) -> date | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_json(text: str | bytes) -> object:
    """Decode JSON text, reporting malformed JSON or a repeated key as invalid input.

    A UTF-8 byte-order mark is accepted; more than ``MAX_BYTES`` is ``InputTooLarge``.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise InputTooLarge(
            [FieldError("", f"larger than {MAX_BYTES:,} bytes (2 MB), the most one call takes")]
        )
    bom: Any = _BOM.encode() if isinstance(text, bytes) else _BOM
    text = text.removeprefix(bom)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError as exc:  # JSONDecodeError, undecodable bytes, or a repeated key
        raise InvalidInput([FieldError("", f"not valid JSON: {exc}")]) from exc
    except RecursionError as exc:  # "[[[[…" thousands deep: the decoder runs out of stack
        raise InvalidInput([FieldError("", "not valid JSON: nested too deeply")]) from exc


def parse_case(data: object) -> Case:
    """Turn contract input into an engine ``Case``, or raise ``InvalidInput`` with every problem."""
    _check_limits(data)
    errors: list[FieldError] = []
    case = _case(data, errors)
    if errors or case is None:
        raise InvalidInput(errors)
    return case


def _check_limits(data: object) -> None:
    """Refuse more sessions or episodes than one call takes, before reading any of them."""
    if not isinstance(data, dict):
        return
    errors = [
        FieldError(key, f"{len(items):,} {key}; at most {most:,} in one call")
        for key, most in (("episodes", MAX_EPISODES), ("sessions", MAX_SESSIONS))
        if isinstance(items := data.get(key), list) and len(items) > most
    ]
    if errors:
        raise InputTooLarge(errors)


def result_to_dict(result: Result, reader: Reader | None = None) -> dict[str, Any]:
    """Render an engine ``Result`` as the contract's output object, for ``reader``.

    The sentences (``explanation``, ``message``) are in the reader's language (English by
    default); codes and parameters are the same in every language.
    """
    reader = reader or Reader("en", result.country)
    with reading(reader):  # once for every sentence of the result
        return {
            "country": result.country,
            "as_of": result.as_of.isoformat(),
            "sessions": [_outcome_dict(outcome, reader) for outcome in result.sessions],
            "quotas": [_quota_dict(quota) for quota in result.quotas],
            "pools": [_pool_dict(pool) for pool in result.pools],
            "warnings": [
                _warning_dict(warning, reader)
                for warning in result.warnings
                if warning.code not in BEYOND_CONTRACT
            ],
        }


# ---------------------------------------------------------------------------- field reading


class _Fields:
    """Read the fields of one JSON object, recording every problem instead of stopping.

    Each reader returns ``default`` when the key is absent or null, and also when the value
    is invalid (after recording why), so reading goes on to the next problem. Once ``keys``
    has run, keys it rejected read as absent, so they are reported once.
    """

    def __init__(self, data: Mapping[str, object], path: str, errors: list[FieldError]) -> None:
        self.data = data
        self.path = path
        self.errors = errors
        self.known: Collection[str] | None = None

    def at(self, key: str) -> str:
        """Return the field path of ``key`` in this object (``""`` is the object itself)."""
        if not key:
            return self.path
        key = _printable(key)
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> None:
        """Record a problem with ``key`` of this object."""
        self.errors.append(FieldError(self.at(key), message))

    def get(self, key: str) -> object:
        """Return the raw value of ``key``; ``None`` when absent, null or rejected by ``keys``."""
        if self.known is not None and key not in self.known:
            return None
        return self.data.get(key)

    def present(self, key: str) -> bool:
        """Tell whether ``key`` is given with a non-null value."""
        return self.get(key) is not None

    def keys(
        self,
        known: Collection[str],
        *,
        required: Collection[str] = (),
        only_for: Mapping[str, str] | None = None,
    ) -> None:
        """Report keys outside ``known`` in document order, then missing required keys.

        ``only_for`` maps the other country's keys to its code, for a clearer message.
        """
        self.known = known
        for key in self.data:
            if key not in known:
                country = (only_for or {}).get(key)
                self.error(key, f"only for {country}" if country else "unknown key")
        for key in required:
            if not self.present(key):
                self.error(key, "required")

    def unique(self, key: str, value: object, seen: set[Any], noun: str) -> None:
        """Report ``value`` of ``key`` if an earlier item in ``seen`` had it already."""
        if value is None:
            return
        if value in seen:
            self.error(key, f"duplicate {noun} {_show(value)}")
        seen.add(value)

    def ident(self, key: str) -> str | None:
        """Read a caller-chosen id: a non-empty string."""
        value = self.text(key, default=None)
        if value == "":
            self.error(key, "must not be empty")
            return None
        return value

    def text(self, key: str, *, default: D) -> str | D:
        """Read a string."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(key, f"expected a string, not {_show(value)}")
            return default
        if not _is_unicode(value):
            self.error(key, f"not valid Unicode text: {_show(value)} (a lone surrogate)")
            return default
        return value

    def flag(self, key: str, *, default: D) -> bool | D:
        """Read ``true`` or ``false``."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, not {_show(value)}")
            return default
        return value

    def date(self, key: str, *, default: D) -> date | D:
        """Read an ISO ``YYYY-MM-DD`` calendar date."""
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass  # well-formed but impossible, like 2025-02-30
            else:
                if EARLIEST_DATE <= day <= LATEST_DATE:
                    return day
                self.error(key, f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
                return default
        self.error(key, f"not a date: {_show(value)}")
        return default

    def integer(
        self, key: str, *, default: D, minimum: int | None = None, maximum: int | None = None
    ) -> int | D:
        """Read a whole JSON number within ``minimum``..``maximum``."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(key, f"not an integer: {_show(value)}")
        elif minimum is not None and value < minimum:
            self.error(key, f"must be at least {minimum}")
        elif maximum is not None and value > maximum:
            self.error(key, f"must be at most {maximum}")
        else:
            return value
        return default

    def amount(self, key: str, *, default: D) -> Decimal | D:
        """Read a non-negative euro amount: a string with at most two decimals, or an integer."""
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, float):
            self.error(key, f"not an amount: {_show(value)}; give money as a string like '40.50'")
            return default
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _AMOUNT.fullmatch(value))
        ):
            self.error(key, f"not an amount: {_show(value)}")
            return default
        if Decimal(value) < 0:
            self.error(key, "must not be negative")
            return default
        if Decimal(value) > MAX_AMOUNT:
            self.error(key, f"must be at most {MAX_AMOUNT}")
            return default
        return money(value)

    def choice(self, key: str, options: Collection[str], *, noun: str, default: D) -> str | D:
        """Read one of ``options``; the message calls the value a ``noun``."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.error(key, f"unknown {noun} {_show(value)}; expected one of {', '.join(options)}")
            return default
        return value

    def child(self, key: str) -> _Fields | None:
        """Read a nested object; ``None`` when absent, null or not an object."""
        value = self.get(key)
        if value is None:
            return None
        return _object(value, self.at(key), self.errors)

    def children(self, key: str) -> list[_Fields]:
        """Read a list of objects, reporting the list or any item that is not one."""
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key, "expected a list")
            return []
        items = (_object(item, f"{self.at(key)}[{i}]", self.errors) for i, item in enumerate(value))
        return [item for item in items if item is not None]


def _object(value: object, path: str, errors: list[FieldError]) -> _Fields | None:
    """Wrap a JSON object for reading, or record that ``value`` is not one."""
    if not isinstance(value, dict):
        errors.append(FieldError(path, "expected an object"))
        return None
    return _Fields(value, path, errors)


def _shape(country: Country | None, shape: Shape) -> tuple[tuple[str, ...], dict[str, str]]:
    """Return the keys allowed in ``country`` and the other country's keys with its code."""
    common, be, nl = shape
    if country == "BE":
        return (*common, *be), dict.fromkeys(nl, "NL")
    if country == "NL":
        return (*common, *nl), dict.fromkeys(be, "BE")
    return (*common, *be, *nl), {}


def _is_unicode(text: str) -> bool:
    """Tell whether ``text`` is valid Unicode (JSON's ``"\\ud800"`` decodes to a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """Return ``text`` with lone surrogates escaped, so a message can always be written out."""
    return text if _is_unicode(text) else text.encode("utf-8", "backslashreplace").decode()


def _show(value: object) -> str:
    """Quote a JSON value for a message: strings in quotes, anything else as JSON."""
    shown = repr(value) if isinstance(value, str) else json.dumps(value, default=repr)
    return shown if len(shown) <= _SHOWN else f"{shown[: _SHOWN - 1]}…"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key given twice (one of its values would be lost)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


# --------------------------------------------------------------------------------- the input


def _case(data: object, errors: list[FieldError]) -> Case | None:
    """Read the whole input; the country comes first as every other check depends on it."""
    f = _object(data, "", errors)
    if f is None:
        return None
    f.keys((*CASE_KEYS, LANGUAGE_KEY), required=REQUIRED_KEYS)
    f.choice(LANGUAGE_KEY, LANGUAGES, noun="language", default=None)
    country = cast(Country | None, f.choice("country", COUNTRIES, noun="country", default=None))
    as_of = f.date("as_of", default=None)
    patient = _patient(f.child("patient"), country)
    episode_ids: set[str] = set()
    episode_fields = f.children("episodes")
    episodes = [_episode(e, country, episode_ids) for e in episode_fields]
    # Without a readable episode list every session reference would be noise.
    known_episodes = episode_ids if isinstance(f.get("episodes"), list) else None
    session_ids: set[str] = set()
    sessions = [_session(s, country, known_episodes, session_ids) for s in f.children("sessions")]
    _dates_agree(
        f,
        patient,
        [(e.path, episode) for e, episode in zip(episode_fields, episodes, strict=True)],
        [s for s in sessions if s is not None],
    )
    if country is None or as_of is None or patient is None:
        return None
    return Case(
        country=country,
        as_of=as_of,
        patient=patient,
        episodes=tuple(e for e in episodes if e is not None),
        sessions=tuple(s for s in sessions if s is not None),
    )


def _dates_agree(
    f: _Fields,
    patient: Patient | None,
    episodes: list[tuple[str, Episode | None]],
    sessions: list[Session],
) -> None:
    """Report dates that contradict the sessions: nobody is treated before birth (a session or
    an episode's first treatment), and an episode's first treatment is not after its first
    listed session (the term would run from it and call an earlier session "within the
    term")."""
    first_of: dict[str, date] = {}
    for session in sessions:
        if session.episode not in first_of or session.date < first_of[session.episode]:
            first_of[session.episode] = session.date
    if patient is not None and first_of:
        earliest = min(first_of.values())
        if patient.birth_date > earliest:
            f.errors.append(
                FieldError(
                    "patient.birth_date", f"after the first session ({earliest.isoformat()})"
                )
            )
    born = patient.birth_date if patient is not None else None
    for path, episode in episodes:
        if episode is None:
            continue
        first = first_of.get(episode.id)
        for key, started in (
            ("first_treatment_on", episode.first_treatment_on),
            ("first_session_on", episode.first_session_on),
        ):
            if started is not None and born is not None and started < born:
                f.errors.append(
                    FieldError(f"{path}.{key}", f"before the patient's birth ({born.isoformat()})")
                )
            elif started is not None and first is not None and started > first:
                f.errors.append(
                    FieldError(
                        f"{path}.{key}", f"after the episode's first session ({first.isoformat()})"
                    )
                )


def _patient(f: _Fields | None, country: Country | None) -> Patient | None:
    """Read the patient; BE and NL each add their own keys."""
    if f is None:
        return None
    known, only_for = _shape(country, PATIENT_KEYS)
    f.keys(known, required=("birth_date",), only_for=only_for)
    birth_date = f.date("birth_date", default=None)
    preferential = f.flag("preferential", default=Patient.preferential)
    overflow_elsewhere = _per_year(f.child("overflow_elsewhere"))
    situations_elsewhere = _per_year(f.child("situations_elsewhere"))
    years: set[int] = set()
    coverage = [_coverage(c, years) for c in f.children("coverage")]
    deductibles = _deductibles(f.child("deductible_remaining"))
    if birth_date is None:
        return None
    return Patient(
        birth_date=birth_date,
        preferential=preferential,
        overflow_elsewhere=overflow_elsewhere,
        situations_elsewhere=situations_elsewhere,
        coverage=tuple(c for c in coverage if c is not None),
        deductible_remaining=deductibles,
    )


def _coverage(f: _Fields, years: set[int]) -> Coverage | None:
    """Read one year's NL supplementary package: a treatment count, a euro budget or neither."""
    f.keys(COVERAGE_KEYS, required=("year",))
    year = f.integer("year", default=None, minimum=EARLIEST_DATE.year, maximum=LATEST_DATE.year)
    f.unique("year", year, years, "year")
    insurer = f.text("insurer", default=Coverage.insurer)
    package = f.text("package", default=Coverage.package)
    treatments = f.integer("treatments", default=None, minimum=0, maximum=MAX_COUNT)
    budget = f.amount("budget", default=None)
    carry_over_max = f.integer(
        "carry_over_max", default=Coverage.carry_over_max, minimum=0, maximum=MAX_COUNT
    )
    if f.present("treatments") and f.present("budget"):
        f.error("", "give treatments or budget, not both")
    # What another practice used of the allowance: treatments, or euros of a budget (v2).
    used_elsewhere: int | Decimal = 0
    if f.present("budget"):
        used_elsewhere = f.amount("used_elsewhere", default=Decimal(0))
    else:
        used_elsewhere = f.integer("used_elsewhere", default=0, minimum=0, maximum=MAX_COUNT)
    if year is None:
        return None
    return Coverage(
        year=year,
        insurer=insurer,
        package=package,
        treatments=treatments,
        budget=budget,
        carry_over_max=carry_over_max,
        used_elsewhere=used_elsewhere,
    )


def _deductibles(f: _Fields | None) -> dict[int, Decimal]:
    """Read the eigen risico still open per year, keyed by the year as a string."""
    if f is None:
        return {}
    result: dict[int, Decimal] = {}
    for key in f.data:
        if not isinstance(key, str) or not _YEAR.fullmatch(key):
            f.error(key, f"not a year: {_show(key)}")
            continue
        amount = f.amount(key, default=None)
        if amount is not None:
            result[int(key)] = amount
    return result


def _episode(f: _Fields, country: Country | None, ids: set[str]) -> Episode | None:
    """Read one episode: a BE pathological situation or an NL indication."""
    known, only_for = _shape(country, EPISODE_KEYS)
    f.keys(known, required=("id", "category"), only_for=only_for)
    id_ = f.ident("id")
    f.unique("id", id_, ids, "episode id")
    category = _category(f, country)
    # Belgium
    pathology = _pathology(f, category)
    notified_on = None
    if _belongs(f, "notified_on", category, ("fa", "fb")):
        notified_on = f.date("notified_on", default=None)
    agreements = _agreements(f)
    prescriptions = _prescriptions(f)
    prior_sessions: dict[int, int] = {}
    if _belongs(f, "prior_sessions", category, ("courante", "fa", "fb")):
        prior_sessions = _per_year(f.child("prior_sessions"))
    first_session_on = None
    if _belongs(f, "first_session_on", category, ("fa", "fb")):
        first_session_on = f.date("first_session_on", default=None)
    # The Netherlands
    condition = None
    if _belongs(f, "condition", category, ("chronic",)):
        if category == "chronic" and not f.present("condition"):
            f.error("condition", "required for category chronic")
        condition = f.choice("condition", CHRONIC_CONDITIONS, noun="condition", default=None)
    gold_class, gold_stage = None, Episode.gold_stage
    if _belongs(f, "gold_class", category, ("copd",)):
        gold_class = f.choice("gold_class", GOLD_CLASSES, noun="GOLD class", default=None)
    if _belongs(f, "gold_stage", category, ("copd",)):
        gold_stage = f.integer("gold_stage", default=gold_stage, minimum=1, maximum=4)
    term_months = f.integer("term_months", default=None, minimum=1, maximum=MAX_COUNT)
    prior = f.integer(
        "prior_treatments", default=Episode.prior_treatments, minimum=0, maximum=MAX_COUNT
    )
    first_treatment_on = f.date("first_treatment_on", default=None)
    referral = _referral(f.child("referral"))
    extension = f.flag("extension", default=Episode.extension)
    if id_ is None or category is None:
        return None
    return Episode(
        id=id_,
        category=category,
        pathology=pathology,
        notified_on=notified_on,
        agreements=agreements,
        prescriptions=prescriptions,
        prior_sessions=prior_sessions,
        first_session_on=first_session_on,
        condition=condition,
        term_months=term_months,
        gold_class=gold_class,
        gold_stage=gold_stage,
        prior_treatments=prior,
        first_treatment_on=first_treatment_on,
        referral=referral,
        extension=extension,
    )


def _category(f: _Fields, country: Country | None) -> str | None:
    """Read the category from the country's list; ``None`` while the country is unknown."""
    if country is None:
        f.text("category", default=None)  # whatever the country, a category is a string
        return None
    return f.choice("category", CATEGORIES[country], noun="category", default=None)


def _belongs(f: _Fields, key: str, category: str | None, categories: tuple[str, ...]) -> bool:
    """Report ``key`` given on an episode of another category; return whether to read it.

    While the category is unknown (invalid, or the country is) the key is read anyway.
    """
    if category is None or category in categories:
        return True
    if f.present(key):
        noun = "category" if len(categories) == 1 else "categories"
        f.error(key, f"only for {noun} {', '.join(categories)}")
    return False


def _pathology(f: _Fields, category: str | None) -> str | None:
    """Read the official pathology-situation code (MyCareNet): required for fa, fb and e,
    optional for courante, perinatal and palliative, and one of its category's families."""
    if category in situations.REQUIRED and not f.present("pathology"):
        f.error("pathology", f"required for category {category}")
    value = f.text("pathology", default=None)
    if value is None:
        return None
    if category is None:  # the category is unknown: the code must at least exist
        if value not in situations.situations():
            f.error("pathology", f"unknown pathology {_show(value)}")
            return None
        return value
    families = situations.FAMILIES.get(category)
    if families is None:
        noun = "categories" if len(situations.FAMILIES) > 1 else "category"
        f.error("pathology", f"only for {noun} {', '.join(situations.FAMILIES)}")
        return None
    if not situations.accepts(category, value):
        expected = ", ".join(f"{family}-…" for family in families)
        f.error(
            "pathology",
            f"unknown pathology {_show(value)} for category {category}; expected an official "
            f"code {expected}",
        )
        return None
    return value


def _agreements(f: _Fields) -> tuple[Agreement, ...]:
    """Read the advising physician's decisions: ``agreement`` (v1: one granted period) and
    ``agreements`` (v2: each request and decision as eAgreement reports it)."""
    found: list[Agreement] = []
    shorthand = _agreement(f.child("agreement"))
    if shorthand is not None:
        found.append(shorthand)
    for item in f.children("agreements"):
        agreement = _decision(item)
        if agreement is not None:
            found.append(agreement)
    return tuple(found)


def _agreement(f: _Fields | None) -> Agreement | None:
    """Read the v1 agreement: a granted period, ``until`` may be null (open-ended)."""
    if f is None:
        return None
    f.keys(AGREEMENT_KEYS, required=("from",))
    start = f.date("from", default=None)
    until = f.date("until", default=None)
    if start is None:
        return None
    if until is not None and until < start:
        f.error("until", f"before from ({start.isoformat()})")
        return None
    return Agreement(start=start, until=until)


def _decision(f: _Fields) -> Agreement | None:
    """Read one eAgreement decision: a status, and a period where it grants one."""
    f.keys(AGREEMENTS_KEYS, required=())
    status = f.choice("status", AGREEMENT_STATUSES, noun="status", default=None)
    if status is None:
        if f.present("status"):
            return None  # reported: an unknown status
        status = AgreementStatus.AGREEMENT
    start = f.date("from", default=None)
    until = f.date("until", default=None)
    decision_id = f.text("decision_id", default="")
    reason = f.text("reason", default="")
    granted = status in GRANTED
    if granted and start is None:
        f.error("from", f"required for status {status}")
        return None
    if start is not None and until is not None and until < start:
        f.error("until", f"before from ({start.isoformat()})")
        return None
    return Agreement(
        start=start,
        until=until,
        status=AgreementStatus(status),
        decision_id=decision_id,
        reason=reason,
    )


def _per_year(f: _Fields | None) -> dict[int, int]:
    """Read ``{"2026": 7}``: a count per calendar year."""
    if f is None:
        return {}
    result: dict[int, int] = {}
    for key in f.data:
        if not isinstance(key, str) or not _YEAR.fullmatch(key):
            f.error(key, f"not a year: {_show(key)}")
            continue
        count = f.integer(key, default=None, minimum=0, maximum=MAX_COUNT)
        if count:
            result[int(key)] = count
    return result


def _prescriptions(f: _Fields) -> tuple[Prescription, ...]:
    """Read the episode's prescriptions; their ids are unique within the episode."""
    ids: set[str] = set()
    prescriptions = [_prescription(rx, ids) for rx in f.children("prescriptions")]
    return tuple(rx for rx in prescriptions if rx is not None)


def _prescription(f: _Fields, ids: set[str]) -> Prescription | None:
    """Read one prescription of at least one session."""
    f.keys(PRESCRIPTION_KEYS, required=("id", "date", "sessions"))
    id_ = f.ident("id")
    f.unique("id", id_, ids, "prescription id")
    day = f.date("date", default=None)
    sessions = f.integer("sessions", default=None, minimum=1, maximum=MAX_COUNT)
    motivated = f.flag("second_session_motivated", default=Prescription.second_session_motivated)
    if id_ is None or day is None or sessions is None:
        return None
    return Prescription(id=id_, date=day, sessions=sessions, second_session_motivated=motivated)


def _referral(f: _Fields | None) -> Referral | None:
    """Read an NL referral; absent or null means direct access."""
    if f is None:
        return None
    f.keys(REFERRAL_KEYS, required=REFERRAL_KEYS)
    day = f.date("date", default=None)
    by = f.choice("by", REFERRERS, noun="referrer", default=None)
    if day is None or by is None:
        return None
    return Referral(date=day, by=cast(Literal["gp", "specialist"], by))


def _session(
    f: _Fields, country: Country | None, episodes: set[str] | None, ids: set[str]
) -> Session | None:
    """Read one session, done or planned; it must name an episode of the case."""
    known, only_for = _shape(country, SESSION_KEYS)
    f.keys(known, required=("id", "date", "episode"), only_for=only_for)
    id_ = f.ident("id")
    f.unique("id", id_, ids, "session id")
    day = f.date("date", default=None)
    episode = f.ident("episode")
    if episode is not None and episodes is not None and episode not in episodes:
        f.error("episode", f"no episode with id {_show(episode)}")
    minutes = f.integer("minutes", default=Session.minutes, minimum=1, maximum=MAX_COUNT)
    place = f.choice("place", PLACES, noun="place", default=Session.place)
    price = f.amount("price", default=None)
    conventioned = f.flag("conventioned", default=Session.conventioned)
    if id_ is None or day is None or episode is None:
        return None
    return Session(
        id=id_,
        date=day,
        episode=episode,
        minutes=minutes,
        place=place,
        price=price,
        conventioned=conventioned,
    )


# -------------------------------------------------------------------------------- the output


def _outcome_dict(outcome: SessionOutcome, reader: Reader) -> dict[str, Any]:
    """Render one session's outcome."""
    return {
        "id": outcome.id,
        "date": outcome.date.isoformat(),
        "episode": outcome.episode,
        "status": str(outcome.status),
        "ordinal": outcome.ordinal,
        "code": outcome.code,
        "extra_codes": list(outcome.extra_codes),
        "amounts": _amounts_dict(outcome.amounts),
        "rule": outcome.rule,
        "reason": reason_json(outcome.reason),
        "explanation": explanation(outcome, reader),
    }


def _amounts_dict(amounts: BeAmounts | NlAmounts | None) -> dict[str, str | None] | None:
    """Render BE (fee, insurer, patient) or NL (price, insurer, deductible, patient) money.

    A part that is not known (a non-conventioned fee without a price, a deductible not in the
    tables) is null.
    """
    if amounts is None:
        return None
    # Flat dataclasses of euros: their fields in order (``asdict`` deep-copies, a tenth of a
    # quota answer's writing).
    values = {f.name: getattr(amounts, f.name) for f in fields(amounts)}
    return {name: None if value is None else _money(value) for name, value in values.items()}


def _quota_dict(quota: Quota) -> dict[str, Any]:
    """Render an episode counter; ``limit`` and ``remaining`` are null when unlimited."""
    return {
        "episode": quota.episode,
        "counter": quota.counter,
        "period_start": quota.period_start.isoformat(),
        "period_end": _day(quota.period_end),
        "limit": quota.limit,
        "used": quota.used,
        "remaining": quota.remaining,
        "elsewhere": quota.elsewhere,
    }


def _pool_dict(pool: Pool) -> dict[str, Any]:
    """Render a patient-wide pool: counts as integers, euro pools as money strings."""
    return {
        "pool": pool.pool,
        "period_start": pool.period_start.isoformat(),
        "period_end": _day(pool.period_end),
        "limit": _count_or_money(pool.limit),
        "used": _count_or_money(pool.used),
        "remaining": _count_or_money(pool.remaining),
        "elsewhere": _count_or_money(pool.elsewhere),
    }


def _warning_dict(warning: Warning, reader: Reader) -> dict[str, Any]:
    """Render a warning with the contract's key order."""
    return {
        "code": str(warning.code),
        "severity": str(warning.severity),
        "episode": warning.episode,
        "session": warning.session,
        "params": params_json(warning.params),
        "message": warning_text(warning, reader),
    }


def _day(day: date | None) -> str | None:
    """Render an optional date as ISO."""
    return None if day is None else day.isoformat()


def _money(value: Decimal) -> str:
    """Render euros as a string with two decimals."""
    return str(money(value))


def _count_or_money(value: int | Decimal | None) -> int | str | None:
    """Render a pool figure: a count stays a number, euros become a money string."""
    return _money(value) if isinstance(value, Decimal) else value
