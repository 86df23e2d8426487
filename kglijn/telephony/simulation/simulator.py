"""A realistic day of call events, generated in plain Python (no database but the calendar's
closing days), deterministic for a seed. The service levels of such a day, computed straight from
the events, are kglijn.telephony.simulation.event_log.service_levels (re-exported here).

The day (deterministic for a seed):
- volume: the year's published phone contacts (000 §2, kglijn/demo/seed_figures.json) spread over
  the year's working days with the demo's weekday and month weights (Monday is the peak day);
- arrivals: a Poisson process per hour of the front office's opening hours, weighted by the
  demo's phone profile (morning peak, lunch dip);
- staffing: per half hour the positions Erlang C says are needed for 80 % within 20 s, give or
  take a position or two (breaks, absence), worked by the roster's usernames;
- a FIFO queue per office with abandonment: every caller has a patience (a few hang up within
  seconds: the short abandons), some ask to be called back instead of waiting on;
- handling: gamma distributed talk time (~4.5 min front, ~7 min back office), some hold;
  about one call in twelve is transferred to a back office (PGJO or childcare) while it is open;
- outbound calls: the offices' call-backs and their own outgoing calls.

Calls enter only through the front office's number (078 150 100); the back offices receive
transferred calls. Times are whole seconds, as telephony platforms report them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.erlang import erlang_c_agents
from kglijn.demo.vocabulary import PHONE_HOURS
from kglijn.telephony.simulation.day_setup import demo_roster, expected_calls
from kglijn.telephony.simulation.event_log import OFFICES, CallEvent, ServiceLevel, service_levels

__all__ = [
    "CallEvent",
    "ServiceLevel",
    "SimulatedDay",
    "service_levels",
    "simulate_day",
]

BACK_OFFICES = ("pgjo", "childcare")
DEFAULT_SEED = 1

STAFFING_INTERVAL = 1800  # seconds
FRONT_TALK_MEAN = 270.0  # seconds, talk + hold of a call the front office handles itself
BACK_TALK_MEAN = 420.0  # seconds, back-office advice takes longer
TALK_SHAPE = 2.5  # gamma shape: "exponential-ish", but few calls of a few seconds
MIN_TALK = 15
RING_SECONDS = (1, 4)  # the agent's phone rings before the answer (part of the wait)
HOLD_SHARE = 0.15  # calls with some hold time
HOLD_RANGE = (10, 120)
SHORT_ABANDON_SHARE = 0.04  # callers who hang up within seconds, whatever the queue
SHORT_PATIENCE = (1, 4)  # their patience, seconds (below the 5 s threshold)
PATIENCE_MEAN = 180.0  # exponential patience of everyone else, seconds
CALLBACK_SHARE = 0.25  # of the callers out of patience after CALLBACK_MIN_WAIT: ask a call-back
CALLBACK_MIN_WAIT = 45
CALLBACK_DELAY = (15 * 60, 90 * 60)  # the call-back follows this many seconds later
TRANSFER_SHARE = 0.085  # of answered front-office calls (ESCALATED_SHARE of the demo, phone)
TRANSFER_OFFICE_WEIGHTS = {"pgjo": 65, "childcare": 35}
TRANSFER_AFTER = (45, 180)  # seconds of front-office talk before the transfer
TRANSFER_LAST = 10 * 60  # no transfers in the back office's last ten minutes
OUTBOUND_TALK_MEAN = 240.0
OUTBOUND_OFFICE_WEIGHTS = {"pgjo": 55, "childcare": 25, "front": 20}
MAX_POSITIONS = {"front": 45, "pgjo": 25, "childcare": 9}  # 000 §1.2: people per office


@dataclass(frozen=True)
class SimulatedDay:
    day: dt.date
    seed: int
    expected_calls: float  # the volume the day was drawn from (Poisson mean)
    events: tuple[CallEvent, ...]  # in time order
    positions: dict[str, tuple[int, ...]]  # office -> positions per half hour from its opening
    hours: dict[str, tuple[dt.datetime, dt.datetime]]

    @property
    def call_ids(self) -> set[str]:
        return {event.call_id for event in self.events}


# --- the day's calls ----------------------------------------------------------------------------


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _hour_profile(opens: int, closes: int, weights: Mapping[int, float]) -> list[tuple[int, float]]:
    """(start, weight) of every whole hour slot between opening and closing (epoch seconds)."""
    slots = []
    start = opens
    while start < closes:
        hour = dt.datetime.fromtimestamp(start, BRUSSELS).hour
        end = min(closes, start - start % 3600 + 3600)
        slots.append((start, weights.get(hour, 3.0) * (end - start) / 3600))
        start = end
    return slots


def _poisson_arrivals(
    rng: random.Random, opens: int, closes: int, mean_calls: float, weights: Mapping[int, float]
) -> list[int]:
    """Arrival moments of a Poisson process whose rate is constant within each hour slot."""
    slots = _hour_profile(opens, closes, weights)
    weight_sum = sum(weight for _, weight in slots) or 1.0
    arrivals = []
    for index, (start, weight) in enumerate(slots):
        end = slots[index + 1][0] if index + 1 < len(slots) else closes
        rate = mean_calls * weight / weight_sum / (end - start)  # calls per second
        if rate <= 0:
            continue
        moment = start + rng.expovariate(rate)
        while moment < end:
            arrivals.append(int(moment))
            moment += rng.expovariate(rate)
    return arrivals


def _talk(rng: random.Random, mean: float) -> int:
    return max(MIN_TALK, round(rng.gammavariate(TALK_SHAPE, mean / TALK_SHAPE)))


def _hold(rng: random.Random) -> int:
    return rng.randint(*HOLD_RANGE) if rng.random() < HOLD_SHARE else 0


def _patience(rng: random.Random) -> int:
    if rng.random() < SHORT_ABANDON_SHARE:
        return rng.randint(*SHORT_PATIENCE)
    return 1 + round(rng.expovariate(1 / PATIENCE_MEAN))


def _caller_number(rng: random.Random) -> str:
    # A Belgian mobile number (+32 4xx); invented, like everything in the simulation.
    return f"+324{rng.randint(60, 99)}{rng.randint(0, 999_999):06d}"


def _staffing(
    rng: random.Random,
    *,
    opens: int,
    closes: int,
    mean_calls: float,
    weights: Mapping[int, float],
    aht: float,
    cap: int,
) -> tuple[int, ...]:
    """Positions per half hour: Erlang C for the forecast, give or take (breaks, absence)."""
    slots = _hour_profile(opens, closes, weights)
    weight_sum = sum(weight for _, weight in slots) or 1.0
    per_second = {start: weight / (min(closes, start - start % 3600 + 3600) - start)
                  for start, weight in slots}  # fmt: skip
    positions = []
    start = opens
    while start < closes:
        slot = max(s for s in per_second if s <= start)
        end = min(closes, start + STAFFING_INTERVAL)
        calls = mean_calls * per_second[slot] * (end - start) / weight_sum
        needed = erlang_c_agents(calls=calls, interval_seconds=end - start, aht=aht)
        deviation = rng.choice((-2, -1, -1, 0, 0, 0, 0, 1))
        positions.append(min(cap, max(1, needed + deviation)))
        start = end
    return tuple(positions)


@dataclass
class _Call:
    call_id: str
    arrival: int
    patience: int
    talk: int
    hold: int
    transfer_to: str | None
    transfer_after: int
    back_talk: int
    back_hold: int
    asks_callback: bool
    caller_number: str
    state: str = "new"  # waiting, talking, done
    events: int = 0
    agent: str = ""  # who talks with the caller now
    transferred: bool = False


@dataclass(order=True)
class _Tick:
    moment: int
    priority: int  # at one moment: agents free up, then staffing, arrivals, abandons last
    seq: int
    kind: str = field(compare=False)
    office: str = field(compare=False)
    call: _Call | None = field(compare=False, default=None)
    value: int = field(compare=False, default=0)


class _Office:
    def __init__(self, name: str, roster: Sequence[str]) -> None:
        if not roster:
            raise ValueError(f"no agents for office {name!r}")
        self.name = name
        self.capacity = 0
        self.in_service = 0
        self.queue: deque[_Call] = deque()
        # username -> (calls now, times picked): the least busy, least used agent answers next.
        self.load = {username: [0, 0] for username in roster}

    def take_agent(self) -> str:
        agent = min(self.load, key=lambda name: (self.load[name][0], self.load[name][1], name))
        self.load[agent][0] += 1
        self.load[agent][1] += 1
        return agent

    def release_agent(self, agent: str) -> None:
        self.load[agent][0] -= 1


class _Simulation:
    def __init__(
        self,
        *,
        day: dt.date,
        seed: int,
        hours: Mapping[str, tuple[dt.datetime, dt.datetime]],
        roster: Mapping[str, Sequence[str]],
    ) -> None:
        self.day = day
        self.seed = seed
        self.rng = random.Random(f"kglijn-calls-{day.isoformat()}-{seed}")
        self.hours = {office: (_epoch(a), _epoch(b)) for office, (a, b) in hours.items()}
        self.offices = {office: _Office(office, roster[office]) for office in self.hours}
        self.ticks: list[_Tick] = []
        self.seq = 0
        self.events: list[tuple[int, int, CallEvent]] = []
        self.prefix = f"sim{seed}-{day:%Y%m%d}"

    # -- bookkeeping

    def schedule(self, moment: int, priority: int, kind: str, office: str, **extra: Any) -> None:
        self.seq += 1
        heapq.heappush(self.ticks, _Tick(moment, priority, self.seq, kind, office, **extra))

    def emit(self, moment: int, call: _Call, kind: str, **fields: Any) -> None:
        call.events += 1
        event = CallEvent(
            event_id=f"{call.call_id}-{call.events}",
            type=kind,
            call_id=call.call_id,
            occurred_at=dt.datetime.fromtimestamp(moment, BRUSSELS),
            **fields,
        )
        self.seq += 1
        self.events.append((moment, self.seq, event))

    def accepts_transfer(self, office: str, moment: int) -> bool:
        hours = self.hours.get(office)
        return hours is not None and hours[0] <= moment < hours[1] - TRANSFER_LAST

    # -- the day

    def run(self, expected: float) -> dict[str, tuple[int, ...]]:
        rng = self.rng
        positions: dict[str, tuple[int, ...]] = {}
        if "front" not in self.hours:
            return positions
        opens, closes = self.hours["front"]
        mean_calls = expected * rng.uniform(0.9, 1.1)  # every day is a little different
        front_weights = {hour: float(weight) for hour, weight in PHONE_HOURS.items()}
        arrivals = _poisson_arrivals(rng, opens, closes, mean_calls, front_weights)
        front_aht = (
            FRONT_TALK_MEAN * (1 - TRANSFER_SHARE) + TRANSFER_SHARE * sum(TRANSFER_AFTER) / 2
        )
        positions["front"] = _staffing(
            rng, opens=opens, closes=closes, mean_calls=expected, weights=front_weights,
            aht=front_aht, cap=MAX_POSITIONS["front"],
        )  # fmt: skip
        weight_sum = sum(TRANSFER_OFFICE_WEIGHTS.values())
        for office in BACK_OFFICES:
            if office not in self.hours:
                continue
            back_open, back_close = self.hours[office]
            share = TRANSFER_SHARE * TRANSFER_OFFICE_WEIGHTS[office] / weight_sum
            open_weight = sum(w for _, w in _hour_profile(back_open, back_close, front_weights))
            all_weight = sum(w for _, w in _hour_profile(opens, closes, front_weights))
            positions[office] = _staffing(
                rng, opens=back_open, closes=back_close,
                mean_calls=expected * share * open_weight / all_weight,
                weights=front_weights, aht=BACK_TALK_MEAN, cap=MAX_POSITIONS[office],
            )  # fmt: skip
        for office, per_interval in positions.items():
            start = self.hours[office][0]
            for index, count in enumerate(per_interval):
                self.schedule(start + index * STAFFING_INTERVAL, 1, "staff", office, value=count)
        for number, moment in enumerate(arrivals, start=1):
            call = self.new_call(f"{self.prefix}-{number:05d}", moment)
            self.schedule(moment, 2, "arrive", "front", call=call)
        self.plan_outbound(len(arrivals))
        while self.ticks:
            tick = heapq.heappop(self.ticks)
            getattr(self, f"on_{tick.kind}")(tick)
        return positions

    def new_call(self, call_id: str, arrival: int) -> _Call:
        rng = self.rng
        transfer_to = None
        if rng.random() < TRANSFER_SHARE:
            transfer_to = rng.choices(
                list(TRANSFER_OFFICE_WEIGHTS), weights=list(TRANSFER_OFFICE_WEIGHTS.values())
            )[0]
        return _Call(
            call_id=call_id,
            arrival=arrival,
            patience=_patience(rng),
            talk=_talk(rng, FRONT_TALK_MEAN),
            hold=_hold(rng),
            transfer_to=transfer_to,
            transfer_after=rng.randint(*TRANSFER_AFTER),
            back_talk=_talk(rng, BACK_TALK_MEAN),
            back_hold=_hold(rng),
            asks_callback=rng.random() < CALLBACK_SHARE,
            caller_number=_caller_number(rng),
        )

    def plan_outbound(self, calls: int) -> None:
        """The offices' own outgoing calls, about as many a day as the source's yearly count."""
        rng = self.rng
        count = round(calls * rng.uniform(0.002, 0.006)) + 1
        offices = [office for office in OFFICES if office in self.hours]
        for number in range(1, count + 1):
            office = rng.choices(offices, [OUTBOUND_OFFICE_WEIGHTS[o] for o in offices])[0]
            opens, closes = self.hours[office]
            moment = rng.randint(opens, closes - 15 * 60)
            call = self.new_call(f"{self.prefix}-o{number:03d}", moment)
            self.schedule(moment, 2, "outbound", office, call=call)

    # -- tick handlers

    def on_staff(self, tick: _Tick) -> None:
        self.offices[tick.office].capacity = tick.value
        self.dispatch(tick.office, tick.moment)

    def on_arrive(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        self.emit(tick.moment, call, "offered", queue="front")
        self.emit(tick.moment, call, "queued", queue="front")
        call.state = "waiting"
        self.offices["front"].queue.append(call)
        self.schedule(tick.moment + call.patience, 3, "patience", "front", call=call)
        self.dispatch("front", tick.moment)

    def on_transfer_in(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        call.state = "waiting"  # transferred callers wait on: no patience in the back office
        self.offices[tick.office].queue.append(call)
        self.dispatch(tick.office, tick.moment)

    def on_patience(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        if call.state != "waiting" or call.transferred:
            return  # answered in time (a transferred caller waits on in the back office)
        call.state = "done"
        self.offices[tick.office].queue.remove(call)
        waited = tick.moment - call.arrival
        if call.asks_callback and waited >= CALLBACK_MIN_WAIT:
            # The caller leaves the queue asking to be called back (ends the call), and is.
            self.emit(tick.moment, call, "callback_requested", caller_number=call.caller_number)
            back = tick.moment + self.rng.randint(*CALLBACK_DELAY)
            if back < self.hours[tick.office][1] - 15 * 60:
                callback = self.new_call(f"{call.call_id}-cb", back)
                self.schedule(back, 2, "outbound", tick.office, call=callback)
        else:
            self.emit(tick.moment, call, "abandoned")

    def on_hangup(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        office = self.offices[tick.office]
        office.in_service -= 1
        office.release_agent(call.agent)
        if tick.value:  # transfer: the caller goes to the back office's queue
            target = call.transfer_to
            assert target is not None
            self.emit(tick.moment, call, "transferred", queue=target)
            call.transfer_to = None
            call.transferred = True
            self.schedule(tick.moment, 2, "transfer_in", target, call=call)
        else:
            hold = call.back_hold if call.transferred else call.hold
            self.emit(tick.moment, call, "ended", hold_seconds=hold)
            call.state = "done"
        self.dispatch(tick.office, tick.moment)

    def on_outbound(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        office = self.offices[tick.office]
        call.agent = office.take_agent()
        self.emit(tick.moment, call, "outbound_started", agent=call.agent)
        call.state = "done"
        end = tick.moment + max(MIN_TALK, round(self.rng.expovariate(1 / OUTBOUND_TALK_MEAN)))
        self.schedule(end, 0, "outbound_end", tick.office, call=call)

    def on_outbound_end(self, tick: _Tick) -> None:
        call = tick.call
        assert call is not None
        self.offices[tick.office].release_agent(call.agent)
        self.emit(tick.moment, call, "outbound_ended")

    # -- queue

    def dispatch(self, name: str, now: int) -> None:
        """Free positions take the longest waiting callers; their phones ring, then answer."""
        office = self.offices[name]
        while office.queue and office.in_service < office.capacity:
            call = office.queue.popleft()
            call.agent = office.take_agent()
            office.in_service += 1
            call.state = "talking"
            moment = now + self.rng.randint(*RING_SECONDS)
            self.emit(moment, call, "answered", agent=call.agent)
            if name == "front" and call.transfer_to is not None:
                leaves = moment + call.transfer_after
                if self.accepts_transfer(call.transfer_to, leaves):
                    self.schedule(leaves, 0, "hangup", name, call=call, value=1)
                    continue
                call.transfer_to = None  # back office closed: the front office answers it
            talk = call.talk if name == "front" else call.back_talk
            self.schedule(moment + talk, 0, "hangup", name, call=call)


def simulate_day(
    day: dt.date,
    *,
    hours: Mapping[str, tuple[dt.datetime, dt.datetime]],
    seed: int = DEFAULT_SEED,
    roster: Mapping[str, Sequence[str]] | None = None,
    expected: float | None = None,
) -> SimulatedDay:
    """Every call event of one day, in time order; the same day and seed give the same events.

    `hours` are the offices' opening hours that day (calendar_hours(day)); an office missing
    from it is closed (no front office: no calls). `roster` maps each office to the usernames
    that answer its calls (default: the demo users); when an interval needs more positions than
    the roster has people, the least busy username takes the extra call. `expected` overrides
    the day's volume (expected_calls(day))."""
    roster = roster if roster is not None else demo_roster()
    mean = expected_calls(day) if expected is None else expected
    simulation = _Simulation(day=day, seed=seed, hours=hours, roster=roster)
    positions = simulation.run(mean)
    ordered = tuple(event for _, _, event in sorted(simulation.events))
    return SimulatedDay(
        day=day,
        seed=seed,
        expected_calls=mean,
        events=ordered,
        positions=positions,
        hours=dict(hours),
    )
