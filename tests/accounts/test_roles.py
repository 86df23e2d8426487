"""The nine roles (seven K&G-Lijn, two Opgroeipunt) as groups with their exact permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from django.contrib.auth.models import Group, Permission, User

from kglijn.accounts import roles as roles_module
from kglijn.accounts import services as account_services
from kglijn.accounts.roles import ROLES, ROLES_BY_GROUP, ROLES_BY_SLUG, Role
from kglijn.accounts.services import roles_sync

pytestmark = pytest.mark.django_db

GROUP_NAMES = {
    "Frontoffice-medewerker",
    "Verpleegkundige backoffice PGJO",
    "Dossierbehandelaar backoffice kinderopvang",
    "Leidinggevende",
    "Informatiebeheerder",
    "Analist",
    "Beheerder",
    "Klantenbeheerder kinderopvang",
    "Teamleider Opgroeipunt",
}
SLUGS = [
    "front_office",
    "pgjo_nurse",
    "childcare_handler",
    "team_lead",
    "information_manager",
    "analyst",
    "administrator",
    "childcare_customer_manager",
    "opgroeipunt_team_lead",
]


def _group_permissions(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _snapshot() -> dict[str, set[str]]:
    return {group.name: _group_permissions(group) for group in Group.objects.all()}


# --- roles.py itself ------------------------------------------------------------------------


def test_there_are_nine_roles_with_unique_slugs_and_groups() -> None:
    assert [role.slug for role in ROLES] == SLUGS
    assert {role.group_name for role in ROLES} == GROUP_NAMES
    assert len(ROLES_BY_SLUG) == len(ROLES_BY_GROUP) == 9


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.slug)
def test_role_lists_no_permission_twice(role: Role) -> None:
    assert len(role.permissions) == len(set(role.permissions))


def test_home_offices() -> None:
    assert {role.slug: role.office for role in ROLES} == {
        "front_office": "front",
        "pgjo_nurse": "pgjo",
        "childcare_handler": "childcare",
        "team_lead": None,
        "information_manager": None,
        "analyst": None,
        "administrator": None,
        "childcare_customer_manager": None,
        "opgroeipunt_team_lead": None,
    }


# --- roles_sync -----------------------------------------------------------------------------


def test_roles_sync_creates_exactly_the_nine_groups() -> None:
    # given no groups at all (migrate already synced once; start from nothing)
    Group.objects.all().delete()
    # when syncing
    groups = roles_sync()
    # then exactly the nine role groups exist, in role order
    assert [group.name for group in groups] == [role.group_name for role in ROLES]
    assert set(Group.objects.values_list("name", flat=True)) == GROUP_NAMES
    assert Group.objects.count() == 9


def test_roles_sync_is_idempotent() -> None:
    first = roles_sync()
    before = _snapshot()
    ids = [group.pk for group in first]
    second = roles_sync()
    assert [group.pk for group in second] == ids
    assert _snapshot() == before
    assert Group.objects.count() == 9


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.slug)
def test_each_group_has_exactly_the_permissions_of_its_role(role: Role) -> None:
    roles_sync()
    group = Group.objects.get(name=role.group_name)
    assert _group_permissions(group) == set(role.permissions)


def test_roles_sync_removes_a_permission_added_by_hand() -> None:
    roles_sync()
    analysts = Group.objects.get(name="Analist")
    analysts.permissions.add(
        Permission.objects.get(content_type__app_label="contacts", codename="view_contact")
    )
    roles_sync()
    assert "contacts.view_contact" not in _group_permissions(analysts)
    assert _group_permissions(analysts) == set(ROLES_BY_SLUG["analyst"].permissions)


def test_roles_sync_leaves_other_groups_alone() -> None:
    other = Group.objects.create(name="Projectgroep")
    roles_sync()
    assert Group.objects.filter(pk=other.pk).exists()


def test_a_typo_in_a_permission_raises_lookup_error_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given synced groups and a role whose permission list has a typo
    roles_sync()
    before = _snapshot()
    broken = replace(
        ROLES_BY_SLUG["analyst"],
        permissions=("contacts.view_reports", "contacts.view_raeson"),
    )
    monkeypatch.setattr(
        account_services, "ROLES", tuple(broken if r.slug == "analyst" else r for r in ROLES)
    )
    # when syncing, then it fails loudly naming the role and the permission
    with pytest.raises(LookupError) as excinfo:
        roles_sync()
    assert str(excinfo.value) == "role analyst: unknown permission contacts.view_raeson"
    # and nothing was changed (the earlier groups kept their permissions)
    assert _snapshot() == before


def test_a_permission_of_the_wrong_app_is_a_typo_too(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = replace(ROLES_BY_SLUG["analyst"], permissions=("core.view_contact",))
    monkeypatch.setattr(account_services, "ROLES", (broken,))
    with pytest.raises(LookupError, match=r"^role analyst: unknown permission core.view_contact$"):
        roles_sync()


def test_roles_module_is_what_services_sync() -> None:
    assert account_services.ROLES is roles_module.ROLES  # type: ignore[attr-defined]


# --- what each role may do ------------------------------------------------------------------


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    return {slug: make_user(slug) for slug in SLUGS}


def _holders(users: dict[str, User], perm: str) -> set[str]:
    return {slug for slug, user in users.items() if user.has_perm(perm)}


CONTACT_WORKERS = {"front_office", "pgjo_nurse", "childcare_handler", "team_lead"}


@pytest.mark.parametrize(
    ("perm", "expected"),
    [
        ("contacts.view_health_note", {"pgjo_nurse", "team_lead"}),
        ("contacts.change_health_note", {"pgjo_nurse"}),
        ("contacts.view_contact", CONTACT_WORKERS),
        ("contacts.add_contact", CONTACT_WORKERS),
        ("contacts.change_contact", CONTACT_WORKERS),
        ("contacts.close_contact", CONTACT_WORKERS),
        ("contacts.delete_contact", set()),
        ("contacts.view_customer", CONTACT_WORKERS),
        ("contacts.escalate_contact", {"front_office", "team_lead"}),
        ("contacts.queue_front", {"front_office", "team_lead"}),
        ("contacts.queue_pgjo", {"pgjo_nurse", "team_lead"}),
        ("contacts.queue_childcare", {"childcare_handler", "team_lead"}),
        ("contacts.change_reason", {"information_manager", "administrator"}),
        ("contacts.change_referralorganisation", {"information_manager", "administrator"}),
        ("contacts.delete_reason", set()),
        (
            "contacts.view_reason",
            {"team_lead", "information_manager", "analyst", "administrator"},
        ),
        ("contacts.view_reports", {"team_lead", "information_manager", "analyst"}),
        ("core.view_audit_log", {"team_lead", "administrator"}),
        ("core.change_closingday", {"administrator"}),
        ("auth.add_user", {"administrator"}),
        ("auth.change_group", set()),
    ],
)
def test_permission_matrix(users: dict[str, User], perm: str, expected: set[str]) -> None:
    assert _holders(users, perm) == expected


def test_administrator_reads_no_contact_content(users: dict[str, User]) -> None:
    admin = users["administrator"]
    for perm in (
        "contacts.view_contact",
        "contacts.view_customer",
        "contacts.view_health_note",
        "contacts.change_health_note",
        "contacts.queue_front",
        "contacts.queue_pgjo",
        "contacts.queue_childcare",
    ):
        assert admin.has_perm(perm) is False, perm
    # staff opens the management site (users, closing days); it is no superuser
    assert admin.is_staff is True
    assert admin.is_superuser is False


def test_only_the_administrator_is_staff(users: dict[str, User]) -> None:
    assert sorted(slug for slug, user in users.items() if user.is_staff) == ["administrator"]


def test_analyst_sees_aggregates_only(users: dict[str, User]) -> None:
    analyst = users["analyst"]
    assert analyst.get_all_permissions() == {
        "contacts.view_reports",
        "contacts.view_reason",
        "contacts.view_referralorganisation",
        "telephony.view_service_levels",  # aggregate call figures, no call or contact
        "feedback.view_team_report",  # feedback figures per local team, no remark
        # Steering the front office (issue 19): the contract, its statements and invoices,
        # forecast, staffing and reachability are figures; the contacts behind an invoice line
        # are the team lead's (steering.check_invoice).
        "steering.view_contract",
        "steering.view_contractversion",
        "steering.view_statement",
        "steering.view_invoice",
        "steering.view_forecast",
        "steering.view_staffing",
        "steering.view_reachability",
        # Satisfaction survey campaigns (issue 20): weighted results, methodology and actions;
        # not the frame's addresses (campaigns.view_frame) nor any answering on someone's behalf.
        "campaigns.view_campaign",
        "campaigns.view_questionnaire",
        "campaigns.view_results",
        "campaigns.view_improvementaction",
    }


def test_information_manager_changes_catalogues_not_contacts(users: dict[str, User]) -> None:
    manager = users["information_manager"]
    for perm in (
        "contacts.add_reason",
        "contacts.change_reason",
        "contacts.add_referralorganisation",
        "contacts.change_referralorganisation",
    ):
        assert manager.has_perm(perm) is True, perm
    for perm in (
        "contacts.view_contact",
        "contacts.add_contact",
        "contacts.change_contact",
        "contacts.view_customer",
        "contacts.view_health_note",
    ):
        assert manager.has_perm(perm) is False, perm
