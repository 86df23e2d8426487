from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from kglijn.accounts.roles import ROLES, ROLES_BY_SLUG
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create or update one group per role so that it has exactly the role's permissions.

    Idempotent; runs after every migrate. Fails loudly when a listed permission does not exist,
    so a typo in roles.py cannot silently take a right away.
    """
    # One query for every permission the roles name (this runs after every migrate and in
    # every test that makes a user: ~250 single lookups cost a noticeable part of the suite).
    wanted = {tuple(dotted.split(".", 1)) for role in ROLES for dotted in role.permissions}
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _app, codename in wanted}
        )
    }
    groups = []
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        permissions = []
        for dotted in role.permissions:
            key = tuple(dotted.split(".", 1))
            if key not in found:
                raise LookupError(f"role {role.slug}: unknown permission {dotted}")
            permissions.append(found[key])
        group.permissions.set(permissions)
        groups.append(group)
    return groups


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role_slug: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create (or reset) a user that belongs to exactly one role group."""
    role = ROLES_BY_SLUG[role_slug]
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = role.staff
    user.is_superuser = False
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role.group_name)])
    return user


def user_access_snapshot(*, user: User) -> dict[str, Any]:
    """What decides a user's rights, in a form fit for the audit log's before/after."""
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


@transaction.atomic
def user_staff_sync(*, user: User) -> User:
    """Make ``is_staff`` follow the user's roles: staff only when one of its roles is staff."""
    names = set(user.groups.values_list("name", flat=True))
    staff = any(role.staff for role in ROLES if role.group_name in names)
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return user


def user_access_audit(
    *, actor: User, user: User, before: dict[str, Any] | None
) -> AuditEvent | None:
    """Write a role change (or a new user with its roles) to kglijn's audit log.

    Nothing is written when roles, active and staff flags are unchanged (a renamed user).
    """
    after = user_access_snapshot(user=user)
    if before is None:
        return audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            object_type="user",
            object_id=user.pk,
            detail={"username": user.username, "before": None, "after": after},
        )
    if before == after:
        return None
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        object_type="user",
        object_id=user.pk,
        detail={"username": user.username, "before": before, "after": after},
    )
