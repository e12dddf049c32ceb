"""CSV/XLSX import and export of patients and sessions (django-import-export).

Every imported row is written through ``practice.services``, so the same validation applies as
in the API (national ids validated and stored compact, therapists of the practice only …). A
service's ``ValidationError`` becomes that row's error in the preview; the admin's first step
is a dry run in a transaction that is rolled back, and rows are only written after the user
confirms a preview without errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from practice import services
from practice.models import Episode, Patient, Practice, Therapist, TreatmentSession

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"): ``=HYPERLINK(…)``, ``@SUM(…)``, ``+1+cmd|…``, and tab or carriage
# return ahead of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Return a text cell with an apostrophe ahead of it when a spreadsheet would run it.

    Only text: numbers and dates stay what they are. django-import-export's own
    ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` is not used: it strips only a leading ``=``
    (losing data) and turns every XLSX cell into text, numbers included.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def copy_saved(target: models.Model, saved: models.Model) -> None:
    """Make ``target`` mirror the row a service saved (pk and stored, normalised values)."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _too_long(instance: models.Model, *, exempt: tuple[str, ...]) -> dict[str, str]:
    # The services do not check lengths (the API and admin forms do); without this a long
    # cell is stored on SQLite and fails as a database error on PostgreSQL.
    return {
        field.name: _("at most %(count)s characters") % {"count": field.max_length}
        for field in instance._meta.concrete_fields
        if isinstance(field, models.CharField)
        and field.max_length
        and field.name not in exempt
        and len(str(getattr(instance, field.attname) or "")) > field.max_length
    }


def _require(instance: models.Model, *names: str) -> None:
    missing = [name for name in names if getattr(instance, name) in (None, "")]
    if missing:
        raise ValidationError(dict.fromkeys(missing, _("this column is required")))


class StrictBooleanWidget(widgets.BooleanWidget):
    """A yes/no cell; anything but 1/0, true/false or empty is a row error, not ``False``."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value not in (*self.TRUE_VALUES, *self.FALSE_VALUES, *self.NULL_VALUES):
            raise ValueError(
                _("not a yes/no value: %(cell)s; use 1 or 0") % {"cell": repr(str(value)[:40])}
            )
        return super().clean(value, row, **kwargs)


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up in a given queryset; an unknown value is a row error."""

    def __init__(self, model: type[models.Model], field: str, queryset: QuerySet[Any]) -> None:
        super().__init__(model, field)
        self._queryset = queryset

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        return self._queryset

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist as error:
            # A ValueError becomes a per-field validation error of the row (not a traceback).
            name = self.model._meta.verbose_name
            raise ValueError(
                _("no %(record)s %(value)s in this practice")
                % {"record": name, "value": repr(value)}
            ) from error


class PracticeScopedResource(resources.ModelResource):
    """A resource bound to the importing user's practice (``None``: a superuser, all practices)."""

    def __init__(self, practice: Practice | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.practice = practice
        # The practice's rows named by the dataset's external ids, looked up once per dataset
        # (an import reads its file a few hundred rows at a time) instead of once per row.
        self._known: dict[str, Any] | None = None

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self._known = None
        if self.practice is None or "external_id" not in (dataset.headers or ()):
            return  # a superuser's rows name their practices: looked up row by row
        ids = {str(value) for value in dataset["external_id"] if value}
        self._known = {
            str(found.external_id): found
            for found in self.get_queryset().filter(practice=self.practice, external_id__in=ids)
        }

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        # External ids are unique per practice, not globally: look the row up in its practice.
        # A row without an external id is always new ("" must not match every such row).
        external_id = row.get("external_id")
        if not external_id:
            return None
        if self._known is not None:
            return self._known.get(str(external_id))
        practice = self.row_practice(row)
        if practice is None:
            return None  # reported by the row's own validation
        return self.get_queryset().filter(practice=practice, external_id=external_id).first()

    # Cells the service normalises before storing (a national id with separators).
    length_exempt: tuple[str, ...] = ()

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        # Names and ids come from patients and practice systems: never a live formula.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def row_practice(self, row: Any) -> Practice | None:
        raise NotImplementedError

    def import_field(self, field: Any, instance: Any, row: Any, *args: Any, **kwargs: Any) -> None:
        # A number widget fails on "thirty" with decimal's InvalidOperation; as a ValueError
        # it becomes an error of that column of the row, like any other unreadable cell.
        try:
            super().import_field(field, instance, row, *args, **kwargs)
        except ArithmeticError as error:
            cell = str(row.get(field.column_name, ""))[:40]
            raise ValueError(_("not a number: %(cell)s") % {"cell": repr(cell)}) from error

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: Any = None,
        validate_unique: bool = True,
    ) -> None:
        # The errors of reading the row's cells and their lengths; the service validates the
        # rest on save.
        errors = {
            **(import_validation_errors or {}),
            **_too_long(instance, exempt=self.length_exempt),
        }
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        # import_data always runs in a transaction here (dry runs are rolled back), so the
        # service is called on dry runs too: that is how the preview shows its errors.
        saved = self.write(instance, is_create)
        if saved is not None:
            copy_saved(instance, saved)
            if self._known is not None and instance.external_id:
                # The same id further down the file finds this row, as the database would.
                self._known[str(instance.external_id)] = instance

    def write(self, instance: Any, is_create: bool) -> models.Model | None:
        raise NotImplementedError


