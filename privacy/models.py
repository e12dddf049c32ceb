"""Who exported or anonymised whose personal data, when and on what ground.

Rows are written only by ``privacy.services``; the admin shows them and can neither edit nor
delete them. The patient is kept as an id, not a link: the row outlives the patient and
holds no name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import Practice


class PrivacyLogEntry(models.Model):
    class Action(models.TextChoices):
        EXPORT = "export", _("Export of the patient's data")
        ANONYMISE = "anonymise", _("Anonymisation")

    class Ground(models.TextChoices):
        # Blank for an export: the patient's right of access (GDPR art. 15) needs no ground.
        RETENTION_OVER = "retention_over", _("The legal retention period has ended")
        LAWFUL_REQUEST = "lawful_request", _("Lawful request")

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="+", verbose_name=_("practice")
    )
    patient_id = models.PositiveBigIntegerField(_("patient id"), db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices, blank=True)
    reference = models.TextField(_("reference"), blank=True)
    # Kept as a link and as the name at the time: the log must survive a removed login.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150)
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data log entry")
        verbose_name_plural = _("personal data log")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="anonymise") | ~models.Q(ground=""),
                name="privacy_anonymise_has_ground",
            ),
            models.CheckConstraint(
                condition=~models.Q(ground="lawful_request") | ~models.Q(reference=""),
                name="privacy_lawful_request_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.patient_id} {self.at:%Y-%m-%d}"
