"""Every write of API tokens: create (the token is returned once) and revoke; audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kglijn.api.models import ApiToken
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent

AUDIT_TYPE = "api_token"
PREFIX_LENGTH = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "", by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for an active user: (the stored row, the token). The token is not stored,
    only its digest and its first characters; show it to the caller once."""
    if not user.is_active:
        raise ValueError(f"user {user.username} is not active")
    token = secrets.token_urlsafe(32)
    while token.startswith("-"):  # a prefix "-…" would read as an option: `kglijn token revoke`
        token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=token[:PREFIX_LENGTH], digest=token_digest(token)
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_TYPE,
        object_id=row.pk,
        detail={"user": user.username, "name": row.name, "prefix": row.prefix},
    )
    return row, token


@transaction.atomic
def token_revoke(
    *, token: ApiToken, by: User | None = None, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token (idempotent): it authenticates nothing from now on."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_TYPE,
            object_id=token.pk,
            detail={"user": token.user.username, "prefix": token.prefix, "revoked": True},
        )
    return token


def token_touch(*, token: ApiToken, now: dt.datetime) -> None:
    """Record use, at most once a minute per token (no write per request)."""
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
