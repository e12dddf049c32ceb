"""The Django admin for clinic administrators and superusers.

Scope: a superuser sees every practice. A staff user who is a ``Therapist`` with role
``administrator`` sees and edits only their own practice's rows (querysets, foreign-key choices
and object permissions are all limited, and ``practice`` is set for them on create). Other
staff users get no access to these models: the admin is a clinic administrator's tool.

Writes: patients, episodes, prescriptions (new), sessions (new) and coverage go through
``practice.services``. Each form is first validated by running its service inside a savepoint
that is rolled back (so the service's per-field messages appear next to the fields), and saved
by calling the service again. Sessions are never edited or deleted: they are cancelled through
``session_cancel``. History (django-simple-history) is read-only here, because reverting a
version would write around the services.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from practice import agreements, imports, pages, services
from practice.admin_filters import (
    LateStartFilter,
    PendingFilter,
    QuotaFilter,
    admin_today,
    attach_states,
    state_of,
)
from practice.import_files import (
    FORMAT_NAMES,
    MAX_ROWS,
    ClinicCSV,
    ClinicImportForm,
    ClinicXLSX,
    UnreadableFile,
)
from practice.models import (
    AgreementAnnex,
    AgreementRequest,
    ApiToken,
    ConventionAdherence,
    Country,
    Coverage,
    Episode,
    ImportJob,
    Patient,
    Practice,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from practice.resources import PatientResource, SessionResource, copy_saved, spreadsheet_safe
from practice.tasks import import_check, import_run
from practice.tokens import api_token_create, api_token_revoke
from privacy.admin_actions import PersonalDataAdminMixin
from reimburse.engine.be import situations
from reimburse.explain import STATUS_LABELS, Reader, label, warning_text
from reimburse.models import InsurerPackage
from reimburse.services import statuses

# ----------------------------------------------------------------------------------- scoping

PATIENT_FORM_FIELDS = [
    "practice",
    "first_name",
    "last_name",
    "birth_date",
    "national_id",
    "preferential",
    "external_id",
]
COVERAGE_FORM_FIELDS = ["patient", "year", *services.COVERAGE_FIELDS]
EPISODE_FORM_FIELDS = ["patient", *services.EPISODE_FIELDS, "external_id"]
PRESCRIPTION_FORM_FIELDS = [
    "practice",
    "episode",
    "date",
    "sessions",
    "prescriber",
    "prescriber_number",
    "second_session_motivated",
    "external_id",
]
SESSION_FORM_FIELDS = [
    "episode",
    "therapist",
    "date",
    "minutes",
    "place",
    "kind",
    "price",
    "external_id",
]


def clinic_practice(request: HttpRequest) -> Practice | None:
    """Return the practice a non-superuser administers, or ``None``."""
    user = request.user
    if not user.is_authenticated or not user.is_staff:
        return None
    therapist = Therapist.objects.select_related("practice").filter(user=user).first()
    if therapist is None or therapist.role != Therapist.Role.ADMINISTRATOR:
        return None
    return therapist.practice


def _scoped_practice(request: HttpRequest) -> Practice | None:
    # Cached on the request: every permission check and queryset of a page asks for it.
    if not hasattr(request, "_clinic_practice"):
        request._clinic_practice = clinic_practice(request)  # type: ignore[attr-defined]
    practice: Practice | None = request._clinic_practice  # type: ignore[attr-defined]
    return practice


def _is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class _DryRun(Exception):
    """Raised inside a savepoint to undo a service call made only to validate a form."""


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceForm(forms.ModelForm):
    """A model form that is validated by dry-running the service its admin saves with.

    ``write`` is bound per request by the admin (``get_form``/``get_formset``); it takes the
    form and returns the saved row, or ``None`` when no service covers the write.
    """

    write: Callable[[forms.ModelForm], models.Model | None] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        write = type(self).write
        # errors is filled field by field before clean() runs: skip the service if any failed.
        if write is None or self.errors:
            return cleaned
        try:
            with transaction.atomic():
                write(self)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            _add_errors(self, error)
        return cleaned


def _bind_write(form_class: Any, write: Callable[[Any], models.Model | None]) -> None:
    # The form classes are built per request (modelform_factory), so this binding is too.
    form_class.write = staticmethod(write)


class PracticeScopedAdmin(admin.ModelAdmin):
    """Limit rows, choices and permissions to the clinic administrator's practice."""

    # Lookup from the model to its practice, e.g. "practice" or "patient__practice".
    practice_path = "practice"
    # What a clinic administrator may do (a superuser keeps Django's own permissions).
    clinic_can_add = True
    clinic_can_change = True
    clinic_can_delete = False
    # Form fields a clinic administrator never sees (set from their practice instead).
    clinic_excluded_fields: tuple[str, ...] = ("practice",)

    # -- rows

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if _is_superuser(request):
            return queryset
        practice = _scoped_practice(request)
        if practice is None:
            return queryset.none()
        return queryset.filter(**{self.practice_path: practice.pk})

    def _obj_practice_id(self, obj: models.Model) -> int | None:
        value: Any = obj
        for part in self.practice_path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return int(value.pk)

    def _clinic_allows(self, request: HttpRequest, obj: models.Model | None, flag: bool) -> bool:
        practice = _scoped_practice(request)
        if practice is None or not flag:
            return False
        return obj is None or self._obj_practice_id(obj) == practice.pk

    # -- permissions

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_view_permission(request, obj)
        return self._clinic_allows(request, obj, True)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if _is_superuser(request):
            return super().has_add_permission(request, *args)
        return self._clinic_allows(request, None, self.clinic_can_add)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_change_permission(request, obj)
        return self._clinic_allows(request, obj, self.clinic_can_change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_delete_permission(request, obj)
        return self._clinic_allows(request, obj, self.clinic_can_delete)

    # -- forms

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | tuple[str, ...]:
        excluded = list(super().get_exclude(request, obj) or ())
        if not _is_superuser(request):
            excluded += [f for f in self.clinic_excluded_fields if f not in excluded]
        return excluded

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        practice = None if _is_superuser(request) else _scoped_practice(request)
        if not _is_superuser(request):
            kwargs["queryset"] = _choices_for(db_field.related_model, practice)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(form, ServiceForm):
            # modelform_factory builds a fresh class per call: binding here is per request.
            _bind_write(form, partial(self._write_form, request, change))
        return form

    def _write_form(self, request: HttpRequest, change: bool, form: forms.ModelForm) -> Any:
        return self.write(request, form, change)

    def write(
        self, request: HttpRequest, form: forms.ModelForm, change: bool
    ) -> models.Model | None:
        """Save through the service; ``None`` when no service covers this write."""
        return None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not _is_superuser(request) and hasattr(obj, "practice_id") and not change:
            obj.practice = _scoped_practice(request)
        saved = self.write(request, form, change)
        if saved is None:
            super().save_model(request, obj, form, change)
        else:
            copy_saved(obj, saved)

    def form_practice(self, request: HttpRequest, form: forms.ModelForm) -> Practice | None:
        """The practice a new row belongs to: the chosen one (superuser) or the user's."""
        chosen = form.cleaned_data.get("practice")
        if isinstance(chosen, Practice):
            return chosen
        return _scoped_practice(request)

    # -- history: visible, never reverted (a revert would write around the services)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._check_in_scope(request, object_id)
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        return response

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: Any = None,
    ) -> HttpResponseBase:
        self._check_in_scope(request, object_id)
        if request.method == "POST":
            raise PermissionDenied("history is read-only: change the record itself")
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def _check_in_scope(self, request: HttpRequest, object_id: str) -> None:
        # simple-history falls back to the latest historical version when the object is not
        # in get_queryset; that would show another practice's data (or deleted rows) here.
        if _is_superuser(request):
            return
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404


