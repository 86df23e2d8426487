"""The lean ASGI transport of the call-event webhook (`kglijn serve`, ADR 0009): same answers
as the Django view, its own limits, everything else still served by Django."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from kglijn.config.asgi import application
from kglijn.contacts.models import Contact
from kglijn.telephony.asgi import MAX_BODY_BYTES
from kglijn.telephony.models import Call, CallEvent
from tests.telephony.calls import URL, plan_calls, post, sign
from tests.telephony.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


def _request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def run() -> tuple[int, dict[str, str], bytes]:
        communicator = ApplicationCommunicator(application, scope)
        # sent in two chunks, as a proxy may forward it
        half = len(body) // 2
        await communicator.send_input(
            {"type": "http.request", "body": body[:half], "more_body": True}
        )
        await communicator.send_input({"type": "http.request", "body": body[half:]})
        start = await communicator.receive_output(20)
        chunks = []
        while True:
            message = await communicator.receive_output(20)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await communicator.wait(5)
        names = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return start["status"], names, b"".join(chunks)

    return asyncio.run(run())


def _signed(items: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(items).encode()
    return body, {"X-KGLijn-Signature": sign(body), "Content-Type": "application/json"}


def test_only_post(call_agents) -> None:
    status, headers, body = _request("GET", URL)
    assert (status, headers["allow"]) == (405, "POST")
    assert json.loads(body)["errors"][0]["field"] == "body"


def test_an_unsigned_body_is_401_and_stores_nothing(call_agents) -> None:
    status, headers, body = _request("POST", URL, b'{"event_id": "x"}')
    assert status == 401
    assert headers["www-authenticate"] == 'HMAC-SHA256 header="X-KGLijn-Signature"'
    assert json.loads(body)["errors"][0]["field"] == "X-KGLijn-Signature"
    assert (CallEvent.objects.count(), Call.objects.count()) == (0, 0)


def test_a_body_beyond_the_limit_is_413_and_stores_nothing(call_agents) -> None:
    body = b"[" + b" " * MAX_BODY_BYTES + b"]"
    status, _headers, _body = _request("POST", URL, body, {"X-KGLijn-Signature": sign(body)})
    assert status == 413
    assert CallEvent.objects.count() == 0


def test_signed_events_are_stored_acknowledged_and_applied_later(call_agents, settings) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    call = plan_calls(1, seed=5)[0]
    body, headers = _signed(call.events)

    status, response_headers, answer = _request("POST", URL + "", body, headers)

    assert (status, response_headers["content-type"]) == (202, "application/json")
    payload = json.loads(answer)
    assert (payload["accepted"], payload["duplicates"]) == (len(call.events), 0)
    assert {result["call"] for result in payload["results"]} == {"known"}
    assert CallEvent.objects.filter(applied=False).count() == len(call.events)
    assert Contact.objects.count() == 0

    settle()
    contact = Contact.objects.get(external_id=call.call_id)
    assert (contact.received_at, contact.answered_at) == (call.received_at, call.answered_at)

    # the redelivery: 200, and the same answer the Django view gives
    status, _headers, again = _request("POST", URL.rstrip("/"), body, headers)
    assert status == 200
    assert json.loads(again)["duplicates"] == len(call.events)


def test_the_same_answer_as_the_django_view(call_agents, client, settings) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    settings.LANGUAGE_CODE = "en"  # the lean endpoint has no locale negotiation
    events = plan_calls(3, seed=6)[1].events
    body, headers = _signed(events[1:])  # without the call's start: 409, pending

    status, _headers, lean = _request("POST", URL, body, headers)
    view = post(client, None, raw=body)

    # the view's request is a redelivery: duplicates, still 409 while the call is unknown
    assert (status, view.status_code) == (409, 409)
    lean_payload, view_payload = json.loads(lean), view.json()
    assert (lean_payload["accepted"], view_payload["duplicates"]) == (len(events) - 1,) * 2
    assert lean_payload["errors"] == view_payload["errors"]
    assert lean_payload["errors"][0]["field"] == "call_id"


def test_other_paths_are_django(call_agents) -> None:
    status, headers, body = _request("GET", "/login/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert b"csrfmiddlewaretoken" in body


def test_an_unknown_agent_is_accepted_here_too(call_agents, settings) -> None:
    # Issue 15: the lean endpoint applies the same rule as the Django view.
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    events = [
        {"id": "u1", "type": "offered", "call_id": "cu", "at": "2023-03-06T09:00:00+01:00",
         "queue": "front"},
        {"id": "u2", "type": "answered", "call_id": "cu", "at": "2023-03-06T09:00:09+01:00",
         "agent": "PLATFORM-77"},
    ]  # fmt: skip
    body, headers = _signed(events)

    status, _headers, answer = _request("POST", URL, body, headers)

    assert status == 202
    assert json.loads(answer)["accepted"] == 2
    settle()
    assert CallEvent.objects.get(event_id="u2").agent_ref == "PLATFORM-77"
    assert Call.objects.get(call_id="cu").answered_at is not None
