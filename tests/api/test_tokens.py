"""`kglijn token create|list|revoke` and `Authorization: Token <token>`."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kglijn.api.models import ApiToken
from kglijn.core.models import AuditEvent
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


def _create(username: str, *extra: str) -> str:
    out = StringIO()
    call_command("token", "create", username, *extra, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_prints_the_token_once_and_stores_only_its_hash(agent) -> None:
    token = _create("agent", "--name", "opgroeipunt-sync")

    row = ApiToken.objects.get()
    assert len(token) >= 40
    assert (row.user, row.name, row.prefix) == (agent, "opgroeipunt-sync", token[:8])
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert token not in stored
    audit = AuditEvent.objects.get(object_type="api_token", action="create")
    assert audit.detail == {"user": "agent", "name": "opgroeipunt-sync", "prefix": token[:8]}


def test_a_token_authenticates_as_its_user_and_records_its_use(agent) -> None:
    token = _create("agent")

    response = ApiClient(token).get(URL)

    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header", ["Token nonsense", "Token", "Token a b", "Bearer x", "Token \u00e9\u00e9"]
)
def test_no_or_a_wrong_token_is_401_with_the_error_shape(agent, header) -> None:
    _create("agent")
    client = ApiClient(None)

    response = client.client.get(URL, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["errors"][0]["field"] is None


def test_revoke_by_prefix_stops_the_token(agent) -> None:
    token = _create("agent")
    other = _create("agent")
    out = StringIO()

    call_command("token", "revoke", token[:8], stdout=out)

    assert "1 sleutel(s) ingetrokken" in out.getvalue()  # the CLI speaks Dutch by default
    assert ApiToken.objects.get(prefix=token[:8]).revoked_at is not None
    assert ApiClient(token).get(URL).status_code == 401
    assert ApiClient(other).get(URL).status_code == 200
    assert AuditEvent.objects.filter(object_type="api_token", action="change").count() == 1


def test_no_token_starts_with_a_dash_so_its_prefix_is_never_read_as_an_option(agent) -> None:
    # token_urlsafe starts with "-" once in 64 tokens; `kglijn token revoke -nU…` then failed.
    from kglijn.api.services import token_create

    tokens = [token_create(user=agent)[1] for _ in range(300)]
    assert not [token for token in tokens if token.startswith("-")]


def test_revoke_all_of_a_user_and_list(agent, nurse) -> None:
    _create("agent")
    _create("agent")
    kept = _create("nurse")

    call_command("token", "revoke", "--user", "agent", stdout=StringIO())
    out = StringIO()
    call_command("token", "list", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert sum("revoked" in line for line in lines) == 2
    assert any(line.startswith(kept[:8]) and line.endswith("active") for line in lines)


def test_an_inactive_user_s_token_stops_working(agent) -> None:
    token = _create("agent")
    agent.is_active = False
    agent.save()

    assert ApiClient(token).get(URL).status_code == 401


def test_create_refuses_unknown_and_inactive_users(agent) -> None:
    agent.is_active = False
    agent.save()
    with pytest.raises(CommandError, match="nobody"):
        _create("nobody")
    with pytest.raises(CommandError, match="niet actief"):
        _create("agent")
    assert ApiToken.objects.count() == 0
