"""The phone channel: raw call events, the call state derived from them, and the contract.

`CallEvent` rows are the source of truth (append-only, unique on the platform's event id).
`Call` and `CallLeg` are *derived*: recomputed from all of a call's events sorted by time
whenever a new event for it arrives (kglijn.telephony.state), so the order in which events
arrive never matters (ADR 0007). One leg is one wait in one office's queue: the front office
leg, and one more per transfer. Service levels count legs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Contact, Direction, Office


class EventType(models.TextChoices):
    OFFERED = "offered", _("offered")
    QUEUED = "queued", _("queued")
    ANSWERED = "answered", _("answered")
    TRANSFERRED = "transferred", _("transferred")
    ENDED = "ended", _("ended")
    ABANDONED = "abandoned", _("abandoned")
    OUTBOUND_STARTED = "outbound_started", _("outbound call started")
    OUTBOUND_ENDED = "outbound_ended", _("outbound call ended")
    CALLBACK_REQUESTED = "callback_requested", _("callback requested")


class CallState(models.TextChoices):
    # Events arrived for this call id but none that starts a call (offered, queued,
    # outbound_started): it may be early. Nothing is derived until the start arrives.
    PENDING = "pending", _("pending")
    WAITING = "waiting", _("waiting")
    CONNECTED = "connected", _("talking")
    ENDED = "ended", _("ended")


class LegOutcome(models.TextChoices):
    WAITING = "waiting", _("still waiting")
    ANSWERED = "answered", _("answered")
    ABANDONED = "abandoned", _("abandoned")
    CALLBACK = "callback", _("callback requested")
    TRANSFERRED = "transferred", _("transferred before answer")
    UNANSWERED = "unanswered", _("ended unanswered")


class Call(models.Model):
    """One call as derived from its events; linked to exactly one contact once it has one."""

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.PENDING
    )
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    # The office that has the call now (the last leg's); "" while pending.
    office = models.CharField(_("office"), max_length=10, choices=Office.choices, blank=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned"), null=True, blank=True)
    # While waiting: when the current leg started waiting (the wallboard's "longest wait").
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    transferred_to = models.CharField(
        _("transferred to"), max_length=10, choices=Office.choices, blank=True
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta: only live calls are looked up by agent
    )
    queue_wait_seconds = models.FloatField(_("queue wait (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("talk time (s)"), null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(_("hold time (s)"), null=True, blank=True)
    callback_requested = models.BooleanField(_("callback requested"), default=False)
    # Personal data: only from a callback_requested event, never copied onto the contact.
    callback_number = models.CharField(_("callback number"), max_length=30, blank=True)
    contact = models.OneToOneField(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        permissions = [
            ("view_wallboard", "Can view the live telephony wallboard"),
            ("view_service_levels", "Can view telephony service levels"),
        ]
        indexes = [
            # The wallboard and the desk read only live calls: a small partial index.
            models.Index(
                fields=["state", "office"],
                condition=Q(state__in=["waiting", "connected"]),
                name="call_live_by_office",
            ),
            models.Index(
                fields=["agent", "state"],
                condition=Q(agent__isnull=False),
                name="call_by_agent",
            ),
        ]

    def __str__(self) -> str:
        return self.call_id


class CallLeg(models.Model):
    """One wait of a call in one office's queue and what became of it (derived)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legs")
    seq = models.PositiveSmallIntegerField(_("number"))
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    offered_at = models.DateTimeField(_("offered"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # When the leg's wait or conversation ended (abandon, answer-then-transfer, end).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=LegOutcome.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Seconds in the queue until answer / abandon / transfer / end; NULL while still waiting.
    wait_seconds = models.FloatField(_("wait (s)"), null=True, blank=True)
    # Answer to end of this leg's conversation (talk + hold); NULL unless answered and ended.
    handle_seconds = models.FloatField(_("handling time (s)"), null=True, blank=True)

    class Meta:
        ordering = ["call_id", "seq"]
        verbose_name = _("call leg")
        verbose_name_plural = _("call legs")
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="call_leg_unique_seq"),
        ]
        indexes = [models.Index(fields=["offered_at", "office"])]

    def __str__(self) -> str:
        return f"{self.call_id}#{self.seq} {self.office} {self.outcome}"


