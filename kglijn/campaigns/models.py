"""Large satisfaction surveys (tevredenheidsonderzoeken, issue 20, ADR 0018).

- A **questionnaire** is built in the app in **versions**: themes whose items are scored for
  satisfaction and importance (0-10, "score op 10"), one overall score (0-10), open questions
  and single-choice questions; an item may be shown only after a given answer to an earlier one
  (conditional). Items marked for the short version make the **phone** questionnaire. A version
  is frozen once a campaign has gone into fieldwork with it.
- A **campaign** surveys a population (the register's customers by criteria, an uploaded frame,
  later the appointments' "missed two consultations" list) split in **strata**, with a design
  (census, simple random, stratified proportional or with a minimum per stratum) drawn
  reproducibly from a kept seed. Or it only holds a bureau's results, loaded from a file.
- The sampled **frame units** get an **invitation** through the outbox; each mail (the first and
  every reminder) carries its own single-use link token, all leading to the same response; an
  opt-out stops every later mail.
- A **response** is one respondent's questionnaire (web, phone or the bureau's), kept when it
  was abandoned (a drop-out) with the last item reached; its weight comes from raking over the
  population's margins (`PopulationCount`).
- **Improvement actions** follow from a theme; the next campaign shows them beside the theme's
  change (themes match across versions by their key).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 0
SCORE_MAX = 10


def _score(verbose_name: Any) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )


class Audience(models.TextChoices):
    PARENTS = "parents", _("Parents")
    ORGANISERS = "organisers", _("Childcare organisers")
    OTHER = "other", _("Other")


class Mode(models.TextChoices):
    """How a respondent answered (recorded on every response)."""

    WEB = "web", _("Web")
    PHONE = "phone", _("Phone (short version)")
    PAPER = "paper", _("Paper")


# --- Questionnaire ----------------------------------------------------------------------------


class Questionnaire(models.Model):
    name = models.CharField(_("name"), max_length=200)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        permissions = [("manage_questionnaire", _("Can build questionnaires and their versions"))]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire; frozen (`frozen_at`) once a campaign uses it in the
    field or holds responses to it: a change is a new version."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    introduction_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    introduction_en = models.TextField(_("introduction (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="campaigns_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"


class Theme(models.Model):
    """A theme of a version (e.g. "Bereikbaarheid"); `key` matches it across versions and
    campaigns (comparison, improvement actions)."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="themes"
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="campaigns_theme_key_unique")
        ]

    def __str__(self) -> str:
        return self.title_nl


class ItemKind(models.TextChoices):
    RATED = "rated", _("Satisfaction and importance (0-10)")
    OVERALL = "overall", _("Overall score (0-10)")
    OPEN = "open", _("Open question")
    CHOICE = "choice", _("Single choice")