def _choices_for(model: Any, practice: Practice | None) -> QuerySet[Any]:
    """The rows of ``model`` a clinic administrator of ``practice`` may pick."""
    if model is InsurerPackage:
        return InsurerPackage.objects.all()
    if practice is None:
        return model._default_manager.none()
    if model is Practice:
        return Practice.objects.filter(pk=practice.pk)
    if model is Patient:
        return Patient.objects.filter(practice=practice)
    if model is Episode:
        return Episode.objects.filter(patient__practice=practice).select_related("patient")
    if model is Therapist:
        return Therapist.objects.filter(practice=practice).select_related("user")
    if model is Prescription:
        return Prescription.objects.filter(practice=practice).select_related("episode")
    if model is AgreementRequest:
        return AgreementRequest.objects.filter(practice=practice)
    return model._default_manager.none()


class HistoryScopedAdmin(PracticeScopedAdmin, SimpleHistoryAdmin):
    """Scoped, with the read-only simple-history views."""


# --------------------------------------------------------------------------- practices


class ScopedImportExportMixin(ImportExportMixin):
    """Import and export limited to the administrator's practice; imports run as jobs.

    The upload is stored and checked for readability here; the check of its rows and, after
    the user's confirm on the job's page (``ImportJobAdmin``), the import run on the task
    worker (``practice.imports``). import-export's own preview and confirm are not used.
    """

    import_form_class = ClinicImportForm
    import_kind: str = ""

    def import_action(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return super().import_action(request, **kwargs)
        form = self.create_import_form(request)
        if form.is_valid():
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]
            try:
                job = imports.import_job_create(
                    user=request.user,
                    practice=None if _is_superuser(request) else _scoped_practice(request),
                    kind=self.import_kind,
                    upload=form.cleaned_data["import_file"],
                    file_format=FORMAT_NAMES[file_format],
                    language=translation.get_language() or "",
                )
            except UnreadableFile as error:
                form.add_error("import_file", str(error))
            else:
                import_check.enqueue(job_id=job.pk)
                return redirect("admin:practice_importjob_change", job.pk)
        return self._import_page(request, form)

    def _import_page(self, request: HttpRequest, form: Any) -> TemplateResponse:
        # import-export's upload page, with the form's errors (a sentence, never a traceback).
        context = self.get_import_context_data()
        resource_kwargs = self.get_import_resource_kwargs(request=request)
        resources = [cls(**resource_kwargs) for cls in self.get_import_resource_classes(request)]
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "fields_list": [
                    (r.get_display_name(), [f.column_name for f in r.get_user_visible_fields()])
                    for r in resources
                ],
                "import_error_display": self.import_error_display,
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request: HttpRequest, **kwargs: Any) -> Any:
        # The confirm of a job is on its own page; no file name is ever taken from a form.
        raise PermissionDenied("confirm an import on its page")

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"practice": None if _is_superuser(request) else _scoped_practice(request)}

    def has_import_permission(self, request: HttpRequest) -> bool:
        # import-export allows every staff user unless a permission code is configured.
        return _is_superuser(request) or _scoped_practice(request) is not None

    def has_export_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return self.get_import_resource_kwargs(request)


