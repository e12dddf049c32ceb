"""django-filter FilterSets of the API list endpoints.

Every list starts from the token's practice's rows, so filtering by another practice's id
simply finds nothing. Invalid filter values (a bad date, an unknown category or status)
answer 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters

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


class PatientFilter(filters.FilterSet):
    external_id = filters.CharFilter()
    national_id = filters.CharFilter()
    last_name = filters.CharFilter(lookup_expr="icontains")
    birth_date = filters.DateFilter()

    class Meta:
        model = Patient
        fields = ["external_id", "national_id", "last_name", "birth_date"]


class CoverageFilter(filters.FilterSet):
    patient = IdFilter(field_name="patient")
    year = IdFilter(field_name="year", max_value=9999)

    class Meta:
        model = Coverage
        fields = ["patient", "year"]


class EpisodeFilter(filters.FilterSet):
    patient = IdFilter(field_name="patient")
    category = filters.ChoiceFilter(choices=Episode.Category.choices)
    external_id = filters.CharFilter()

    class Meta:
        model = Episode
        fields = ["patient", "category", "external_id"]


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

    class Meta:
        model = Prescription
        fields = ["patient", "episode", "category", "date_after", "date_before", "external_id"]


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
