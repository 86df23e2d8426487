from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from kglijn.accounts.roles import ROLES_BY_GROUP, Role

OFFICES = ("front", "pgjo", "childcare")


def user_roles(*, user: User | AnonymousUser) -> list[Role]:
    if not user.is_authenticated:
        return []
    assert isinstance(user, User)
    names = user.groups.values_list("name", flat=True)
    return [ROLES_BY_GROUP[name] for name in names if name in ROLES_BY_GROUP]


def user_home_office(*, user: User | AnonymousUser) -> str | None:
    """The office whose queue is this user's own (front/pgjo/childcare), if any."""
    for role in user_roles(user=user):
        if role.office:
            return role.office
    return None


def user_queue_offices(*, user: User | AnonymousUser) -> list[str]:
    """Offices whose queue (and contacts) this user may see."""
    return [office for office in OFFICES if user.has_perm(f"contacts.queue_{office}")]
