"""The call simulator: a realistic, deterministic day of events, its reference service levels,
and the signed replay (kglijn.telephony.simulation: simulator, day_setup, replay)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.numbers import format_nl
from kglijn.demo.users import DEMO_USERS, HANDLER_ROLES
from kglijn.telephony.simulation.day_setup import calendar_hours, demo_roster, expected_calls
from kglijn.telephony.simulation.erlang import (
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    erlang_c_wait_probability,
)
from kglijn.telephony.simulation.event_log import CallEvent, service_levels
from kglijn.telephony.simulation.replay import (
    SIGNATURE_HEADER,
    ReplayError,
    delivery_plan,
    live_events,
    replay,
    signature,
)
from kglijn.telephony.simulation.simulator import SimulatedDay, simulate_day

MONDAY = dt.date(2023, 3, 6)
SECRET = "test-telephony-secret"


@pytest.fixture
def monday_hours(db: None) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return calendar_hours(MONDAY)


@pytest.fixture
def monday(monday_hours: dict[str, tuple[dt.datetime, dt.datetime]]) -> SimulatedDay:
    return simulate_day(MONDAY, hours=monday_hours, seed=1)


def _at(clock: str) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time.fromisoformat(clock), tzinfo=BRUSSELS)


# --- the day ------------------------------------------------------------------------------------


def test_same_seed_same_day_other_seed_other_day(monday_hours: Any, monday: SimulatedDay) -> None:
    again = simulate_day(MONDAY, hours=monday_hours, seed=1)
    other = simulate_day(MONDAY, hours=monday_hours, seed=2)

    assert [e.as_json() for e in again.events] == [e.as_json() for e in monday.events]
    assert [e.as_json() for e in other.events] != [e.as_json() for e in monday.events]
    assert not monday.call_ids & other.call_ids  # ids carry the seed: days never collide


def test_monday_volume_follows_the_source_figures(monday_hours: Any) -> None:
    # 2023: 138,844 calls from 1 January to 15 November (000 §2), Monday weight 16 of 55.
    assert 900 < expected_calls(MONDAY) < 1100
    week = [expected_calls(MONDAY + dt.timedelta(days=n)) for n in range(5)]
    assert week[0] == max(week)  # Monday is the peak day
    assert expected_calls(dt.date(2019, 3, 4)) > expected_calls(MONDAY)  # 194 k calls in 2019
    for seed in (1, 2, 3, 4):
        day = simulate_day(MONDAY, hours=monday_hours, seed=seed)
        offered = sum(1 for e in day.events if e.type == "offered")
        assert 750 <= offered <= 1250, (seed, offered)


def test_closed_day_has_no_calls(db: None) -> None:
    sunday = MONDAY - dt.timedelta(days=1)
    easter_monday = dt.date(2023, 4, 10)

    assert calendar_hours(sunday) == {}
    assert calendar_hours(easter_monday) == {}
    assert simulate_day(sunday, hours={}, seed=1).events == ()


def test_intraday_profile_morning_peak_and_lunch_dip(monday_hours: Any) -> None:
    per_hour: Counter[int] = Counter()
    for seed in (1, 2, 3):
        day = simulate_day(MONDAY, hours=monday_hours, seed=seed)
        per_hour.update(e.occurred_at.hour for e in day.events if e.type == "offered")

    assert max(per_hour, key=lambda hour: per_hour[hour]) in (9, 10, 11)
    assert per_hour[12] < per_hour[11]
    assert per_hour[12] < per_hour[13]
    assert per_hour[19] < per_hour[10] / 3  # quiet evening


def test_no_call_enters_a_queue_outside_its_office_hours(
    monday_hours: dict[str, tuple[dt.datetime, dt.datetime]],
) -> None:
    for seed in (1, 2, 3):
        day = simulate_day(MONDAY, hours=monday_hours, seed=seed)
        entries = [e for e in day.events if e.type in ("offered", "queued", "transferred")]
        assert {e.queue for e in entries} == {"front", "pgjo", "childcare"}
        for event in entries:
            assert event.queue is not None
            opens, closes = monday_hours[event.queue]
            assert opens <= event.occurred_at < closes, event
        first_offer = min(e.occurred_at for e in entries if e.type == "offered")
        assert first_offer.astimezone(BRUSSELS).hour == 8
        # Outbound calls are made by an office while it is open too.
        for event in day.events:
            if event.type == "outbound_started":
                assert _at("08:00") <= event.occurred_at < _at("20:00")


def _office_of_agents() -> dict[str, str]:
    role_office = {role: office for office, role in HANDLER_ROLES.items()}
    return {u.username: role_office[u.role_slug] for u in DEMO_USERS if u.role_slug in role_office}


def test_every_call_has_a_valid_lifecycle(monday: SimulatedDay) -> None:
    """offered → queued → answered [→ transferred → answered] → ended, or offered → queued →
    abandoned / callback_requested, or outbound_started → outbound_ended; answers by agents of
    the queue's office; times never go back; event ids unique."""
    agents = _office_of_agents()
    ids = [e.event_id for e in monday.events]
    assert len(ids) == len(set(ids))
    by_call: dict[str, list[CallEvent]] = defaultdict(list)
    for event in monday.events:
        by_call[event.call_id].append(event)
    shapes: Counter[str] = Counter()
    for call_id, events in by_call.items():
        times = [e.occurred_at for e in events]
        assert times == sorted(times), call_id
        kinds = [e.type for e in events]
        shape = " ".join(kinds)
        shapes[shape] += 1
        assert shape in {
            "offered queued answered ended",
            "offered queued answered transferred answered ended",
            "offered queued abandoned",
            "offered queued callback_requested",
            "outbound_started outbound_ended",
        }, (call_id, shape)
        office = None
        for event in events:
            if event.type in ("offered", "queued", "transferred"):
                office = event.queue
            if event.type == "answered":
                assert event.agent is not None
                assert agents[event.agent] == office, event
            if event.type == "outbound_started":
                assert event.agent in agents
            if event.type == "transferred":
                assert event.queue in ("pgjo", "childcare")
            if event.type == "ended":
                assert event.hold_seconds is not None
                assert event.hold_seconds >= 0
            if event.type == "callback_requested":
                assert event.caller_number is not None
                assert event.caller_number.startswith("+324")
            else:
                assert event.caller_number is None  # personal data only where needed
    # A realistic mix: mostly answered, some transfers, abandons, call-backs and outbound.
    calls = sum(shapes.values())
    assert shapes["offered queued answered ended"] > 0.8 * calls
    assert shapes["offered queued answered transferred answered ended"] > 0.03 * calls
    assert shapes["offered queued abandoned"] > 0
    assert shapes["outbound_started outbound_ended"] > 0


