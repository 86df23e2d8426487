from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClosingDay(models.Model):
    """A single extra day on which all offices are closed (e.g. a bridge day)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class AuditEvent(models.Model):
    """Append-only trail: who created, changed, escalated, closed or viewed a record."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        ESCALATE = "escalate", _("escalated")
        ASSIGN = "assign", _("taken up")
        CLOSE = "close", _("closed")
        REOPEN = "reopen", _("reopened")
        VIEW = "view", _("viewed")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=50)
    object_id = models.BigIntegerField(_("record id"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        permissions = [("view_audit_log", "Can view the audit log")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
