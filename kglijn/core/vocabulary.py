"""The shared vocabulary of every app: channels, origins, directions, offices, topics, statuses.

These enums describe a contact, but the channels, the accounts and the readers speak them too;
they live at the bottom layer so that an app can name an office without importing the register.
`kglijn.contacts.models` re-exports them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")


class Origin(models.TextChoices):
    NONE = "", _("—")
    MAILBOX = "mailbox", _("Mailbox")
    WEBFORM = "webform", _("Web form")


class Direction(models.TextChoices):
    IN = "in", _("Incoming")
    OUT = "out", _("Outgoing")


class Office(models.TextChoices):
    FRONT = "front", _("Front office")
    PGJO = "pgjo", _("Back office PGJO")
    CHILDCARE = "childcare", _("Back office childcare")


class Topic(models.TextChoices):
    NONE = "", _("—")
    CHILDCARE = "childcare", _("Childcare")
    FAMILY_SUPPORT = "family_support", _("Preventive family support")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")