class CallEvent(models.Model):
    """One event as the telephony platform sent it (normalised); never changed afterwards."""

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    queue = models.CharField(_("queue"), max_length=10, choices=Office.choices, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The agent id exactly as the platform sent it. `agent` is the kglijn user it resolves to
    # (an AgentMapping, else the same username); an id that resolves to nobody is stored and
    # applied all the same (the call still counts as answered) and listed for the administrator.
    # db_default: the webhook inserts events with raw SQL naming only the columns it sets.
    agent_ref = models.CharField(_("agent id"), max_length=150, blank=True, db_default="")
    hold_seconds = models.PositiveIntegerField(_("hold time (s)"), null=True, blank=True)
    # Personal data: kept only on callback_requested events (to call back); dropped elsewhere.
    caller_number = models.CharField(_("caller number"), max_length=30, blank=True)
    received_at = models.DateTimeField(_("received"))
    # Whether the call's row, legs and contact reflect this event yet. The webhook stores an
    # event unapplied; the applier (inline in the request, or in the background: ADR 0009)
    # derives the call from its applied events and marks them applied in the same transaction.
    applied = models.BooleanField(_("applied"), default=False)
    # Set aside: applying this event failed (its error below), so the applier skips it and the
    # stream goes on; a team lead sees it on /telephony/held-events/ and retries it (issue 13).
    held_at = models.DateTimeField(_("held since"), null=True, blank=True)
    # db_default: the webhook inserts events with raw SQL naming only the columns it sets.
    apply_error = models.TextField(_("apply error"), blank=True, db_default="")

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        permissions = [
            ("manage_held_events", "Can view and retry call events that failed to apply"),
        ]
        indexes = [
            models.Index(fields=["call", "occurred_at"]),
            # The applier's queue: only the few unapplied rows are in it.
            models.Index(
                fields=["id"], condition=Q(applied=False), name="telephony_event_unapplied"
            ),
            # Unmapped agent ids (their list in /beheer/, and mapping one): only those rows.
            models.Index(
                fields=["agent_ref"],
                condition=Q(agent__isnull=True) & ~Q(agent_ref=""),
                name="telephony_event_unmapped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class AgentMapping(models.Model):
    """The platform's agent id -> the kglijn user (the platform's ids need not be usernames).

    Maintained by the administrator in /beheer/; saving one re-derives the calls of its id so
    their legs and contacts get the user (kglijn.telephony.services.agent_mapping_save).
    """

    agent_ref = models.CharField(_("agent id on the platform"), max_length=150, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kglijn user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["agent_ref"]
        verbose_name = _("agent mapping")
        verbose_name_plural = _("agent mappings")

    def __str__(self) -> str:
        return f"{self.agent_ref} → {self.user.get_username() if self.user_id else '–'}"


class ServiceLevelContract(models.Model):
    """The service-level norm of one office from a date on (e.g. 80 % within 20 s).

    The valid contract for a call is the office's one with the latest valid_from on or before
    the Brussels date the call was offered; a change applies from its date, history keeps the
    norm it was measured against.
    """

    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    valid_from = models.DateField(_("valid from"))
    target_pct = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of calls to answer within the target time, e.g. 80."),
    )
    target_seconds = models.PositiveSmallIntegerField(
        _("target time (s)"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "A call answered after at most this many seconds of waiting counts as on time."
        ),
    )
    short_abandon_seconds = models.PositiveSmallIntegerField(
        _("short abandon threshold (s)"),
        help_text=_(
            "Callers hanging up within fewer seconds than this are short abandons: left out of "
            "both offered and abandoned calls."
        ),
    )

    class Meta:
        ordering = ["office", "-valid_from"]
        verbose_name = _("service-level contract")
        verbose_name_plural = _("service-level contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "valid_from"], name="service_level_contract_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(target_pct__gte=0) & Q(target_pct__lte=100),
                name="service_level_contract_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(target_seconds__gte=1), name="service_level_contract_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_office_display()} {self.target_pct}% ≤ {self.target_seconds} s "
            f"({self.valid_from:%d/%m/%Y})"
        )


# The norm used when an office has no contract row (yet): 80 % within 20 s, short abandons
# under 5 s — the common contact-centre norm of domain.md. The real contractual figures of the
# front office (source 000 §1.1–1.2 says only that they exist) are entered in /beheer/.
DEFAULT_TARGET_PCT = Decimal("80.00")
DEFAULT_TARGET_SECONDS = 20
DEFAULT_SHORT_ABANDON_SECONDS = 5
DEFAULT_VALID_FROM = dt.date(2019, 1, 1)
