"""Issue 13, item 1: the administrator manages users and roles in /beheer/ but never escalates.

Each test posts the admin's own forms as a real administrator user (no mocks) and then checks
in the database that nothing was granted.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from kglijn.accounts.roles import ADMINISTRATOR, ANALYST, PGJO_NURSE, TEAM_LEAD
from kglijn.core.models import AuditEvent
from tests.conftest import PASSWORD


def _change_form_data(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        # What an attacker adds to the POST although the form does not show it:
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": [
            str(Permission.objects.get(codename="view_health_note").pk),
            str(Permission.objects.get(codename="view_transcript").pk),
        ],
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def _group(role_name: str) -> Group:
    return Group.objects.get(name=role_name)


@pytest.fixture
def admin_client(client: Client, administrator: User) -> Client:
    assert client.login(username=administrator.username, password=PASSWORD)
    return client


def test_administrator_cannot_make_herself_superuser_or_team_lead(
    admin_client: Client, administrator: User
) -> None:
    # when she posts her own change form with superuser, staff, permissions and the team lead role
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[administrator.pk]),
        _change_form_data(
            administrator,
            groups=[str(_group(TEAM_LEAD.group_name).pk), str(_group(PGJO_NURSE.group_name).pk)],
        ),
    )
    # then the save may succeed (name fields), but nothing was escalated
    assert response.status_code in (200, 302)
    administrator.refresh_from_db()
    assert administrator.is_superuser is False
    assert list(administrator.user_permissions.all()) == []
    assert list(administrator.groups.values_list("name", flat=True)) == [ADMINISTRATOR.group_name]
    assert not administrator.has_perm("contacts.view_health_note")
    assert not administrator.has_perm("chat.view_transcript")


def test_her_own_change_form_shows_no_rights_fields(
    admin_client: Client, administrator: User
) -> None:
    response = admin_client.get(reverse("admin:auth_user_change", args=[administrator.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not {"is_superuser", "is_staff", "user_permissions", "groups", "is_active"} & set(
        form.fields
    )


def test_administrator_cannot_deactivate_herself(admin_client: Client, administrator: User) -> None:
    data = _change_form_data(administrator)
    data.pop("is_active")
    admin_client.post(reverse("admin:auth_user_change", args=[administrator.pk]), data)
    administrator.refresh_from_db()
    assert administrator.is_active is True


def test_administrator_gives_another_user_a_role_but_never_superuser_nor_permissions(
    admin_client: Client, administrator: User, analyst: User
) -> None:
    nurse_group = _group(PGJO_NURSE.group_name)
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]),
        _change_form_data(analyst, groups=[str(nurse_group.pk)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    analyst.refresh_from_db()
    assert list(analyst.groups.values_list("name", flat=True)) == [PGJO_NURSE.group_name]
    assert (analyst.is_superuser, analyst.is_staff) == (False, False)
    assert list(analyst.user_permissions.all()) == []
    # and the role change is in kglijn's own audit log: who, whom, before/after
    event = AuditEvent.objects.get(object_type="user", object_id=analyst.pk)
    assert event.actor == administrator
    assert event.action == AuditEvent.Action.CHANGE
    assert event.detail["before"]["roles"] == [ANALYST.group_name]
    assert event.detail["after"]["roles"] == [PGJO_NURSE.group_name]
    assert event.detail["username"] == analyst.username


def test_staff_follows_the_role_not_a_tick_box(
    admin_client: Client, administrator: User, analyst: User
) -> None:
    admin_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]),
        _change_form_data(analyst, groups=[str(_group(ADMINISTRATOR.group_name).pk)]),
    )
    analyst.refresh_from_db()
    assert analyst.is_staff is True  # the administrator role is the staff role
    admin_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]),
        _change_form_data(analyst, groups=[str(_group(ANALYST.group_name).pk)]),
    )
    analyst.refresh_from_db()
    assert (analyst.is_staff, analyst.is_superuser) == (False, False)


def test_a_group_that_is_no_role_cannot_be_given(
    admin_client: Client, administrator: User, analyst: User
) -> None:
    rogue = Group.objects.create(name="Alles")
    rogue.permissions.set(Permission.objects.all())
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]),
        _change_form_data(analyst, groups=[str(rogue.pk)]),
    )
    assert response.status_code == 200  # the form refuses the choice
    assert list(analyst.groups.values_list("name", flat=True)) == [ANALYST.group_name]


def test_administrator_cannot_change_roles_of_groups(
    admin_client: Client, administrator: User
) -> None:
    group = _group(ADMINISTRATOR.group_name)
    before = set(group.permissions.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [str(p.pk) for p in Permission.objects.all()]},
    )
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_administrator_cannot_open_another_users_password_form(
    admin_client: Client, administrator: User, nurse: User
) -> None:
    url = reverse("admin:auth_user_password_change", args=[nurse.pk])
    assert admin_client.get(url).status_code == 403
    response = admin_client.post(
        url, {"password1": "Taken-0ver-pass!", "password2": "Taken-0ver-pass!"}
    )
    assert response.status_code == 403
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)
    # her own password she may change
    own = reverse("admin:auth_user_password_change", args=[administrator.pk])
    assert admin_client.get(own).status_code == 200


def test_administrator_cannot_edit_a_superuser(admin_client: Client, administrator: User) -> None:
    root = User.objects.create_superuser("root", "root@example.be", "Root-pass-123!")
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[root.pk]),
        {"username": "root", "is_active": "", "groups": []},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert (root.is_active, root.is_superuser) == (True, True)


def test_user_created_with_a_role_is_audit_logged_and_has_no_extra_rights(
    admin_client: Client, administrator: User
) -> None:
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nieuw",
            "usable_password": "true",
            "password1": "Nieuw-wachtwoord-42",
            "password2": "Nieuw-wachtwoord-42",
            "groups": [str(_group(ANALYST.group_name).pk)],
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": [str(Permission.objects.get(codename="view_health_note").pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="nieuw")
    assert list(user.groups.values_list("name", flat=True)) == [ANALYST.group_name]
    assert (user.is_superuser, user.is_staff) == (False, False)
    assert list(user.user_permissions.all()) == []
    event = AuditEvent.objects.get(object_type="user", object_id=user.pk)
    assert (event.action, event.actor) == (AuditEvent.Action.CREATE, administrator)
    assert event.detail["after"]["roles"] == [ANALYST.group_name]


def test_deactivation_is_audit_logged(
    admin_client: Client, administrator: User, agent: User
) -> None:
    data = _change_form_data(agent)
    data.pop("is_active")
    admin_client.post(reverse("admin:auth_user_change", args=[agent.pk]), data)
    agent.refresh_from_db()
    assert agent.is_active is False
    event = AuditEvent.objects.get(object_type="user", object_id=agent.pk)
    assert event.detail["before"]["is_active"] is True
    assert event.detail["after"]["is_active"] is False
