"""Shapes of the API: input serializers parse and validate, output serializers render.

Serializers here never save: views hand ``validated_data`` to one ``practice.services``
function, which owns the write, the idempotency by ``external_id`` and the domain checks.
Input objects reject unknown keys (they are almost always typos), like the simulate contract.
Related ids are the practice's own: another practice's id reads as "no such id".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practice.api.permissions import practice_of
from practice.models import (
    ConventionAdherence,
    Coverage,
    Episode,
    Patient,
    Practice,
    Prescription,
    Therapist,
    TreatmentSession,
)
from practice.services import (
    COVERAGE_FIELDS,
    EPISODE_FIELDS,
    GOLD_CLASSES,
    PRESCRIPTION_CHANGEABLE,
)
from reimburse.engine.types import (
    BE_STATUSES,
    EARLIEST_DATE,
    LATEST_DATE,
    NL_STATUSES,
    PLACES,
    SEVERITIES,
)
from reimburse.engine.vocabulary import ReasonCode, WarningCode
from reimburse.explain import LANGUAGES, Reader, warning_text
from reimburse.models import InsurerPackage
from reimburse.simulate import CHRONIC_CONDITIONS, COUNTRIES, REFERRERS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The vocabulary's codes (``reimburse.engine.vocabulary``): the OpenAPI enums and the filters.
WARNING_CODES = tuple(str(code) for code in WarningCode)
REASON_CODES = tuple(str(code) for code in ReasonCode)
SESSION_STATUSES = ("active", "cancelled")
REIMBURSEMENT_STATUSES = (*BE_STATUSES, *NL_STATUSES)
# PositiveSmallIntegerField holds up to 32767 on PostgreSQL; SQLite would take more, so the
# API states the bound itself and both databases answer alike (400, never a DataError 500).
SMALL = 32767
MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"


# The dates the rules can reason about (see the engine's types).
EARLIEST = EARLIEST_DATE
LATEST = LATEST_DATE


def in_supported_range(value: date) -> None:
    """Refuse a date the rules cannot reason about."""
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(
            f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
        )


RANGE = {"validators": [in_supported_range]}


class ApiDateField(serializers.DateField):
    """A calendar date; "2025-02-30" is "not a date", not "the wrong format"."""

    def to_internal_value(self, value: Any) -> date:
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as error:
            codes = error.get_codes()
            if isinstance(value, str) and isinstance(codes, list) and "invalid" in codes:
                raise serializers.ValidationError(
                    f"not a date: {value[:40]!r}; expected YYYY-MM-DD", code="invalid"
                ) from error
            raise


class ApiModelSerializer(serializers.ModelSerializer):
    """A model serializer whose date fields say which date is wrong."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: ApiDateField,
    }


def _choice_messages(choices: tuple[str, ...]) -> dict[str, str | StrPromise]:
    return {"invalid_choice": f'unknown value "{{input}}"; expected one of {", ".join(choices)}'}


class StrictMixin:
    """Reject keys the serializer does not know, reported together with the other errors.

    ``fixed_fields`` are known but set once (on create): changing them is refused by name.
    """

    fields: Any
    fixed_fields: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            unknown = {
                str(key): ["cannot be changed" if key in self.fixed_fields else "unknown field"]
                for key in data
                if key not in self.fields
            }
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class PracticeScopedField(serializers.PrimaryKeyRelatedField):
    """An id of a row of the requesting token's practice; other ids do not exist."""

    default_error_messages = {
        "does_not_exist": "no {noun} with id {pk_value} in this practice",
        "incorrect_type": "expected an integer id, got {data_type}",
    }

    def __init__(self, *, practice_path: str, noun: str, **kwargs: Any) -> None:
        self.practice_path = practice_path
        self.noun = noun
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        assert queryset is not None  # every use passes queryset=
        practice = practice_of(self.context["request"])
        return queryset.filter(**{self.practice_path: practice})

    def fail(self, key: str, **kwargs: Any) -> Any:
        return super().fail(key, noun=self.noun, **kwargs)


# ------------------------------------------------------------------------------------ errors


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="JSON-path-like name of the offending input (`sessions[0].date`, `as_of`); "
        "null when the problem is not about one field. Simulate uses `` for the whole body.",
    )
    message = serializers.CharField(help_text="What is wrong, for a developer.")


