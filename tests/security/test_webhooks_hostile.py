"""The signed webhooks against hostile or careless bodies (issue 13, item 3): every one of the
reproducers that ended in a 500 (or an HTML page) is a 400/413 JSON answer naming the field,
with nothing stored — on the events webhook (Django view and the lean ASGI endpoint of
`kglijn serve`) and on the IVR survey webhook."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import User
from django.test import Client

from kglijn.config.asgi import application
from kglijn.contacts.models import Contact
from kglijn.surveys.models import SurveyResponse
from kglijn.telephony.events import MAX_BODY_BYTES
from kglijn.telephony.models import Call, CallEvent
from tests.telephony.calls import BRUSSELS, at, event, sign

EVENTS_URL = "/api/v1/telephony/events/"
SURVEY_URL = "/api/v1/telephony/survey/"
T0 = dt.datetime(2023, 3, 6, 9, 14, 3, tzinfo=BRUSSELS)


# --- helpers shared with the fuzz ------------------------------------------------------------


def signed_post(client: Client, url: str, body: bytes) -> Any:
    return client.post(
        url,
        data=body,
        content_type="application/json",
        HTTP_X_KGLIJN_SIGNATURE=sign(body),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def asgi_post(path: str, body: bytes, *, signed: bool = True) -> tuple[int, dict[str, str], bytes]:
    """POST through kglijn's ASGI application (the lean endpoint for the events path)."""
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    if signed:
        headers.append((b"x-kglijn-signature", sign(body).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def run() -> tuple[int, dict[str, str], bytes]:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": body})
        start = await communicator.receive_output(30)
        chunks = []
        while True:
            message = await communicator.receive_output(30)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await communicator.wait(5)
        names = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return start["status"], names, b"".join(chunks)

    return asyncio.run(run())


def stored() -> tuple[int, int, int, int]:
    return (
        CallEvent.objects.count(),
        Call.objects.count(),
        Contact.objects.count(),
        SurveyResponse.objects.count(),
    )


def good_event(**overrides: Any) -> dict[str, Any]:
    return event("e1", "offered", "call-1", T0, queue="front") | overrides


def raw_event(fragment: str) -> bytes:
    """A valid event's JSON with one field written verbatim (escapes kept as sent)."""
    return (
        '{"event_id": "e1", "type": "answered", "call_id": "call-1", '
        f'"occurred_at": "{at(T0)}", "agent": "agent07", {fragment}}}'
    ).encode()


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


# (name, body, the field the error names, the event index it names)
EVENT_REPRODUCERS: list[tuple[str, bytes, str, int | None]] = [
    ("nested 100,000 levels", _deep(100_000), "body", None),
    (
        "nested in a field",
        json.dumps(good_event(extra=json.loads(_deep(30)))).encode(),
        "extra",
        0,
    ),
    ("a 5,000-digit integer", raw_event('"hold_seconds": ' + "9" * 5000), "body", None),
    ("a 30-digit integer", raw_event('"hold_seconds": ' + "9" * 30), "hold_seconds", 0),
    ("NaN", raw_event('"hold_seconds": NaN'), "body", None),
    ("NUL in the event id", json.dumps(good_event(event_id="e\x001")).encode(), "event_id", 0),
    ("NUL in the call id", json.dumps([good_event(call_id="c\x00")]).encode(), "call_id", 0),
    ("NUL in the agent", raw_event('"queue": "front"').replace(b"agent07", b"agent\\u0000"), "agent", 0),  # noqa: E501
    ("a lone surrogate in the call id", raw_event('"x": 1').replace(b"call-1", b"\\ud800"), "call_id", 0),  # noqa: E501
    ("a lone surrogate in a key", raw_event('"\\udfff": 1'), "\\udfff", 0),
    ("a huge string", json.dumps(good_event(note="x" * 100_000)).encode(), "note", 0),
    *[
        (f"occurred_at {value}", json.dumps(good_event(occurred_at=value)).encode(), "occurred_at", 0)  # noqa: E501
        for value in (
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+00:00",
            "0017-03-06T09:00:00+01:00",
            "1900-03-06T09:00:00+01:00",
            "1999-12-31T23:59:59+00:00",
            "2999-03-06T09:00:00+01:00",
            "9999-12-31T23:30:00+00:00",
        )
    ],
]  # fmt: skip


@pytest.fixture(params=["inline", "background"])
def apply_mode(request: pytest.FixtureRequest, settings: Any) -> str:
    settings.KGLIJN_TELEPHONY_APPLY = request.param
    return str(request.param)


@pytest.fixture
def agent07(make_user: Callable[..., User]) -> User:
    return make_user("front_office", "agent07")


# --- the events webhook, Django view ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "index"),
    [pytest.param(body, field, index, id=name) for name, body, field, index in EVENT_REPRODUCERS],
)
def test_a_hostile_event_body_is_400_naming_the_field_and_stores_nothing(
    client: Client, agent07: User, apply_mode: str, body: bytes, field: str, index: int | None
) -> None:
    response = signed_post(client, EVENTS_URL, body)

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert (errors[0]["field"], errors[0]["index"]) == (field, index), errors
    assert stored() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_batch_names_the_index_of_the_bad_event(client: Client, agent07: User) -> None:
    body = json.dumps(
        [good_event(), good_event(event_id="e2", occurred_at="2999-01-01T00:00:00Z")]
    ).encode()

    response = signed_post(client, EVENTS_URL, body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "occurred_at",
            "message": "The time must lie between 2000-01-01 and one day from now.",
        }
    ]
    assert stored() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_time_within_a_day_ahead_is_taken_one_beyond_is_not(
    client: Client, agent07: User
) -> None:
    now = dt.datetime.now(dt.UTC)
    soon = json.dumps(good_event(occurred_at=(now + dt.timedelta(hours=23)).isoformat()))
    late = json.dumps(
        good_event(event_id="e2", occurred_at=(now + dt.timedelta(hours=25)).isoformat())
    )

    assert signed_post(client, EVENTS_URL, soon.encode()).status_code == 201
    assert signed_post(client, EVENTS_URL, late.encode()).status_code == 400
    assert list(CallEvent.objects.values_list("event_id", flat=True)) == ["e1"]


