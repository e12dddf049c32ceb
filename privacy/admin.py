"""The personal-data log in the admin: read-only, never edited or deleted from here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from practice.admin import clinic_practice
from privacy.models import PrivacyLogEntry


@admin.register(PrivacyLogEntry)
class PrivacyLogEntryAdmin(admin.ModelAdmin[PrivacyLogEntry]):
    list_display = ["at", "action", "patient_id", "username", "ground", "reference", "practice"]
    list_filter = ["action", "ground"]
    search_fields = ["=patient_id", "username", "reference"]
    list_select_related = ["practice"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "action",
        "patient_id",
        "user",
        "username",
        "ground",
        "reference",
        "practice",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrivacyLogEntry]:
        queryset = super().get_queryset(request)
        if request.user.is_active and request.user.is_superuser:
            return queryset
        practice = clinic_practice(request)
        return queryset.none() if practice is None else queryset.filter(practice=practice)

    def _may_view(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser) or clinic_practice(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not self.get_queryset(request).filter(pk=obj.pk).exists():
            return False
        return self._may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
