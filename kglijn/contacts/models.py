"""The contact register: every contact of every channel, its catalogues and escalations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED

# The shared enums live in core (the bottom layer, kglijn/core/vocabulary.py); re-exported here
# so that `from kglijn.contacts.models import Office` keeps working.
from kglijn.core.vocabulary import Channel as Channel
from kglijn.core.vocabulary import Direction as Direction
from kglijn.core.vocabulary import Office as Office
from kglijn.core.vocabulary import Origin as Origin
from kglijn.core.vocabulary import Status as Status
from kglijn.core.vocabulary import Topic as Topic


class Reason(models.Model):
    """A contact reason (contactreden), maintained by the information managers."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("contact reason")
        verbose_name_plural = _("contact reasons")

    def __str__(self) -> str:
        return self.name


class ReferralOrganisation(models.Model):
    """An external organisation contacts are referred to (doorverwijzing)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("referral organisation")
        verbose_name_plural = _("referral organisations")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """An identified person or organisation (klant). Anonymous contacts never link here."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent")
        PREGNANT = "pregnant", _("Pregnant woman")
        ORGANISER = "organiser", _("Childcare organiser")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["email"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name


# Fields that hold personal data directly on a contact: empty on an anonymous contact.
PERSONAL_DATA_FIELDS = ("customer", "caller_name", "caller_phone", "caller_email")


class Contact(models.Model):
    """One contact (klantcontact) on any channel, anonymous or linked to a customer."""

    # NULL, not "", for contacts without one: the unique constraint only covers real ids.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=100, null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, blank=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    received_at = models.DateTimeField(_("received"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    office = models.CharField(
        _("office"), max_length=10, choices=Office.choices, default=Office.FRONT
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_contacts",
        db_constraint=False,
        db_index=False,  # partial index in Meta: imported history has no handler
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    # db_constraint=False here and on handler, customer and created_by: on PostgreSQL these
    # references are checked set-based, once per statement, by the triggers of migration 0004
    # instead of row-by-row foreign keys (ADR 0006); SQLite keeps its foreign keys.
    reasons = models.ManyToManyField(
        Reason, verbose_name=_("reasons"), blank=True, db_constraint=False
    )
    referrals = models.ManyToManyField(
        ReferralOrganisation, verbose_name=_("referrals"), blank=True, db_constraint=False
    )
    notes = models.TextField(_("notes"), blank=True)
    health_note = models.TextField(_("health note"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_constraint=False,
        db_index=False,  # partial index in Meta: most contacts are anonymous
    )
    caller_name = models.CharField(_("name"), max_length=200, blank=True)
    caller_phone = models.CharField(_("phone number"), max_length=30, blank=True)
    caller_email = models.EmailField(_("e-mail address"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,  # partial index in Meta: imported history has no creator
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [
            ("escalate_contact", "Can escalate a contact to a back office"),
            ("close_contact", "Can close a contact"),
            ("queue_front", "Can work the front-office queue"),
            ("queue_pgjo", "Can work the PGJO back-office queue"),
            ("queue_childcare", "Can work the childcare back-office queue"),
            ("view_health_note", "Can read health notes"),
            ("change_health_note", "Can write health notes"),
            ("view_reports", "Can view aggregate reports"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="contact_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | Q(customer__isnull=True, caller_name="", caller_phone="", caller_email=""),
                name="contact_anonymous_has_no_personal_data",
            ),
            models.CheckConstraint(
                condition=Q(channel="email") | Q(origin=""),
                name="contact_origin_only_for_email",
            ),
        ]
        # Partial where most rows would be NULL or closed: a bulk import of history then
        # maintains 3 indexes besides the keys instead of 6 (ADR 0006). A lookup by a given
        # handler/customer/creator implies NOT NULL and queues exclude closed contacts, so
        # the planner uses them for every query that needs them.
        indexes = [
            models.Index(
                fields=["office", "status", "received_at"],
                condition=~Q(status="closed"),
                name="contact_open_by_office",
            ),
            models.Index(
                fields=["handler", "status"],
                condition=Q(handler__isnull=False),
                name="contact_by_handler",
            ),
            models.Index(
                fields=["customer"], condition=Q(customer__isnull=False), name="contact_by_customer"
            ),
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="contact_by_creator",
            ),
            models.Index(fields=["received_at"]),
            # API synchronisation: GET /api/v1/contacts/?updated_since=… (issue 15).
            models.Index(fields=["updated_at"], name="contact_updated_at"),
            # The survey invitations' scan: e-mails answered by an employee (ADR 0008).
            models.Index(
                fields=["answered_at"],
                condition=Q(channel="email", handler__isnull=False, answered_at__isnull=False),
                name="contact_email_answered",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The reference people quote on the phone: KG- and the number, zero-padded."""
        return format_reference(self.pk)

    @property
    def has_personal_data(self) -> bool:
        return bool(self.customer_id or self.caller_name or self.caller_phone or self.caller_email)


REFERENCE_PREFIX = "KG-"


def format_reference(pk: int | None) -> str:
    return f"{REFERENCE_PREFIX}{pk:07d}" if pk else ""


def parse_reference(text: str) -> int | None:
    """The contact id in a reference such as 'KG-0001234', 'kg1234' or '1234'; else None."""
    value = text.strip().upper().removeprefix("KG").lstrip("-").strip()
    return int(value) if value.isdigit() else None


class Escalation(models.Model):
    """A hand-over of a contact from one office to another, with the reason written down."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="escalations")
    from_office = models.CharField(_("from"), max_length=10, choices=Office.choices)
    to_office = models.CharField(_("to"), max_length=10, choices=Office.choices)
    reason = models.TextField(_("reason for escalation"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated"))
    expected_pickup_at = models.DateTimeField(_("expected pick-up"))

    class Meta:
        ordering = ["escalated_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.contact} {self.from_office}->{self.to_office}"


# The register's rollups (its derived counts) live in their own package; importing them here
# registers them with the contacts app.
from kglijn.contacts.rollups.models import (  # noqa: E402
    ContactHourRollup as ContactHourRollup,
)
from kglijn.contacts.rollups.models import (  # noqa: E402
    ContactReasonRollup as ContactReasonRollup,
)
from kglijn.contacts.rollups.models import (  # noqa: E402
    ContactReferralRollup as ContactReferralRollup,
)
from kglijn.contacts.rollups.models import ContactRollup as ContactRollup  # noqa: E402
