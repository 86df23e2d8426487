"""Which roles, home office and queues a user has."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from kglijn.accounts.selectors import user_home_office, user_queue_offices, user_roles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("slug", "home", "queues"),
    [
        ("front_office", "front", ["front"]),
        ("pgjo_nurse", "pgjo", ["pgjo"]),
        ("childcare_handler", "childcare", ["childcare"]),
        ("team_lead", None, ["front", "pgjo", "childcare"]),
        ("information_manager", None, []),
        ("analyst", None, []),
        ("administrator", None, []),
    ],
)
def test_roles_home_office_and_queues(
    make_user: Callable[..., User], slug: str, home: str | None, queues: list[str]
) -> None:
    user = make_user(slug)
    assert [role.slug for role in user_roles(user=user)] == [slug]
    assert user_home_office(user=user) == home
    assert user_queue_offices(user=user) == queues


def test_anonymous_user_has_nothing() -> None:
    anonymous = AnonymousUser()
    assert user_roles(user=anonymous) == []
    assert user_home_office(user=anonymous) is None
    assert user_queue_offices(user=anonymous) == []


def test_groups_that_are_not_roles_are_ignored(make_user: Callable[..., User]) -> None:
    user = make_user("analyst")
    user.groups.add(Group.objects.create(name="Projectgroep"))
    assert [role.slug for role in user_roles(user=user)] == ["analyst"]