class PatientResource(PracticeScopedResource):
    """Patients by external id: new ones via ``patient_create``, known ones via ``patient_update``.

    ``practice`` (its id) is read only for a superuser's import; a clinic administrator's rows
    always go to their own practice.
    """

    practice = fields.Field(
        attribute="practice", column_name="practice", widget=widgets.ForeignKeyWidget(Practice)
    )
    preferential = fields.Field(
        attribute="preferential", column_name="preferential", widget=StrictBooleanWidget()
    )
    length_exempt = ("national_id",)

    class Meta:
        model = Patient
        fields = (
            "external_id",
            "first_name",
            "last_name",
            "birth_date",
            "national_id",
            "preferential",
            "practice",
        )
        import_id_fields = ("external_id",)
        use_transactions = True
        clean_model_instances = False
        # No before/after diff of every row: the import's pages show counts and errors only.
        skip_diff = True

    def get_queryset(self) -> QuerySet[Patient]:
        queryset = Patient.objects.select_related("practice")
        if self.practice is not None:
            queryset = queryset.filter(practice=self.practice)
        return queryset

    def get_import_fields(self) -> list[fields.Field]:
        # A clinic administrator imports into their own practice, whatever the column says.
        found = super().get_import_fields()
        if self.practice is not None:
            return [f for f in found if f.column_name != "practice"]
        return found

    def row_practice(self, row: Any) -> Practice | None:
        if self.practice is not None:
            return self.practice
        practice_id = _int_or_none(row.get("practice"))
        return None if practice_id is None else Practice.objects.filter(pk=practice_id).first()

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if self.practice is not None:
            instance.practice = self.practice

    def write(self, instance: Any, is_create: bool) -> models.Model | None:
        _require(instance, "first_name", "last_name", "birth_date")
        if is_create:
            if instance.practice_id is None:
                raise ValidationError({"practice": _("give the practice id of the patient")})
            patient, _created = services.patient_create(
                practice=instance.practice,
                first_name=instance.first_name,
                last_name=instance.last_name,
                birth_date=instance.birth_date,
                national_id=instance.national_id or "",
                preferential=bool(instance.preferential),
                external_id=instance.external_id or "",
            )
            return patient
        stored = Patient.objects.select_related("practice").get(pk=instance.pk)
        if instance.practice_id != stored.practice_id:
            raise ValidationError({"practice": _("a patient cannot move to another practice")})
        return services.patient_update(
            patient=stored,
            first_name=instance.first_name,
            last_name=instance.last_name,
            birth_date=instance.birth_date,
            national_id=instance.national_id or "",
            preferential=bool(instance.preferential),
        )


class SessionResource(PracticeScopedResource):
    """Sessions by external id, recorded with ``session_record``.

    ``episode`` is the episode's id, ``therapist`` the therapist's username, both looked up in
    the importing practice. A known external id is skipped: a recorded session is never edited
    (cancel it in the admin and record a new one).
    """

    episode = fields.Field(attribute="episode", column_name="episode")
    therapist = fields.Field(attribute="therapist", column_name="therapist")
    cancelled = fields.Field(column_name="cancelled", readonly=True)

    class Meta:
        model = TreatmentSession
        fields = (
            "id",
            "external_id",
            "episode",
            "date",
            "therapist",
            "minutes",
            "place",
            "kind",
            "price",
            "cancelled",
        )
        import_id_fields = ("external_id",)
        use_transactions = True
        clean_model_instances = False
        # No before/after diff of every row: the import's pages show counts and errors only.
        skip_diff = True
        report_skipped = True

    def __init__(self, practice: Practice | None = None, **kwargs: Any) -> None:
        super().__init__(practice=practice, **kwargs)
        episodes = Episode.objects.select_related("patient__practice")
        therapists = Therapist.objects.select_related("user")
        if practice is not None:
            episodes = episodes.filter(patient__practice=practice)
            therapists = therapists.filter(practice=practice)
        self.fields["episode"].widget = ScopedForeignKeyWidget(Episode, "pk", episodes)
        self.fields["therapist"].widget = ScopedForeignKeyWidget(
            Therapist, "user__username", therapists
        )

    def get_import_fields(self) -> list[fields.Field]:
        # "id" is exported for reference only; imports identify sessions by external id.
        return [f for f in super().get_import_fields() if f.column_name != "id"]

    def get_queryset(self) -> QuerySet[TreatmentSession]:
        queryset = TreatmentSession.objects.select_related(
            "episode__patient__practice", "therapist__user"
        )
        if self.practice is not None:
            queryset = queryset.filter(practice=self.practice)
        return queryset

    def dehydrate_cancelled(self, session: TreatmentSession) -> str:
        return session.cancelled_at.isoformat() if session.cancelled_at else ""

    def skip_row(
        self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None
    ) -> bool:
        return bool(instance.pk) and not import_validation_errors

    def row_practice(self, row: Any) -> Practice | None:
        if self.practice is not None:
            return self.practice
        episode_id = _int_or_none(row.get("episode"))
        if episode_id is None:
            return None
        episode = Episode.objects.select_related("patient__practice").filter(pk=episode_id).first()
        return episode.patient.practice if episode else None

    def write(self, instance: Any, is_create: bool) -> models.Model | None:
        if instance.episode_id is None:
            raise ValidationError({"episode": _("give the id of the session's episode")})
        _require(instance, "date")
        session, _created = services.session_record(
            episode=instance.episode,
            date=instance.date,
            therapist=instance.therapist,
            minutes=instance.minutes or 30,
            place=instance.place or TreatmentSession.Place.PRACTICE,
            price=instance.price,
            external_id=instance.external_id or "",
            kind=instance.kind or TreatmentSession.Kind.PHYSIOTHERAPY,
        )
        return session