class ErrorSerializer(serializers.Serializer):
    # DRF's metaclass pops declared fields, so this does not shadow ``Serializer.errors``.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


# ---------------------------------------------------------------------------- reference data


class PracticeSerializer(serializers.ModelSerializer):
    """The practice the API token belongs to."""

    # The simulate contract's country codes (one enum in the schema).
    country = serializers.ChoiceField(choices=COUNTRIES, read_only=True)

    class Meta:
        model = Practice
        fields = ["id", "name", "country"]
        read_only_fields = fields


class ConventionSerializer(serializers.ModelSerializer):
    """One period of a therapist's convention status, ``[valid_from, valid_until)``."""

    class Meta:
        model = ConventionAdherence
        fields = ["adheres", "valid_from", "valid_until"]
        read_only_fields = fields


class TherapistSerializer(serializers.ModelSerializer):
    """A therapist or clinic administrator of the practice, as sessions name them."""

    name = serializers.SerializerMethodField()
    riziv_number = serializers.SerializerMethodField(
        help_text="BE: RIZIV/INAMI number, 11 digits; null when not recorded."
    )
    agb_code = serializers.SerializerMethodField(
        help_text="NL: AGB code, 8 digits; null when not recorded."
    )
    active = serializers.BooleanField(
        source="user.is_active",
        read_only=True,
        help_text="False once the person's login is deactivated; their sessions keep the id.",
    )

    conventions = ConventionSerializer(
        many=True,
        read_only=True,
        help_text=(
            "BE: the periods of the therapist's adherence to the convention; a date no period "
            "covers counts as conventioned."
        ),
    )

    class Meta:
        model = Therapist
        fields = ["id", "name", "role", "riziv_number", "agb_code", "active", "conventions"]
        read_only_fields = fields

    def get_name(self, therapist: Therapist) -> str:
        return str(therapist)

    def get_riziv_number(self, therapist: Therapist) -> str | None:
        return therapist.riziv_number or None

    def get_agb_code(self, therapist: Therapist) -> str | None:
        return therapist.agb_code or None


class InsurerPackageSerializer(serializers.ModelSerializer):
    """A Dutch insurer's supplementary package for one year, with the source of its figures."""

    class Meta:
        model = InsurerPackage
        fields = [
            "id",
            "insurer",
            "name",
            "year",
            "treatments",
            "budget",
            "carry_over_max",
            "pays_chronic_first_20",
            "manual_therapy_limit",
            "notes",
            "source",
            "checked_on",
            "verified",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "verified": {"help_text": "False where the year or the figures are uncertain."},
            "source": {"help_text": "Where the figures come from."},
            "checked_on": {"help_text": "The day the source was last checked."},
        }


# ---------------------------------------------------------------------------------- patients


# INSZ/NISS with separators ("85.07.30-033.28") is longer than its stored compact form.
def _national_id() -> serializers.CharField:
    return serializers.CharField(
        max_length=20,
        allow_blank=True,
        required=False,
        help_text="INSZ/NISS (BE) or BSN (NL), with or without separators; stored compact.",
    )


class PatientSerializer(StrictMixin, ApiModelSerializer):
    """A patient of the practice."""

    national_id = _national_id()

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "birth_date",
            "national_id",
            "preferential",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "external_id": {
                "help_text": "Your system's id. A repeated create with the same external_id "
                "returns the existing patient (200) instead of a duplicate."
            },
            "preferential": {"help_text": "BE only: verhoogde tegemoetkoming / BIM."},
            "birth_date": RANGE,
        }


class PatientUpdateSerializer(StrictMixin, ApiModelSerializer):
    """A change to a patient's details; the external id stays."""

    national_id = _national_id()
    fixed_fields = ("id", "external_id", "created_at", "updated_at")

    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "birth_date", "national_id", "preferential"]
        extra_kwargs = {"birth_date": RANGE}


# ---------------------------------------------------------------------------------- coverage