@admin.register(Practice)
class PracticeAdmin(HistoryScopedAdmin):
    list_display = ["name", "country", "created_at"]
    list_filter = ["country"]
    search_fields = ["name"]
    practice_path = "pk"
    clinic_can_add = False
    clinic_excluded_fields = ()

    def _obj_practice_id(self, obj: models.Model) -> int | None:
        return int(obj.pk) if obj.pk else None


class ConventionInline(admin.TabularInline):
    """A Belgian therapist's adherence to the convention, by period (contract v2)."""

    model = ConventionAdherence
    extra = 0
    fields = ["adheres", "valid_from", "valid_until"]


@admin.register(Therapist)
class TherapistAdmin(PracticeScopedAdmin):
    """Therapists of the practice; logins themselves are created by a superuser."""

    inlines = [ConventionInline]

    list_display = ["__str__", "user", "practice", "role", "riziv_number", "agb_code"]
    list_filter = ["role"]
    list_select_related = ["user", "practice"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "riziv_number"]
    autocomplete_fields = ["user"]
    clinic_can_add = False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        # The practice filter lists every practice by name: a superuser's tool only.
        found = list(super().get_list_filter(request))
        return [*found, "practice"] if _is_superuser(request) else found

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        if _is_superuser(request):
            return ()
        return ("user",)


# ----------------------------------------------------------------------------- patients


class PatientForm(ServiceForm):
    # Longer than the stored compact form: people type "85.07.30-033.28"; the service compacts.
    national_id = forms.CharField(label=_("national id"), max_length=20, required=False)

    class Meta:
        model = Patient
        fields = PATIENT_FORM_FIELDS

    def clean_national_id(self) -> str:
        # Drop the separators so the model's 11-character limit judges the compact id; the
        # service validates the checksum for the practice's country.
        value: str = self.cleaned_data.get("national_id", "")
        return "".join(value.split()).replace(".", "").replace("-", "").replace("/", "")