@pytest.mark.django_db
def test_a_too_large_event_body_is_a_json_413(client: Client) -> None:
    body = b"[" + b" " * MAX_BODY_BYTES + b"]"

    response = signed_post(client, EVENTS_URL, body)

    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
    assert stored() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_the_signature_is_checked_before_parsing(client: Client) -> None:
    response = client.post(EVENTS_URL, data=_deep(100_000), content_type="application/json")

    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "X-KGLijn-Signature"


# --- the events webhook, lean ASGI endpoint (`kglijn serve`) ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_lean_endpoint_answers_every_reproducer_with_a_json_400(
    agent07: User, settings: Any
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    settings.LANGUAGE_CODE = "en"
    for name, body, field, index in EVENT_REPRODUCERS:
        status, headers, answer = asgi_post(EVENTS_URL, body)

        assert (status, headers["content-type"]) == (400, "application/json"), (name, answer)
        first = json.loads(answer)["errors"][0]
        assert (first["field"], first["index"]) == (field, index), name
    too_large = b"[" + b" " * MAX_BODY_BYTES + b"]"
    status, headers, answer = asgi_post(EVENTS_URL, too_large)
    assert (status, headers["content-type"]) == (413, "application/json")
    assert json.loads(answer)["errors"][0]["field"] == "body"
    assert stored() == (0, 0, 0, 0)


# --- the survey webhook ----------------------------------------------------------------------


def survey(**overrides: Any) -> dict[str, Any]:
    return {
        "survey_id": "ivr-1",
        "call_id": "call-1",
        "answered_at": at(T0 + dt.timedelta(minutes=6)),
        "answers": {"waiting_time": 4, "courtesy": 5, "information": 4, "recommendation": 9},
        "complete": True,
    } | overrides


