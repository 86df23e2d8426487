"""Users are made with exactly one role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from kglijn.accounts.services import roles_sync, user_create_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    roles_sync()


def test_user_create_with_role() -> None:
    user = user_create_with_role(
        username="an", password="s3cret-pass-word", role_slug="pgjo_nurse", first_name="An"
    )
    user.refresh_from_db()
    assert user.first_name == "An"
    assert user.last_name == ""
    assert user.check_password("s3cret-pass-word")
    assert list(user.groups.values_list("name", flat=True)) == ["Verpleegkundige backoffice PGJO"]
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)


def test_user_create_with_role_resets_an_existing_user_to_one_role() -> None:
    # given a user with extra groups, staff rights and an old password
    user = User.objects.create_user(username="bo", password="old-password-1", is_staff=True)
    user.is_superuser = True
    user.save()
    user.groups.set(Group.objects.filter(name__in=["Beheerder", "Analist"]))
    # when (re)created with a role
    again = user_create_with_role(username="bo", password="new-password-2", role_slug="analyst")
    # then it is the same user, with only that role and no staff rights
    assert again.pk == user.pk
    again.refresh_from_db()
    assert list(again.groups.values_list("name", flat=True)) == ["Analist"]
    assert (again.is_staff, again.is_superuser) == (False, False)
    assert again.check_password("new-password-2")
    assert not again.check_password("old-password-1")
    assert User.objects.filter(username="bo").count() == 1


def test_unknown_role_creates_no_user() -> None:
    with pytest.raises(KeyError):
        user_create_with_role(username="x", password="pw-123456789", role_slug="superhero")
    assert not User.objects.filter(username="x").exists()
