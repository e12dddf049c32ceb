"""Admin for the clinic-editable rule data: insurer packages (NL) and loaded tariffs (BE).

Both are shared by every practice, so clinic administrators may read them (and pick packages
for a patient's coverage) but only superusers change them. Every change is kept by
django-simple-history and shown read-only: a revert would bypass review of the source.

A tariff table is loaded with a page of its own (upload, a preview that writes nothing,
confirm) rather than django-import-export: the engine's own reader must read the file, so the
shipped ``tariffs.csv`` and a loaded table are one format with one set of checks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from practice.admin import clinic_practice
from reimburse.engine.datafile import TableError
from reimburse.models import InsurerPackage, LoadedTariff
from reimburse.tariffs import tariff_table_check, tariffs_load


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


class TariffTableForm(forms.Form):
    """The upload step: a CSV in the format of the shipped ``tariffs.csv``."""

    file = forms.FileField(label=_("Tariff table (CSV)"))

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8"), upload.name
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class TariffConfirmForm(forms.Form):
    """The confirm step: the previewed file, carried back unchanged."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)


@admin.register(LoadedTariff)
class LoadedTariffAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "valid_from",
        "valid_until",
        "fee",
        "insurer",
        "insurer_preferential",
        "confidence",
        "file_name",
        "loaded_at",
        "loaded_by",
    ]
    list_filter = ["code", "valid_from", "file_name"]
    search_fields = ["code", "source", "file_name"]
    ordering = ["code", "valid_from"]
    change_list_template = "admin/reimburse/loadedtariff/change_list.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _is_clinic_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _is_clinic_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come in through the load page, checked as a table

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a correction is a new table: the history keeps what was loaded

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def get_urls(self) -> list[URLPattern]:
        load = path(
            "load/",
            self.admin_site.admin_view(self.load_view),
            name="reimburse_loadedtariff_load",
        )
        return [load, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra = {**(extra_context or {}), "can_load": request.user.is_superuser}
        return super().changelist_view(request, extra)

    def load_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a table, preview what loading it would do (writes nothing), then confirm."""
        if not request.user.is_superuser:
            raise PermissionDenied("only a superuser loads a tariff table")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Load a tariff table"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            confirm = TariffConfirmForm(request.POST)
            if confirm.is_valid():
                text, name = confirm.cleaned_data["text"], confirm.cleaned_data["name"]
                try:
                    done = tariffs_load(text=text, name=name, by=request.user)
                except TableError as error:
                    context["error"] = str(error)
                else:
                    loaded = len(done.new)
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d tariff row loaded.", "%(count)d tariff rows loaded.", loaded
                        )
                        % {"count": loaded},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:reimburse_loadedtariff_changelist"))
            context["form"] = TariffTableForm()
        elif request.method == "POST":
            upload = TariffTableForm(request.POST, request.FILES)
            context["form"] = upload
            if upload.is_valid():
                text, name = upload.cleaned_data["file"]
                try:
                    context["check"] = tariff_table_check(text=text, name=name)
                except TableError as error:
                    context["error"] = str(error)
                else:
                    context["confirm"] = TariffConfirmForm(initial={"text": text, "name": name})
                    context["file_name"] = name
        else:
            context["form"] = TariffTableForm()
        return TemplateResponse(request, "admin/reimburse/loadedtariff/load.html", context)
