"""Rollups: contact counts per Brussels day and per month, kept exact on every write.

Reports read these tables instead of the contact table so that their cost depends on the
period and the number of dimension values, not on the number of contacts (ADR 0005).
Rows are written only by `kglijn.contacts.rollups.services` (raw, set-based SQL and ±1 upserts).
They are the register's derived counts, so they belong to the register (app label `contacts`);
the tables keep the names they had under reports (`reports_rollup_*`, contacts migration 0006).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED
from kglijn.core.vocabulary import Channel, Direction, Office, Origin, Topic


class Grain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")
    YEAR = "y", _("Year")


class _Rollup(models.Model):
    # Day grain: the Brussels calendar date. Month grain: the first day of the month.
    grain = models.CharField(_("grain"), max_length=1, choices=Grain.choices)
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    contacts = models.IntegerField(_("contacts"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = f"{self.channel}/{self.direction}/{self.office}"
        return f"{self.grain} {self.day} {key}: {self.contacts}"


class ContactRollup(_Rollup):
    """Contacts per day/month and every single-valued dimension except the hour."""

    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, blank=True)
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    anonymous = models.BooleanField(_("anonymous"))

    # The key is the primary key: no surrogate id to number and index per row (ADR 0006).
    pk = models.CompositePrimaryKey(
        "grain", "day", "channel", "direction", "origin", "office", "province", "topic", "anonymous"
    )

    class Meta:
        verbose_name = _("contact rollup")
        db_table = "reports_rollup_contact"


class ContactHourRollup(_Rollup):
    """Contacts per day/month, Brussels hour of receipt, channel, direction and office."""

    hour = models.PositiveSmallIntegerField(_("hour"))

    # The key is the primary key: no surrogate id to number and index per row (ADR 0006).
    pk = models.CompositePrimaryKey("grain", "day", "hour", "channel", "direction", "office")

    class Meta:
        verbose_name = _("contact rollup per hour")
        db_table = "reports_rollup_hour"


class ContactReasonRollup(_Rollup):
    """Contacts per reason (a contact with two reasons counts once for each)."""

    # No database foreign key: a reason with rollup rows has link rows, and those keep it from
    # being deleted (contacts migration 0004); `rollups check` compares every row with the
    # contacts. Its deferred per-row check cost ~5 s at the commit of a 1 M import.
    # No index of its own either: every read filters on grain and day first (the key's start).
    reason = models.ForeignKey(
        "contacts.Reason",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)

    # The key is the primary key: no surrogate id to number and index per row (ADR 0006).
    pk = models.CompositePrimaryKey(
        "grain", "day", "reason", "channel", "direction", "office", "province", "topic"
    )

    class Meta:
        verbose_name = _("contact rollup per reason")
        db_table = "reports_rollup_reason"


class ContactReferralRollup(_Rollup):
    """Contacts per referral organisation (a contact with two referrals counts for each)."""

    # No database foreign key, as for ContactReasonRollup.reason.
    referral = models.ForeignKey(
        "contacts.ReferralOrganisation",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    province = models.CharField(
        _("province"), max_length=6, choices=PROVINCE_CHOICES_WITH_UNREGISTERED, blank=True
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)

    # The key is the primary key: no surrogate id to number and index per row (ADR 0006).
    pk = models.CompositePrimaryKey(
        "grain", "day", "referral", "channel", "direction", "office", "province", "topic"
    )

    class Meta:
        verbose_name = _("contact rollup per referral")
        db_table = "reports_rollup_referral"
