"""OutboundMail: one mail on its way out, whatever it is for (ADR 0013).

The row holds the sending state only; what the mail says is the purpose's (a `MailMessage`,
a `SurveyInvitation`, ...), named by `purpose` and `reference` and built when the mail is
claimed. One row per (purpose, reference): a mail that is sent again (an answer's "Send
again") reuses its row, so two rows can never send the same thing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    UNKNOWN = "unknown", _("Fate unknown")  # perhaps sent: never sent again by itself
    FAILED = "failed", _("Not sent")
    CANCELLED = "cancelled", _("Not to be sent")  # its purpose declined it when claimed


class OutboundMail(models.Model):
    purpose = models.CharField(_("purpose"), max_length=40)
    reference = models.PositiveBigIntegerField(_("reference"))
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # Which claim is sending it: a late "finished" of an older claim changes nothing.
    claim_token = models.CharField(_("claim"), max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("problem"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbound mail")
        verbose_name_plural = _("outbound mails")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "reference"], name="outbox_one_mail_per_reference"
            ),
        ]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.reference} {self.state}"
