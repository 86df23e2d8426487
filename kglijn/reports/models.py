"""The reports app's own model: saved report definitions.

The rollups the reports read belong to the register: `kglijn.contacts.rollups`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 120


class SavedReport(models.Model):
    """A named report-builder definition (measure, dimensions, filters, period) of one user."""

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_reports",
    )
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="reports_savedreport_owner_name")
        ]

    def __str__(self) -> str:
        return self.name
