"""One event that cannot be applied never stops the others (issue 13, item 2): it is set aside
(held, with its error), the rest of its batch and every later event apply, a team lead sees it
and applies it again once the cause is fixed — in both apply modes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kglijn.contacts.models import Contact
from kglijn.telephony import services
from kglijn.telephony.events import EventInput
from kglijn.telephony.models import Call, CallEvent
from kglijn.telephony.services import call_events_ingest, call_events_retry_held
from kglijn.telephony.state import EventFact
from tests.telephony.calls import BRUSSELS, event, post
from tests.telephony.conftest import settle

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2023, 3, 6, 9, 14, 3, tzinfo=BRUSSELS)
HELD_URL = "/telephony/held-events/"


def seconds(n: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=n)


def answered_call(call_id: str, agent: str = "agent01", at: float = 0) -> list[dict[str, Any]]:
    return [
        event(f"{call_id}-1", "offered", call_id, seconds(at), queue="front"),
        event(f"{call_id}-2", "answered", call_id, seconds(at + 10), agent=agent),
        event(f"{call_id}-3", "ended", call_id, seconds(at + 100)),
    ]


def stored_before_the_door_was_bounded(call_id: str, moment: dt.datetime) -> None:
    """An answered call stamped `moment`, stored the way the webhook stored it before its
    times were bounded (issue 13): the door no longer lets such a time in."""
    call_events_ingest(
        events=[
            EventInput(
                index=0,
                event_id=f"{call_id}-bad",
                type="offered",
                call_id=call_id,
                occurred_at=moment,
                queue="front",
            ),
            EventInput(
                index=1,
                event_id=f"{call_id}-bad-answer",
                type="answered",
                call_id=call_id,
                occurred_at=moment + dt.timedelta(seconds=10),
                agent="agent05",
            ),
        ]
    )


YEAR_9999 = dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)


def test_an_event_of_year_9999_is_held_and_the_applier_goes_on(
    client: Client, call_agents: Any, settings: Any
) -> None:
    # Given background mode, a year-9999 event stored (as before the fix), then a good call
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    stored_before_the_door_was_bounded("call-bad", YEAR_9999)
    for item in answered_call("call-good"):
        assert post(client, item).status_code == 202

    # When the applier runs (it used to fail on the bad event every second, forever)
    settle()

    # Then the good call is applied, the bad event is held with its error, nothing waits
    assert Contact.objects.get().external_id == "call-good"
    bad = CallEvent.objects.get(event_id="call-bad-bad")
    assert (bad.applied, bad.held_at is not None) == (False, True)
    assert bad.apply_error
    assert not CallEvent.objects.filter(applied=False, held_at__isnull=True).exists()
    # and later events go on too
    for item in answered_call("call-later", at=500):
        assert post(client, item).status_code == 202
    settle()
    assert set(Contact.objects.values_list("external_id", flat=True)) == {
        "call-good",
        "call-later",
    }


def _poisoned(real: Any) -> Any:
    """derive_call failing for any call holding an event id containing "poison" — a stand-in
    for a derivation bug that only some calls hit."""

    def derive(facts: Iterable[EventFact]) -> Any:
        facts = list(facts)
        if any("poison" in fact.event_id for fact in facts):
            raise ValueError("cannot derive this call")
        return real(facts)

    return derive


def test_a_call_that_fails_to_apply_is_held_and_its_batch_goes_on(
    client: Client, call_agents: Any, apply_mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "derive_call", _poisoned(services.derive_call))
    batch = [
        *answered_call("call-a"),
        event("poison-1", "offered", "call-p", seconds(1), queue="front"),
        event("poison-2", "answered", "call-p", seconds(5), agent="agent02"),
        *answered_call("call-b", agent="agent03", at=2),
    ]

    # When the batch arrives (inline: applied in the request, which must not fail)
    response = post(client, batch)
    settle()

    # Then it is stored and acknowledged; the poisoned call's events are held, the rest applied
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == len(batch)
    if apply_mode == "inline":
        assert response.json()["held"] == ["poison-1", "poison-2"]
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"call-a", "call-b"}
    held = CallEvent.objects.filter(held_at__isnull=False)
    assert sorted(held.values_list("event_id", flat=True)) == ["poison-1", "poison-2"]
    assert all(
        e == "ValueError: cannot derive this call"
        for e in held.values_list("apply_error", flat=True)
    )
    assert Call.objects.get(call_id="call-p").state == "pending"  # rows as before: untouched

    # And later events of other calls (and of the held call) still apply
    later = [*answered_call("call-c", at=300), event("p-end", "ended", "call-p", seconds(60))]
    assert post(client, later).status_code == (201 if apply_mode == "inline" else 202)
    settle()
    assert Contact.objects.filter(external_id="call-c").exists()
    assert CallEvent.objects.get(event_id="p-end").applied

    # When the cause is fixed and the team lead retries, the held events apply
    monkeypatch.undo()
    result = call_events_retry_held()

    assert (result.applied, result.held) == (2, 0)
    call = Call.objects.get(call_id="call-p")
    assert (call.state, call.contact.handler.username) == ("ended", "agent02")
    assert not CallEvent.objects.filter(applied=False).exists()


def test_a_retry_that_fails_again_keeps_the_event_held_with_the_new_error(
    call_agents: Any, settings: Any
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    stored_before_the_door_was_bounded("call-bad", YEAR_9999)
    settle()
    first = CallEvent.objects.get(event_id="call-bad-bad")

    result = call_events_retry_held()

    again = CallEvent.objects.get(event_id="call-bad-bad")
    assert (result.applied, result.held) == (0, 2)
    assert again.held_at is not None
    assert again.held_at >= first.held_at
    assert again.apply_error
    assert not again.applied


def test_the_team_lead_sees_held_events_and_retries_them(
    client: Client, call_agents: Any, team_lead: Any, settings: Any
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    stored_before_the_door_was_bounded("call-bad", YEAR_9999)
    settle()
    client.force_login(team_lead)

    page = client.get(HELD_URL, HTTP_ACCEPT_LANGUAGE="nl")

    assert page.status_code == 200
    text = page.content.decode()
    assert "call-bad-bad" in text
    assert "OverflowError" in text
    assert "Opnieuw toepassen" in text or "Apply again" in text

    retried = client.post(HELD_URL + "retry/")

    assert retried.status_code == 302
    assert CallEvent.objects.filter(held_at__isnull=False).count() == 2  # still failing


def test_other_roles_do_not_see_held_events(client: Client, make_user: Any) -> None:
    for role in ("front_office", "analyst"):
        client.force_login(make_user(role, f"user-{role}"))
        assert client.get(HELD_URL).status_code == 403
        assert client.post(HELD_URL + "retry/").status_code == 403
    client.logout()
    assert client.get(HELD_URL).status_code == 302  # to the login page


def test_the_command_lists_and_retries_held_events(
    call_agents: Any, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    stored_before_the_door_was_bounded("call-bad", YEAR_9999)
    settle()

    call_command("telephony", "held")
    assert "call-bad-bad" in capsys.readouterr().out

    # fixed by hand (e.g. the times corrected), then retried
    CallEvent.objects.filter(type="offered").update(occurred_at=T0)
    CallEvent.objects.filter(type="answered").update(occurred_at=seconds(10))
    call_command("telephony", "retry-held")

    assert "2" in capsys.readouterr().out
    assert CallEvent.objects.filter(applied=True).count() == 2
    assert Call.objects.get().state == "connected"
    assert Contact.objects.get().external_id == "call-bad"
