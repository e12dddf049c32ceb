"""The practice's records: practices, therapists, patients, episodes, prescriptions, sessions.

Models stay thin (fields, constraints, choices, ``__str__``). Writes go through
``practice.services``; reads through ``practice.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Country(models.TextChoices):
    BELGIUM = "BE", _("Belgium")
    NETHERLANDS = "NL", _("Netherlands")


class Practice(models.Model):
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class Therapist(models.Model):
    class Role(models.TextChoices):
        THERAPIST = "therapist", _("Therapist")
        ADMINISTRATOR = "administrator", _("Clinic administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="therapists")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.THERAPIST)
    # RIZIV/INAMI number (BE, 11 digits) or AGB code (NL, 8 digits), compact digits only.
    riziv_number = models.CharField(
        _("RIZIV/INAMI number"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{11}$", _("11 digits, without dots or dashes"))],
    )
    agb_code = models.CharField(
        _("AGB code"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{8}$", _("8 digits"))],
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("therapist")
        verbose_name_plural = _("therapists")
        constraints = [
            models.CheckConstraint(
                condition=Q(riziv_number="") | Q(riziv_number__regex=r"^[0-9]{11}$"),
                name="therapist_riziv_number_11_digits",
            ),
            models.CheckConstraint(
                condition=Q(agb_code="") | Q(agb_code__regex=r"^[0-9]{8}$"),
                name="therapist_agb_code_8_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ConventionAdherence(models.Model):
    """A Belgian physiotherapist's adherence to the convention over ``[valid_from, valid_until)``.

    Without a period covering a session's date the physiotherapist is taken as conventioned
    (the contract's default). A non-conventioned physiotherapist's patients without
    preferential status get 75 % of the reimbursement on the dates that rule is in force,
    and the session's price is the fee (update-2025-2026 §1.2; contract v2).
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="conventions")
    adheres = models.BooleanField(_("adheres to the convention"), default=True)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until (exclusive)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["therapist", "valid_from"]
        verbose_name = _("convention status")
        verbose_name_plural = _("convention status")
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "valid_from"], name="convention_one_start_per_therapist"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="convention_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} {self.valid_from:%Y-%m-%d}"