def test_the_day_is_realistic_for_a_contact_centre(monday: SimulatedDay) -> None:
    levels = service_levels(monday.events)
    front = levels[("front", None)]
    assert front.service_level_pct is not None
    assert 70 <= front.service_level_pct <= 97
    assert front.abandon_rate_pct is not None
    assert 0.5 <= front.abandon_rate_pct <= 10
    assert front.asa_seconds is not None
    assert 1 <= front.asa_seconds <= 30
    assert front.aht_seconds is not None
    assert 200 <= front.aht_seconds <= 330
    assert front.short_abandoned > 0
    assert levels[("pgjo", None)].offered > levels[("childcare", None)].offered > 0
    # Staffing per half hour follows the arrivals (Erlang C), within the people there are.
    front_positions = monday.positions["front"]
    assert len(front_positions) == 24  # 08:00-20:00
    assert max(front_positions) <= 45
    assert front_positions[4] > front_positions[-1]  # 10:00 busier than 19:30


def test_custom_roster_answers_the_calls(monday_hours: Any) -> None:
    roster = {"front": ("a1", "a2"), "pgjo": ("n1",), "childcare": ("c1",)}
    day = simulate_day(MONDAY, hours=monday_hours, seed=5, roster=roster, expected=100)

    answered_by = {e.agent for e in day.events if e.type == "answered"}
    assert answered_by <= {"a1", "a2", "n1", "c1"}
    assert 60 <= sum(1 for e in day.events if e.type == "offered") <= 140
    assert demo_roster() == {
        "front": ("agent1", "agent2", "agent3", "agent4", "agent5", "agent6"),
        "pgjo": ("nurse1", "nurse2", "nurse3", "nurse4"),
        "childcare": ("childcare1", "childcare2"),
    }


