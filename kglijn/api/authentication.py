"""`Authorization: Token <token>`: the request acts as the token's user (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from kglijn.api.selectors import token_for_key
from kglijn.api.services import token_touch

KEYWORD = "Token"
MAX_TOKEN_LENGTH = 200


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2 or len(parts[1]) > MAX_TOKEN_LENGTH:
            raise AuthenticationFailed(_("Send the header as: Authorization: Token <token>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise AuthenticationFailed(_("Unknown or revoked token.")) from exc
        token = token_for_key(key)
        if token is None:
            raise AuthenticationFailed(_("Unknown or revoked token."))
        token_touch(token=token, now=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD  # so an unauthenticated request is 401, not 403
