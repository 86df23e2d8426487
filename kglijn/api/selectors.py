"""Reads of API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from kglijn.api.models import ApiToken
from kglijn.api.services import token_digest


def token_list(*, username: str | None = None) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("user").order_by("created_at", "id")
    return qs.filter(user__username=username) if username else qs


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, of an active user), else None."""
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
