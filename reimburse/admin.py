"""Admin for the clinic-editable rule data: the insurer package catalogue (NL).

The catalogue is shared by every practice, so clinic administrators may read it (and pick
packages for a patient's coverage) but only superusers change it. Every change is kept by
django-simple-history and shown read-only: a revert would bypass review of the source.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from practice.admin import clinic_practice
from reimburse.models import InsurerPackage


def _is_clinic_administrator(request: HttpRequest) -> bool:
    return clinic_practice(request) is not None


@admin.register(InsurerPackage)
class InsurerPackageAdmin(SimpleHistoryAdmin):
    list_display = [
        "insurer",
        "name",
        "year",
        "treatments",
        "budget",
        "carry_over_max",
        "pays_chronic_first_20",
        "manual_therapy_limit",
        "verified",
        "checked_on",
    ]
    list_filter = ["verified", "year", "insurer", "pays_chronic_first_20"]
    search_fields = ["insurer", "name"]
    ordering = ["insurer", "name", "-year"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _is_clinic_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _is_clinic_administrator(request)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method == "POST":
            raise PermissionDenied("history is read-only: change the package itself")
        return super().history_form_view(request, object_id, version_id, extra_context)
