"""API of Belgian agreement requests (MyCareNet eAgreement) and sessions used elsewhere.

``/api/v1/agreement-requests``: list (``?episode=``, ``?patient=``, ``?status=``), prepare,
read; ``GET …/{id}/ready`` gives the request's content in the eAgreement logical model's field
names and what it misses; ``POST …/{id}/decision`` records what the fund answered, idempotent
by decision id (the same decision again: 200, unchanged; the same id with other values: 409
naming the fields). ``/api/v1/prior-use``: a patient's use of a year's limits at another
practice. As everywhere in the API, another practice's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from practice import agreements
from practice.api.filters import IdFilter
from practice.api.serializers import (
    RANGE,
    SMALL,
    ApiDateField,
    ApiModelSerializer,
    ErrorSerializer,
    PracticeScopedField,
    StrictMixin,
    _choice_messages,
    in_supported_range,
)
from practice.api.views import ScopedViewSet, _created, _status
from practice.models import (
    AgreementAnnex,
    AgreementKind,
    AgreementRequest,
    AnnexKind,
    Episode,
    Patient,
    Prescription,
    PriorUse,
)
from reimburse.agreements import readiness

IN_RANGE = [in_supported_range]
DECISION_STATUSES = tuple(
    s for s in AgreementRequest.Status.values if s != AgreementRequest.Status.DRAFT
)
MISSING_CODES: tuple[str, ...] = (
    "prescription",
    "prescriber_number",
    "pathological_situation",
    "pathology_onset",
    "previous_prescription",
    "annex",
    "request",
)

# ------------------------------------------------------------------------------ serializers


class AnnexSerializer(StrictMixin, ApiModelSerializer):
    kind = serializers.ChoiceField(
        choices=AnnexKind.choices,
        error_messages=_choice_messages(tuple(AnnexKind.values)),
        help_text="MyCareNet annex type.",
    )

    class Meta:
        model = AgreementAnnex
        fields = ["kind", "title", "received_on"]
        extra_kwargs = {"received_on": RANGE}


def _prescription_field(help_text: str) -> PracticeScopedField:
    return PracticeScopedField(
        queryset=Prescription.objects.select_related("episode"),
        practice_path="practice",
        noun="prescription",
        allow_null=True,
        required=False,
        help_text=help_text,
    )


class AgreementRequestSerializer(StrictMixin, ApiModelSerializer):
    episode = PracticeScopedField(
        queryset=Episode.objects.select_related("patient__practice"),
        practice_path="patient__practice",
        noun="episode",
    )
    patient = serializers.IntegerField(source="episode.patient_id", read_only=True)
    kind = serializers.ChoiceField(
        choices=AgreementKind.choices,
        required=False,
        error_messages=_choice_messages(tuple(AgreementKind.values)),
        help_text="MyCareNet eAgreement type; default: the episode's (fa, fb, e or eb by the "
        "code, common-2-and-more for courante).",
    )
    status = serializers.CharField(
        read_only=True,
        help_text="draft (not sent yet) or the fund's decision value: intreatment, "
        "wfi-physiotherapist, wfi-prescriptor, wfi-serviceprovider, agreement, "
        "partialAgreement, refusal.",
    )
    assessment_dates = serializers.ListField(
        child=ApiDateField(validators=IN_RANGE),
        max_length=agreements.MAX_ASSESSMENT_DATES,
        required=False,
        help_text="Assessment completion dates: 1 to 5 for a request, 1 for an extension.",
    )
    prescription = _prescription_field("Default: the episode's latest prescription.")
    previous_prescription = _prescription_field(
        "2nd or 3rd courante series: the prescription of the previous pathological situation."
    )
    annexes = AnnexSerializer(many=True, required=False)

    class Meta:
        model = AgreementRequest
        fields = [
            "id",
            "episode",
            "patient",
            "kind",
            "status",
            "decision_id",
            "decision_date",
            "granted_from",
            "granted_until",
            "reason_code",
            "reason_text",
            "desired_start",
            "pathology_onset",
            "assessment_dates",
            "prescription",
            "previous_prescription",
            "notes",
            "annexes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "decision_id",
            "decision_date",
            "granted_from",
            "granted_until",
            "reason_code",
            "reason_text",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"desired_start": RANGE, "pathology_onset": RANGE}


class DecisionSerializer(StrictMixin, serializers.Serializer):
    """What the fund answered (eAgreement response), as the practice system received it."""

    decision_id = serializers.CharField(max_length=100, help_text="decisionId (preAuthRef).")
    status = serializers.ChoiceField(
        choices=DECISION_STATUSES,
        error_messages=_choice_messages(DECISION_STATUSES),
        help_text="The decision value (adjudication category).",
    )
    kind = serializers.ChoiceField(
        choices=AgreementKind.choices,
        required=False,
        error_messages=_choice_messages(tuple(AgreementKind.values)),
        help_text="The eAgreement type the decision is about; must be the request's.",
    )
    decision_date = ApiDateField(required=False, allow_null=True, validators=IN_RANGE)
    granted_from = ApiDateField(
        required=False, allow_null=True, help_text="agreementStartDate.", validators=IN_RANGE
    )
    granted_until = ApiDateField(
        required=False,
        allow_null=True,
        help_text="agreementEndDate (inclusive).",
        validators=IN_RANGE,
    )
    reason_code = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Refusal or information reason code, e.g. WFI_AGREE_SRV_PHYSIO_004.",
    )
    reason_text = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="The reason's text."
    )


class ContentPrescriptionSerializer(serializers.Serializer):
    identification = serializers.CharField(allow_null=True, help_text="UHMEP id (none kept).")
    prescriber = serializers.CharField(allow_null=True, help_text="Prescriber's NIHDI number.")
    authoredOn = serializers.DateField()  # the eAgreement model names its fields so
    quantity = serializers.IntegerField()


class ContentAttachmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnnexKind.choices)
    title = serializers.CharField(allow_null=True)


class EAgreementContentSerializer(serializers.Serializer):
    """The request in the field names of the eAgreement logical model (BeModelEAgreement)."""

    eAgreementType = serializers.ChoiceField(choices=AgreementKind.choices)
    decisionId = serializers.CharField(allow_null=True)
    desiredStartDate = serializers.DateField(allow_null=True)
    pathologyOnsetDate = serializers.DateField(allow_null=True)
    assessmentCompletionDates = serializers.ListField(child=serializers.DateField())
    pathologicalSituation = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    prescription = ContentPrescriptionSerializer(allow_null=True)
    related = ContentPrescriptionSerializer(
        allow_null=True, help_text="The previous pathological situation's prescription."
    )
    attachment = ContentAttachmentSerializer(many=True)


class MissingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=MISSING_CODES)
    field = serializers.CharField(help_text="The eAgreement field it fills.")
    annex = serializers.ChoiceField(
        choices=AnnexKind.choices, allow_null=True, help_text="For code annex: its type."
    )


class ReadySerializer(serializers.Serializer):
    request = serializers.IntegerField()
    ready = serializers.BooleanField(help_text="Nothing is missing: it can be sent.")
    missing = MissingSerializer(many=True)
    content = EAgreementContentSerializer()


class PriorUseSerializer(StrictMixin, ApiModelSerializer):
    patient = PracticeScopedField(
        queryset=Patient.objects.select_related("practice"),
        practice_path="practice",
        noun="patient",
    )
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    overflow = serializers.IntegerField(
        min_value=0,
        max_value=SMALL,
        required=False,
        help_text="Overflow sessions (beyond a situation's 18) billed elsewhere that year.",
    )
    situations = serializers.IntegerField(
        min_value=0,
        max_value=SMALL,
        required=False,
        help_text="Courante situations treated elsewhere earlier that year (they rank first).",
    )

    class Meta:
        model = PriorUse
        fields = ["id", "patient", "year", "overflow", "situations"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # (patient, year) is an upsert key


# -------------------------------------------------------------------------------- filters


class AgreementRequestFilter(filters.FilterSet):
    episode = IdFilter(field_name="episode")
    patient = IdFilter(field_name="episode__patient")
    status = filters.ChoiceFilter(choices=AgreementRequest.Status.choices)

    class Meta:
        model = AgreementRequest
        fields = ["episode", "patient", "status"]


class PriorUseFilter(filters.FilterSet):
    patient = IdFilter(field_name="patient")
    year = filters.NumberFilter(min_value=1900, max_value=2100)

    class Meta:
        model = PriorUse
        fields = ["patient", "year"]


# ---------------------------------------------------------------------------------- views


@extend_schema_view(
    list=extend_schema(summary="List agreement requests (BE)"),
    retrieve=extend_schema(summary="Read an agreement request"),
)
class AgreementRequestViewSet(ScopedViewSet):
    """Notifications and agreement requests sent through MyCareNet eAgreement, and decisions."""

    queryset = AgreementRequest.objects.select_related(
        "episode", "prescription", "previous_prescription"
    ).prefetch_related("annexes")
    serializer_class = AgreementRequestSerializer
    filterset_class = AgreementRequestFilter
    ordering_fields = ["created_at", "decision_date", "id"]
    ordering = ["created_at", "id"]

    @extend_schema(
        summary="Prepare an agreement request (BE)",
        description="The request starts as draft (not sent yet); GET …/ready says what it "
        "still misses.",
        responses={201: OpenApiResponse(AgreementRequestSerializer, description="Created.")},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(AgreementRequestSerializer)
        created = agreements.agreement_request_create(**data)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="What the request still misses, and its eAgreement content",
        responses=ReadySerializer,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def ready(self, request: Request, pk: str) -> Response:
        found = readiness(self.get_object())
        body = {
            "request": int(pk),
            "ready": found.ready,
            "missing": [
                {"code": m.code, "field": m.field, "annex": m.annex} for m in found.missing
            ],
            "content": found.content,
        }
        return Response(body)

    @extend_schema(
        summary="Record the fund's decision on a request",
        description="Idempotent by decision id: the same decision again answers 200 and "
        "changes nothing. The same decision id with a later decision_date is the next step of "
        "the request (intreatment, then wfi-*, then agreement) and replaces it; with other "
        "values and no later date, or an id already on another request, 409 names the fields.",
        request=DecisionSerializer,
        responses={
            200: AgreementRequestSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Conflicting decision."),
        },
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def decision(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        data = self.parse(DecisionSerializer)
        decided, _changed = agreements.agreement_decision_record(request=found, **data)
        return Response(self.get_serializer(decided).data)


@extend_schema_view(
    list=extend_schema(summary="List uses at another practice (BE, per patient and year)"),
    retrieve=extend_schema(summary="Read a year's use at another practice"),
)
class PriorUseViewSet(ScopedViewSet):
    """A BE patient's overflow sessions and courante situations at another practice, per year."""

    queryset = PriorUse.objects.select_related("patient")
    practice_path = "patient__practice"
    serializer_class = PriorUseSerializer
    filterset_class = PriorUseFilter
    ordering_fields = ["year", "id"]
    ordering = ["patient", "-year", "id"]

    @extend_schema(
        summary="Set a patient's use at another practice for a year",
        description="One row per patient and year: a repeat for the same year updates it (200).",
        responses=_created(PriorUseSerializer),
    )
    def create(self, request: Request) -> Response:
        data = self.parse(PriorUseSerializer)
        found, created = agreements.prior_use_set(**data)
        return Response(self.get_serializer(found).data, status=_status(created))