class CoverageSerializer(StrictMixin, ApiModelSerializer):
    """An NL patient's supplementary package for one calendar year, and the deductible left."""

    patient = PracticeScopedField(
        queryset=Patient.objects.all(), practice_path="practice", noun="patient"
    )
    package = serializers.PrimaryKeyRelatedField(
        queryset=InsurerPackage.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of a catalogue package; the numbers given here win over the package's.",
    )
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    treatments = serializers.IntegerField(
        min_value=0, max_value=SMALL, allow_null=True, required=False
    )
    carry_over_max = serializers.IntegerField(
        min_value=0, max_value=SMALL, allow_null=True, required=False
    )
    budget = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    deductible_remaining = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    used_elsewhere = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Treatments (or euros, for a budget) of this year's allowance used at another "
        "practice.",
    )

    class Meta:
        model = Coverage
        fields = ["id", "patient", "year", *COVERAGE_FIELDS, "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # The (patient, year) pair is an upsert key here, not a uniqueness error.
        validators: list[Any] = []


class CoverageUpdateSerializer(CoverageSerializer):
    """A change to a year's coverage; the patient and the year stay."""

    fixed_fields = ("id", "patient", "year", "updated_at")
    patient = None  # type: ignore[assignment]
    year = None  # type: ignore[assignment]

    class Meta(CoverageSerializer.Meta):
        fields = [
            "package",
            "insurer",
            "package_name",
            "treatments",
            "budget",
            "carry_over_max",
            "deductible_remaining",
            "used_elsewhere",
        ]
        read_only_fields = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The service checks the fields it is given; a change must not leave a year's row
        # with both a treatment count and a budget (the engine reads one or the other).
        coverage = self.context["coverage"]
        treatments = attrs.get("treatments", coverage.treatments)
        budget = attrs.get("budget", coverage.budget)
        if treatments is not None and budget is not None:
            field = "budget" if "budget" in attrs else "treatments"
            raise serializers.ValidationError(
                {field: "give treatments per year or a budget, not both (set the other to null)"}
            )
        return attrs


# ---------------------------------------------------------------------------------- episodes


class EpisodeSerializer(StrictMixin, ApiModelSerializer):
    """One thing being treated: a BE pathological situation or an NL indication."""

    patient = PracticeScopedField(
        queryset=Patient.objects.all(), practice_path="practice", noun="patient"
    )
    category = serializers.ChoiceField(
        choices=Episode.Category.choices,
        error_messages=_choice_messages(tuple(Episode.Category.values)),
        help_text="BE: courante, fa, fb, e, perinatal, palliative. "
        "NL: regular, chronic, osteoarthritis, claudication, pelvic_floor, copd, "
        "rheumatoid_arthritis. Checked against the practice's country.",
    )
    gold_class = serializers.ChoiceField(
        choices=GOLD_CLASSES,
        allow_blank=True,
        required=False,
        error_messages=_choice_messages(GOLD_CLASSES),
    )
    gold_stage = serializers.IntegerField(min_value=1, max_value=4, allow_null=True, required=False)
    term_months = serializers.IntegerField(
        min_value=1, max_value=SMALL, allow_null=True, required=False
    )
    prior_treatments = serializers.IntegerField(min_value=0, max_value=SMALL, required=False)
    referral_by = serializers.ChoiceField(
        choices=Episode.ReferralBy.choices,
        allow_blank=True,
        required=False,
        error_messages=_choice_messages(REFERRERS),
    )
    prior_sessions = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=SMALL),
        required=False,
        help_text="BE: sessions of this situation at another practice per calendar year, "
        'e.g. {"2026": 7}; they count toward the year\'s tiers.',
    )

    class Meta:
        model = Episode
        fields = ["id", "patient", *EPISODE_FIELDS, "external_id", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "pathology": {
                "help_text": "BE official pathology-situation code (MyCareNet): fa-*, fb-*, e-* or "
                "eb-* (required for fa, fb, e), co-* (courante), m-1 (perinatal), p-1 (palliative)."
            },
            "notified_on": {
                "help_text": "BE fa/fb: day the advising physician was notified.",
                **RANGE,
            },
            "first_session_on": {
                "help_text": "BE: the first session when the treatment began at another practice "
                "(an Fa or Fb period starts on it).",
                **RANGE,
            },
            "first_treatment_on": RANGE,
            "referral_date": RANGE,
            "condition": {"help_text": "NL chronic: " + ", ".join(CHRONIC_CONDITIONS)},
            "external_id": {
                "help_text": "Your system's id. A repeated create with the same external_id "
                "returns the existing episode (200)."
            },
        }


