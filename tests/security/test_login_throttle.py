"""Issue 13, item 5: login throttling per account and per client (django-axes)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from kglijn.core.models import AuditEvent
from tests.conftest import PASSWORD

CLIENT_IP = "203.0.113.7"
OTHER_IP = "198.51.100.9"


def _login(client: Client, username: str, password: str, ip: str = CLIENT_IP) -> object:
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_X_FORWARDED_FOR="10.9.8.7",  # never believed: axes counts REMOTE_ADDR only
    )


def _lockout_text() -> str:
    return ngettext(
        "Too many failed login attempts. Logging in with this account or from this computer "
        "is blocked for %(minutes)s minute.",
        "Too many failed login attempts. Logging in with this account or from this computer "
        "is blocked for %(minutes)s minutes.",
        15,
    ) % {"minutes": 15}


def test_25_wrong_passwords_then_the_right_one_is_refused_with_the_message(nurse: User) -> None:
    client = Client()
    for _ in range(25):
        response = _login(client, nurse.username, "wrong-password")
        assert response.status_code in (200, 429)  # 200: the form again, 429: locked out

    response = _login(client, nurse.username, PASSWORD)

    assert response.status_code == 429
    body = response.content.decode()
    assert _lockout_text() in body
    assert gettext("Try again later, or ask an administrator to unblock it.") in body
    assert "_auth_user_id" not in client.session
    # the lockout is in kglijn's own audit log, once
    events = AuditEvent.objects.filter(object_type="login_lockout")
    assert events.count() == 1
    assert events.get().detail == {
        "event": "locked_out",
        "username": nurse.username,
        "ip_address": CLIENT_IP,
    }
    assert events.get().object_id == nurse.pk


def test_the_lock_starts_at_the_fifth_failure(agent: User) -> None:
    client = Client()
    for _ in range(4):
        assert _login(client, agent.username, "wrong").status_code == 200
    assert _login(client, agent.username, "wrong").status_code == 429


def test_the_same_client_is_refused_for_another_account_too(nurse: User, agent: User) -> None:
    client = Client()
    # password spraying: one failure each on several accounts from one client
    for name in ("a", "b", "c", "d", "e"):
        _login(client, name, "wrong-password")
    response = _login(Client(), agent.username, PASSWORD)
    assert response.status_code == 429
    # from another client that account still logs in
    other = Client()
    assert _login(other, agent.username, PASSWORD, ip=OTHER_IP).status_code == 302


def test_a_locked_account_is_refused_from_another_client(nurse: User) -> None:
    for _ in range(5):
        _login(Client(), nurse.username, "wrong-password")
    assert _login(Client(), nurse.username, PASSWORD, ip=OTHER_IP).status_code == 429


def test_the_forwarded_header_does_not_dodge_the_client_lock(agent: User) -> None:
    for index in range(5):
        Client().post(
            reverse("login"),
            {"username": f"x{index}", "password": "wrong"},
            REMOTE_ADDR=CLIENT_IP,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{index}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_IP}
    assert _login(Client(), agent.username, PASSWORD).status_code == 429


def test_the_administrator_unlocks_in_the_management_site(
    client: Client, nurse: User, administrator: User
) -> None:
    for _ in range(25):
        _login(Client(), nurse.username, "wrong-password")
    assert _login(Client(), nurse.username, PASSWORD).status_code == 429
    # the administrator opens the failed logins and deletes them (from her own client)
    assert client.login(username=administrator.username, password=PASSWORD)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    unlock = AuditEvent.objects.get(object_type="login_lockout", detail__event="unlocked")
    assert unlock.actor == administrator
    assert unlock.detail["username"] == nurse.username
    # and the nurse logs in again
    assert _login(Client(), nurse.username, PASSWORD).status_code == 302


def test_other_roles_cannot_unlock(client: Client, team_lead: User) -> None:
    assert client.login(username=team_lead.username, password=PASSWORD)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302  # not staff: to the management site's login
