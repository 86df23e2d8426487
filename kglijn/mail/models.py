"""The e-mail channel: the messages of a contact's thread, their attachments, and the mails that
could not become a contact (quarantine). See docs/mail.md and ADR 0010.

Everything here is personal data (addresses, names, what people wrote): it is read through
kglijn.mail.selectors, which audits the reads that do not go through the contact itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Contact


class MailDirection(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class DeliveryStatus(models.TextChoices):
    """Where an answer is on its way out (blank for received mail)."""

    NONE = "", _("—")
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")
    UNCERTAIN = "uncertain", _("Perhaps not sent")


# Problems a received message can have; stored as "code: detail; code: detail" in
# MailMessage.quarantine_reason (codes are stable, labels translated when shown).
PROBLEM_LABELS = {
    "broken_mime": _("the message structure is damaged; shown as far as it could be read"),
    "charset": _("characters in an unknown or wrong character set were replaced"),
    "no_sender": _("no valid sender address: it cannot be answered by e-mail"),
    "truncated": _("the text was too long and was cut off"),
    "headers": _("some headers could not be read"),
}


class MailMessage(models.Model):
    """One e-mail of a contact's thread, received from the mailbox or sent from the desk."""

    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,  # the mail is part of the contact: erasing one erases both
        related_name="mail_messages",
    )
    direction = models.CharField(_("direction"), max_length=3, choices=MailDirection.choices)
    # The Message-ID as a key (kglijn.mail.parsing.message_id_key): <...>, at most 255 ASCII
    # characters; a missing or unusable one is replaced by a hash of the raw message.
    message_id = models.CharField(_("Message-ID"), max_length=255)
    message_id_synthetic = models.BooleanField(_("Message-ID made up by kglijn"), default=False)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_address = models.CharField(_("sender address"), max_length=320, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    reply_to = models.CharField(_("reply to"), max_length=320, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("formatted text (sanitised)"), blank=True)
    raw_size = models.PositiveIntegerField(_("size in bytes"), default=0)
    auto_submitted = models.BooleanField(_("automatic message"), default=False)
    quarantined = models.BooleanField(_("damaged"), default=False)
    quarantine_reason = models.TextField(_("what was wrong"), blank=True)
    # Answers only: who wrote it and how far it got on its way out (ADR 0010 §3).
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    delivery_error = models.CharField(_("delivery problem"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        constraints = [
            # Idempotency of the mailbox poll: one received message per Message-ID.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(direction="in"),
                name="mail_inbound_message_id_unique",
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(direction="out"),
                name="mail_outbound_message_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(direction="out") | Q(delivery_status=""),
                name="mail_delivery_status_only_outbound",
            ),
        ]
        indexes = [
            models.Index(
                fields=["delivery_status", "next_attempt_at"],
                condition=Q(delivery_status__in=["queued", "sending"]),
                name="mail_outbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.message_id}"

    @property
    def problems(self) -> list[str]:
        """The stored problems, as translated sentences (with their technical detail)."""
        lines = []
        for item in filter(None, (part.strip() for part in self.quarantine_reason.split(";"))):
            code, _sep, detail = item.partition(":")
            label = str(PROBLEM_LABELS.get(code.strip(), code.strip()))
            lines.append(f"{label} ({detail.strip()})" if detail.strip() else label)
        return lines


# Why an attachment was refused (codes from kglijn.mail.attachments.attachment_refusal).
REFUSAL_LABELS = {
    "too_large": _("too large"),
    "too_many": _("too many attachments in one message"),
    "dangerous_type": _("this type of file can run a program and is not accepted"),
    "executable": _("the file is a program"),
    "empty": _("empty file"),
}


class MailAttachment(models.Model):
    """A file that came with a received message: stored, or refused and only noted."""

    message = models.ForeignKey(
        MailMessage,
        verbose_name=_("e-mail"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # Content-addressed under KGLIJN_MAIL_DIR (attachments/ab/cd/<sha256>): written before the
    # transaction that stores this row, so a rolled-back message leaves at most a file that the
    # retry writes again (ADR 0010 §2). Blank when refused.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    refused = models.BooleanField(_("refused"), default=False)
    refused_reason = models.CharField(_("why refused"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(refused=True, sha256="") | Q(refused=False) & ~Q(sha256=""),
                name="mail_attachment_stored_or_refused",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def refusal_label(self) -> str:
        return str(REFUSAL_LABELS.get(self.refused_reason, self.refused_reason))


class QuarantineReason(models.TextChoices):
    UNPARSEABLE = "unparseable", _("could not be read")
    TOO_LARGE = "too_large", _("too large")
    AUTOMATIC = "automatic", _("automatic message (bounce, out of office) about no known contact")
    ERROR = "error", _("processing failed")


class Quarantine(models.Model):
    """A mail from the mailbox that did not become a contact, kept as it came (raw bytes)."""

    # The message's key (its Message-ID, or a hash of its bytes): a retry after a crash finds
    # the row instead of making a second one.
    message_key = models.CharField(_("Message-ID"), max_length=255, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=QuarantineReason.choices)
    detail = models.TextField(_("detail"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    from_header = models.CharField(_("from"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    created_at = models.DateTimeField(_("quarantined"), auto_now_add=True)
    raw_size = models.PositiveIntegerField(_("size in bytes"))
    # The message as received; only the header for a message above the size limit. Emptied
    # when the quarantine is resolved (minimisation: the decision is kept, the content not).
    raw = models.BinaryField(_("message"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quarantined e-mail")
        verbose_name_plural = _("quarantined e-mails")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.message_key}"