EPISODE_FIXED = ("id", "patient", "external_id", "created_at", "updated_at")


class EpisodeUpdateSerializer(EpisodeSerializer):
    """A change to an episode (notification, agreement, referral …); its patient stays."""

    fixed_fields = EPISODE_FIXED
    patient = None  # type: ignore[assignment]

    class Meta(EpisodeSerializer.Meta):
        fields = [n for n in EpisodeSerializer.Meta.fields if n not in EPISODE_FIXED]
        read_only_fields = []


# ----------------------------------------------------------------------------- prescriptions


class PrescriptionSerializer(StrictMixin, ApiModelSerializer):
    """A BE medical prescription for a number of sessions."""

    episode = PracticeScopedField(
        queryset=Episode.objects.all(), practice_path="patient__practice", noun="episode"
    )
    patient = serializers.IntegerField(source="episode.patient_id", read_only=True)
    sessions = serializers.IntegerField(
        min_value=1,
        max_value=SMALL,
        error_messages={"min_value": "a prescription prescribes at least one session"},
    )

    class Meta:
        model = Prescription
        fields = [
            "id",
            "episode",
            "patient",
            "date",
            "sessions",
            "prescriber",
            "prescriber_number",
            "second_session_motivated",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "external_id": {
                "help_text": "Your system's id. A repeated create with the same external_id "
                "returns the existing prescription (200) instead of a duplicate."
            },
            "date": RANGE,
        }


class PrescriptionUpdateSerializer(PrescriptionSerializer):
    """A correction of a prescription: it stays with its episode."""

    fixed_fields = ("id", "episode", "patient", "external_id", "created_at", "updated_at")
    episode = None  # type: ignore[assignment]
    patient = None  # type: ignore[assignment]

    class Meta(PrescriptionSerializer.Meta):
        fields = list(PRESCRIPTION_CHANGEABLE)
        read_only_fields = []


# ---------------------------------------------------------------------------------- sessions


