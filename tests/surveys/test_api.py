"""POST /api/v1/telephony/survey/: the IVR's answers after a call, written onto its contact."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from kglijn.contacts.models import Contact
from kglijn.surveys.models import FollowUpTask, SurveyResponse
from tests.surveys.factories import survey_snapshot, team_make
from tests.telephony.calls import BRUSSELS, at, event, sign
from tests.telephony.calls import post as post_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/survey/"
T0 = dt.datetime(2023, 3, 6, 9, 14, 3, tzinfo=BRUSSELS)
AFTER_CALL = T0 + dt.timedelta(minutes=6)


def survey_post(client, payload: Any = None, *, raw: bytes | None = None, signature=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    header = sign(body) if signature is None else signature
    if header:
        headers["HTTP_X_KGLIJN_SIGNATURE"] = header
    return client.post(URL, data=body, content_type="application/json", **headers)


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "survey_id": "ivr-555",
        "call_id": "call-123",
        "answered_at": at(AFTER_CALL),
        "answers": {"waiting_time": 4, "courtesy": 5, "information": 4, "recommendation": 9},
        "complete": True,
    } | overrides


@pytest.fixture
def agent07(make_user) -> User:
    return make_user("front_office", "agent07")


@pytest.fixture
def answered_call(client, agent07) -> Contact:
    """call-123: offered, answered by agent07, ended — through the real events webhook."""
    for item in [
        event("e1", "offered", "call-123", T0, queue="front"),
        event("e2", "answered", "call-123", T0 + dt.timedelta(seconds=14), agent="agent07"),
        event("e3", "ended", "call-123", T0 + dt.timedelta(seconds=314)),
    ]:
        assert post_events(client, item).status_code == 201
    return Contact.objects.get(external_id="call-123")


def test_ivr_answers_for_a_call_appear_on_its_contact(client, answered_call) -> None:
    response = survey_post(client, body())

    assert response.status_code == 201
    assert response.json() == {
        "survey_id": "ivr-555",
        "status": "new",
        "complete": True,
        "follow_up": False,
    }
    stored = answered_call.survey_response
    assert (stored.waiting_time, stored.courtesy, stored.information, stored.recommendation) == (
        4,
        5,
        4,
        9,
    )
    assert (stored.source, stored.channel, stored.external_id, stored.complete) == (
        "ivr",
        "phone",
        "ivr-555",
        True,
    )
    assert stored.answered_at == AFTER_CALL


def test_a_replayed_request_changes_nothing(client, answered_call) -> None:
    assert survey_post(client, body()).status_code == 201
    before = survey_snapshot()
    values = SurveyResponse.objects.values().get()

    again = survey_post(client, body())
    changed = survey_post(client, body(answers={"waiting_time": 1, "courtesy": 1}, complete=False))

    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert (changed.status_code, changed.json()["status"]) == (200, "duplicate")
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.values().get() == values
    assert survey_snapshot() == before


def test_unknown_fields_are_ignored_and_a_remark_is_never_stored(client, answered_call) -> None:
    response = survey_post(client, body(remark="Mijn naam is Jan", language="nl"))

    assert response.status_code == 201
    assert SurveyResponse.objects.get().remark == ""


def test_partial_answers_are_kept_as_partial(client, answered_call) -> None:
    response = survey_post(
        client,
        body(answers={"waiting_time": 2, "courtesy": 4, "information": None}, complete=False),
    )

    assert response.status_code == 201
    assert response.json()["complete"] is False
    stored = SurveyResponse.objects.get(contact=answered_call)
    assert (
        stored.waiting_time,
        stored.courtesy,
        stored.information,
        stored.recommendation,
        stored.complete,
    ) == (2, 4, None, None, False)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("sha256=" + "0" * 64, id="wrong"),
        pytest.param(sign(b"{}"), id="for-another-body"),
        pytest.param(sign(json.dumps(body()).encode(), "not-the-secret"), id="other-secret"),
    ],
)
def test_a_wrong_signature_is_401_and_stores_nothing(client, answered_call, signature) -> None:
    before = survey_snapshot()

    response = survey_post(client, body(), signature=signature)

    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "X-KGLijn-Signature"
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256")
    assert survey_snapshot() == before
    assert SurveyResponse.objects.count() == 0


def test_a_low_score_opens_exactly_one_task_for_the_right_lead(
    client, answered_call, agent07, make_user
) -> None:
    lead = make_user("team_lead", "lead-a")
    team_make(name="Team A", lead=lead, members=[agent07])
    team_make(name="Team B", lead=make_user("team_lead", "lead-b"), members=[])
    low = body(answers={"waiting_time": 3, "courtesy": 2, "information": 3, "recommendation": 2})

    first = survey_post(client, low)
    replay = survey_post(client, low)

    assert (first.status_code, first.json()["follow_up"]) == (201, True)
    assert (replay.status_code, replay.json()["follow_up"]) == (200, True)
    task = FollowUpTask.objects.get()
    assert (task.contact, task.assigned_to) == (answered_call, lead)
    assert task.reasons == (
        "beleefdheid: score 2 (drempel ≤ 2); aanbeveling (NPS): score 2 (drempel ≤ 3)"
    )


def _errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["message"]) for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param(
            {"call_id": "call-123"},
            [
                ("survey_id", "This field is required."),
                ("answers", "Expected an object of criterion: score or null."),
            ],
            id="missing-fields",
        ),
        pytest.param(
            body(answered_at="2023-03-06T09:20:00", survey_id=5, remark="hallo"),
            [
                ("survey_id", "Expected a string."),
                ("answered_at", "The time needs a UTC offset (e.g. +01:00 or Z)."),
            ],
            id="types",
        ),
        pytest.param(
            body(answers={"waiting_time": 9, "courtesy": "5", "speed": 1}, complete=False),
            [
                (
                    "answers.speed",
                    "Unknown criterion; expected one of: waiting_time, courtesy, information, "
                    "recommendation.",
                ),
                ("answers.waiting_time", "Score 9 is outside the scale 1–5."),
                ("answers.courtesy", "Expected a whole number or null."),
            ],
            id="answers",
        ),
        pytest.param(
            body(answers={"waiting_time": 4}),
            [
                (
                    f"answers.{name}",
                    "A complete response answers every question; send complete=false for a "
                    "partial one.",
                )
                for name in ("courtesy", "information", "recommendation")
            ],
            id="complete-but-partial",
        ),
        pytest.param(
            body(answered_at=at(T0 - dt.timedelta(hours=1))),
            [("answered_at", "Cannot be before the contact was received.")],
            id="before-the-call",
        ),
    ],
)
def test_a_malformed_body_is_400_naming_each_field_and_stores_nothing(
    client, answered_call, payload, errors
) -> None:
    before = survey_snapshot()

    response = survey_post(client, payload)

    assert response.status_code == 400
    assert sorted(_errors(response)) == sorted(errors)
    assert survey_snapshot() == before


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"{not json", "The body is not valid JSON", id="not-json"),
        pytest.param(b"[]", "Send one JSON object.", id="array"),
    ],
)
def test_a_body_that_is_not_one_json_object_is_400(client, raw, message) -> None:
    response = survey_post(client, raw=raw)

    assert response.status_code == 400
    [(field, text)] = _errors(response)
    assert field == "body"
    assert text.startswith(message)
    assert SurveyResponse.objects.count() == 0


def test_an_unknown_call_is_404_and_stores_nothing(client, answered_call) -> None:
    before = survey_snapshot()

    response = survey_post(client, body(call_id="call-999"))

    assert response.status_code == 404
    assert _errors(response) == [
        (
            "call_id",
            "Unknown call “call-999”: none of its events has arrived yet. Nothing was stored; "
            "send the answers again once the call's events are delivered.",
        )
    ]
    assert survey_snapshot() == before


def test_a_call_without_contact_yet_is_409_and_stores_nothing(client) -> None:
    post_events(client, event("e1", "offered", "call-7", T0, queue="front"))
    before = survey_snapshot()

    response = survey_post(client, body(call_id="call-7"))

    assert response.status_code == 409
    assert _errors(response) == [
        (
            "call_id",
            "Call “call-7” has no contact yet (it was not answered or its events are still "
            "incomplete). Nothing was stored; sending again later is safe.",
        )
    ]
    assert survey_snapshot() == before


def test_a_second_survey_for_the_same_contact_is_409(client, answered_call) -> None:
    assert survey_post(client, body()).status_code == 201
    before = survey_snapshot()

    response = survey_post(client, body(survey_id="ivr-556"))

    assert response.status_code == 409
    assert _errors(response) == [
        (
            "call_id",
            "The contact of call “call-123” already has other survey answers; a contact is "
            "surveyed once. Nothing was stored.",
        )
    ]
    assert survey_snapshot() == before


def test_a_survey_id_reused_for_another_call_is_409(client, answered_call) -> None:
    assert survey_post(client, body()).status_code == 201
    for item in [
        event("f1", "offered", "call-124", T0, queue="front"),
        event("f2", "answered", "call-124", T0 + dt.timedelta(seconds=4), agent="agent07"),
    ]:
        post_events(client, item)
    before = survey_snapshot()

    response = survey_post(client, body(call_id="call-124"))

    assert response.status_code == 409
    assert _errors(response) == [
        ("survey_id", "Survey id “ivr-555” was already used for another call. Nothing was stored.")
    ]
    assert survey_snapshot() == before


def test_only_post_is_allowed(client) -> None:
    assert client.get(URL).status_code == 405
