"""Writing and reading the audit trail. Callers pass what happened; nothing else writes here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from kglijn.core.models import AuditEvent


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: int,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; never updates or deletes existing events."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )


def audit_trail(*, object_type: str, object_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "actor"
    )
