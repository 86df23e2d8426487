"""Demo users: one or more per role, all with the same documented password. DEMO ONLY."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from kglijn.accounts.roles import ROLES_BY_SLUG
from kglijn.accounts.services import roles_sync, user_create_with_role

# Demo only: a well-known password for local demonstrations. Never load the demo into a
# database that real people use.
DEMO_PASSWORD = "kglijn-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    role_slug: str
    first_name: str
    last_name: str

    @property
    def role_label(self) -> str:
        return str(ROLES_BY_SLUG[self.role_slug].label)

    @property
    def password(self) -> str:
        return DEMO_PASSWORD


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("agent1", "front_office", "Lotte", "Maes"),
    DemoUser("agent2", "front_office", "Wout", "Peeters"),
    DemoUser("agent3", "front_office", "Amira", "El Amrani"),
    DemoUser("agent4", "front_office", "Jeroen", "Claes"),
    DemoUser("agent5", "front_office", "Fien", "Wouters"),
    DemoUser("agent6", "front_office", "Youssef", "Yilmaz"),
    DemoUser("nurse1", "pgjo_nurse", "Griet", "Vermeulen"),
    DemoUser("nurse2", "pgjo_nurse", "Hanne", "Desmet"),
    DemoUser("nurse3", "pgjo_nurse", "Inge", "Smets"),
    DemoUser("nurse4", "pgjo_nurse", "Tom", "Baert"),
    DemoUser("childcare1", "childcare_handler", "Katrien", "Goossens"),
    DemoUser("childcare2", "childcare_handler", "Dries", "Hermans"),
    DemoUser("lead", "team_lead", "Veerle", "Aerts"),
    DemoUser("infomanager", "information_manager", "Stijn", "Michiels"),
    DemoUser("analyst", "analyst", "Leen", "Coppens"),
    DemoUser("administrator", "administrator", "Bart", "Segers"),
    DemoUser("klantenbeheer1", "childcare_customer_manager", "Nele", "Jacobs"),
    # Four eyes: a proposal needs a second customer manager to approve it.
    DemoUser("klantenbeheer2", "childcare_customer_manager", "Ruben", "De Vos"),
    DemoUser("klantenbeheer3", "childcare_customer_manager", "Sien", "Lemmens"),
    DemoUser("opgroeipuntlead", "opgroeipunt_team_lead", "Koen", "Willems"),
)

# Which roles handle which office's contacts in the demo.
HANDLER_ROLES = {"front": "front_office", "pgjo": "pgjo_nurse", "childcare": "childcare_handler"}


def demo_users_ensure() -> list[DemoUser]:
    """Create the demo users that do not exist yet (user_create_with_role); idempotent.

    Existing users are left as they are (password hashing costs ~0.2 s per user, and a changed
    password is respected), so a second run is quick.
    """
    existing = set(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    missing = [user for user in DEMO_USERS if user.username not in existing]
    if missing:
        roles_sync()
    for user in missing:
        user_create_with_role(
            username=user.username,
            password=DEMO_PASSWORD,
            role_slug=user.role_slug,
            first_name=user.first_name,
            last_name=user.last_name,
        )
    return list(DEMO_USERS)


def demo_handler_ids() -> dict[str, tuple[int, ...]]:
    """Office -> ids of the demo users that handle its contacts, ordered by username."""
    ids = dict(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
            "username", "pk"
        )
    )
    return {
        office: tuple(
            ids[user.username]
            for user in sorted(DEMO_USERS, key=lambda u: u.username)
            if user.role_slug == role
        )
        for office, role in HANDLER_ROLES.items()
    }