def test_events_serialise_to_the_contract(monday: SimulatedDay) -> None:
    first = monday.events[0].as_json()
    assert set(first) == {"event_id", "type", "call_id", "occurred_at", "queue"}
    assert first["type"] == "offered"
    assert dt.datetime.fromisoformat(first["occurred_at"]).utcoffset() == dt.timedelta(hours=1)
    assert first["occurred_at"].endswith("+01:00")
    for event in monday.events:
        body = event.as_json()
        assert len(body["event_id"]) <= 100
        assert len(body["call_id"]) <= 100
        assert CallEvent.from_json(json.loads(json.dumps(body))) == event


# --- Erlang C -----------------------------------------------------------------------------------


def test_erlang_c_matches_the_check_value_of_domain_md() -> None:
    # 360 calls per half hour, AHT 240 s, N = 55, t = 15 s → A = 48.
    traffic = 360 * 240 / 1800
    assert traffic == 48
    assert erlang_c_wait_probability(traffic, 55) == pytest.approx(0.239, abs=0.001)
    assert erlang_c_asa(traffic, 55, 240) == pytest.approx(8.2, abs=0.05)
    assert erlang_c_service_level(traffic, 55, 240, 15) == pytest.approx(0.846, abs=0.001)
    assert erlang_c_wait_probability(48, 48) == 1.0
    assert erlang_c_wait_probability(1500.0, 1600) < 1  # large sizes do not overflow
    needed = erlang_c_agents(calls=360, interval_seconds=1800, aht=240, target_seconds=15,
                             target_level=0.8)  # fmt: skip
    assert needed == 55  # 54 give 79.3 %


# --- reference service level --------------------------------------------------------------------


def _event(n: int, call: str, kind: str, clock: str, **extra: Any) -> CallEvent:
    return CallEvent(f"{call}-{n}", kind, call, _at(clock), **extra)


def _small_day() -> list[CallEvent]:
    return [
        # A: waits 10 s, talks 5 min
        _event(1, "A", "offered", "09:00:00", queue="front"),
        _event(2, "A", "queued", "09:00:00", queue="front"),
        _event(3, "A", "answered", "09:00:10", agent="agent1"),
        _event(4, "A", "ended", "09:05:10", hold_seconds=30),
        # B: waits exactly 20 s (within the target), talks 100 s
        _event(1, "B", "offered", "09:01:00", queue="front"),
        _event(2, "B", "queued", "09:01:00", queue="front"),
        _event(3, "B", "answered", "09:01:20", agent="agent2"),
        _event(4, "B", "ended", "09:03:00", hold_seconds=0),
        # C: waits 21 s at the front (too late), 2 min there, then 15 s for PGJO, 10 min talk;
        # transfer and PGJO's answer in the same second
        _event(1, "C", "offered", "09:02:00", queue="front"),
        _event(2, "C", "queued", "09:02:00", queue="front"),
        _event(3, "C", "answered", "09:02:21", agent="agent3"),
        _event(4, "C", "transferred", "09:04:21", queue="pgjo"),
        _event(5, "C", "answered", "09:04:21", agent="nurse1"),
        _event(6, "C", "ended", "09:14:21"),
        # D: hangs up after 3 s: a short abandon
        _event(1, "D", "offered", "09:10:00", queue="front"),
        _event(2, "D", "queued", "09:10:00", queue="front"),
        _event(3, "D", "abandoned", "09:10:03"),
        # E: hangs up after exactly 5 s: not short
        _event(1, "E", "offered", "10:00:00", queue="front"),
        _event(2, "E", "queued", "10:00:00", queue="front"),
        _event(3, "E", "abandoned", "10:00:05"),
        # F: hangs up after 60 s
        _event(1, "F", "offered", "10:30:00", queue="front"),
        _event(2, "F", "queued", "10:30:00", queue="front"),
        _event(3, "F", "abandoned", "10:31:00"),
        # G: asks a call-back after 50 s of waiting
        _event(1, "G", "offered", "10:40:00", queue="front"),
        _event(2, "G", "queued", "10:40:00", queue="front"),
        _event(3, "G", "callback_requested", "10:40:50", caller_number="+32470000000"),
        # O: an outbound call counts in no queue
        _event(1, "O", "outbound_started", "11:00:00", agent="nurse2"),
        _event(2, "O", "outbound_ended", "11:05:00"),
    ]