class SessionSerializer(serializers.ModelSerializer):
    """A recorded session as the API shows it."""

    patient = serializers.IntegerField(source="episode.patient_id", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = TreatmentSession
        fields = [
            "id",
            "episode",
            "patient",
            "therapist",
            "date",
            "minutes",
            "place",
            "kind",
            "price",
            "external_id",
            "status",
            "cancelled_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SESSION_STATUSES))
    def get_status(self, session: TreatmentSession) -> str:
        return "active" if session.cancelled_at is None else "cancelled"


class SessionCreateSerializer(StrictMixin, serializers.Serializer):
    """What the practice system sends to record a session (done or planned)."""

    episode = PracticeScopedField(
        queryset=Episode.objects.select_related("patient"),
        practice_path="patient__practice",
        noun="episode",
    )
    patient = PracticeScopedField(
        queryset=Patient.objects.all(),
        practice_path="practice",
        noun="patient",
        required=False,
        help_text="Optional cross-check: when given, the episode must be this patient's.",
    )
    prescription = PracticeScopedField(
        queryset=Prescription.objects.all(),
        practice_path="practice",
        noun="prescription",
        required=False,
        help_text="Optional cross-check, not stored: the engine assigns sessions to "
        "prescriptions itself. When given, it must be a prescription of the same episode, "
        "dated on or before the session.",
    )
    therapist = PracticeScopedField(
        queryset=Therapist.objects.all(),
        practice_path="practice",
        noun="therapist",
        required=False,
        allow_null=True,
    )
    date = ApiDateField(
        help_text="Done or planned (after today) alike.", validators=[in_supported_range]
    )
    minutes = serializers.IntegerField(min_value=1, max_value=SMALL, default=30)
    place = serializers.ChoiceField(
        choices=TreatmentSession.Place.choices,
        default="practice",
        error_messages=_choice_messages(PLACES),
    )
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        help_text="NL: what the practice charges (euro amounts and the deductible need it).",
    )
    kind = serializers.ChoiceField(
        choices=TreatmentSession.Kind.choices,
        default=TreatmentSession.Kind.PHYSIOTHERAPY,
        help_text="NL: manual therapy counts toward a package's manual-therapy limit; dry "
        "needling is ordinary physiotherapy.",
    )
    external_id = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="Your system's id. A repeated create with the same external_id returns the "
        "existing session (200) instead of a duplicate.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        episode: Episode = attrs["episode"]
        patient: Patient | None = attrs.pop("patient", None)
        prescription: Prescription | None = attrs.pop("prescription", None)
        errors: dict[str, str] = {}
        if patient is not None and episode.patient_id != patient.pk:
            errors["episode"] = f"episode {episode.pk} belongs to another patient"
        if prescription is not None:
            if prescription.episode_id != episode.pk:
                errors["prescription"] = f"prescription {prescription.pk} is of another episode"
            elif attrs["date"] < prescription.date:
                errors["date"] = (
                    f"the session ({attrs['date']:%Y-%m-%d}) is before its prescription's date "
                    f"({prescription.date:%Y-%m-%d})"
                )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SessionUpdateSerializer(SessionCreateSerializer):
    """A correction of a session (another day, therapist, length, place or price).

    It stays with its episode and keeps its external id; a cancelled session cannot be changed.
    """

    fixed_fields = (
        "id",
        "episode",
        "patient",
        "prescription",
        "external_id",
        "status",
        "cancelled_at",
        "cancel_reason",
        "created_at",
        "updated_at",
    )
    episode = None  # type: ignore[assignment]
    patient = None  # type: ignore[assignment]
    prescription = None  # type: ignore[assignment]
    external_id = None  # type: ignore[assignment]
    # No defaults here: a change that leaves out minutes or place keeps the session's own
    # (a generated client would otherwise send the create's defaults with every change).
    minutes = serializers.IntegerField(min_value=1, max_value=SMALL, required=False)
    place = serializers.ChoiceField(
        choices=TreatmentSession.Place.choices,
        required=False,
        error_messages=_choice_messages(PLACES),
    )
    kind = serializers.ChoiceField(choices=TreatmentSession.Kind.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # No episode, patient or prescription to cross-check: those do not change.
        return attrs


class SessionCancelSerializer(StrictMixin, serializers.Serializer):
    """Why the session is cancelled (optional)."""

    reason = serializers.CharField(max_length=200, allow_blank=True, default="")


# ------------------------------------------------------------------- quota, warnings, simulate


class QuotaQuerySerializer(serializers.Serializer):
    as_of = ApiDateField(
        required=False,
        help_text="Reference day (YYYY-MM-DD); default today in Europe/Brussels.",
        validators=[in_supported_range],
    )


class WarningsQuerySerializer(serializers.Serializer):
    as_of = ApiDateField(
        required=False,
        help_text="Reference day (YYYY-MM-DD); default today in Europe/Brussels.",
        validators=[in_supported_range],
    )
    severity = serializers.ChoiceField(
        choices=SEVERITIES, required=False, error_messages=_choice_messages(SEVERITIES)
    )
    therapist = PracticeScopedField(
        queryset=Therapist.objects.all(),
        practice_path="practice",
        noun="therapist",
        required=False,
        help_text="Only patients this therapist has a (not cancelled) session with.",
    )
    code = serializers.ChoiceField(
        choices=WARNING_CODES, required=False, error_messages=_choice_messages(WARNING_CODES)
    )
    since = ApiDateField(
        required=False,
        help_text="Only warnings dated on or after this day (YYYY-MM-DD): by the session they "
        "name, else by as_of.",
        validators=[in_supported_range],
    )


class WarningRowSerializer(serializers.Serializer):
    """One current warning of one patient, for the practice-wide feed."""

    patient = serializers.IntegerField(source="patient_id")
    patient_name = serializers.CharField()
    episode = serializers.IntegerField(source="episode_id", allow_null=True)
    episode_title = serializers.CharField(allow_null=True)
    session = serializers.IntegerField(source="session_id", allow_null=True)
    date = serializers.DateField(
        source="session_date",
        allow_null=True,
        help_text="The date of the session the warning names, if any.",
    )
    code = serializers.ChoiceField(choices=WARNING_CODES)
    severity = serializers.ChoiceField(choices=SEVERITIES)
    params = serializers.DictField(
        help_text="The values the message uses (ISO dates, money strings, counts); "
        "docs/codes.md lists them per code."
    )
    message = serializers.SerializerMethodField(
        help_text="The warning in the request's language (Accept-Language)."
    )

    def get_message(self, row: Any) -> str:
        reader: Reader = self.context["reader"]
        return warning_text({"code": row.code, "params": row.params}, reader)


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "description": (
                    "BE: fee = insurer + patient. A non-conventioned physiotherapist's fee is "
                    "their price: fee and patient are null when no price is given."
                ),
                "properties": {
                    "fee": {"type": "string", "pattern": MONEY_PATTERN, "nullable": True},
                    "insurer": {"type": "string", "pattern": MONEY_PATTERN},
                    "patient": {"type": "string", "pattern": MONEY_PATTERN, "nullable": True},
                },
                "required": ["fee", "insurer", "patient"],
            },
            {
                "type": "object",
                "description": (
                    "NL: price = insurer + patient; deductible is part of patient. Insurer, "
                    "deductible and patient are null together when the year's deductible is "
                    "not known (warning deductible_unknown)."
                ),
                "properties": {
                    "price": {"type": "string", "pattern": MONEY_PATTERN},
                    **{
                        name: {"type": "string", "pattern": MONEY_PATTERN, "nullable": True}
                        for name in ("insurer", "deductible", "patient")
                    },
                },
                "required": ["price", "insurer", "deductible", "patient"],
            },
        ],
        "nullable": True,
    }
)
class AmountsField(serializers.JSONField):
    """Money of one session; null where the tariff table has no entry."""


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "a count of sessions or treatments"},
            {"type": "string", "pattern": MONEY_PATTERN, "description": "euros"},
        ],
        "nullable": True,
    }
)
class CountOrMoneyField(serializers.JSONField):
    """A pool figure: counts are integers, euro pools (deductible, budgets) money strings."""


