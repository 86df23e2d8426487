from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from kglijn.accounts.roles import ROLES, ROLES_BY_SLUG


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create or update one group per role so that it has exactly the role's permissions.

    Idempotent; runs after every migrate. Fails loudly when a listed permission does not exist,
    so a typo in roles.py cannot silently take a right away.
    """
    groups = []
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        permissions = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".", 1)
            try:
                permissions.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist as exc:
                raise LookupError(f"role {role.slug}: unknown permission {dotted}") from exc
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
