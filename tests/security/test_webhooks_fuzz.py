"""Property-based fuzz of both signed webhooks (issue 13): random JSON and near-valid mutations
of valid bodies, correctly signed. Whatever comes in, the answer is below 500, is JSON, and an
error answer stored nothing. Deterministic (derandomized) and fast enough for CI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kglijn.contacts.models import Contact
from tests.security.test_webhooks_hostile import (
    EVENTS_URL,
    SURVEY_URL,
    T0,
    asgi_post,
    signed_post,
    stored,
)
from tests.telephony.calls import at, event

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character, lone surrogates and NUL included (json.dumps escapes them as \ud800, \u0000).
any_text = st.text(st.characters(codec=None, categories=None), max_size=30)
odd_moments = st.one_of(
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "0017-03-06T09:00:00+01:00",
            "1900-01-01T00:00:00Z",
            "2999-03-06T09:00:00+01:00",
            "2023-03-06T09:14:03",  # no offset
            "2023-02-30T09:00:00+01:00",
            "2023-03-06T09:14:03+25:00",
            "2023-03-06",
            "",
            "now",
        ]
    ),
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.timezones(),
    ).map(lambda moment: moment.isoformat()),
)
big_ints = st.one_of(st.integers(), st.integers(min_value=10**18, max_value=10**60))
json_scalars = st.one_of(
    st.none(), st.booleans(), big_ints, st.floats(allow_nan=False), any_text, odd_moments
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)
EVENT_FIELDS = [
    "event_id", "id", "type", "call_id", "occurred_at", "at", "queue", "agent",
    "hold_seconds", "caller_number", "caller",
]  # fmt: skip
EVENT_TYPES = [
    "offered", "queued", "answered", "transferred", "ended", "abandoned",
    "outbound_started", "outbound_ended", "callback_requested",
]  # fmt: skip


def _valid_event(n: int, kind: str, call: int) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if kind in ("offered", "queued", "transferred"):
        extra["queue"] = "front"
    if kind in ("answered", "outbound_started"):
        extra["agent"] = "agent07"
    if kind == "ended":
        extra["hold_seconds"] = 5
    if kind == "callback_requested":
        extra["caller_number"] = "+32 470 12 34 56"
    return event(f"fz-{n}", kind, f"call-{call}", T0 + dt.timedelta(seconds=n), **extra)


@st.composite
def mutated_event(draw: st.DrawFn) -> Any:
    """A valid event with a few fields replaced by anything, dropped, or given odd values."""
    body = _valid_event(
        draw(st.integers(0, 10_000)), draw(st.sampled_from(EVENT_TYPES)), draw(st.integers(0, 5))
    )
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from([*EVENT_FIELDS, "extra"]))
        action = draw(st.sampled_from(["replace", "drop", "moment", "text", "int"]))
        if action == "drop":
            body.pop(name, None)
        elif action == "moment":
            body[name] = draw(odd_moments)
        elif action == "text":
            body[name] = draw(any_text) + draw(st.sampled_from(["", "\x00", "\ud800", " "]))
        elif action == "int":
            body[name] = draw(big_ints)
        else:
            body[name] = draw(json_values)
    return body


@st.composite
def event_bodies(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(["one", "batch", "random", "raw"]))
    if shape == "one":
        return json.dumps(draw(mutated_event())).encode()
    if shape == "batch":
        return json.dumps(draw(st.lists(mutated_event(), max_size=6))).encode()
    if shape == "random":
        return json.dumps(draw(json_values)).encode()
    return draw(_raw_mutation(json.dumps(draw(mutated_event()))))


@st.composite
def _raw_mutation(draw: st.DrawFn, text: str) -> bytes:
    """Byte-level trouble json.dumps never writes: deep nesting, huge numbers, bad escapes,
    truncation, invalid UTF-8."""
    kind = draw(st.sampled_from(["deep", "digits", "escape", "cut", "bytes", "nan"]))
    if kind == "deep":
        depth = draw(st.integers(1, 50_000))
        return ("[" * depth + text + "]" * depth).encode()
    if kind == "digits":
        return text.replace(
            '"fz-', '"x": ' + "7" * draw(st.integers(15, 6000)) + ', "y": "'
        ).encode()
    if kind == "escape":
        escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\u0041", "\\x"]))
        return text.replace("call-", "call-" + escape, 1).encode()
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))].encode()
    if kind == "nan":
        return text.replace("}", ', "hold_seconds": NaN}').encode()
    return text.encode() + draw(st.binary(max_size=8))


def _assert_safe(status: int, content_type: str, content: bytes, before: Any, after: Any) -> None:
    assert status < 500, content[:300]
    assert content_type == "application/json", (status, content[:300])
    answer = json.loads(content)
    if status >= 400 and status != 409:  # 409 (events): kept, applies once the call starts
        assert "errors" in answer
        assert after == before, (status, answer)


@pytest.fixture
def agent07(make_user: Callable[..., User]) -> User:
    return make_user("front_office", "agent07")


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["inline", "background"])
def test_the_events_webhook_never_fails_on_any_signed_body(
    client: Client, agent07: User, settings: Any, mode: str
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = mode

    @FUZZ
    @given(body=event_bodies())
    def check(body: bytes) -> None:
        before = stored()
        response = signed_post(client, EVENTS_URL, body)
        _assert_safe(
            response.status_code, response["Content-Type"], response.content, before, stored()
        )

    check()


@pytest.mark.django_db(transaction=True)
def test_the_lean_events_endpoint_never_fails_on_any_signed_body(
    agent07: User, settings: Any
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"

    @settings_for_asgi
    @given(body=event_bodies())
    def check(body: bytes) -> None:
        before = stored()
        status, headers, content = asgi_post(EVENTS_URL, body)
        _assert_safe(status, headers["content-type"], content, before, stored())

    check()


settings_for_asgi = settings(FUZZ, max_examples=60)

CRITERIA = ["waiting_time", "courtesy", "information", "recommendation"]


@st.composite
def survey_bodies(draw: st.DrawFn) -> bytes:
    body: dict[str, Any] = {
        "survey_id": f"ivr-{draw(st.integers(0, 50))}",
        "call_id": draw(st.sampled_from(["call-1", "call-2", "call-9"])),
        "answered_at": at(T0 + dt.timedelta(minutes=draw(st.integers(-10, 60)))),
        "answers": {name: draw(st.one_of(st.none(), st.integers(-2, 12))) for name in CRITERIA},
        "complete": draw(st.booleans()),
    }
    fields = [*body, "remark", "extra"]
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(fields))
        action = draw(st.sampled_from(["replace", "drop", "moment", "text", "answer"]))
        if action == "drop":
            body.pop(name, None)
        elif action == "moment":
            body["answered_at"] = draw(odd_moments)
        elif action == "text":
            body[name] = draw(any_text) + draw(st.sampled_from(["", "\x00", "\ud800"]))
        elif action == "answer" and isinstance(body.get("answers"), dict):
            key = draw(st.one_of(st.sampled_from(CRITERIA), any_text))
            body["answers"][key] = draw(json_values)
        else:
            body[name] = draw(json_values)
    shape = draw(st.sampled_from(["mutated", "mutated", "random", "raw"]))
    if shape == "random":
        return json.dumps(draw(json_values)).encode()
    text = json.dumps(body)
    if shape == "raw":
        return draw(_raw_mutation(text.replace("ivr-", "fz-ivr-")))
    return text.encode()


@pytest.mark.django_db
def test_the_survey_webhook_never_fails_on_any_signed_body(client: Client, agent07: User) -> None:
    # Given call-1 answered (it has a contact) and call-2 only ringing (no contact yet)
    for item in [
        event("e1", "offered", "call-1", T0, queue="front"),
        event("e2", "answered", "call-1", T0 + dt.timedelta(seconds=14), agent="agent07"),
        event("e3", "ended", "call-1", T0 + dt.timedelta(seconds=314)),
        event("e4", "offered", "call-2", T0, queue="front"),
    ]:
        assert signed_post(client, EVENTS_URL, json.dumps(item).encode()).status_code == 201
    assert Contact.objects.count() == 1

    @FUZZ
    @given(body=survey_bodies())
    def check(body: bytes) -> None:
        before = stored()
        response = signed_post(client, SURVEY_URL, body)
        _assert_safe(
            response.status_code, response["Content-Type"], response.content, before, stored()
        )

    check()