class Item(models.Model):
    """One question. A `rated` item belongs to a theme and is scored for satisfaction and
    importance; `overall` (one per version) is the overall score; `open` takes text; `choice`
    one of `choices` ([{"value", "label_nl", "label_en"}]). Shown only when the answer to
    `show_if_item` (an earlier choice or scored item) is in `show_if_values` (strings; a score
    as its digits)."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="items"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text_nl = models.CharField(_("text (Dutch)"), max_length=500)
    text_en = models.CharField(_("text (English)"), max_length=500, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    in_short_version = models.BooleanField(_("in the phone short version"), default=False)
    show_if_item = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="dependants"
    )
    show_if_values = models.JSONField(_("shown for the answers"), default=list, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="campaigns_item_key_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="campaigns_item_position_unique"
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(kind="overall"),
                name="campaigns_one_overall_item",
            ),
            models.CheckConstraint(
                condition=Q(kind="rated", theme__isnull=False) | ~Q(kind="rated"),
                name="campaigns_rated_item_has_theme",
            ),
        ]

    def __str__(self) -> str:
        return self.text_nl


# --- Campaign, frame and sample ---------------------------------------------------------------


class Design(models.TextChoices):
    CENSUS = "census", _("Census (everyone)")
    SIMPLE_RANDOM = "simple_random", _("Simple random sample")
    STRATIFIED_PROPORTIONAL = "stratified_proportional", _("Stratified, proportional")
    STRATIFIED_MINIMUM = "stratified_minimum", _("Stratified, with a minimum per stratum")


class PopulationKind(models.TextChoices):
    REGISTER = "register", _("The register's customers by criteria")
    UPLOAD = "upload", _("An uploaded frame (CSV/XLSX)")
    MISSED_CONSULTATIONS = "missed_consultations", _("Children who missed two consultations")
    BUREAU = "bureau", _("A bureau's results (population counts uploaded)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Sample drawn")
    FIELDWORK = "fieldwork", _("Fieldwork")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_campaigns",
        verbose_name=_("previous measurement"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Who is surveyed and how they were chosen.
    population_kind = models.CharField(
        _("population"), max_length=24, choices=PopulationKind.choices
    )
    population_criteria = models.JSONField(_("population criteria"), default=dict, blank=True)
    strata_variables = models.JSONField(_("strata variables"), default=list, blank=True)
    design = models.CharField(_("design"), max_length=24, choices=Design.choices)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    min_per_stratum = models.PositiveIntegerField(_("minimum per stratum"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    # Fieldwork.
    fieldwork_start = models.DateField(_("fieldwork from"), null=True, blank=True)
    fieldwork_end = models.DateField(_("fieldwork until"), null=True, blank=True)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), default=7, validators=[MinValueValidator(1)]
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders at most"), default=2, validators=[MaxValueValidator(5)]
    )
    min_response_rate_pct = models.DecimalField(
        _("minimum response rate per stratum (%)"),
        max_digits=5,
        decimal_places=2,
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Results.
    bureau = models.CharField(_("bureau"), max_length=200, blank=True)
    weighting_variables = models.JSONField(_("weighting margins"), default=list, blank=True)
    weighted_at = models.DateTimeField(_("weights computed"), null=True, blank=True)
    # Written by the weighting (analysis/services.py): {"method": "raking" |
    # "post-stratification", "variables": [...], "n": int, "efficiency_pct": float,
    # "deff_weights": float, "max_relative_error": float, "errors": [str]} ("errors" alone
    # when the weights could not be computed; the weights are then cleared).
    weighting_report = models.JSONField(_("weighting report"), default=dict, blank=True)
    cost_eur = models.DecimalField(
        _("cost (EUR excl. VAT)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    follow_up = models.TextField(_("what was done with the results"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        permissions = [
            ("manage_campaign", _("Can set up campaigns, draw samples and send invitations")),
            ("view_frame", _("Can see the sampling frame's addresses")),
            ("enter_phone_interview", _("Can enter a phone interview for a respondent")),
            ("view_results", _("Can see a campaign's weighted results and methodology")),
            ("import_results", _("Can load a bureau's results")),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationCount(models.Model):
    """The population's size per category of one weighting variable (a margin), stored when the
    sample is drawn from a frame or uploaded with a bureau's results; raking reproduces these."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="margins")
    variable = models.CharField(_("variable"), max_length=60)
    category = models.CharField(_("category"), max_length=100)
    count = models.PositiveIntegerField(_("population"))

    class Meta:
        ordering = ["campaign", "variable", "category"]
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "variable", "category"], name="campaigns_margin_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.variable}={self.category}: {self.count}"