class ReasonSerializer(serializers.Serializer):
    """Why a session got its status: a stable code and the values its sentence uses."""

    code = serializers.ChoiceField(choices=REASON_CODES)
    params = serializers.DictField(
        help_text="ISO dates, money strings, counts; a Dutch reason's basis as a nested "
        "reason. docs/codes.md lists the parameters of every code."
    )


class SessionOutcomeSerializer(serializers.Serializer):
    id = serializers.CharField()
    date = serializers.DateField()
    episode = serializers.CharField()
    status = serializers.ChoiceField(
        choices=REIMBURSEMENT_STATUSES,
        help_text="BE: best, reduced, reduced_2, pending, not_reimbursed. "
        "NL: basic, supplementary, patient.",
    )
    ordinal = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    extra_codes = serializers.ListField(child=serializers.CharField())
    amounts = AmountsField(allow_null=True)
    rule = serializers.CharField()
    reason = ReasonSerializer()
    explanation = serializers.CharField(help_text="The reason in the requested language.")


class QuotaSerializer(serializers.Serializer):
    episode = serializers.CharField()
    counter = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(allow_null=True, help_text="Inclusive; null = open-ended.")
    limit = serializers.IntegerField(allow_null=True, help_text="null = unlimited.")
    used = serializers.IntegerField()
    remaining = serializers.IntegerField(allow_null=True)
    elsewhere = serializers.IntegerField(
        help_text="Of used: the sessions given at another practice (they are not listed)."
    )


class PoolSerializer(serializers.Serializer):
    pool = serializers.CharField(help_text="BE overflow; NL supplementary, deductible.")
    period_start = serializers.DateField()
    period_end = serializers.DateField(allow_null=True)
    limit = CountOrMoneyField(allow_null=True)
    used = CountOrMoneyField()
    remaining = CountOrMoneyField(allow_null=True)
    elsewhere = CountOrMoneyField(help_text="Of used: what came from another practice.")


class OutcomeWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=WARNING_CODES)
    severity = serializers.ChoiceField(choices=SEVERITIES)
    episode = serializers.CharField(allow_null=True)
    session = serializers.CharField(allow_null=True)
    params = serializers.DictField()
    message = serializers.CharField(help_text="The warning in the requested language.")