def test_reference_service_level_of_a_hand_computed_day() -> None:
    events = _small_day()
    shuffled = list(reversed(events)) + events[:5]  # any order, some delivered twice

    levels = service_levels(shuffled)

    assert set(levels) == {("front", None), ("pgjo", None)}
    front = levels[("front", None)]
    # offered: A B C E F G (D is a short abandon); answered A B C; abandoned E F; G: call-back
    assert (front.offered, front.answered, front.abandoned) == (6, 3, 2)
    assert (front.short_abandoned, front.callbacks) == (1, 1)
    assert front.answered_within_target == 2  # A (10 s) and B (20 s); C waited 21 s
    assert front.service_level_pct == pytest.approx(100 * 2 / 6)
    assert front.asa_seconds == pytest.approx((10 + 20 + 21) / 3)
    assert front.longest_wait == 60  # F
    assert front.aht_seconds == pytest.approx((300 + 100 + 120) / 3)  # C: until the transfer
    assert front.abandon_rate_pct == pytest.approx(100 * 2 / 6)
    pgjo = levels[("pgjo", None)]
    assert (pgjo.offered, pgjo.answered, pgjo.answered_within_target) == (1, 1, 1)
    assert pgjo.asa_seconds == 0  # answered in the second of the transfer
    assert pgjo.aht_seconds == 600

    strict = service_levels(events, target_seconds=10, short_abandon_seconds=6)[("front", None)]
    assert strict.answered_within_target == 1
    assert (strict.offered, strict.short_abandoned) == (5, 2)  # E is short now

    hourly = service_levels(events, by_hour=True)
    assert hourly[("front", _at("09:00"))].offered == 3
    assert hourly[("front", _at("10:00"))].offered == 3
    assert hourly[("front", _at("10:00"))].answered == 0


# --- signing and replay -------------------------------------------------------------------------


def test_signature_is_the_documented_header_value() -> None:
    body = b'{"event_id": "e1"}'
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    assert signature(body, SECRET) == f"sha256={expected}"
    assert SIGNATURE_HEADER == "X-KGLijn-Signature"


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the replay uses it
    status = 201
    requests: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append((self.path, dict(self.headers), body))
        data = json.loads(body)
        count = len(data) if isinstance(data, list) else 1
        answer = json.dumps({"accepted": count, "duplicates": 0}).encode()
        if self.status == 401:
            answer = b'{"errors": [{"field": "signature", "message": "bad signature"}]}'
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"requests": [], "status": 201})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _small_plan_events() -> list[dict[str, Any]]:
    return [event.as_json() for event in _small_day()]


def test_replay_posts_signed_events_in_call_order(
    recorder: tuple[str, type[_Recorder]],
) -> None:
    url, handler = recorder
    events = _small_plan_events()

    result = replay(delivery_plan(events), url=url, secret=SECRET, concurrency=3)

    assert (result.sent, result.requests, result.accepted, result.errors) == (28, 28, 28, 0)
    received = []
    for path, headers, body in handler.requests:
        assert path == "/api/v1/telephony/events/"
        assert headers["Content-Type"] == "application/json"
        assert headers[SIGNATURE_HEADER] == signature(body, SECRET)
        received.append(json.loads(body))
    assert sorted(e["event_id"] for e in received) == sorted(e["event_id"] for e in events)
    for call in "ABCDEFGO":  # one call's events over one connection, in order
        assert [e for e in received if e["call_id"] == call] == [
            e for e in events if e["call_id"] == call
        ]


