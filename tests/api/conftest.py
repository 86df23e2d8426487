"""Tokens and authenticated clients for the API tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kglijn.api.services import token_create
from tests.telephony.conftest import call_agents  # noqa: F401  (the planned calls' agents)


class ApiClient:
    """A Django test client that sends `Authorization: Token <token>` and JSON."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
        self.headers["HTTP_ACCEPT_LANGUAGE"] = "en"

    def get(self, url: str, params: dict[str, Any] | None = None):
        return self.client.get(url, params or {}, **self.headers)

    def post(self, url: str, body: Any = None):
        return self.client.post(url, body or {}, content_type="application/json", **self.headers)

    def patch(self, url: str, body: Any):
        return self.client.patch(url, body, content_type="application/json", **self.headers)


@pytest.fixture
def api_for(make_user: Callable[..., User]) -> Callable[..., ApiClient]:
    """api_for(user) or api_for(role, username): a client with a new token of that user."""

    def _make(user_or_role: User | str, username: str | None = None) -> ApiClient:
        user = (
            user_or_role
            if isinstance(user_or_role, User)
            else make_user(user_or_role, username or user_or_role)
        )
        _row, token = token_create(user=user, name="tests")
        return ApiClient(token)

    return _make
