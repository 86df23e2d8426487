"""Shared fixtures: one user per role, made through the same service the demo uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import translation

from kglijn.accounts.services import roles_sync, user_create_with_role

PASSWORD = "test-password-123"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the middleware leaves its language active in the thread; without this
    # a test that asked for English would decide the language of the next test's messages.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # The default PBKDF2 costs ~0.2 s per user and the suite makes hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    roles_sync()

    def _make(role: str, username: str | None = None) -> User:
        return user_create_with_role(username=username or role, password=PASSWORD, role_slug=role)

    return _make


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user("front_office", "agent")


@pytest.fixture
def nurse(make_user: Callable[..., User]) -> User:
    return make_user("pgjo_nurse", "nurse")


@pytest.fixture
def childcare_handler(make_user: Callable[..., User]) -> User:
    return make_user("childcare_handler", "handler")


@pytest.fixture
def team_lead(make_user: Callable[..., User]) -> User:
    return make_user("team_lead", "lead")


@pytest.fixture
def information_manager(make_user: Callable[..., User]) -> User:
    return make_user("information_manager", "infomanager")


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user("analyst", "analyst")


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("administrator", "admin")
