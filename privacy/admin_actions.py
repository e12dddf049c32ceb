"""The patient admin's personal-data tools: export (action and button) and anonymise (action).

A mixin for ``practice.admin.PatientAdmin``, which says whose patients the user may touch
through ``personal_data_practice``. Each view parses, calls one service per patient, and
renders; the services refuse another practice's patient themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from practice.models import Patient, Practice
from privacy import services
from privacy.models import PrivacyLogEntry
from privacy.retention import EarlyErasure, RetentionRule
from privacy.selectors import anonymise_preview


class AnonymiseForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=PrivacyLogEntry.Ground.choices,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Reference of the request"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "For example: the patient's written request of 2 March 2026 (BW 7:455), or the "
            "court order with its date and number."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("ground") == PrivacyLogEntry.Ground.LAWFUL_REQUEST
            and not (cleaned.get("reference") or "").strip()
        ):
            self.add_error("reference", _("Name the request: who asked, when, and on what basis."))
        return cleaned


def _download(export: services.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    return response


if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Patient]
else:
    _AdminBase = object


class PersonalDataAdminMixin(_AdminBase):
    """Export and anonymise patients; needs ``personal_data_practice`` from the admin.

    Export and anonymise go through the admin's own ``get_queryset`` (scoped to the
    practice) and then the services, which check the practice again.
    """

    def personal_data_practice(self, request: HttpRequest) -> Practice | None:
        """The user's practice; ``None`` for a superuser (every practice)."""
        raise NotImplementedError

    # -- export

    def _export(self, request: HttpRequest, patient_ids: list[int]) -> HttpResponse:
        try:
            export = services.patient_export(
                patient_ids=patient_ids,
                practice=self.personal_data_practice(request),
                user=request.user,
                at=timezone.now(),
                language=get_language() or "en",
            )
        except services.NotYourPatient as error:
            raise PermissionDenied("not a patient of your practice") from error
        return _download(export)

    @admin.action(description=_("Export the personal data of the selected patients (ZIP)"))
    def export_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Patient]
    ) -> HttpResponse:
        return self._export(request, list(queryset.values_list("pk", flat=True)))

    def personal_data_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's button: this patient's export (POST, so it is never prefetched)."""
        # Scope first: another practice's patient is refused whatever the method.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise PermissionDenied("not a patient of your practice")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._export(request, [int(object_id)])

    def personal_data_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.personal_data_view)
        return [path("<int:object_id>/personal-data/", view, name="practice_patient_personal_data")]

    # -- anonymise

    @admin.action(description=_("Anonymise the selected patients…"))
    def anonymise_patients(
        self, request: HttpRequest, queryset: QuerySet[Patient]
    ) -> HttpResponseBase | None:
        """Show each patient's retention and ask for the ground; then anonymise one by one."""
        confirmed = "confirm" in request.POST
        form = AnonymiseForm(request.POST if confirmed else None)
        patients = list(queryset.select_related("practice").order_by("pk"))
        if not confirmed or not form.is_valid():
            on = timezone.localdate()
            rows = [
                {
                    "patient": row.patient,
                    "last_contact": _day(row.retention.last_contact),
                    "last_change": _day(row.retention.last_change),
                    "ends_on": _day(row.retention.ends_on),
                    "law": row.retention.rule.law,
                    "early": _early(row.retention.rule),
                    "years": row.retention.rule.years,
                    "over": row.over,
                    "anonymised": row.anonymised,
                }
                for row in anonymise_preview(patients=patients, on=on)
            ]
            context = {
                **self.admin_site.each_context(request),
                "title": _("Anonymise patients"),
                "rows": rows,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/privacy/anonymise_confirm.html", context)
        at = timezone.now()
        for patient in patients:
            try:
                done = services.patient_anonymise(
                    patient_id=patient.pk,
                    practice=self.personal_data_practice(request),
                    user=request.user,
                    at=at,
                    ground=form.cleaned_data["ground"],
                    reference=form.cleaned_data["reference"],
                )
            except services.NotYourPatient as error:
                raise PermissionDenied("not a patient of your practice") from error
            except services.RetentionNotOver as refused:
                self.message_user(
                    request,
                    gettext(
                        "Patient %(id)s was not anonymised: the retention period (%(law)s) "
                        "runs until %(date)s. Before then only a lawful request allows it."
                    )
                    % {
                        "id": patient.pk,
                        "law": refused.retention.rule.law,
                        "date": _day(refused.retention.ends_on),
                    },
                    messages.ERROR,
                )
                continue
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                continue
            if done.already:
                self.message_user(
                    request,
                    gettext("Patient %(id)s was already anonymised.") % {"id": patient.pk},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    gettext("Patient %(id)s is anonymised.") % {"id": patient.pk},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(reverse("admin:practice_patient_changelist"))


EARLY_ERASURE = {
    EarlyErasure.PATIENT_REQUEST: _("the patient's written request (%(law)s)"),
    EarlyErasure.LEGAL_ORDER: _("a court order or another legal obligation (%(law)s)"),
}


def _early(rule: RetentionRule) -> str:
    return str(EARLY_ERASURE[rule.early_erasure]) % {"law": rule.early_erasure_law}


def _day(value: Any) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value is not None else "—"
