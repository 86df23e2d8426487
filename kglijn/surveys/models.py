"""Satisfaction on every contact (issue 5): the 4 criteria, their versioned wording, the
answers written onto the contact, the e-mail invitations and the follow-up of low scores.

The 4 criteria are fixed (the same on every channel, source 001 §3 / 003): waiting time,
courtesy, information provided (1–5) and recommendation (0–10, NPS). Their *wording* is managed
in the app: a change starts a new `SurveyVersion` and old answers keep the version they were
given under.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Channel, Contact


class Criterion(models.TextChoices):
    WAITING_TIME = "waiting_time", _("waiting time")
    COURTESY = "courtesy", _("courtesy")
    INFORMATION = "information", _("information provided")
    RECOMMENDATION = "recommendation", _("recommendation (NPS)")


# The scale of each criterion: fixed, so figures stay comparable across versions.
SCALES: dict[str, tuple[int, int]] = {
    Criterion.WAITING_TIME: (1, 5),
    Criterion.COURTESY: (1, 5),
    Criterion.INFORMATION: (1, 5),
    Criterion.RECOMMENDATION: (0, 10),
}


class Source(models.TextChoices):
    IVR = "ivr", _("phone (IVR after the call)")
    MAIL = "mail", _("e-mail invitation")
    CHAT = "chat", _("end of the chat")


class SurveyVersion(models.Model):
    """One wording of the questions; the highest number is the one asked now."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class SurveyQuestion(models.Model):
    """The wording of one criterion in one version (Dutch and English), with scale labels."""

    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="questions")
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    text_nl = models.CharField(_("question (Dutch)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    low_label_nl = models.CharField(_("label of the lowest score (Dutch)"), max_length=60)
    high_label_nl = models.CharField(_("label of the highest score (Dutch)"), max_length=60)
    low_label_en = models.CharField(_("label of the lowest score (English)"), max_length=60)
    high_label_en = models.CharField(_("label of the highest score (English)"), max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "criterion"], name="survey_question_once_per_version"
            )
        ]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return f"{self.version} {self.criterion}"


def _score(
    verbose: Any, low: int, high: int
) -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(
        verbose, null=True, blank=True, validators=[MinValueValidator(low), MaxValueValidator(high)]
    )


class SurveyResponse(models.Model):
    """The answers about one contact: at most one response per contact, on the contact's channel.

    A criterion left unanswered is NULL; `complete` is False when the respondent stopped early
    (the caller hung up after 2 questions): kept as partial, counted per answered criterion.
    """

    contact = models.OneToOneField(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="survey_response"
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The sender's id for an idempotent API submission (IVR), unique when present.
    external_id = models.CharField(
        _("submission id"), max_length=100, null=True, blank=True, unique=True
    )
    waiting_time = _score(_("waiting time"), 1, 5)
    courtesy = _score(_("courtesy"), 1, 5)
    information = _score(_("information provided"), 1, 5)
    recommendation = _score(_("recommendation (NPS)"), 0, 10)
    remark = models.TextField(_("remark"), blank=True)
    complete = models.BooleanField(_("complete"), default=True)
    answered_at = models.DateTimeField(_("answered"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["answered_at"], name="survey_response_answered")]
        constraints = [
            models.CheckConstraint(
                condition=Q(waiting_time__isnull=True) | Q(waiting_time__range=(1, 5)),
                name="survey_waiting_time_1_5",
            ),
            models.CheckConstraint(
                condition=Q(courtesy__isnull=True) | Q(courtesy__range=(1, 5)),
                name="survey_courtesy_1_5",
            ),
            models.CheckConstraint(
                condition=Q(information__isnull=True) | Q(information__range=(1, 5)),
                name="survey_information_1_5",
            ),
            models.CheckConstraint(
                condition=Q(recommendation__isnull=True) | Q(recommendation__range=(0, 10)),
                name="survey_recommendation_0_10",
            ),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.source}"


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("not sent")
    ANSWERED = "answered", _("answered")


class SurveyInvitation(models.Model):
    """The one invitation mail of an e-mail contact (never two for one contact).

    Only a hash of the token is stored: the link in the mail is the only copy of the token.
    The address is read from the contact when the mail is sent, not copied here.
    """

    contact = models.OneToOneField(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="survey_invitation",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.SCHEDULED,
    )
    due_at = models.DateTimeField(_("to be sent at"))
    token_hash = models.CharField(
        _("token hash"), max_length=64, null=True, blank=True, unique=True
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    skip_reason = models.CharField(_("why not sent"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="survey_invitation_due",
                condition=Q(status__in=["scheduled", "sending"]),
            ),
            # The monthly analysis counts the invitations sent in a month.
            models.Index(
                fields=["sent_at"],
                name="survey_invitation_sent",
                condition=Q(sent_at__isnull=False),
            ),
        ]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.status}"


class SurveyOptOut(models.Model):
    """An address that wants no survey mails: only the SHA-256 of the lower-cased address is
    kept (pseudonymised; it outlives the contacts that held the address)."""

    address_hash = models.CharField(_("address hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return self.address_hash[:12]


class LowScoreRule(models.Model):
    """A score at or below `threshold` on `criterion` opens a follow-up task (configurable)."""

    criterion = models.CharField(
        _("criterion"), max_length=20, choices=Criterion.choices, unique=True
    )
    threshold = models.PositiveSmallIntegerField(_("at or below"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("low-score rule")
        verbose_name_plural = _("low-score rules")

    def __str__(self) -> str:
        return f"{self.criterion} ≤ {self.threshold}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class FollowUpTask(models.Model):
    """Quality follow-up of a low score, for the team lead, with the contact attached."""

    response = models.OneToOneField(
        SurveyResponse,
        verbose_name=_("survey response"),
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_follow_ups",
    )
    reasons = models.CharField(_("why"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="survey_follow_up_open")]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.status}"
