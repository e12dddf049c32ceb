"""django-filter FilterSets of the API list endpoints.

Every list starts from the token's practice's rows, so filtering by another practice's id
simply finds nothing. Invalid filter values (a bad date, an unknown category or status)
answer 400 naming the parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from stdnum.be import nn as be_nn
from stdnum.nl import bsn as nl_bsn

from practice.api.pagination import SYNC_PARAMETER
from practice.api.permissions import practice_of
from practice.models import Coverage, Episode, Patient, Prescription, Therapist, TreatmentSession
from reimburse.models import InsurerPackage


class IdFilter(filters.NumberFilter):
    """An integer id: ``1.5`` or ``abc`` is a 400, not a silently truncated id.

    Bounded to the 64-bit key range: SQLite raises OverflowError on larger numbers.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """Rows changed at or after a moment: the incremental sync (``practice.api.pagination``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault(
            "label",
            "Only rows changed at or after this moment (ISO 8601 with offset, e.g. "
            "2026-12-03T10:15:00Z), oldest change first, paged by cursor. Pass the largest "
            "updated_at you have seen, less a minute for writes still committing: rows you "
            "already have may come again.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: datetime | None) -> QuerySet[Any]:
        # Compared in UTC: PostgreSQL refuses an offset beyond ±15:59 that ISO 8601 allows
        # (+23:37 is valid), and a moment that has no UTC form is out of range, not a 500.
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                raise ValidationError({"updated_since": "out of range"}) from None
        return super().filter(qs, value)


class StrictOrderingFilter(OrderingFilter):
    """DRF's ordering, refusing a field it does not allow (400) instead of ignoring it.

    Ties are broken by id, so page-number pages do not overlap or skip rows.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        if getattr(view, "syncs", False) and SYNC_PARAMETER in request.query_params:
            raise ValidationError(
                {self.ordering_param: f"{SYNC_PARAMETER} lists are ordered by updated_at, id"}
            )
        fields = [term.strip() for term in raw.split(",")]
        valid = self.remove_invalid_fields(queryset, fields, view, request)
        invalid = [term for term in fields if term not in valid]
        if invalid or not fields:
            allowed = ", ".join(name for name, _label in self.get_valid_fields(queryset, view))
            raise ValidationError(
                {
                    self.ordering_param: f"cannot order by {', '.join(repr(t) for t in invalid)}; "
                    f"allowed: {allowed} (prefix - for descending)"
                }
            )
        if not {"id", "-id"} & set(valid):
            valid.append("id")
        return valid

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        allowed = list(getattr(view, "ordering_fields", []) or [])
        for parameter in parameters:
            parameter["description"] = (
                f"Comma-separated fields among {', '.join(allowed)}; prefix - for descending. "
                "Any other field is refused (400). Not with updated_since."
            )
        return parameters


def _compact_national_id(country: str, value: str) -> str:
    # Separators and spaces as people write them ("85.07.30-033.28"); the stored form is compact.
    if country == "BE":
        return str(be_nn.compact(value))
    return str(nl_bsn.compact(value))


class PatientFilter(filters.FilterSet):
    external_id = filters.CharFilter()
    national_id = filters.CharFilter(
        method="filter_national_id",
        label="INSZ/NISS (BE) or BSN (NL), with or without separators.",
    )
    last_name = filters.CharFilter(lookup_expr="icontains")
    birth_date = filters.DateFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Patient
        fields = ["external_id", "national_id", "last_name", "birth_date", "updated_since"]

    def filter_national_id(
        self, queryset: QuerySet[Patient], name: str, value: str
    ) -> QuerySet[Patient]:
        country = practice_of(self.request).country
        return queryset.filter(national_id=_compact_national_id(country, value))


class CoverageFilter(filters.FilterSet):
    patient = IdFilter(field_name="patient")
    year = IdFilter(field_name="year", max_value=9999)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Coverage
        fields = ["patient", "year", "updated_since"]


class EpisodeFilter(filters.FilterSet):
    patient = IdFilter(field_name="patient")
    category = filters.ChoiceFilter(choices=Episode.Category.choices)
    external_id = filters.CharFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Episode
        fields = ["patient", "category", "external_id", "updated_since"]


class PrescriptionFilter(filters.FilterSet):
    patient = IdFilter(field_name="episode__patient")
    episode = IdFilter(field_name="episode")
    category = filters.ChoiceFilter(
        field_name="episode__category", choices=Episode.Category.choices
    )
    # Two plain filters rather than a DateFromToRangeFilter, so a 400 names the parameter.
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")
    external_id = filters.CharFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Prescription
        fields = [
            "patient",
            "episode",
            "category",
            "date_after",
            "date_before",
            "external_id",
            "updated_since",
        ]


class SessionFilter(filters.FilterSet):
    patient = IdFilter(field_name="episode__patient")
    episode = IdFilter(field_name="episode")
    therapist = IdFilter(field_name="therapist")
    category = filters.ChoiceFilter(
        field_name="episode__category", choices=Episode.Category.choices
    )
    # Two plain filters rather than a DateFromToRangeFilter, so a 400 names the parameter.
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")
    status = filters.ChoiceFilter(
        choices=[("active", "active"), ("cancelled", "cancelled")], method="filter_status"
    )
    place = filters.ChoiceFilter(choices=TreatmentSession.Place.choices)
    external_id = filters.CharFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = TreatmentSession
        fields = [
            "patient",
            "episode",
            "therapist",
            "category",
            "date_after",
            "date_before",
            "status",
            "place",
            "external_id",
            "updated_since",
        ]

    def filter_status(
        self, queryset: QuerySet[TreatmentSession], name: str, value: str
    ) -> QuerySet[TreatmentSession]:
        return queryset.filter(cancelled_at__isnull=(value == "active"))


class TherapistFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Therapist.Role.choices)

    class Meta:
        model = Therapist
        fields = ["role"]


class InsurerPackageFilter(filters.FilterSet):
    year = IdFilter(field_name="year", max_value=9999)
    insurer = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = InsurerPackage
        fields = ["year", "insurer"]
