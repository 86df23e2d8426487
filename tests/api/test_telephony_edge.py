"""The telephony edge as the platform really behaves (issue 15 item 4), checked as a new user
would: a token, signed events of a few hundred calls (redelivered, shuffled), the contacts
found by external id through the API; IVR answers with the minimal body; unknown agents."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from kglijn.contacts.models import Contact
from kglijn.contacts.rollups.services import rollups_check
from kglijn.core.models import AuditEvent
from kglijn.servicelevels.phone import service_levels
from kglijn.surveys.models import SurveyResponse
from kglijn.telephony.models import AgentMapping, Call, CallEvent, CallLeg
from kglijn.telephony.services import agent_mapping_delete, agent_mapping_save
from tests.telephony.calls import BRUSSELS, DAY, URL, at, delivery, event, plan_calls, post, sign

pytestmark = pytest.mark.django_db

SURVEY_URL = "/api/v1/telephony/survey/"
T0 = dt.datetime.combine(DAY, dt.time(9, 14, 3), BRUSSELS)


def later(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def survey_post(client: Client, payload: dict) -> object:
    body = json.dumps(payload).encode()
    return client.post(
        SURVEY_URL, data=body, content_type="application/json", HTTP_X_KGLIJN_SIGNATURE=sign(body)
    )


def test_a_few_hundred_calls_redelivered_and_shuffled_give_one_contact_each(
    client, call_agents, api_for, team_lead
) -> None:
    calls = plan_calls(300, seed=15)
    stream = delivery(calls, seed=15, redeliver=0.2, disorder=0.1)
    random.Random(15).shuffle(stream)
    for start in range(0, len(stream), 37):
        assert post(client, stream[start : start + 37]).status_code in (200, 201, 409)
    # a forged event (wrong signature) stores nothing
    forged = json.dumps(event("forged-1", "offered", "call-forged", T0, queue="front")).encode()
    refused = client.post(
        URL, data=forged, content_type="application/json", HTTP_X_KGLIJN_SIGNATURE=sign(b"x")
    )
    assert refused.status_code == 401
    api = api_for(team_lead)

    for planned in calls:
        found = api.get("/api/v1/contacts/", {"external_id": planned.call_id}).json()["results"]
        assert len(found) == 1, planned.call_id
        assert found[0]["channel"] == "phone"
    assert api.get("/api/v1/contacts/", {"external_id": "call-forged"}).json()["results"] == []
    assert not CallEvent.objects.filter(event_id="forged-1").exists()
    assert Contact.objects.count() == len(calls)


def test_minimal_ivr_body_posted_twice_shows_once_on_the_contact(
    client, make_user, api_for, team_lead
) -> None:
    make_user("front_office", "agent07")
    for item in [
        event("e1", "offered", "call-123", T0, queue="front"),
        event("e2", "answered", "call-123", later(14), agent="agent07"),
        event("e3", "ended", "call-123", later(300)),
    ]:
        assert post(client, item).status_code == 201
    minimal = {
        "id": "srv-19c2",
        "call_id": "call-123",
        "answers": {"waiting_time": 4, "courtesy": 5, "information": 4, "recommendation": 9},
    }

    first = survey_post(client, minimal)
    second = survey_post(client, minimal)

    assert (first.status_code, first.json()["status"], first.json()["complete"]) == (
        201,
        "new",
        True,
    )
    assert (second.status_code, second.json()["status"]) == (200, "duplicate")
    assert SurveyResponse.objects.count() == 1
    contact = Contact.objects.get(external_id="call-123")
    api = api_for(team_lead)
    [row] = api.get("/api/v1/contacts/", {"external_id": "call-123"}).json()["results"]
    satisfaction = api.get(f"/api/v1/contacts/{row['id']}/").json()["satisfaction"]
    assert satisfaction["waiting_time"] == 4
    assert satisfaction["recommendation"] == 9
    assert (satisfaction["channel"], satisfaction["complete"]) == ("phone", True)
    assert satisfaction["answered_at"] is not None
    assert row["id"] == contact.pk


def test_a_partial_minimal_body_is_kept_as_partial(client, make_user) -> None:
    make_user("front_office", "agent07")
    post(client, [event("e1", "offered", "c9", T0, queue="front")])
    post(client, [event("e2", "abandoned", "c9", later(30))])

    response = survey_post(client, {"id": "s9", "call_id": "c9", "answers": {"waiting_time": 1}})

    assert (response.status_code, response.json()["complete"]) == (201, False)


def test_id_and_survey_id_that_differ_are_400(client) -> None:
    response = survey_post(client, {"id": "a", "survey_id": "b", "call_id": "c", "answers": {}})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "survey_id"


def _unknown_agent_call(client, call_id: str, agent: str, offset: float = 0) -> None:
    response = post(
        client,
        [
            event(f"{call_id}-1", "offered", call_id, later(offset), queue="front"),
            event(f"{call_id}-2", "answered", call_id, later(offset + 8), agent=agent),
            event(f"{call_id}-3", "ended", call_id, later(offset + 200)),
        ],
    )
    assert response.status_code == 201


def test_an_unknown_agent_s_call_counts_as_answered_in_the_service_levels(client) -> None:
    _unknown_agent_call(client, "c1", "PLATFORM-4711")

    report = service_levels(date_from=DAY, date_to=DAY, period="day", offices=["front"])

    total = report.totals["front"]
    assert (total.offered, total.answered, total.answered_in_target) == (1, 1, 1)


def test_mapping_an_agent_id_later_assigns_its_calls_contacts(
    client, make_user, administrator
) -> None:
    _unknown_agent_call(client, "c1", "PLATFORM-4711")
    _unknown_agent_call(client, "c2", "PLATFORM-4711", offset=600)
    _unknown_agent_call(client, "c3", "PLATFORM-9", offset=900)
    agent = make_user("front_office", "jdevos")
    contact = Contact.objects.get(external_id="c1")
    assert (contact.handler_id, contact.status) == (None, "open")

    result = agent_mapping_save(agent_ref="PLATFORM-4711", user=agent, by=administrator)

    assert (result.events, result.calls) == (2, 2)
    for call_id in ("c1", "c2"):
        assert Contact.objects.get(external_id=call_id).handler == agent
        assert Call.objects.get(call_id=call_id).agent == agent
        assert CallLeg.objects.get(call__call_id=call_id).agent == agent
    assert Contact.objects.get(external_id="c3").handler is None
    audit = AuditEvent.objects.get(object_type="agent_mapping")
    assert audit.detail == {"agent_ref": "PLATFORM-4711", "user": "jdevos", "calls": 2}
    # later events of the mapped id take the user straight away
    _unknown_agent_call(client, "c4", "PLATFORM-4711", offset=1200)
    assert Contact.objects.get(external_id="c4").handler == agent
    # the admin's messages name the mapping by the user's name, not the user's id
    assert str(AgentMapping.objects.get()) == "PLATFORM-4711 → jdevos"

    agent_mapping_delete(mapping=AgentMapping.objects.get(), by=administrator)

    assert Contact.objects.get(external_id="c1").handler is None


def test_the_administrator_sees_unmapped_ids_with_call_counts_and_maps_one(
    client, make_user, administrator
) -> None:
    _unknown_agent_call(client, "c1", "PLATFORM-4711")
    _unknown_agent_call(client, "c2", "PLATFORM-4711", offset=600)
    _unknown_agent_call(client, "c3", "PLATFORM-9", offset=900)
    agent = make_user("front_office", "jdevos")
    admin = Client()
    admin.force_login(administrator)

    page = admin.get("/beheer/telephony/agentmapping/")

    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="unmapped-agents"') :]
    assert table.index("PLATFORM-4711") < table.index("PLATFORM-9")
    assert "<td>PLATFORM-4711</td><td>2</td>" in table
    form = admin.get("/beheer/telephony/agentmapping/add/?agent_ref=PLATFORM-9")
    assert 'value="PLATFORM-9"' in form.content.decode()
    saved = admin.post(
        "/beheer/telephony/agentmapping/add/", {"agent_ref": "PLATFORM-9", "user": agent.pk}
    )
    assert saved.status_code == 302
    assert Contact.objects.get(external_id="c3").handler == agent
    assert "PLATFORM-9</td>" not in admin.get("/beheer/telephony/agentmapping/").content.decode()


def test_the_ivr_survey_answered_at_still_works_and_empty_is_refused(client, make_user) -> None:
    make_user("front_office", "agent07")
    post(client, [event("e1", "offered", "c5", T0, queue="front")])
    post(client, [event("e2", "answered", "c5", later(5), agent="agent07")])

    empty = survey_post(
        client, {"id": "s5", "call_id": "c5", "answered_at": "", "answers": {"courtesy": 4}}
    )
    given = survey_post(
        client,
        {"id": "s5", "call_id": "c5", "answered_at": at(later(400)), "answers": {"courtesy": 4}},
    )

    assert empty.status_code == 400
    assert given.status_code == 201
    assert SurveyResponse.objects.get().answered_at == later(400)


def test_mapping_moves_an_outbound_call_to_its_agent_s_office(client, make_user) -> None:
    # An outbound call without queue belongs to its agent's office; unknown agent: front.
    post(
        client,
        [
            event("o1", "outbound_started", "out-1", T0, agent="PLATFORM-N1"),
            event("o2", "outbound_ended", "out-1", later(120)),
        ],
    )
    assert Contact.objects.get(external_id="out-1").office == "front"
    nurse = make_user("pgjo_nurse", "nurse-n1")

    agent_mapping_save(agent_ref="PLATFORM-N1", user=nurse, by=None)

    contact = Contact.objects.get(external_id="out-1")
    assert (contact.office, contact.handler) == ("pgjo", nurse)
    assert rollups_check() == []


def test_the_unmapped_agent_ids_on_the_command_line(client) -> None:
    _unknown_agent_call(client, "c1", "PLATFORM-4711")
    _unknown_agent_call(client, "c2", "PLATFORM-4711", offset=600)
    out = StringIO()

    call_command("telephony", "unmapped-agents", stdout=out)

    [line] = out.getvalue().splitlines()
    assert line.split("\t")[:2] == ["PLATFORM-4711", "2"]