class Patient(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="patients")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    # INSZ/NISS (BE) or BSN (NL), validated with python-stdnum and stored compact.
    national_id = models.CharField(_("national id"), max_length=11, blank=True)
    # BE: verhoogde tegemoetkoming / intervention majorée (BIM).
    preferential = models.BooleanField(_("preferential status"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "national_id"],
                condition=~Q(national_id=""),
                name="patient_national_id_unique_per_practice",
            ),
            models.UniqueConstraint(
                fields=["practice", "external_id"],
                condition=~Q(external_id=""),
                name="patient_external_id_unique_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Coverage(models.Model):
    """An NL patient's supplementary package for one calendar year, and the deductible left.

    Points at a catalogue package, or states its numbers directly (the direct numbers win).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    year = models.PositiveSmallIntegerField(_("year"))
    package = models.ForeignKey(
        "reimburse.InsurerPackage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coverages",
    )
    insurer = models.CharField(_("insurer"), max_length=100, blank=True)
    package_name = models.CharField(_("package"), max_length=100, blank=True)
    treatments = models.PositiveSmallIntegerField(_("treatments per year"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget per year (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    carry_over_max = models.PositiveSmallIntegerField(
        _("carry-over maximum"), null=True, blank=True
    )
    # Eigen risico still open at the first session of the year here (other care may have used some).
    deductible_remaining = models.DecimalField(
        _("deductible remaining (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Every save moves it (incremental sync, ETag); writes go through save(), never .update().
    updated_at = models.DateTimeField(auto_now=True)
    # Treatments (or euros, for a budget) of this year's allowance used at another practice.
    used_elsewhere = models.DecimalField(
        _("used at another practice (treatments or EUR)"),
        max_digits=10,
        decimal_places=2,
        default=0,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "-year"]
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        constraints = [
            models.UniqueConstraint(fields=["patient", "year"], name="coverage_one_per_year"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="coverage_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(deductible_remaining__isnull=True) | Q(deductible_remaining__gte=0),
                name="coverage_deductible_positive",
            ),
            models.CheckConstraint(
                condition=Q(used_elsewhere__gte=0), name="coverage_used_elsewhere_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.year}"


class Episode(models.Model):
    """One thing being treated: a BE pathological situation or an NL indication."""

    class Category(models.TextChoices):
        # Belgium (RIZIV/INAMI article 7)
        COURANTE = "courante", _("Common pathology (courante)")
        FA = "fa", _("Fa list (acute)")
        FB = "fb", _("Fb list (chronic)")
        E = "e", _("E list (heavy pathology)")
        PERINATAL = "perinatal", _("Perinatal")
        PALLIATIVE = "palliative", _("Palliative at home")
        # The Netherlands
        REGULAR = "regular", _("Not on the chronic list")
        CHRONIC = "chronic", _("Chronic list (Bijlage 1)")
        OSTEOARTHRITIS = "osteoarthritis", _("Osteoarthritis hip/knee")
        CLAUDICATION = "claudication", _("Intermittent claudication")
        PELVIC_FLOOR = "pelvic_floor", _("Pelvic floor (urinary incontinence)")
        COPD = "copd", _("COPD")
        RHEUMATOID_ARTHRITIS = "rheumatoid_arthritis", _("Severe rheumatoid arthritis")

    class ReferralBy(models.TextChoices):
        GP = "gp", _("General practitioner")
        SPECIALIST = "specialist", _("Specialist")

    # The patient's practice, stored so the database can hold external ids unique per practice.
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    # BE: list code (fa-1 … fa-17, fb-51, fb-54 … fb-60, e-a … e-l).
    pathology = models.CharField(_("list code"), max_length=10, blank=True)
    notified_on = models.DateField(_("notification received on"), null=True, blank=True)
    # BE, sessions used elsewhere (contract v2): sessions of this situation given by another
    # practice, per calendar year ({"2026": 7}), and the first session when the treatment began
    # there (an Fa or Fb period starts on it). Agreements are ``AgreementRequest`` rows.
    prior_sessions = models.JSONField(
        _("sessions at another practice, per year"), default=dict, blank=True
    )
    first_session_on = models.DateField(
        _("first session (at another practice) on"), null=True, blank=True
    )
    # NL
    condition = models.CharField(_("chronic-list condition"), max_length=50, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    gold_class = models.CharField(_("GOLD class"), max_length=2, blank=True)
    gold_stage = models.PositiveSmallIntegerField(_("GOLD stage"), null=True, blank=True)
    prior_treatments = models.PositiveSmallIntegerField(_("prior treatments"), default=0)
    first_treatment_on = models.DateField(_("first treatment on"), null=True, blank=True)
    referral_date = models.DateField(_("referral date"), null=True, blank=True)
    referral_by = models.CharField(
        _("referred by"), max_length=20, choices=ReferralBy.choices, blank=True
    )
    extension = models.BooleanField(_("children: second series justified"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "created_at"]
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        constraints = [
            models.CheckConstraint(
                condition=Q(gold_stage__isnull=True) | Q(gold_stage__gte=1, gold_stage__lte=4),
                name="episode_gold_stage_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(term_months__isnull=True) | Q(term_months__gte=1),
                name="episode_term_positive",
            ),
            models.CheckConstraint(
                condition=Q(referral_date__isnull=True) | ~Q(referral_by=""),
                name="episode_referral_has_referrer",
            ),
            models.UniqueConstraint(
                fields=["practice", "external_id"],
                condition=~Q(external_id=""),
                name="episode_external_id_unique_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_category_display()})"


class Prescription(models.Model):
    """A BE medical prescription (art. 7 §3) for a number of sessions."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="prescriptions")
    date = models.DateField(_("prescription date"))
    prescriber = models.CharField(_("prescriber"), max_length=200, blank=True)
    prescriber_number = models.CharField(_("prescriber RIZIV number"), max_length=11, blank=True)
    sessions = models.PositiveSmallIntegerField(_("prescribed sessions"))
    second_session_motivated = models.BooleanField(
        _("second session a day motivated"), default=False
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "date", "id"]
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1), name="prescription_sessions_positive"
            ),
            models.UniqueConstraint(
                fields=["practice", "external_id"],
                condition=~Q(external_id=""),
                name="prescription_external_id_unique_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} × {self.sessions}"


class TreatmentSession(models.Model):
    """A session done or planned; cancelled sessions are kept with who cancelled them and when."""

    class Place(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        HOME = "home", _("Home")

    class Kind(models.TextChoices):
        # NL: a package may limit manual therapy within its allowance (A4); dry needling is an
        # ordinary physiotherapy session and counts as one (coverage note).
        PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
        MANUAL_THERAPY = "manual_therapy", _("Manual therapy")

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    place = models.CharField(
        _("place"), max_length=10, choices=Place.choices, default=Place.PRACTICE
    )
    kind = models.CharField(
        _("kind of treatment"), max_length=20, choices=Kind.choices, default=Kind.PHYSIOTHERAPY
    )
    # NL: what the practice charges for the session (needed for euro amounts and the deductible).
    price = models.DecimalField(
        _("price (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # The one-time key of the therapist's form that recorded it: a double submit records once.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="session_minutes_positive"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="session_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(cancelled_by__isnull=False),
                name="session_cancel_has_author",
            ),
            models.UniqueConstraint(
                fields=["practice", "external_id"],
                condition=~Q(external_id=""),
                name="session_external_id_unique_per_practice",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=Q(submission_key__isnull=False),
                name="session_submission_key_unique",
            ),
        ]
        indexes = [
            # Loading one episode's sessions in date order (the bridge to the engine); Needs
            # attention's probes "has this episode a session on or after day X / on day X"
            # and its read of the sessions of the episodes it needs (reimburse.services).
            models.Index(fields=["episode", "date"], name="session_episode_date_idx"),
            # Needs attention's first and last day of each episode's sessions in use (two
            # probes an episode, ``attention.compute._unread_selection``): answered from the
            # index alone, without reading each probe's row for ``cancelled_at``. 0.214 ->
            # 0.184 s of CPU for the selection of 25,406 episodes on PostgreSQL.
            models.Index(
                fields=["episode", "date"],
                condition=Q(cancelled_at__isnull=True),
                name="session_episode_date_used_idx",
            ),
            # Practice-wide date-range lists (API filters, needs-attention feed).
            models.Index(fields=["practice", "date"], name="session_practice_date_idx"),
            # The API's incremental sync: ?updated_since=, ordered by (updated_at, id).
            models.Index(
                fields=["practice", "updated_at", "id"], name="session_practice_updated_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.episode.title}"


class PriorUse(models.Model):
    """A BE patient's use of the year's shared limits at another practice (contract v2).

    ``overflow``: overflow sessions (beyond a situation's 18) billed elsewhere that calendar
    year; ``situations``: courante situations treated elsewhere earlier that year (they rank
    before this practice's).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prior_uses")
    year = models.PositiveSmallIntegerField(_("year"))
    overflow = models.PositiveSmallIntegerField(
        _("overflow sessions at another practice"), default=0
    )
    situations = models.PositiveSmallIntegerField(
        _("courante situations at another practice"), default=0
    )
    # Every save moves it (the API's ETag and incremental sync, as for the other records).
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "-year"]
        verbose_name = _("use at another practice")
        verbose_name_plural = _("uses at another practice")
        constraints = [
            models.UniqueConstraint(fields=["patient", "year"], name="prior_use_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.year}"


class AgreementKind(models.TextChoices):
    """The MyCareNet eAgreement types of physiotherapy (``agreement-types`` code system)."""

    FA = "physiotherapy-fa", _("Fa notification")
    FB = "physiotherapy-fb", _("Fb notification")
    E = "physiotherapy-e", _("E request")
    EB = "physiotherapy-eb", _("E request (eb code)")
    COMMON_1 = "physiotherapy-common-1", _("1st courante series")
    COMMON_2_AND_MORE = "physiotherapy-common-2-and-more", _("2nd or 3rd courante series")
    MATERNITY = "physiotherapy-maternity", _("Perinatal")
    PALLIATIVE = "physiotherapy-palliative", _("Palliative at home")


class AnnexKind(models.TextChoices):
    """MyCareNet annex types (``annex-types`` code system, the physiotherapy part)."""

    FUNCTIONAL_REPORT = "functional-report", _("Functional report")
    MEDICAL_REPORT = "medical-report", _("Medical report")
    PHYSIOTHERAPIST_REPORT = "physiotherapist-report", _("Physiotherapist's report")
    CRA_JUSTIFICATION = "cra-justification", _("Advising physician's justification")
    SCOLIOSIS_PROTOCOL = "scoliosis-protocol", _("Scoliosis protocol")
    RHEUMATOLOGY_REPORT = "rheumatology-report", _("Rheumatology report")
    RADIOLOGY_PROTOCOL = "radiology-protocol", _("Radiology protocol")
    MEVS_RESULTS = "mevs-results", _("FEV1 results")
    PERIMETRY_LYMPHOSCINTIGRAPHY = (
        "perimetry-lymphoscintigraphy-results",
        _("Perimetry or lymphoscintigraphy results"),
    )
    OTHER = "other", _("Other")


class AgreementRequest(models.Model):
    """A BE notification or agreement request sent through MyCareNet eAgreement, and its decision.

    Shaped after the eAgreement logical model (``docs/rules/belgium-eagreement.md`` §2.2): what
    is asked (desired start, pathology onset, assessment dates, the prescription, the previous
    situation's prescription, annexes) and what came back (status, decision id and date,
    granted period, refusal or information reason). An episode may have several: an E agreement
    is extended, a refused request is followed by a new one.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not sent yet")
        IN_TREATMENT = "intreatment", _("Sent, no decision yet")
        WFI_PHYSIOTHERAPIST = (
            "wfi-physiotherapist",
            _("Waiting for information from the physiotherapist"),
        )
        WFI_PRESCRIPTOR = "wfi-prescriptor", _("Waiting for information from the prescriber")
        WFI_SERVICE_PROVIDER = (
            "wfi-serviceprovider",
            _("Waiting for information from the care provider"),
        )
        AGREEMENT = "agreement", _("Agreement")
        PARTIAL_AGREEMENT = "partialAgreement", _("Partial agreement")
        REFUSAL = "refusal", _("Refusal")

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="agreement_requests"
    )
    kind = models.CharField(_("type"), max_length=40, choices=AgreementKind.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    # The decision (eAgreement response: decisionId, decisionDate, agreementStart/EndDate,
    # refusalReason / additionalInfoReason).
    decision_id = models.CharField(_("decision id"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    granted_from = models.DateField(_("granted from"), null=True, blank=True)
    granted_until = models.DateField(_("granted until"), null=True, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=100, blank=True)
    reason_text = models.TextField(_("reason"), blank=True)
    # The request (eAgreement ask).
    desired_start = models.DateField(_("desired start date"), null=True, blank=True)
    pathology_onset = models.DateField(_("pathology onset date"), null=True, blank=True)
    # Up to 5 ISO dates ("1 to 5 for an ask and 1 for an extend").
    assessment_dates = models.JSONField(_("assessment completion dates"), default=list, blank=True)
    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prescription"),
    )
    # A 2nd or 3rd courante series: the prescription of the previous pathological situation.
    previous_prescription = models.ForeignKey(
        Prescription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous situation's prescription"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "created_at", "id"]
        verbose_name = _("agreement request")
        verbose_name_plural = _("agreement requests")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "decision_id"],
                condition=~Q(decision_id=""),
                name="agreement_decision_id_unique_per_practice",
            ),
            models.CheckConstraint(
                condition=Q(granted_until__isnull=True)
                | Q(granted_from__isnull=True)
                | Q(granted_until__gte=F("granted_from")),
                name="agreement_request_ends_after_start",
            ),
            # The engine's rule: a granted decision starts on a day.
            models.CheckConstraint(
                condition=~Q(status__in=["agreement", "partialAgreement"])
                | Q(granted_from__isnull=False),
                name="agreement_request_granted_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class AgreementAnnex(models.Model):
    """An annex of an agreement request, by MyCareNet annex type (the file itself stays in the
    practice system: only its type, title and the day it was received are kept)."""

    request = models.ForeignKey(AgreementRequest, on_delete=models.CASCADE, related_name="annexes")
    kind = models.CharField(_("annex type"), max_length=40, choices=AnnexKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("annex")
        verbose_name_plural = _("annexes")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class ApiToken(models.Model):
    """A per-practice API token for the practice management system; only its hash is stored."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # First characters of the key, shown in the admin so a token can be recognised.
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ImportJob(models.Model):
    """One uploaded patients or sessions file: checked, then imported, by the task worker.

    The file lives in ``settings.IMPORT_FILES_DIR`` under ``file_name`` (random, made here,
    never taken from a request) until the import ends, is cancelled or refused, or expires.
    ``practice`` is the clinic administrator's practice; ``None`` for a superuser's import,
    whose rows name their practice as the existing import does.
    """

    class Kind(models.TextChoices):
        PATIENTS = "patients", _("patients")
        SESSIONS = "sessions", _("sessions")

    class Status(models.TextChoices):
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked, waiting for confirmation")
        REFUSED = "refused", _("refused")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed, nothing imported")
        CANCELLED = "cancelled", _("cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, null=True, blank=True, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    original_name = models.CharField(_("file"), max_length=255)
    file_name = models.CharField(max_length=64, unique=True)
    file_format = models.CharField(max_length=4)
    # The uploader's language: the worker writes the errors' sentences in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # The first errors: [{"row": 12, "message": "…"}], rows numbered as in the spreadsheet.
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
