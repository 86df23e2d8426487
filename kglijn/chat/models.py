"""The chat channel: a parent's anonymous chat with a PGJO nurse, its messages and who is online.

A `Chat` holds no IP address and nothing that identifies the parent but an optional first name
(personal data, ADR 0011); a postcode is turned into a province and not stored. Its messages are
the transcript: numbered per chat (`seq`) and stored before they are delivered, so a client that
reconnects asks for everything after the last number it saw. When a nurse wraps the chat up it
becomes one chat contact (`contact`); the retention job deletes the transcript later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Contact, Office
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED


class ChatStatus(models.TextChoices):
    QUEUED = "queued", _("waiting in the queue")
    ACTIVE = "active", _("in conversation")
    ENDED = "ended", _("ended")
    WRAPPED = "wrapped", _("wrapped up")


class EndedBy(models.TextChoices):
    NONE = "", _("—")
    PARENT = "parent", _("the parent")
    NURSE = "nurse", _("the nurse")
    CLOSING = "closing", _("closing time")
    LEFT = "left", _("the parent left (no longer connected)")


class Sender(models.TextChoices):
    PARENT = "parent", _("parent")
    NURSE = "nurse", _("nurse")
    SYSTEM = "system", _("system")


class SystemEvent(models.TextChoices):
    """The body of a system message: a code, rendered in the reader's language."""

    ACCEPTED = "accepted", _("accepted")
    TRANSFERRED = "transferred", _("transferred")
    ENDED_PARENT = "ended_parent", _("ended by the parent")
    ENDED_NURSE = "ended_nurse", _("ended by the nurse")
    ENDED_CLOSING = "ended_closing", _("ended at closing time")
    ENDED_LEFT = "ended_left", _("ended: the parent left")


class Chat(models.Model):
    """One chat conversation, from the parent's start to the nurse's wrap-up."""

    office = models.CharField(
        _("office"), max_length=10, choices=Office.choices, default=Office.PGJO
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChatStatus.choices, default=ChatStatus.QUEUED
    )
    # Personal data when given; cleared by the retention job with the transcript.
    first_name = models.CharField(_("first name"), max_length=40, blank=True)
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    created_at = models.DateTimeField(_("started"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(
        _("ended by"), max_length=10, choices=EndedBy.choices, blank=True, default=""
    )
    wrapped_at = models.DateTimeField(_("wrapped up"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(_("handling time (s)"), null=True, blank=True)
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nurse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chats",
    )
    last_seq = models.PositiveIntegerField(_("last message number"), default=0)
    # The parent's presence (docs/chat.md "Presence"): the open parent sockets, and when the
    # parent was last known to be connected (refreshed by the consumer while a socket is open,
    # set at the last disconnect). A waiting or running chat whose parent has not been seen for
    # KGLIJN_CHAT_PRESENCE_TIMEOUT seconds is ended by the sweeper (EndedBy.LEFT).
    parent_connections = models.PositiveSmallIntegerField(_("parent connections"), default=0)
    parent_seen_at = models.DateTimeField(_("parent last seen"), null=True, blank=True)
    contact = models.OneToOneField(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat",
    )
    # The parent's survey answers, kept here until the contact exists (ADR 0011 §5).
    survey_answers = models.JSONField(_("survey answers"), null=True, blank=True)
    survey_remark = models.TextField(_("survey remark"), blank=True)
    survey_answered_at = models.DateTimeField(_("survey answered"), null=True, blank=True)
    transcript_deleted_at = models.DateTimeField(_("transcript deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        permissions = [
            ("handle_chat", "Can answer chats in the chat console"),
            ("view_transcript", "Can read chat transcripts"),
        ]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["queued", "active"]),
                name="chat_open_by_status",
            ),
            models.Index(fields=["nurse", "status"], name="chat_by_nurse"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.status})"


class ChatMessage(models.Model):
    """One message of a chat; `seq` numbers the messages of a chat 1, 2, 3, … without gaps."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField(_("number"))
    sender = models.CharField(_("sender"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"))
    # The sending browser's id of the message: a re-sent message is stored once.
    client_id = models.CharField(_("client id"), max_length=64, blank=True, default="")
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["chat", "seq"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="chat_message_seq_unique"),
            models.UniqueConstraint(
                fields=["chat", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["chat", "sender", "sent_at"], name="chat_message_rate")]

    def __str__(self) -> str:
        return f"chat {self.chat_id} #{self.seq}"


class NursePresence(models.Model):
    """One open nurse console (websocket connection); a nurse is online while one is fresh."""

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_presences"
    )
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("nurse online")
        verbose_name_plural = _("nurses online")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.channel_name}"