def raw_survey(fragment: str) -> bytes:
    return (
        '{"survey_id": "ivr-1", "call_id": "call-1", '
        f'"answered_at": "{at(T0 + dt.timedelta(minutes=6))}", "complete": false, {fragment}}}'
    ).encode()


SURVEY_REPRODUCERS: list[tuple[str, bytes, str]] = [
    ("nested 5,000 levels", _deep(5_000), "body"),
    ("nested 2,000 objects", b'{"a":' * 2_000 + b"1" + b"}" * 2_000, "body"),
    ("nested in answers", raw_survey('"answers": ' + "[" * 20 + "]" * 20), "answers"),
    ("a 5,000-digit score", raw_survey('"answers": {"courtesy": ' + "9" * 5000 + "}"), "body"),
    ("a 30-digit score", raw_survey('"answers": {"courtesy": ' + "9" * 30 + "}"), "answers.courtesy"),  # noqa: E501
    ("NUL in the survey id", json.dumps(survey(survey_id="ivr\x00")).encode(), "survey_id"),
    ("NUL in the call id", json.dumps(survey(call_id="call-1\x00")).encode(), "call_id"),
    ("a lone surrogate", raw_survey('"answers": {"courtesy": 3}').replace(b"ivr-1", b"\\ud800"), "survey_id"),  # noqa: E501
    ("a surrogate criterion", raw_survey('"answers": {"\\ud800": 3}'), "answers.\\ud800"),
    ("a huge string", json.dumps(survey(remark="x" * 5_000)).encode(), "remark"),
    *[
        (f"answered_at {value}", json.dumps(survey(answered_at=value)).encode(), "answered_at")
        for value in (
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "0017-03-06T09:00:00+01:00",
            "1900-03-06T09:00:00+01:00",
            "2999-03-06T09:00:00+01:00",
            "9999-03-06T09:20:00+01:00",
        )
    ],
]  # fmt: skip


@pytest.fixture
def answered_call(client: Client, agent07: User) -> Contact:
    for item in [
        event("e1", "offered", "call-1", T0, queue="front"),
        event("e2", "answered", "call-1", T0 + dt.timedelta(seconds=14), agent="agent07"),
        event("e3", "ended", "call-1", T0 + dt.timedelta(seconds=314)),
    ]:
        assert signed_post(client, EVENTS_URL, json.dumps(item).encode()).status_code == 201
    return Contact.objects.get(external_id="call-1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [pytest.param(body, field, id=name) for name, body, field in SURVEY_REPRODUCERS],
)
def test_a_hostile_survey_body_is_400_naming_the_field_and_stores_nothing(
    client: Client, answered_call: Contact, body: bytes, field: str
) -> None:
    response = signed_post(client, SURVEY_URL, body)

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == field, response.json()
    assert SurveyResponse.objects.count() == 0


@pytest.mark.django_db
def test_an_ivr_answer_dated_9999_does_not_block_the_calls_real_survey(
    client: Client, answered_call: Contact
) -> None:
    bogus = survey(survey_id="ivr-bogus", answered_at="9999-12-31T23:00:00+01:00")
    assert signed_post(client, SURVEY_URL, json.dumps(bogus).encode()).status_code == 400

    response = signed_post(client, SURVEY_URL, json.dumps(survey()).encode())

    assert response.status_code == 201, response.content
    assert SurveyResponse.objects.get().contact == answered_call


@pytest.mark.django_db
def test_a_too_large_survey_body_is_a_json_413(client: Client) -> None:
    body = json.dumps(survey(padding=" " * 100_000)).encode()

    response = signed_post(client, SURVEY_URL, body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == "body"
    assert SurveyResponse.objects.count() == 0


@pytest.mark.django_db
def test_the_survey_signature_is_checked_before_parsing(client: Client) -> None:
    response = client.post(SURVEY_URL, data=_deep(5_000), content_type="application/json")

    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "X-KGLijn-Signature"