class StratumPlan(models.Model):
    """The design per stratum, stored when the sample is drawn: population and sample size."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stratum_plans")
    stratum = models.CharField(_("stratum"), max_length=300)
    population = models.PositiveIntegerField(_("population"))
    sample = models.PositiveIntegerField(_("sample"))

    class Meta:
        ordering = ["campaign", "stratum"]
        verbose_name = _("stratum plan")
        verbose_name_plural = _("stratum plans")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "stratum"], name="campaigns_plan_unique"),
            models.CheckConstraint(
                condition=Q(sample__lte=models.F("population")), name="campaigns_plan_sample_le_pop"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stratum}: {self.sample}/{self.population}"


class FrameUnit(models.Model):
    """One member of the population. Addresses are kept only for sampled units (they are
    blanked for the others once the sample is drawn: minimisation)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="units")
    external_key = models.CharField(_("key in the frame"), max_length=100)
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=5, default="nl-be")
    strata = models.JSONField(_("strata values"), default=dict)
    stratum = models.CharField(_("stratum"), max_length=300)
    sampled = models.BooleanField(_("sampled"), default=False)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("frame unit")
        verbose_name_plural = _("frame units")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "external_key"], name="campaigns_unit_key_unique"
            )
        ]
        indexes = [models.Index(fields=["campaign", "stratum", "sampled"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.external_key}"


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    OPTED_OUT = "opted_out", _("Opted out")
    COMPLETED = "completed", _("Completed")


class Invitation(models.Model):
    """A sampled unit's invitation; its mails (`InvitationMail`) are the first and the
    reminders."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    unit = models.OneToOneField(FrameUnit, on_delete=models.CASCADE, related_name="invitation")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvitationStatus.choices,
        default=InvitationStatus.SCHEDULED,
    )
    skip_reason = models.CharField(_("reason not sent"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}"


class InvitationMail(models.Model):
    """One mail of an invitation (`sequence` 0 is the invitation, 1.. the reminders); its pk is
    the outbox reference. Each mail has its own token (only its hash is kept); every token of
    an invitation opens the same response until it is completed."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="mails")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["invitation", "sequence"]
        verbose_name = _("invitation mail")
        verbose_name_plural = _("invitation mails")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "sequence"], name="campaigns_mail_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}#{self.sequence}"


class OptOut(models.Model):
    """Someone who asked not to be invited to satisfaction research again (any campaign):
    only the SHA-256 of the lower-cased address is kept."""

    email_hash = models.CharField(max_length=64, unique=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return self.email_hash[:12]


# --- Responses --------------------------------------------------------------------------------


class ResponseSource(models.TextChoices):
    APP = "app", _("Answered in kglijn")
    BUREAU = "bureau", _("Loaded from the bureau's file")


class Response(models.Model):
    """One respondent's questionnaire. `completed_at` empty = a drop-out (kept, with the last
    item position reached). Strata are copied from the frame unit (or the bureau's file), so
    every analysis reads responses only. `weight` is set by the weighting (complete responses
    only)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    unit = models.OneToOneField(
        FrameUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    source = models.CharField(_("source"), max_length=10, choices=ResponseSource.choices)
    import_key = models.CharField(_("key in the bureau's file"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    language = models.CharField(_("language"), max_length=5, default="nl-be")
    strata = models.JSONField(_("strata values"), default=dict)
    stratum = models.CharField(_("stratum"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_position = models.PositiveSmallIntegerField(_("last item reached"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight = models.FloatField(_("weight"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "import_key"],
                condition=~Q(import_key=""),
                name="campaigns_response_import_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gt=0),
                name="campaigns_response_weight_positive",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.pk}"


class Answer(models.Model):
    """One item's answer: `satisfaction` and `importance` for a rated item, `score` for the
    overall score, `choice` for a single choice, `text` for an open question."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    satisfaction = _score(_("satisfaction"))
    importance = _score(_("importance"))
    score = _score(_("score"))
    choice = models.CharField(_("choice"), max_length=60, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="campaigns_answer_unique"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=SCORE_MIN, satisfaction__lte=SCORE_MAX),
                name="campaigns_answer_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(importance__isnull=True)
                | Q(importance__gte=SCORE_MIN, importance__lte=SCORE_MAX),
                name="campaigns_answer_importance_range",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="campaigns_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.item_id}"


# --- Improvement actions ----------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ImprovementAction(models.Model):
    """An improvement action taken from a campaign's theme (`theme_key` matches the theme in
    the next campaign)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="actions")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="actions")
    theme_key = models.SlugField(_("theme key"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    result = models.TextField(_("result"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.title
