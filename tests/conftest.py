"""Shared fixtures: one user per role, made through the same service the demo uses."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import translation

from kglijn.accounts.services import roles_sync, user_create_with_role

PASSWORD = "test-password-123"

# --- The data our migrations seed, back after a transactional test's flush ------------------
#
# Migrations seed rows (reason and referral catalogues, regional and local teams, survey
# wording, telephony contracts). A transactional test (``transaction=True``, ``live_server``)
# ends with a flush that empties every table. Serially pytest-django runs those tests last, so
# nothing notices; with the suite spread over processes (pytest-xdist, `make test`) a plain test
# may come after one and find the catalogues gone. So: the seeded rows of kglijn's apps are
# kept once per session, and the first database test after a flush gets them back (same keys,
# sequences moved past them) before its own transaction starts.
_SEED: dict[str, str] = {}
_FLUSHED: list[bool] = [False]


def _seed_models() -> list[Any]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("kglijn.")
        and model._meta.managed
        and not model._meta.proxy
        and model._meta.can_migrate(connection)
    ]


def _seed_snapshot() -> str:
    def objects() -> Iterator[Any]:
        for model in _seed_models():
            yield from model._base_manager.order_by(model._meta.pk.name).iterator()

    out = StringIO()
    serializers.serialize("json", objects(), stream=out)
    return out.getvalue()


def _seed_restore(data: str) -> None:
    models = _seed_models()
    with transaction.atomic(), connection.constraint_checks_disabled():
        for obj in serializers.deserialize("json", StringIO(data)):
            obj.save()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        _SEED["default"] = _seed_snapshot()


def _transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    uses_db = item.get_closest_marker("django_db") is not None or any(
        name in getattr(item, "fixturenames", ()) for name in ("db", "transactional_db")
    )
    if _FLUSHED[0] and uses_db and "default" in _SEED:
        blocker = item.session.config.stash.get(_BLOCKER_KEY, None)
        if blocker is not None:
            with blocker.unblock():
                _seed_restore(_SEED["default"])
            _FLUSHED[0] = False
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    try:
        return (yield)
    finally:
        if _transactional(item):
            _FLUSHED[0] = True


_BLOCKER_KEY = pytest.StashKey[Any]()


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    request.config.stash[_BLOCKER_KEY] = django_db_blocker


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
