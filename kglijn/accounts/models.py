"""Teams: a team lead and the agents they steer, within one office.

Satisfaction is analysed per team and a low score opens a follow-up task for the lead of the
handler's team (issue 5). Roles stay Django groups (kglijn.accounts.roles); a team is not a
permission, only who works together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kglijn.core.vocabulary import Office


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="teams", blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["office", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name
