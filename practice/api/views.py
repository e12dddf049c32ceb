"""API views: parse with a serializer, make one service or selector call, render.

Every queryset starts from the token's practice, so another practice's ids answer 404.
Creates go through ``practice.services``: a repeat with a known ``external_id`` and the same
values answers 200 with the existing row, one with other values 409 naming the fields that
differ, a new row 201. Corrections are ``PATCH``es through the ``*_update`` services, which
keep the history; a response showing one record carries its ``ETag``, and a ``PATCH`` with a
stale ``If-Match`` is refused with 412 (``practice.api.preconditions``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from practice import services
from practice.api import filters, serializers
from practice.api.feeds import warning_feed
from practice.api.parsers import ApiJSONParser
from practice.api.permissions import practice_of
from practice.api.preconditions import content_etag, expected_versions, unchanged, with_etag
from practice.models import (
    Coverage,
    Episode,
    Patient,
    Prescription,
    Therapist,
    TreatmentSession,
)
from reimburse.api import ContractJSONRenderer
from reimburse.explain import Reader
from reimburse.models import InsurerPackage
from reimburse.quota import patient_quota
from reimburse.simulate import result_to_dict


def _created(serializer: type[BaseSerializer[Any]]) -> dict[int, Any]:
    return {
        201: OpenApiResponse(serializer, description="Created."),
        200: OpenApiResponse(
            serializer,
            description="A row with this external_id and the same values exists: returned "
            "unchanged.",
        ),
        409: OpenApiResponse(
            serializers.ErrorSerializer,
            description="A row with this external_id has other values (each field that "
            "differs is named, with both values), or another row holds a unique value.",
        ),
    }


def _status(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


class ScopedViewSet(GenericViewSet):
    """List and read the practice's rows; ids in URLs are integer primary keys."""

    lookup_value_regex = "[0-9]+"
    parser_classes = [ApiJSONParser]
    # Only the practice's rows exist for this request: the path from a row to its practice
    # (None for the shared catalogue).
    practice_path: str | None = "practice"
    # Responses showing one record carry its ETag (set below, documented by the schema class).
    etag_actions: tuple[str, ...] = ("retrieve", "create", "partial_update", "cancel")
    shown: Any = None
    # The list answers ?updated_since= in (updated_at, id) order, paged by cursor.
    syncs = True
    # Query parameters of the actions other than list (list: its filters, ordering, paging).
    action_query_parameters: dict[str, tuple[str, ...]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # An unknown parameter is almost always a typo: refuse it rather than ignore it.
        unknown = set(request.query_params) - self.known_query_parameters()
        if unknown:
            raise ValidationError(dict.fromkeys(sorted(unknown), "unknown query parameter"))

    def known_query_parameters(self) -> set[str]:
        if self.action != "list":
            return set(self.action_query_parameters.get(self.action or "", ()))
        known = {"ordering", "page", "page_size"}
        if self.syncs:
            known.add("cursor")
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        return known

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        if args and not kwargs.get("many"):
            self.shown = args[0]
        return super().get_serializer(*args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if (
            self.action in self.etag_actions
            and self.shown is not None
            and response.status_code in (200, 201)
        ):
            with_etag(response, self.shown)
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.practice_path is None:
            return queryset
        return queryset.filter(**{self.practice_path: practice_of(self.request)})

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def parse(self, serializer_class: type[BaseSerializer[Any]], **kwargs: Any) -> dict[str, Any]:
        """Validate the request body; a 400 names every offending field."""
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List the practice's patients"),
    retrieve=extend_schema(summary="Read a patient"),
)
class PatientViewSet(ScopedViewSet):
    """The practice's patients; a patient's quota is computed from their stored records."""

    queryset = Patient.objects.all()
    serializer_class = serializers.PatientSerializer
    filterset_class = filters.PatientFilter
    ordering_fields = ["last_name", "first_name", "birth_date", "created_at", "updated_at", "id"]
    ordering = ["last_name", "first_name", "id"]
    action_query_parameters = {"quota": ("as_of",)}

    @extend_schema(summary="Create a patient", responses=_created(serializers.PatientSerializer))
    def create(self, request: Request) -> Response:
        data = self.parse(serializers.PatientSerializer)
        patient, created = services.patient_create(practice=practice_of(request), **data)
        return Response(self.get_serializer(patient).data, status=_status(created))

    @extend_schema(summary="Change a patient", request=serializers.PatientUpdateSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        patient = self.get_object()
        data = self.parse(serializers.PatientUpdateSerializer, partial=True)
        patient = services.patient_update(
            patient=patient, expected_versions=expected_versions(request), **data
        )
        return Response(self.get_serializer(patient).data)

    @extend_schema(
        summary="A patient's reimbursement status: sessions, quotas, pools, warnings",
        description="The same shape as POST /api/v1/simulate, computed from the stored "
        "records. Cancelled sessions are left out.",
        parameters=[serializers.QuotaQuerySerializer],
        responses=serializers.SimulateResultSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        renderer_classes=[ContractJSONRenderer],
    )
    def quota(self, request: Request, pk: str) -> Response:
        practice = practice_of(request)
        query = serializers.QuotaQuerySerializer(data=request.query_params)
        if not query.is_valid() and not self.get_queryset().filter(pk=pk).exists():
            raise Http404  # another practice's or no patient: 404 before a bad as_of
        query.is_valid(raise_exception=True)
        # The clock is read once, here, in the practice's time zone (Europe/Brussels).
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        # The patient is read once, with their records, as plain rows.
        result = patient_quota(practice=practice, patient_id=int(pk), as_of=as_of)
        if result is None:
            raise Http404
        # Sentences in the request's language (Accept-Language) with the practice's words.
        return Response(result_to_dict(result, Reader.current(practice.country)))


@extend_schema_view(
    list=extend_schema(summary="List NL coverage (supplementary package per patient and year)"),
    retrieve=extend_schema(summary="Read a year's coverage"),
)
class CoverageViewSet(ScopedViewSet):
    """NL supplementary coverage: one package (and deductible left) per patient and year."""

    queryset = Coverage.objects.select_related("patient")
    practice_path = "patient__practice"
    serializer_class = serializers.CoverageSerializer
    filterset_class = filters.CoverageFilter
    ordering_fields = ["year", "updated_at", "id"]
    ordering = ["patient", "-year", "id"]

    @extend_schema(
        summary="Set a patient's coverage for a year",
        description="One row per patient and year: a repeat for the same year updates it (200).",
        responses=_created(serializers.CoverageSerializer),
    )
    def create(self, request: Request) -> Response:
        data = self.parse(serializers.CoverageSerializer)
        patient, year = data.pop("patient"), data.pop("year")
        coverage, created = services.coverage_set(patient=patient, year=year, **data)
        return Response(self.get_serializer(coverage).data, status=_status(created))

    @extend_schema(summary="Change a year's coverage", request=serializers.CoverageUpdateSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        coverage = self.get_object()
        context = {**self.get_serializer_context(), "coverage": coverage}
        serializer = serializers.CoverageUpdateSerializer(
            data=request.data, partial=True, context=context
        )
        serializer.is_valid(raise_exception=True)
        coverage = services.coverage_update(
            coverage=coverage,
            expected_versions=expected_versions(request),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(coverage).data)


@extend_schema_view(
    list=extend_schema(summary="List episodes"),
    retrieve=extend_schema(summary="Read an episode"),
)
class EpisodeViewSet(ScopedViewSet):
    """Episodes: a BE pathological situation or an NL indication, with its notification,
    agreement or referral."""

    queryset = Episode.objects.all()
    practice_path = "patient__practice"
    serializer_class = serializers.EpisodeSerializer
    filterset_class = filters.EpisodeFilter
    ordering_fields = ["created_at", "updated_at", "id", "category"]
    ordering = ["created_at", "id"]

    @extend_schema(summary="Open an episode", responses=_created(serializers.EpisodeSerializer))
    def create(self, request: Request) -> Response:
        data = self.parse(serializers.EpisodeSerializer)
        episode, created = services.episode_create(**data)
        return Response(self.get_serializer(episode).data, status=_status(created))

    @extend_schema(
        summary="Change an episode (notification, agreement, referral …)",
        request=serializers.EpisodeUpdateSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        episode = self.get_object()
        data = self.parse(serializers.EpisodeUpdateSerializer, partial=True)
        episode = services.episode_update(
            episode=episode, expected_versions=expected_versions(request), **data
        )
        return Response(self.get_serializer(episode).data)


@extend_schema_view(
    list=extend_schema(summary="List prescriptions (BE)"),
    retrieve=extend_schema(summary="Read a prescription"),
)
class PrescriptionViewSet(ScopedViewSet):
    """BE prescriptions; the engine assigns sessions to them."""

    queryset = Prescription.objects.select_related("episode")
    serializer_class = serializers.PrescriptionSerializer
    filterset_class = filters.PrescriptionFilter
    ordering_fields = ["date", "created_at", "updated_at", "id"]
    ordering = ["date", "id"]

    @extend_schema(
        summary="Record a prescription (BE)", responses=_created(serializers.PrescriptionSerializer)
    )
    def create(self, request: Request) -> Response:
        data = self.parse(serializers.PrescriptionSerializer)
        prescription, created = services.prescription_create(**data)
        return Response(self.get_serializer(prescription).data, status=_status(created))

    @extend_schema(
        summary="Correct a prescription (date, sessions, prescriber)",
        request=serializers.PrescriptionUpdateSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        prescription = self.get_object()
        data = self.parse(serializers.PrescriptionUpdateSerializer, partial=True)
        prescription = services.prescription_update(
            prescription=prescription, expected_versions=expected_versions(request), **data
        )
        return Response(self.get_serializer(prescription).data)


@extend_schema_view(
    list=extend_schema(summary="List sessions"),
    retrieve=extend_schema(summary="Read a session"),
)
class SessionViewSet(ScopedViewSet):
    """Sessions done or planned; they are cancelled, never deleted."""

    queryset = TreatmentSession.objects.select_related("episode")
    serializer_class = serializers.SessionSerializer
    filterset_class = filters.SessionFilter
    ordering_fields = ["date", "created_at", "updated_at", "id"]
    ordering = ["date", "id"]

    @extend_schema(
        summary="Record a session (done or planned)",
        request=serializers.SessionCreateSerializer,
        responses=_created(serializers.SessionSerializer),
    )
    def create(self, request: Request) -> Response:
        data = self.parse(serializers.SessionCreateSerializer)
        session, created = services.session_record(**data)
        return Response(self.get_serializer(session).data, status=_status(created))

    @extend_schema(
        summary="Correct a session (another day, therapist, length, place or price)",
        description="A moved appointment keeps its id and external_id. A cancelled session "
        "cannot be changed (409).",
        request=serializers.SessionUpdateSerializer,
        responses={
            200: serializers.SessionSerializer,
            409: OpenApiResponse(
                serializers.ErrorSerializer, description="The session is cancelled."
            ),
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        data = self.parse(serializers.SessionUpdateSerializer, partial=True)
        session = services.session_update(
            session=session, expected_versions=expected_versions(request), **data
        )
        return Response(self.get_serializer(session).data)

    @extend_schema(
        summary="Cancel a session",
        description="The session stays on record with who cancelled it (the token's creator), "
        "when and why. Cancelling a cancelled session changes nothing.",
        request=serializers.SessionCancelSerializer,
        responses=serializers.SessionSerializer,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        data = self.parse(serializers.SessionCancelSerializer)
        # The authentication class only lets tokens with an active creator through, so the
        # cancellation always names a person (the check constraint requires one).
        assert isinstance(request.user, User)
        session = services.session_cancel(session=session, by=request.user, reason=data["reason"])
        return Response(self.get_serializer(session).data)


class PracticeView(GenericAPIView):
    """The practice the token belongs to."""

    serializer_class = serializers.PracticeSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(summary="The token's practice (name, country)")
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(practice_of(request)).data)


@extend_schema_view(
    list=extend_schema(summary="List the practice's therapists and clinic administrators"),
    retrieve=extend_schema(summary="Read a therapist"),
)
class TherapistViewSet(ScopedViewSet):
    """The people of the practice, with the ids sessions use for ``therapist``."""

    queryset = Therapist.objects.select_related("user").prefetch_related("conventions")
    serializer_class = serializers.TherapistSerializer
    filterset_class = filters.TherapistFilter
    ordering_fields = ["id"]
    ordering = ["user__last_name", "user__first_name", "id"]
    etag_actions = ()
    syncs = False


@extend_schema_view(
    list=extend_schema(summary="List the Dutch insurer-package catalogue"),
    retrieve=extend_schema(summary="Read an insurer package"),
)
class InsurerPackageViewSet(ScopedViewSet):
    """The catalogue of Dutch supplementary packages, shared by every practice.

    Coverage points at a package by its id (``coverage.package``).
    """

    queryset = InsurerPackage.objects.all()
    practice_path = None
    serializer_class = serializers.InsurerPackageSerializer
    filterset_class = filters.InsurerPackageFilter
    ordering_fields = ["year", "id"]
    ordering = ["insurer", "name", "-year", "id"]
    etag_actions = ()
    syncs = False


class WarningFeedView(GenericAPIView):
    """The practice-wide feed of current warnings."""

    serializer_class = serializers.WarningRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Current warnings of the practice, newest first",
        description="A warning is dated by the session it names, else by as_of (the day it "
        "holds for); newest first, and most urgent first within a day. A dashboard that polls "
        "asks for `since` (the warnings dated on or after a day) and sends the last ETag as "
        "If-None-Match: 304 with no body while the answer is unchanged.",
        parameters=[
            serializers.WarningsQuerySerializer,
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the last answer: 304 if it is still the answer.",
            ),
            OpenApiParameter(
                "ETag",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                description="Send it back as If-None-Match on the next poll.",
            ),
        ],
        responses={
            200: serializers.WarningRowSerializer(many=True),
            304: OpenApiResponse(description="Unchanged since the ETag sent: no body."),
        },
    )
    def get(self, request: Request) -> Response:
        known = {*serializers.WarningsQuerySerializer().fields, "page", "page_size"}
        unknown = set(request.query_params) - known
        if unknown:
            raise ValidationError(dict.fromkeys(sorted(unknown), "unknown query parameter"))
        query = serializers.WarningsQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        params["as_of"] = params.get("as_of") or timezone.localdate()
        practice = practice_of(request)
        rows = warning_feed(practice=practice, **params)
        page = self.paginate_queryset(rows)
        context = {**self.get_serializer_context(), "reader": Reader.current(practice.country)}
        data = serializers.WarningRowSerializer(page, many=True, context=context).data
        response = self.get_paginated_response(data)
        tag = content_etag(response.data)
        if unchanged(request, tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response["ETag"] = tag
        return response


class NotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404 rather than Django's HTML page."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    schema = None

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        raise NotFound("no such endpoint; the API is described at /api/v1/docs/")