class ScopedInline(admin.TabularInline):
    """An inline that a clinic administrator may use under their own practice's rows."""

    clinic_can_add = True
    clinic_can_change = True
    clinic_can_delete = False
    extra = 0
    # How a form of this inline is saved through the services, given the parent row (set
    # with ``staticmethod``); ``None``: the inline writes nothing (read-only).
    write: Callable[[Any, forms.ModelForm], models.Model | None] | None = None

    def _clinic(self, request: HttpRequest, flag: bool) -> bool:
        return flag and _scoped_practice(request) is not None

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if self.write is not None:
            _bind_write(formset.form, partial(self.write, obj))
        return formset

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_view_permission(request, obj)
        return self._clinic(request, True)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_add_permission(request, obj)
        return self._clinic(request, self.clinic_can_add)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_change_permission(request, obj)
        return self._clinic(request, self.clinic_can_change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _is_superuser(request):
            return super().has_delete_permission(request, obj)
        return self._clinic(request, self.clinic_can_delete)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not _is_superuser(request):
            kwargs["queryset"] = _choices_for(db_field.related_model, _scoped_practice(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EpisodeInline(ScopedInline):
    """The patient's episodes, for reading; an episode is edited on its own page."""

    model = Episode
    fields = ["title", "category", "pathology", "notified_on"]
    readonly_fields = ["title", "category", "pathology", "notified_on"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CoverageInlineForm(ServiceForm):
    class Meta:
        model = Coverage
        fields = COVERAGE_FORM_FIELDS


def _coverage_write(patient: Patient | None, form: forms.ModelForm) -> Coverage | None:
    if patient is None or patient.pk is None:
        return None
    data = form.cleaned_data
    if form.instance.pk is not None and "year" in form.changed_data:
        # coverage_set keys on (patient, year): a changed year would leave the old row behind.
        raise ValidationError({"year": "delete this year's row and add the other year instead"})
    year = data["year"]
    values = {name: data[name] for name in services.COVERAGE_FIELDS if name in data}
    return services.coverage_set(patient=patient, year=year, **values)[0]


class CoverageInline(ScopedInline):
    """An NL patient's supplementary coverage per year, saved with ``coverage_set``."""

    model = Coverage
    form = CoverageInlineForm
    fields = [
        "year",
        "package",
        "insurer",
        "package_name",
        "treatments",
        "budget",
        "carry_over_max",
        "deductible_remaining",
        "used_elsewhere",
        "package_check",
    ]
    autocomplete_fields = ["package"]
    clinic_can_delete = True
    write = staticmethod(_coverage_write)
    # Nine columns side by side overflowed a 1366 px screen: one stacked block per year.
    template = "admin/edit_inline/stacked.html"
    readonly_fields = ["package_check"]

    @admin.display(description=_("package check"))
    def package_check(self, obj: Coverage) -> str:
        return coverage_package_check(obj)


def coverage_package_check(coverage: Coverage) -> str:
    """The check to make when a year's coverage points at another year's catalogue package."""
    package_year = coverage.package.year if coverage.package_id and coverage.package else None
    return pages.package_year_notice(year=coverage.year, package_year=package_year) or "—"


def _prior_use_write(patient: Patient | None, form: forms.ModelForm) -> PriorUse | None:
    if patient is None or patient.pk is None:
        return None
    data = form.cleaned_data
    if form.instance.pk is not None and "year" in form.changed_data:
        raise ValidationError({"year": "delete this year's row and add the other year instead"})
    return agreements.prior_use_set(
        patient=patient,
        year=data["year"],
        overflow=data.get("overflow") or 0,
        situations=data.get("situations") or 0,
    )[0]


class PriorUseInlineForm(ServiceForm):
    class Meta:
        model = PriorUse
        fields = ["year", "overflow", "situations"]


class PriorUseInline(ScopedInline):
    """A BE patient's use of a year's limits at another practice, saved with ``prior_use_set``."""

    model = PriorUse
    form = PriorUseInlineForm
    fields = ["year", "overflow", "situations"]
    clinic_can_delete = True
    write = staticmethod(_prior_use_write)


@admin.register(Patient)
class PatientAdmin(PersonalDataAdminMixin, ScopedImportExportMixin, HistoryScopedAdmin):
    form = PatientForm
    resource_classes = [PatientResource]
    import_kind = ImportJob.Kind.PATIENTS
    import_formats = [ClinicCSV, ClinicXLSX]
    export_formats = [CSV, XLSX]
    list_display = [
        "__str__",
        "birth_date",
        "national_id",
        "external_id",
        "practice",
        "quota",
        "warning_count",
    ]
    list_select_related = ["practice"]
    list_filter = [QuotaFilter, PendingFilter, LateStartFilter, "practice__country"]
    search_fields = ["first_name", "last_name", "national_id", "external_id"]
    inlines = [EpisodeInline, CoverageInline, PriorUseInline]
    actions = ["export_quota_report", "export_personal_data", "anonymise_patients"]
    clinic_can_delete = False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        found = list(super().get_list_filter(request))
        return [*found, "practice"] if _is_superuser(request) else found

    def personal_data_practice(self, request: HttpRequest) -> Practice | None:
        # The privacy services take None as "every practice": only ever for a superuser.
        if _is_superuser(request):
            return None
        practice = _scoped_practice(request)
        if practice is None:
            raise PermissionDenied("not a clinic administrator")
        return practice

    def get_urls(self) -> list[Any]:
        return [*self.personal_data_urls(), *super().get_urls()]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        # patient_update changes neither the practice nor the external id.
        return ("practice", "external_id") if obj is not None else ()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | tuple[str, ...]:
        excluded = list(super().get_exclude(request, obj))
        practice = obj.practice if obj is not None else _scoped_practice(request)
        # Preferential status (BIM) exists only in Belgium: patient_update refuses it for NL.
        if practice is not None and practice.country == Country.NETHERLANDS:
            excluded.append("preferential")
        return excluded

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return []
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if not isinstance(inline, CoverageInline) or obj.practice.country == Country.NETHERLANDS
            if not isinstance(inline, PriorUseInline) or obj.practice.country == Country.BELGIUM
        ]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return PatientChangeList

    @admin.display(description=_("quota today"))
    def quota(self, obj: Patient) -> str:
        state = state_of(obj)
        return state.quota if state and state.quota else "—"

    @admin.display(description=_("warnings"))
    def warning_count(self, obj: Patient) -> str:
        state = state_of(obj)
        return str(state.warning_count) if state else "—"

    def write(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Patient:
        data = form.cleaned_data
        if change:
            editable = {"first_name", "last_name", "birth_date", "national_id", "preferential"}
            return services.patient_update(
                patient=Patient.objects.select_related("practice").get(pk=form.instance.pk),
                **{name: data[name] for name in form.changed_data if name in editable},
            )
        practice = self.form_practice(request, form)
        if practice is None:
            raise ValidationError({"practice": "choose a practice"})
        patient, created = services.patient_create(
            practice=practice,
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            national_id=data.get("national_id", ""),
            preferential=data.get("preferential", False),
            external_id=data.get("external_id", ""),
        )
        if not created:
            raise ValidationError({"external_id": "a patient with this external id exists"})
        return patient

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        writers = {Coverage: _coverage_write, PriorUse: _prior_use_write}
        writer = writers.get(formset.model)
        if writer is None:
            super().save_formset(request, form, formset, change)
            return
        # No delete service: a removed year is deleted plainly (simple-history records it).
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for inline_form in formset.forms:
            if inline_form not in formset.deleted_forms and inline_form.has_changed():
                writer(form.instance, inline_form)

    @admin.action(description=_("Export the quota report (CSV, as of today)"))
    def export_quota_report(
        self, request: HttpRequest, queryset: QuerySet[Patient]
    ) -> HttpResponse:
        as_of = admin_today()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="quota-report-{as_of}.csv"'
        writer = csv.writer(response)
        writer.writerow(QUOTA_REPORT_HEADER)
        for row in quota_report_rows(queryset, as_of=as_of, language=get_language()):
            writer.writerow([spreadsheet_safe(cell) for cell in row])
        return response


QUOTA_REPORT_HEADER = [
    "patient_id",
    "patient",
    "external_id",
    "as_of",
    "kind",
    "episode",
    "name",
    "period_start",
    "period_end",
    "limit",
    "used",
    "remaining",
    "severity",
    "message",
]


def quota_report_rows(
    patients: QuerySet[Patient], *, as_of: Any, language: str | None = None
) -> list[list[str]]:
    """One row per quota, pool and warning of each patient as of ``as_of`` (one batch).

    Codes stay codes (a spreadsheet filters on them); the message is written in ``language``
    with the practice's words, dates and money.
    """

    def text(value: object) -> str:
        return "" if value is None else str(value)

    rows: list[list[str]] = []
    for patient, result in statuses(patients=patients, as_of=as_of):
        titles = {str(e.pk): e.title for e in patient.episodes.all()}
        head = [str(patient.pk), str(patient), patient.external_id, as_of.isoformat()]
        reader = Reader.of(language, patient.practice.country)
        for q in result.quotas:
            rows.append(
                [
                    *head,
                    "quota",
                    titles.get(q.episode, q.episode),
                    q.counter,
                    text(q.period_start),
                    text(q.period_end),
                    text(q.limit),
                    text(q.used),
                    text(q.remaining),
                    "",
                    "",
                ]
            )
        for p in result.pools:
            rows.append(
                [
                    *head,
                    "pool",
                    "",
                    p.pool,
                    text(p.period_start),
                    text(p.period_end),
                    text(p.limit),
                    text(p.used),
                    text(p.remaining),
                    "",
                    "",
                ]
            )
        for w in result.warnings:
            rows.append(
                [
                    *head,
                    "warning",
                    titles.get(w.episode or "", ""),
                    w.code,
                    "",
                    "",
                    "",
                    "",
                    "",
                    w.severity,
                    warning_text(w, reader),
                ]
            )
    return rows


class PatientChangeList(ChangeList):
    """Evaluates the page's patients through the bridge in one batch for the quota columns."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # Iterating fills the page queryset's cache, so the template renders these instances.
        attach_states(request, self.result_list, as_of=admin_today())


# ----------------------------------------------------------------------------- coverage


class CoverageForm(ServiceForm):
    class Meta:
        model = Coverage
        fields = COVERAGE_FORM_FIELDS


@admin.register(Coverage)
class CoverageAdmin(HistoryScopedAdmin):
    form = CoverageForm
    practice_path = "patient__practice"
    clinic_excluded_fields = ()
    list_display = [
        "patient",
        "year",
        "package",
        "package_check",
        "treatments",
        "budget",
        "deductible_remaining",
    ]
    list_select_related = ["patient", "package"]
    list_filter = ["year"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__national_id"]
    autocomplete_fields = ["patient", "package"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        return ("patient", "year") if obj is not None else ()

    @admin.display(description=_("package check"))
    def package_check(self, obj: Coverage) -> str:
        return coverage_package_check(obj)

    def write(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Coverage:
        data = form.cleaned_data
        patient = form.instance.patient if change else data["patient"]
        year = form.instance.year if change else data["year"]
        values = {name: data[name] for name in services.COVERAGE_FIELDS if name in data}
        return services.coverage_set(patient=patient, year=year, **values)[0]


# ----------------------------------------------------------------------------- episodes


class SituationInput(forms.TextInput):
    """A text input offering the official pathology-situation codes (MyCareNet), each labelled
    in the user's language: the browser completes on the code and on the label."""

    # The longest labels run to several hundred characters: enough to recognise one.
    LABEL_CHARS = 140

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        list_id = f"{(attrs or {}).get('id') or name}-situations"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        french = (get_language() or "").startswith("fr")
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            (
                (s.code, f"{s.code} — {(s.label_fr if french else s.label_nl)[: self.LABEL_CHARS]}")
                for s in situations.situations().values()
            ),
        )
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class EpisodeForm(ServiceForm):
    class Meta:
        model = Episode
        fields = EPISODE_FORM_FIELDS
        widgets = {"pathology": SituationInput}


def _prescription_write(episode: Episode | None, form: forms.ModelForm) -> Prescription | None:
    if episode is None or episode.pk is None or form.instance.pk is not None:
        return None
    data = form.cleaned_data
    prescription, _created = services.prescription_create(
        episode=episode,
        date=data["date"],
        sessions=data["sessions"],
        prescriber=data.get("prescriber", ""),
        prescriber_number=data.get("prescriber_number", ""),
        second_session_motivated=data.get("second_session_motivated", False),
        external_id=data.get("external_id", ""),
    )
    return prescription


class PrescriptionInlineForm(ServiceForm):
    class Meta:
        model = Prescription
        fields = PRESCRIPTION_FORM_FIELDS


class AddOnlyInline(ScopedInline):
    """An inline that adds rows through its ``write``; existing rows open on their own page."""

    can_delete = False
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PrescriptionInline(AddOnlyInline):
    """Prescriptions of the episode; new ones are recorded with ``prescription_create``."""

    model = Prescription
    form = PrescriptionInlineForm
    fields = ["date", "sessions", "prescriber", "prescriber_number", "second_session_motivated"]
    write = staticmethod(_prescription_write)  # existing ones are changed on their own page


def _session_write(episode: Episode | None, form: forms.ModelForm) -> TreatmentSession | None:
    if episode is None or episode.pk is None or form.instance.pk is not None:
        return None
    data = form.cleaned_data
    session, _created = services.session_record(
        episode=episode,
        date=data["date"],
        therapist=data.get("therapist"),
        minutes=data.get("minutes") or 30,
        place=data.get("place") or TreatmentSession.Place.PRACTICE,
        price=data.get("price"),
        external_id=data.get("external_id", ""),
        kind=data.get("kind") or TreatmentSession.Kind.PHYSIOTHERAPY,
    )
    return session


class SessionInlineForm(ServiceForm):
    class Meta:
        model = TreatmentSession
        fields = SESSION_FORM_FIELDS


class SessionInline(AddOnlyInline):
    """Sessions of the episode; new ones are recorded with ``session_record``, never deleted."""

    model = TreatmentSession
    form = SessionInlineForm
    fields = ["date", "therapist", "minutes", "place", "kind", "price", "cancelled_at"]
    readonly_fields = ["cancelled_at"]
    write = staticmethod(_session_write)  # a recorded session is cancelled, not edited


class AgreementRequestInline(ScopedInline):
    """The episode's agreement requests, for reading; each is edited on its own page."""

    model = AgreementRequest
    fields = ["kind", "status", "decision_id", "granted_from", "granted_until", "reason_code"]
    readonly_fields = ["kind", "status", "decision_id", "granted_from", "granted_until"]
    readonly_fields += ["reason_code"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Episode)
class EpisodeAdmin(HistoryScopedAdmin):
    form = EpisodeForm
    practice_path = "patient__practice"
    clinic_excluded_fields = ()
    list_display = [
        "title",
        "patient",
        "category",
        "pathology",
        "notified_on",
    ]
    list_select_related = ["patient"]
    list_filter = ["category"]
    search_fields = [
        "title",
        "external_id",
        "patient__first_name",
        "patient__last_name",
        "patient__national_id",
    ]
    autocomplete_fields = ["patient"]
    inlines = [PrescriptionInline, SessionInline, AgreementRequestInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        return ("patient", "external_id") if obj is not None else ()

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # New rows under an unsaved episode could not be validated by their services.
        if obj is None:
            return []
        found = super().get_inline_instances(request, obj)
        if obj.patient.practice.country != Country.BELGIUM:
            belgian = (PrescriptionInline, AgreementRequestInline)
            found = [i for i in found if not isinstance(i, belgian)]
        return found

    def write(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Episode:
        data = form.cleaned_data
        if change:
            return services.episode_update(
                episode=Episode.objects.select_related("patient__practice").get(
                    pk=form.instance.pk
                ),
                **{n: data[n] for n in form.changed_data if n in services.EPISODE_FIELDS},
            )
        extra = {
            name: data[name]
            for name in services.EPISODE_FIELDS
            if name in data and name not in ("title", "category")
        }
        episode, created = services.episode_create(
            patient=data["patient"],
            title=data["title"],
            category=data["category"],
            external_id=data.get("external_id", ""),
            **extra,
        )
        if not created:
            raise ValidationError({"external_id": "an episode with this external id exists"})
        return episode

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        writers = {Prescription: _prescription_write, TreatmentSession: _session_write}
        writer = writers.get(formset.model)
        if writer is None:
            super().save_formset(request, form, formset, change)
            return
        for inline_form in formset.forms:
            if inline_form.instance.pk is None and inline_form.has_changed():
                writer(form.instance, inline_form)


# ------------------------------------------------------------------- agreement requests


class AgreementRequestForm(ServiceForm):
    class Meta:
        model = AgreementRequest
        fields = [
            "episode",
            "kind",
            *agreements.REQUEST_FIELDS,
            "decision_id",
            *agreements.DECISION_FIELDS,
        ]


class AgreementAnnexInlineForm(ServiceForm):
    class Meta:
        model = AgreementAnnex
        fields = ["kind", "title", "received_on"]


def _annex_write(request: AgreementRequest | None, form: forms.ModelForm) -> AgreementAnnex | None:
    if request is None or request.pk is None or form.instance.pk is not None:
        return None
    data = form.cleaned_data
    return agreements.agreement_annex_add(
        request=request,
        kind=data["kind"],
        title=data.get("title", ""),
        received_on=data.get("received_on"),
    )


class AgreementAnnexInline(ScopedInline):
    """The request's annexes by MyCareNet annex type; new ones through ``agreement_annex_add``."""

    model = AgreementAnnex
    form = AgreementAnnexInlineForm
    fields = ["kind", "title", "received_on"]
    clinic_can_delete = True
    write = staticmethod(_annex_write)


@admin.register(AgreementRequest)
class AgreementRequestAdmin(HistoryScopedAdmin):
    """Notifications and agreement requests (MyCareNet eAgreement) and what came back."""

    form = AgreementRequestForm
    list_display = [
        "episode",
        "kind",
        "status",
        "decision_id",
        "decision_date",
        "granted_from",
        "granted_until",
        "reason_code",
    ]
    list_select_related = ["episode__patient"]
    list_filter = ["status", "kind"]
    search_fields = [
        "decision_id",
        "episode__title",
        "episode__patient__first_name",
        "episode__patient__last_name",
    ]
    autocomplete_fields = ["episode"]
    inlines = [AgreementAnnexInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        return ("episode",) if obj is not None else ()

    def write(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> AgreementRequest:
        data = form.cleaned_data
        if not change:
            content: dict[str, Any] = {
                n: _dates(data[n]) if n == "assessment_dates" else data[n]
                for n in agreements.REQUEST_FIELDS
                if n in data
            }
            created = agreements.agreement_request_create(
                episode=data["episode"], kind=data.get("kind") or "", **content
            )
            decision = {
                n: data[n]
                for n in (*agreements.DECISION_FIELDS, "decision_id")
                if n in data and data[n] not in (None, "")
            }
            if decision:
                created = agreements.agreement_decision_correct(request=created, **decision)
            return created
        stored = AgreementRequest.objects.select_related("episode__patient").get(
            pk=form.instance.pk
        )
        content = {
            n: data[n] for n in form.changed_data if n in (*agreements.REQUEST_FIELDS, "kind")
        }
        if "assessment_dates" in content:
            content["assessment_dates"] = _dates(content["assessment_dates"])
        if content:
            stored = agreements.agreement_request_update(request=stored, **content)
        decision = {
            n: data[n]
            for n in form.changed_data
            if n in (*agreements.DECISION_FIELDS, "decision_id")
        }
        if decision:
            stored = agreements.agreement_decision_correct(request=stored, **decision)
        return stored

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for inline_form in formset.forms:
            if inline_form not in formset.deleted_forms and inline_form.has_changed():
                _annex_write(form.instance, inline_form)


def _dates(value: Any) -> list[Any]:
    """The assessment dates an admin typed as a JSON list of ISO dates."""
    try:
        return [date.fromisoformat(str(d)) for d in value or []]
    except ValueError as error:
        raise ValidationError({"assessment_dates": 'ISO dates, e.g. ["2026-03-02"]'}) from error


# ------------------------------------------------------------------------ prescriptions


class PrescriptionForm(ServiceForm):
    class Meta:
        model = Prescription
        fields = PRESCRIPTION_FORM_FIELDS


@admin.register(Prescription)
class PrescriptionAdmin(HistoryScopedAdmin):
    """New prescriptions via ``prescription_create``, corrections via ``prescription_update``
    (the same checks and history as the API's PATCH)."""

    form = PrescriptionForm
    list_display = ["__str__", "episode", "date", "sessions", "prescriber", "external_id"]
    list_select_related = ["episode__patient"]
    list_filter = ["second_session_motivated"]
    date_hierarchy = "date"
    search_fields = [
        "external_id",
        "prescriber",
        "episode__patient__first_name",
        "episode__patient__last_name",
        "episode__patient__national_id",
    ]
    autocomplete_fields = ["episode"]
    clinic_excluded_fields = ("practice",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        return ("practice", "episode", "external_id") if obj is not None else ()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | tuple[str, ...]:
        # The practice follows from the episode (prescription_create sets it).
        excluded = list(super().get_exclude(request, obj))
        return [*excluded, "practice"] if obj is None and "practice" not in excluded else excluded

    def write(
        self, request: HttpRequest, form: forms.ModelForm, change: bool
    ) -> Prescription | None:
        if change:
            data = form.cleaned_data
            return services.prescription_update(
                prescription=Prescription.objects.get(pk=form.instance.pk),
                **{n: data[n] for n in form.changed_data if n in services.PRESCRIPTION_CHANGEABLE},
            )
        episode = form.cleaned_data["episode"]
        return _prescription_write(episode, form)


# ----------------------------------------------------------------------------- sessions


class SessionForm(ServiceForm):
    class Meta:
        model = TreatmentSession
        fields = SESSION_FORM_FIELDS


class CancelledFilter(admin.SimpleListFilter):
    title = _("cancelled")
    parameter_name = "cancelled"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("No")), ("yes", _("Yes"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(cancelled_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(cancelled_at__isnull=False)
        return queryset


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(ScopedImportExportMixin, HistoryScopedAdmin):
    """Sessions are recorded (``session_record``) and cancelled (``session_cancel``), never
    edited or deleted: the delete permission is removed for everyone, superusers included."""

    form = SessionForm
    resource_classes = [SessionResource]
    import_kind = ImportJob.Kind.SESSIONS
    import_formats = [ClinicCSV, ClinicXLSX]
    export_formats = [CSV, XLSX]
    list_display = [
        "id",
        "date",
        "patient",
        "episode_title",
        "therapist",
        "minutes",
        "place",
        "price",
        "status",
        "cancelled_at",
    ]
    list_display_links = ["id", "date"]
    list_select_related = ["episode__patient", "therapist__user"]
    list_filter = [CancelledFilter, "place"]
    date_hierarchy = "date"
    search_fields = [
        "external_id",
        "episode__title",
        "episode__patient__first_name",
        "episode__patient__last_name",
        "episode__patient__national_id",
    ]
    autocomplete_fields = ["episode"]
    actions = ["cancel_sessions"]
    clinic_can_change = False

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | tuple[str, ...]:
        # practice follows from the episode; cancellation is the action's job.
        return ["practice", "cancelled_at", "cancelled_by", "cancel_reason"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        if obj is None:
            return ()
        return [
            "episode",
            "date",
            "therapist",
            "minutes",
            "place",
            "kind",
            "price",
            "external_id",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A recorded session is read-only; the change page only shows it.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    @admin.display(description=_("patient"), ordering="episode__patient__last_name")
    def patient(self, obj: TreatmentSession) -> str:
        return str(obj.episode.patient)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SessionChangeList

    @admin.display(description=_("status"))
    def status(self, obj: TreatmentSession) -> str:
        """How the session is reimbursed today, or that it is cancelled (SessionChangeList)."""
        if obj.cancelled_at is not None:
            return str(_("Cancelled"))
        return str(getattr(obj, "reimbursement_label", "—"))

    @admin.display(description=_("episode"), ordering="episode__title")
    def episode_title(self, obj: TreatmentSession) -> str:
        return obj.episode.title

    def write(
        self, request: HttpRequest, form: forms.ModelForm, change: bool
    ) -> TreatmentSession | None:
        if change:
            return None
        return _session_write(form.cleaned_data["episode"], form)

    @admin.action(description=_("Cancel the selected sessions"), permissions=["cancel"])
    def cancel_sessions(
        self, request: HttpRequest, queryset: QuerySet[TreatmentSession]
    ) -> TemplateResponse | None:
        """Ask for a reason and a confirmation, then cancel (the reason goes to the history)."""
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Cancel the selected sessions"),
                "sessions": list(queryset.filter(cancelled_at__isnull=True)),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/practice/session_cancel.html", context)
        count = 0
        user = request.user
        reason = form.cleaned_data["reason"]
        for session in queryset.filter(cancelled_at__isnull=True):
            services.session_cancel(session=session, by=user, reason=reason)  # type: ignore[arg-type]
            count += 1
        self.message_user(request, _("%(count)d session(s) cancelled.") % {"count": count})
        return None


class CancelReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class SessionChangeList(ChangeList):
    """Evaluates the page's patients in one batch so each row shows how it is reimbursed."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = list(self.result_list)
        patients = Patient.objects.filter(pk__in={s.episode.patient_id for s in rows})
        labels: dict[str, str] = {}
        for _patient, result in statuses(patients=patients, as_of=admin_today()):
            for outcome in result.sessions:
                labels[outcome.id] = label(STATUS_LABELS, outcome.status)
        for session in rows:
            session.reimbursement_label = labels.get(str(session.pk), "—")


# ----------------------------------------------------------------------------- API tokens


class ApiTokenAddForm(forms.ModelForm):
    """Only what the user chooses; prefix and hash come from ``api_token_create``."""

    class Meta:
        model = ApiToken
        fields = ["name", "practice"]


@admin.register(ApiToken)
class ApiTokenAdmin(PracticeScopedAdmin):
    list_display = [
        "prefix",
        "name",
        "practice",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["practice", "created_by"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name"]
    actions = ["revoke_tokens"]
    # The key hash is never shown: it is neither in a form nor in a list or readonly field.
    readonly_fields = [
        "name",
        "practice",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return ["name"] if not _is_superuser(request) else ["name", "practice"]
        return list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is created or revoked, nothing else

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        practice = self.form_practice(request, form)
        if practice is None:  # the form requires it for a superuser; no scope otherwise
            raise PermissionDenied
        token, raw_key = api_token_create(
            practice=practice,
            name=form.cleaned_data["name"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        copy_saved(obj, token)
        # Shown once: only the hash is stored, so the key cannot be displayed again.
        self.message_user(
            request,
            _("API key for %(name)s (copy it now, it is not shown again): %(key)s")
            % {"name": token.name, "key": raw_key},
            level=messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
        self.message_user(request, _("Tokens revoked."))


# ------------------------------------------------------------------------------- imports


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports and their outcome; each job's page shows its progress, errors or summary.

    A user sees, confirms and cancels only their own jobs (a superuser every job); another
    user's job answers 404.
    """

    list_display = [
        "__str__",
        "status",
        "rows_total",
        "new",
        "updated",
        "skipped",
        "error_count",
        "created_at",
        "user",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        return imports.import_jobs_visible(
            user=request.user,
            practice=None if _is_superuser(request) else _scoped_practice(request),
        )

    def _allowed(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or _scoped_practice(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/confirm/",
                view(self.confirm_view),
                name="practice_importjob_confirm",
            ),
            path(
                "<int:object_id>/cancel/",
                view(self.cancel_view),
                name="practice_importjob_cancel",
            ),
            *super().get_urls(),
        ]

    def _job(self, request: HttpRequest, pk: Any) -> ImportJob:
        if not self._allowed(request):
            raise PermissionDenied
        job: ImportJob = get_object_or_404(self.get_queryset(request), pk=pk)
        return job

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        job = self._job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import of %(file)s") % {"file": job.original_name},
            "job": import_job_page(job),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/practice/importjob/job.html", context)

    def confirm_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        job = self._job(request, object_id)
        if request.method != "POST":
            return redirect("admin:practice_importjob_change", job.pk)
        try:
            imports.import_job_confirm(job=job)
        except imports.ImportJobStateError:
            messages.error(request, _("This import cannot be confirmed any more."))
        else:
            import_run.enqueue(job_id=job.pk)
        return redirect("admin:practice_importjob_change", job.pk)

    def cancel_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        job = self._job(request, object_id)
        if request.method != "POST":
            return redirect("admin:practice_importjob_change", job.pk)
        try:
            imports.import_job_cancel(job=job)
        except imports.ImportJobStateError:
            messages.error(request, _("This import has already ended."))
        return redirect("admin:practice_importjob_change", job.pk)


def import_job_page(job: ImportJob) -> dict[str, Any]:
    """What a job's page shows, as plain data (rows done live from the worker while running)."""
    done = imports.import_job_rows_done(job=job)
    total = job.rows_total
    list_name = "patient" if job.kind == ImportJob.Kind.PATIENTS else "treatmentsession"
    return {
        "pk": job.pk,
        "name": job.original_name,
        "kind": job.get_kind_display(),
        "status": job.status,
        "status_label": job.get_status_display(),
        "running": job.status in imports.RUNNING,
        "checked": job.status == ImportJob.Status.CHECKED,
        "done": job.status == ImportJob.Status.DONE,
        "cancellable": job.status not in imports.ENDED,
        "cancel_requested": job.status in imports.RUNNING
        and imports.import_job_cancel_requested(job=job),
        "rows_done": done,
        "rows_total": total,
        "percent": int(100 * done / total) if total else 0,
        "new": job.new,
        "updated": job.updated,
        "skipped": job.skipped,
        "error_count": job.error_count,
        "errors": job.errors,
        "more_errors": max(0, job.error_count - len(job.errors)),
        "max_rows": MAX_ROWS,
        "list_url": reverse(f"admin:practice_{list_name}_changelist"),
        "import_url": reverse(f"admin:practice_{list_name}_import"),
        "jobs_url": reverse("admin:practice_importjob_changelist"),
    }
