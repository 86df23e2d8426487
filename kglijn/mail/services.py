"""Writes of the e-mail channel that are not the mailbox poll (inbound.py) or answers
(outbound.py: mail_reply_queue, mail_resend)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.mail.models import Quarantine


@transaction.atomic
def quarantine_resolve(
    *, quarantine: Quarantine, by: User, resolution: str, now: dt.datetime | None = None
) -> Quarantine:
    """Close a quarantined mail with what was done about it; its bytes are deleted
    (minimisation: the decision stays, the content goes)."""
    if not by.has_perm("mail.change_quarantine"):
        raise PermissionDenied(_("You may not handle quarantined e-mail."))
    quarantine = Quarantine.objects.select_for_update().get(pk=quarantine.pk)
    resolution = resolution.strip()
    if quarantine.resolved_at is not None:
        raise ValidationError({"resolution": _("This e-mail was already handled.")})
    if not resolution:
        raise ValidationError({"resolution": _("Write down what was done with it.")})
    quarantine.resolved_at = now or timezone.now()
    quarantine.resolved_by = by
    quarantine.resolution = resolution[:500]
    quarantine.raw = b""
    quarantine.save(update_fields=["resolved_at", "resolved_by", "resolution", "raw"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.CLOSE,
        object_type="mail_quarantine",
        object_id=quarantine.pk,
    )
    return quarantine
