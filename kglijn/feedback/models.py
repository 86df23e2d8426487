"""Short feedback loops after a visit (issue 5 §7, source 003): one question and a remark, asked
of the parent right after a consultation at the clinic or a home visit, going straight to the
employee concerned and aggregated per local team.

Privacy by design: a visit holds no data about the parent or the child — only its kind, date,
employee and local team. The parent answers through a single-use link whose token is stored
only as a SHA-256 hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import Province

SCORE_MIN = 1
SCORE_MAX = 5
REMARK_MAX_LENGTH = 1000


class LocalTeam(models.Model):
    """One of the 57 local teams (lokaal team) that do the clinics and home visits."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    province = models.CharField(_("province"), max_length=6, choices=Province.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        permissions = [("view_team_report", "Can view feedback figures per local team")]
        verbose_name = _("local team")
        verbose_name_plural = _("local teams")

    def __str__(self) -> str:
        return self.name


class LocalTeamMembership(models.Model):
    """An employee (nurse, family supporter, ...) in a local team; a lead reads its remarks."""

    local_team = models.ForeignKey(
        LocalTeam,
        verbose_name=_("local team"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="local_team_memberships",
    )
    is_lead = models.BooleanField(
        _("team lead"),
        default=False,
        help_text=_("A team lead reads the remarks of the team's visits (audit-logged)."),
    )

    class Meta:
        ordering = ["local_team__name", "-is_lead", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_team", "user"], name="feedback_membership_once_per_team"
            )
        ]
        verbose_name = _("local team membership")
        verbose_name_plural = _("local team memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.local_team}"


class VisitKind(models.TextChoices):
    CLINIC = "clinic", _("Consultation at the clinic")
    HOME = "home", _("Home visit")


# The one question, per kind of visit, and the labels of its 1–5 scale. Fixed on purpose: the
# figures per team and month stay comparable (a new wording would need versioning as in surveys).
QUESTIONS = {
    VisitKind.CLINIC: _("How satisfied are you with this consultation at the clinic?"),
    VisitKind.HOME: _("How satisfied are you with this home visit?"),
}
SCORE_LABELS = {
    1: _("Not at all satisfied"),
    2: _("Not satisfied"),
    3: _("Neither satisfied nor dissatisfied"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


class Visit(models.Model):
    """A consultation or home visit after which the parent got a feedback link.

    No personal data of the parent or child: only what, when, who (employee) and which team.
    """

    kind = models.CharField(_("kind of visit"), max_length=10, choices=VisitKind.choices)
    visited_on = models.DateField(_("date of the visit"))
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="feedback_visits",
    )
    local_team = models.ForeignKey(
        LocalTeam, verbose_name=_("local team"), on_delete=models.PROTECT, related_name="visits"
    )
    # SHA-256 (hex) of the link's token; the token itself is never stored here.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_expires_at = models.DateTimeField(_("link valid until"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["local_team", "visited_on"], name="feedback_visit_team_day"),
            models.Index(fields=["employee", "visited_on"], name="feedback_visit_employee_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["clinic", "home"]), name="feedback_visit_kind_known"
            )
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on:%d/%m/%Y}"


class VisitFeedback(models.Model):
    """The parent's answer about one visit: at most one (the link is single-use)."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    remark = models.TextField(_("remark"), max_length=REMARK_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("answered"))
    # When the employee concerned first saw it on "My feedback" (NULL = new for them).
    seen_at = models.DateTimeField(_("seen by the employee"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN) & Q(score__lte=SCORE_MAX),
                name="feedback_score_1_5",
            )
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.visit} · {self.score}"
