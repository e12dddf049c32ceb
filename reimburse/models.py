"""Clinic-editable rule data: insurer supplementary packages per year (NL), loaded tariffs (BE)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class InsurerPackage(models.Model):
    """An insurer's supplementary package for one calendar year, with its source.

    ``treatments`` (count per year) or ``budget`` (euros per year); neither means the package
    gives no physiotherapy cover. Converted to ``engine.types.Coverage`` at the boundary.
    """

    insurer = models.CharField(_("insurer"), max_length=100)
    name = models.CharField(_("package"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    treatments = models.PositiveSmallIntegerField(_("treatments per year"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget per year (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    carry_over_max = models.PositiveSmallIntegerField(_("carry-over maximum"), default=0)
    pays_chronic_first_20 = models.BooleanField(
        _("pays the first 20 of a chronic indication"), default=False
    )
    manual_therapy_limit = models.PositiveSmallIntegerField(
        _("of which manual therapy at most"), null=True, blank=True
    )
    notes = models.TextField(_("coverage notes"), blank=True)
    source = models.URLField(_("source"), max_length=500)
    checked_on = models.DateField(_("source checked on"))
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("False where the year or figures are uncertain.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["insurer", "name", "-year"]
        verbose_name = _("insurer package")
        verbose_name_plural = _("insurer packages")
        constraints = [
            models.UniqueConstraint(
                fields=["insurer", "name", "year"], name="package_unique_per_year"
            ),
            models.CheckConstraint(
                condition=~Q(treatments__isnull=False, budget__isnull=False),
                name="package_treatments_or_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.name} {self.year}"


class LoadedTariff(models.Model):
    """A row of an official Belgian tariff table a clinic loaded (``manage.py load_tariffs``).

    Valid on ``[valid_from, valid_until)`` (``valid_until`` empty = still in force); on its
    dates it wins over the shipped ``tariffs.csv``. Written only by ``reimburse.tariffs``;
    converted to ``engine.types.Tariff`` at the boundary.
    """

    code = models.CharField(_("nomenclature code"), max_length=6)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    fee = models.DecimalField(_("fee (EUR)"), max_digits=10, decimal_places=2)
    insurer = models.DecimalField(_("insurer pays (EUR)"), max_digits=10, decimal_places=2)
    insurer_preferential = models.DecimalField(
        _("insurer pays, preferential (EUR)"), max_digits=10, decimal_places=2
    )
    confidence = models.CharField(_("confidence"), max_length=100)
    source = models.TextField(_("source"))
    file_name = models.CharField(_("loaded from"), max_length=255)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = _("loaded tariff")
        verbose_name_plural = _("loaded tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="loaded_tariff_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="loaded_tariff_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.valid_from}"


class AttentionSnapshot(models.Model):
    """A patient's Needs attention warnings as last computed, and whether they still hold.

    Written only by ``reimburse.attention.store``: ``attention_invalidate`` raises
    ``version`` in the transaction of every write to the patient's records
    (``attention.signals``); the read that computes the warnings stores them with the
    ``version`` it read *before* reading the records. They hold while
    ``computed_version == version``, the day asked for is in ``[as_of, valid_until)`` and
    ``rules`` is the engine's fingerprint; anything else is computed again. Deleting rows is
    always safe: they come back on the next read.
    """

    patient = models.OneToOneField(
        "practice.Patient",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="attention",
        verbose_name=_("patient"),
    )
    version = models.BigIntegerField(_("records version"), default=0)
    computed_version = models.BigIntegerField(_("computed at version"), null=True)
    as_of = models.DateField(_("as of"), null=True)
    # The first day the warnings may differ with the same records (attention.horizon.stable_until).
    valid_until = models.DateField(_("valid until"), null=True)
    rules = models.CharField(_("rules fingerprint"), max_length=64, blank=True)
    # [{code, severity, message, episode, session, episode_title}], as the engine's warnings.
    warnings = models.JSONField(_("warnings"), default=list)
    # What Needs attention ranks each of ``warnings`` on, in the same order
    # (``attention.urgency.ranking``): [{lead, more, severity_rank, code_rank, reached, deadline}].
    ranking = models.JSONField(_("ranking"), default=list, db_default=[])

    class Meta:
        verbose_name = _("Needs attention snapshot")
        verbose_name_plural = _("Needs attention snapshots")

    def __str__(self) -> str:
        return f"{self.patient_id} @ {self.as_of} v{self.computed_version}/{self.version}"


class AttentionRow(models.Model):
    """One warning of a stored Needs attention list, with what the list ranks and counts it on.

    Written by the database alone: triggers on ``AttentionSnapshot`` (migration
    ``0005_attention_rows``) replace a patient's rows from the snapshot's ``warnings`` and
    ``ranking`` in the very statement that stores them, and delete them with it, so the rows
    always say what the stored list says, whoever writes it. Needs attention pages and counts
    these rows in SQL and reads the stored parameters of the rows it shows only.
    """

    # The patient of the snapshot (its primary key), joined directly for the practice and the
    # name. No foreign key constraint: the rows go with the snapshot by trigger, which a raw
    # DELETE of snapshots fires too (Django's own cascade would not see it).
    patient = models.ForeignKey(
        "practice.Patient",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (patient, position) serves
        related_name="attention_rows",
        verbose_name=_("patient"),
    )
    position = models.PositiveIntegerField(_("position in the list"))
    code = models.CharField(_("code"), max_length=40)
    severity = models.CharField(_("severity"), max_length=16)
    # The row the list shows for its episode and code, and how many others it stands for.
    lead = models.BooleanField(_("shown"))
    more = models.PositiveIntegerField(_("repeats"))
    severity_rank = models.PositiveSmallIntegerField(_("severity rank"))
    code_rank = models.PositiveSmallIntegerField(_("code rank"))
    reached = models.BooleanField(_("limit reached"))
    deadline = models.DateField(_("deadline"), null=True)

    class Meta:
        verbose_name = _("Needs attention row")
        verbose_name_plural = _("Needs attention rows")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "position"], name="attention_row_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} #{self.position} {self.code}"