def test_replay_in_batches(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    events = _small_plan_events()

    result = replay(delivery_plan(events), url=url, secret=SECRET, batch=10, concurrency=1)

    assert (result.sent, result.requests, result.accepted) == (28, 3, 28)
    assert [len(json.loads(body)) for _p, _h, body in handler.requests] == [10, 10, 8]


def test_replay_speed_compresses_the_day(recorder: tuple[str, type[_Recorder]]) -> None:
    url, _handler = recorder
    events = [e for e in _small_plan_events() if e["call_id"] in ("A", "B")]  # 3 minutes

    result = replay(delivery_plan(events), url=url, secret=SECRET, speed=180)

    assert 0.9 <= result.seconds < 3  # 180 s of the day at 180×: about one second


def test_replay_rate_paces_the_requests(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    events = _small_plan_events()  # 28 events, one a request, at 40 a second: 0.7 s at least

    result = replay(delivery_plan(events), url=url, secret=SECRET, concurrency=2, rate=40)

    assert (result.sent, result.requests, len(handler.requests)) == (28, 28, 28)
    assert result.seconds >= 0.65


def test_wrong_secret_stops_with_a_clear_error(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    handler.status = 401

    with pytest.raises(ReplayError, match=r"401.*KGLIJN_TELEPHONY_SECRET"):
        replay(delivery_plan(_small_plan_events()), url=url, secret="wrong", concurrency=1)
    assert len(handler.requests) == 1  # stopped at the first refusal


def test_unreachable_server_is_a_clear_error() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        ReplayError, match=re.escape(f"cannot reach kglijn at http://127.0.0.1:{port}")
    ):
        replay(delivery_plan(_small_plan_events()), url=f"http://127.0.0.1:{port}", secret="s")


def test_redelivery_and_shuffle_fractions(monday: SimulatedDay) -> None:
    events = [e.as_json() for e in monday.events]

    plan = delivery_plan(events, redeliver=0.1, shuffle=0.1, seed=3)

    redelivered = [d for d in plan if d.redelivery]
    late = [d for d in plan if d.late]
    assert len(plan) == len(events) + len(redelivered)
    assert 0.08 * len(events) < len(redelivered) < 0.12 * len(events)
    assert 0.08 * len(events) < len(late) < 0.12 * len(events)
    assert [d.due for d in plan] == sorted(d.due for d in plan)
    sent_ids = [d.event["event_id"] for d in plan if not d.redelivery]
    assert sorted(sent_ids) == sorted(e["event_id"] for e in events)
    # Late events really overtake: some call's events arrive out of time order.
    position = {id(d.event): n for n, d in enumerate(plan) if not d.redelivery}
    order = [position[id(e)] for e in events]
    assert order != sorted(order)
    assert delivery_plan(events, redeliver=0.1, shuffle=0.1, seed=3) == plan


def test_live_events_move_to_the_wall_clock() -> None:
    events = _small_plan_events()
    start = dt.datetime(2026, 1, 5, 14, 0, tzinfo=dt.UTC)

    moved = live_events(events, speed=10, start=start, tag="live1")

    assert moved[0]["occurred_at"] == "2026-01-05T14:00:00.000+00:00"
    # A's answer came 10 s after its offer: 1 s at 10×; F hangs up 91 min later: 9 min 6 s.
    assert moved[2]["occurred_at"] == "2026-01-05T14:00:01.000+00:00"
    assert moved[22]["occurred_at"] == "2026-01-05T14:09:06.000+00:00"
    assert moved[0]["event_id"] == "live1-A-1"
    assert moved[0]["call_id"] == "live1-A"
    assert events[0]["event_id"] == "A-1"  # the originals are untouched


# --- end to end: the simulated day through kglijn's webhook --------------------------------------

EVENTS_URL = "/api/v1/telephony/events/"


def _server_matches_reference(events: list[CallEvent], day: dt.date) -> None:
    from kglijn.servicelevels.phone import service_levels as server_service_levels

    reference = service_levels(events)
    server = server_service_levels(date_from=day, date_to=day).totals
    for (office, _hour), expected in reference.items():
        got = server[office]
        assert (got.offered, got.answered, got.abandoned, got.short_abandons) == (
            expected.offered,
            expected.answered,
            expected.abandoned,
            expected.short_abandoned,
        ), office
        assert got.answered_in_target == expected.answered_within_target, office
        assert got.service_level_pct == pytest.approx(expected.service_level_pct), office
        assert got.asa_seconds == pytest.approx(expected.asa_seconds), office
        assert got.aht_seconds == pytest.approx(expected.aht_seconds), office
        assert got.longest_wait_seconds == expected.longest_wait, office
    hourly = server_service_levels(date_from=day, date_to=day, period="hour").rows
    for (office, hour), expected in service_levels(events, by_hour=True).items():
        row = next(row for row in hourly[office] if row.start == hour)
        assert (row.offered, row.answered_in_target) == (
            expected.offered,
            expected.answered_within_target,
        ), (office, hour)


@pytest.mark.django_db
def test_simulated_day_posted_signed_gives_the_reference_service_levels(
    client: Any, settings: Any, monday_hours: Any
) -> None:
    from kglijn.contacts.models import Contact
    from kglijn.demo.users import demo_users_ensure
    from kglijn.telephony.models import Call

    settings.KGLIJN_TELEPHONY_SECRET = SECRET
    demo_users_ensure()
    day = simulate_day(MONDAY, hours=monday_hours, seed=7, expected=120)
    events = [event.as_json() for event in day.events]
    plan = delivery_plan(events, redeliver=0.1, shuffle=0.1, seed=7)
    statuses: Counter[int] = Counter()
    accepted = duplicates = 0
    for start in range(0, len(plan), 25):
        body = json.dumps([d.event for d in plan[start : start + 25]]).encode()
        response = client.post(
            EVENTS_URL,
            body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: signature(body, SECRET)},
        )
        statuses[response.status_code] += 1
        accepted += response.json()["accepted"]
        duplicates += response.json()["duplicates"]

    assert set(statuses) <= {200, 201, 409}  # 409: an early event, kept until its call starts
    assert accepted == len(events)
    assert duplicates == len(plan) - len(events)
    calls = Call.objects.filter(call_id__in=day.call_ids)
    assert calls.count() == len(day.call_ids)
    assert Contact.objects.filter(external_id__in=day.call_ids, channel="phone").count() == len(
        day.call_ids
    )
    first = next(e for e in day.events if e.type == "answered")
    call = calls.get(call_id=first.call_id)
    offered = next(e for e in day.events if e.call_id == first.call_id and e.type == "offered")
    assert call.offered_at == offered.occurred_at
    assert call.answered_at == first.occurred_at
    assert call.agent is not None
    assert call.agent.username == first.agent
    _server_matches_reference(list(day.events), MONDAY)


@pytest.fixture
def _contacts_removed_afterwards(transactional_db: None) -> Iterator[None]:
    # On PostgreSQL the contact's user references are statement-level checks (contacts
    # migration 0004) that refuse the flush's TRUNCATE of auth_user while contacts still name
    # their handler: remove the contacts before the flush.
    yield
    from kglijn.contacts.models import Contact

    Contact.objects.all().delete()


@pytest.mark.usefixtures("_contacts_removed_afterwards")
def test_simulate_command_replays_to_a_running_server(
    live_server: Any, settings: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    from kglijn.demo.users import demo_users_ensure
    from kglijn.telephony.models import Call

    settings.KGLIJN_TELEPHONY_SECRET = SECRET
    demo_users_ensure()
    args = ["simulate", "calls", "--day", "2023-03-06", "--seed", "11", "--scale", "0.04",
            "--into-register"]  # fmt: skip

    with translation.override("en"):  # the assertions read the English output
        call_command(*args, "--url", live_server.url, "--redeliver", "0.1", "--shuffle", "0.1",
                     "--concurrency", "1", verbosity=0)  # fmt: skip

    printed = capsys.readouterr().out
    day = simulate_day(
        MONDAY, hours=calendar_hours(MONDAY), seed=11, expected=0.04 * expected_calls(MONDAY)
    )
    assert f"{len(day.call_ids)} calls, {len(day.events)} events" in printed
    assert f"accepted {len(day.events)}, duplicates" in printed
    assert "errors 0" in printed
    assert Call.objects.filter(call_id__in=day.call_ids).count() == len(day.call_ids)
    _server_matches_reference(list(day.events), MONDAY)


@pytest.mark.django_db
def test_simulate_command_says_when_the_server_is_unreachable(settings: Any) -> None:
    import socket

    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.KGLIJN_TELEPHONY_SECRET = SECRET
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with (
        translation.override("en"),
        pytest.raises(
            CommandError, match=re.escape(f"cannot reach kglijn at http://127.0.0.1:{port}")
        ),
    ):
        call_command("simulate", "calls", "--day", "2023-03-06", "--scale", "0.02",
                     "--into-register", "--url", f"http://127.0.0.1:{port}",
                     verbosity=0)  # fmt: skip


@pytest.mark.django_db
def test_simulate_command_dry_run_reports_the_reference(capsys: Any) -> None:
    from django.core.management import call_command

    call_command("simulate", "calls", "--day", "2023-03-06", "--dry-run", verbosity=0)

    # Dutch with nl-BE numbers: an operator reads it (docs/voice.md).
    printed = capsys.readouterr().out
    day = simulate_day(MONDAY, hours=calendar_hours(MONDAY), seed=1)
    front = service_levels(day.events)[("front", None)]
    calls, events = format_nl(len(day.call_ids)), format_nl(len(day.events))
    assert f"2023-03-06, seed 1: {calls} oproepen, {events} gebeurtenissen" in printed
    row = next(line for line in printed.splitlines() if line.startswith("Frontoffice"))
    assert row.split()[1:3] == [format_nl(front.offered), format_nl(front.answered)]
    assert format_nl(front.service_level_pct, 1) in row.split()