class SimulateResultSerializer(serializers.Serializer):
    """The simulate contract's output; the quota endpoint answers in the same shape."""

    country = serializers.ChoiceField(choices=COUNTRIES)
    as_of = serializers.DateField()
    sessions = SessionOutcomeSerializer(many=True)
    quotas = QuotaSerializer(many=True)
    pools = PoolSerializer(many=True)
    warnings = OutcomeWarningSerializer(many=True)


# The simulate input, for the OpenAPI document only: ``reimburse.simulate`` validates the body
# itself (the same code as ``manage.py simulate``), so these never parse a request.


def _money(**kwargs: Any) -> serializers.RegexField:
    kwargs.setdefault("help_text", "Euros as a string, e.g. 23.75.")
    return serializers.RegexField(MONEY_PATTERN, **kwargs)


class SimulateCoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=9999)
    insurer = serializers.CharField(required=False)
    package = serializers.CharField(required=False)
    treatments = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    budget = _money(required=False, allow_null=True)
    carry_over_max = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class SimulatePatientSerializer(serializers.Serializer):
    birth_date = serializers.DateField()
    preferential = serializers.BooleanField(required=False, help_text="BE only.")
    coverage = SimulateCoverageSerializer(many=True, required=False, help_text="NL only.")
    deductible_remaining = serializers.DictField(
        child=_money(),
        required=False,
        help_text='NL only: eigen risico still open per year, {"2025": "385.00"}.',
    )


class SimulatePrescriptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    date = serializers.DateField()
    sessions = serializers.IntegerField(min_value=1)
    second_session_motivated = serializers.BooleanField(required=False)


class SimulateAgreementSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared below under its JSON name.
    until = serializers.DateField(allow_null=True, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.DateField(), **super().get_fields()}


class SimulateReferralSerializer(serializers.Serializer):
    date = serializers.DateField()
    by = serializers.ChoiceField(choices=REFERRERS)


class SimulateEpisodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    category = serializers.ChoiceField(choices=Episode.Category.choices)
    pathology = serializers.CharField(required=False, help_text="BE fa/fb/e: list code.")
    notified_on = serializers.DateField(required=False, allow_null=True, help_text="BE fa/fb.")
    agreement = SimulateAgreementSerializer(required=False, allow_null=True, help_text="BE.")
    prescriptions = SimulatePrescriptionSerializer(many=True, required=False, help_text="BE.")
    condition = serializers.ChoiceField(
        choices=CHRONIC_CONDITIONS, required=False, help_text="NL chronic."
    )
    term_months = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    gold_class = serializers.ChoiceField(choices=GOLD_CLASSES, required=False, help_text="NL copd.")
    gold_stage = serializers.IntegerField(min_value=1, max_value=4, required=False)
    prior_treatments = serializers.IntegerField(min_value=0, required=False)
    first_treatment_on = serializers.DateField(required=False, allow_null=True)
    referral = SimulateReferralSerializer(required=False, allow_null=True, help_text="NL.")
    extension = serializers.BooleanField(required=False, help_text="NL children.")


class SimulateSessionSerializer(serializers.Serializer):
    id = serializers.CharField()
    date = serializers.DateField()
    episode = serializers.CharField(help_text="The id of an episode of this input.")
    minutes = serializers.IntegerField(min_value=1, required=False)
    place = serializers.ChoiceField(choices=TreatmentSession.Place.choices, required=False)
    price = _money(
        required=False,
        allow_null=True,
        help_text="What the practice charges: NL; BE for a non-conventioned physiotherapist.",
    )
    conventioned = serializers.BooleanField(
        required=False,
        default=True,
        help_text="BE: the physiotherapist adheres to the convention in force (default true).",
    )


class SimulateInputSerializer(serializers.Serializer):
    """The simulate contract's input (docs/rules/simulate.md); unknown keys are refused."""

    country = serializers.ChoiceField(choices=COUNTRIES)
    as_of = serializers.DateField()
    lang = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        help_text="Language of explanations and messages; default: Accept-Language, else en.",
    )
    patient = SimulatePatientSerializer()
    episodes = SimulateEpisodeSerializer(many=True)
    sessions = SimulateSessionSerializer(many=True)
