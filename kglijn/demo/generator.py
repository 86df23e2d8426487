"""Rows of one demo year, generated in plain Python from a YearPlan; deterministic for a seed.

Exact figures (channel, direction, province, topic and referral counts) are written as shuffled
multisets of labels, so they cannot drift; everything else (moments, reasons, handlers, identified
contacts and their customers) is drawn from the profiles in vocabulary.py. Contacts are numbered
in order of receipt, as a live register would number them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, combinations

from kglijn.demo.plan import YearPlan
from kglijn.demo.timeline import HOUR, OpeningCalendar, SlotTable, slot_table, working_days
from kglijn.demo.vocabulary import (
    CHAT_HOURS,
    CHAT_TOPIC_SHARE,
    CHILDCARE_CUSTOMER_KINDS,
    CHILDCARE_REFERRALS,
    CUSTOMER_KINDS,
    DEMO_EMAIL_DOMAIN,
    EMAIL_HOURS,
    ESCALATED_SHARE,
    ESCALATION_REASONS,
    FIRST_NAMES,
    IDENTIFIED_SHARE,
    LAST_NAMES,
    OUTGOING_HOURS,
    OUTGOING_OFFICES,
    OUTGOING_PHONE_SHARE,
    PHONE_HOURS,
    POSTCODES,
    REASON_WEIGHTS,
    RETURNING_CUSTOMER_SHARE,
    SECOND_REASON_SHARE,
    WEBFORM_SHARE,
)

# Field names (attnames) of the generated rows, in tuple order. Contact fields not listed here
# get CONTACT_CONSTANTS or the model default from the loader.
CONTACT_FIELDS = (
    "id", "channel", "origin", "direction", "received_at", "answered_at", "closed_at",
    "office", "handler_id", "province", "topic", "anonymous", "customer_id", "caller_name",
    "caller_phone", "caller_email", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
CONTACT_CONSTANTS: dict[str, object] = {
    "status": "closed",
    "external_id": None,
    "notes": "",
    "health_note": "",
}
CUSTOMER_FIELDS = ("id", "kind", "name", "email", "phone", "postcode", "province", "created_at")
ESCALATION_FIELDS = (
    "id", "contact_id", "from_office", "to_office", "reason", "escalated_by_id",
    "escalated_at", "expected_pickup_at",
)  # fmt: skip

Row = tuple[object, ...]

# The front office's queue wait (issue 19): the shape of an Erlang C queue. A call waits at all
# with probability P(wait) and then for an exponential time with mean tau beyond the ring; both
# grow with the pressure of its hour (the hour's expected calls ÷ the average hour's, autumn
# weighing more), so Monday mornings and the autumn have the long tail. About 84 % of the
# answered calls wait at most 20 s over a year (the front office's service level, abandons
# counted, ~79 %: docs/steering-demo.md); one uniform draw per call, as before.
PHONE_RING_SECONDS = 6  # a call answered at once still rings a few seconds
PHONE_WAIT_SHARE = 0.18  # P(wait) at pressure 1 …
PHONE_WAIT_EXPONENT = 2.2  # … times pressure ** this (at most PHONE_WAIT_MAX_SHARE)
PHONE_WAIT_MAX_SHARE = 0.95
PHONE_WAIT_TAU_SECONDS = 28.0  # mean wait beyond the ring at pressure 1, times the pressure
PHONE_WAIT_MAX_SECONDS = 1800
PHONE_STAFF_FOLLOWS = 0.5
AUTUMN_PRESSURE = {9: 1.08, 10: 1.12, 11: 1.1}  # September-November: the busy season


def phone_wait_seconds(pressure: float, draw: float) -> int:
    """The queue wait of an answered call in an hour of this pressure, from one uniform draw
    in [0, 1) (inverse of the distribution function)."""
    waiting = min(PHONE_WAIT_MAX_SHARE, PHONE_WAIT_SHARE * pressure**PHONE_WAIT_EXPONENT)
    if draw < 1 - waiting:  # answered at once: somewhere in the ring
        return int(draw / (1 - waiting) * PHONE_RING_SECONDS)
    tail = (1 - draw) / waiting  # in (0, 1]
    wait = PHONE_RING_SECONDS - PHONE_WAIT_TAU_SECONDS * pressure * math.log(tail)
    return int(min(wait, PHONE_WAIT_MAX_SECONDS))


def phone_pressure(table: SlotTable) -> dict[int, float]:
    """Epoch hour (moment // HOUR) -> the pressure of that phone hour: (its slot weight ÷ the
    mean slot weight) ** PHONE_STAFF_FOLLOWS (the roster follows the load, though not all the
    way), times the autumn factor."""
    weights = [b - a for a, b in zip((0.0, *table.cum_weights), table.cum_weights, strict=False)]
    mean = sum(weights) / len(weights) if weights else 1.0
    pressure = {}
    for start, weight in zip(table.starts, weights, strict=True):
        month = dt.datetime.fromtimestamp(start, dt.UTC).month
        pressure[start // HOUR] = (weight / mean) ** PHONE_STAFF_FOLLOWS * AUTUMN_PRESSURE.get(
            month, 1.0
        )
    return pressure


@dataclass(frozen=True)
class Catalogue:
    """Database ids the rows refer to."""

    reason_ids: dict[str, int]
    referral_ids: dict[str, int]
    handlers: dict[str, tuple[int, ...]]  # office -> user ids of its demo handlers


@dataclass
class IdCounters:
    """The next free primary key per table; rows get explicit ids."""

    contact: int = 1
    customer: int = 1
    escalation: int = 1
    reason_row: int = 1
    referral_row: int = 1


@dataclass
class CustomerPool:
    """Customers created so far, per province, so identified contacts can return."""

    by_province: dict[str, list[tuple[int, str, str, str]]] = field(default_factory=dict)


@dataclass
class YearRows:
    year: int
    contacts: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    escalations: list[Row] = field(default_factory=list)
    reasons: list[Row] = field(default_factory=list)  # (id, contact_id, reason_id)
    referrals: list[Row] = field(default_factory=list)  # (id, contact_id, referral_id)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _labels(counts: dict[str, int]) -> list[str]:
    return [label for label, count in counts.items() for _ in range(count)]


def _weighted(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    return list(weights), list(accumulate(weights.values()))


def _reason_combos(topic: str) -> tuple[list[tuple[str, ...]], list[float]]:
    weights = REASON_WEIGHTS[topic]
    total = sum(weights.values())
    combos: dict[tuple[str, ...], float] = {}
    single = 1 - SECOND_REASON_SHARE if len(weights) > 1 else 1.0
    for code, weight in weights.items():
        combos[(code,)] = single * weight / total
    for first, second in combinations(weights, 2):
        rest = total - weights[first]
        combos[(first, second)] = SECOND_REASON_SHARE * weights[first] / total * weights[second]
        combos[(first, second)] /= rest
        combos[(first, second)] *= 2  # either order
    return list(combos), list(accumulate(combos.values()))


def _chat_topics(plan: YearPlan, remaining: dict[str, int], rng: random.Random) -> list[str]:
    """Topics of the chats (mostly family support), taken out of the year's exact totals."""
    size = plan.incoming["chat"]
    wanted = {topic: round(size * share) for topic, share in CHAT_TOPIC_SHARE.items()}
    wanted["family_support"] = size - wanted["childcare"] - wanted[""]
    taken = {topic: min(max(count, 0), remaining[topic]) for topic, count in wanted.items()}
    short = size - sum(taken.values())
    for topic in sorted(remaining, key=lambda t: taken[t] - remaining[t]):
        extra = min(short, remaining[topic] - taken[topic])
        taken[topic] += extra
        short -= extra
    for topic, count in taken.items():
        remaining[topic] -= count
    labels = _labels(taken)
    rng.shuffle(labels)
    return labels


class YearGenerator:
    """Generates one year's rows; `ids` and `pool` carry over from year to year."""

    def __init__(
        self,
        plan: YearPlan,
        *,
        seed: int,
        catalogue: Catalogue,
        ids: IdCounters,
        pool: CustomerPool,
        stamp: Callable[[int], str],
    ) -> None:
        self.plan = plan
        self.rng = random.Random(seed * 10_000 + plan.year)
        self.catalogue = catalogue
        self.ids = ids
        self.pool = pool
        self.stamp = stamp
        first, last = plan.figures.first_day, plan.figures.last_day
        self.open_days = working_days(first, last.replace(year=last.year + 1, month=1, day=31))
        days = {day for day in self.open_days if day <= last}
        rng = self.rng
        self.slots: dict[str, SlotTable] = {
            "phone": slot_table(first, last, PHONE_HOURS, open_days=days, rng=rng),
            "chat": slot_table(first, last, CHAT_HOURS, open_days=days, rng=rng),
            "email": slot_table(
                first, last, EMAIL_HOURS, open_days=days, closed_day_weight=0.3, rng=rng
            ),
            "out": slot_table(first, last, OUTGOING_HOURS, open_days=days, rng=rng),
        }
        self.phone_pressure = phone_pressure(self.slots["phone"])
        self.front_hours = OpeningCalendar(self.open_days, 8, 20)
        self.back_hours = OpeningCalendar(self.open_days, 9, 17)
        self.reason_combos = {topic: _reason_combos(topic) for topic in REASON_WEIGHTS}

    # --- the exact part: one label per contact ------------------------------------------------
    def _incoming_labels(self) -> tuple[list[str], list[str], list[str]]:
        plan, rng = self.plan, self.rng
        remaining = dict(plan.topic_counts)
        topics = _chat_topics(plan, remaining, rng)
        rest = _labels(remaining)
        rng.shuffle(rest)
        topics.extend(rest)
        channels = _labels(plan.incoming)  # chat, phone, e-mail blocks, as topics above
        provinces = _labels(plan.province_counts)
        rng.shuffle(provinces)
        return channels, topics, provinces

    def _referrals(self, topics: list[str]) -> dict[int, str]:
        """Incoming contact index -> referral code, exact counts, drawn from fitting topics."""
        counts = self.plan.referral_counts
        chosen: dict[int, str] = {}
        for topic in ("childcare", "family_support"):
            childcare = topic == "childcare"
            labels = _labels(
                {
                    code: count
                    for code, count in counts.items()
                    if (code in CHILDCARE_REFERRALS) == childcare
                }
            )
            candidates = [i for i, value in enumerate(topics) if value == topic]
            if len(candidates) < len(labels):  # only at tiny scales
                candidates = [i for i in range(len(topics)) if i not in chosen]
            picked = self.rng.sample(candidates, len(labels))
            chosen.update(zip(picked, labels, strict=True))
        return chosen

    def _outgoing(self, count: int) -> tuple[list[str], list[str], list[str], list[str]]:
        rng = self.rng
        offices, cum = _weighted({k: float(v) for k, v in OUTGOING_OFFICES.items()})
        office_of = rng.choices(offices, cum_weights=cum, k=count)
        channels = ["phone" if rng.random() < OUTGOING_PHONE_SHARE else "email" for _ in office_of]
        share = self.plan.topic_target_pct
        topics = [
            "family_support"
            if office == "pgjo"
            else "childcare"
            if office == "childcare"
            else ("childcare" if rng.random() * 100 < share["childcare"] else "family_support")
            for office in office_of
        ]
        names, cum_p = _weighted({k: float(v) for k, v in self.plan.province_counts.items()})
        provinces = rng.choices(names, cum_weights=cum_p, k=count) if count else []
        return channels, office_of, topics, provinces

    # --- the drawn part ----------------------------------------------------------------------
    def _customer(
        self, province: str, topic: str, received: int, rows: YearRows
    ) -> tuple[int, str, str, str]:
        rng = self.rng
        known = self.pool.by_province.setdefault(province, [])
        if known and rng.random() < RETURNING_CUSTOMER_SHARE:
            return rng.choice(known)
        kinds = CHILDCARE_CUSTOMER_KINDS if topic == "childcare" else CUSTOMER_KINDS
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        pk = self.ids.customer
        self.ids.customer += 1
        email = f"{_ascii(first)}.{_ascii(last)}.{pk}@{DEMO_EMAIL_DOMAIN}"
        phone = f"+3247{pk % 10_000_000:07d}"
        postcode = rng.choice(POSTCODES[province]) if province else ""
        name = f"{first} {last}"
        rows.customers.append(
            (pk, kind, name, email, phone, postcode, province, self.stamp(received))
        )
        customer = (pk, name, email, phone)
        known.append(customer)
        return customer

    def generate(self) -> YearRows:
        plan, rng, stamp = self.plan, self.rng, self.stamp
        rows = YearRows(plan.year)
        channels, topics, provinces = self._incoming_labels()
        incoming = len(channels)
        referral_of = self._referrals(topics)
        out_channels, out_offices, out_topics, out_provinces = self._outgoing(plan.outgoing)
        received: list[int] = []
        for channel in ("chat", "phone", "email"):
            received.extend(self.slots[channel].sample(rng, plan.incoming[channel]))
        received.extend(self.slots["out"].sample(rng, plan.outgoing))
        channels += out_channels
        topics += out_topics
        provinces += out_provinces
        order = sorted(range(len(channels)), key=received.__getitem__)

        handlers = self.catalogue.handlers
        reason_ids, referral_ids = self.catalogue.reason_ids, self.catalogue.referral_ids
        ids = self.ids
        for position, index in enumerate(order):
            contact_id = ids.contact + position
            channel, topic, province = channels[index], topics[index], provinces[index]
            moment = received[index]
            origin = ""
            escalated_to = ""
            if index < incoming:
                direction = "in"
                if channel == "chat":
                    office = "pgjo"
                    answered = moment + int(rng.expovariate(1 / 40))
                    done = answered + rng.randint(300, 1500)
                elif channel == "phone":
                    office = "front"
                    pressure = self.phone_pressure.get(moment // HOUR, 1.0)
                    answered = moment + phone_wait_seconds(pressure, rng.random())
                    done = answered + rng.randint(90, 600)
                else:
                    office = "front"
                    origin = "webform" if rng.random() < WEBFORM_SHARE else "mailbox"
                    answered = self.front_hours.next_open(moment + rng.randint(600, 20 * HOUR))
                    answered += rng.randint(0, 2 * HOUR)
                    done = answered + rng.randint(60, 600)
                if topic and rng.random() < ESCALATED_SHARE.get((channel, topic), 0.0):
                    escalated_to = "pgjo" if topic == "family_support" else "childcare"
                identified_share = IDENTIFIED_SHARE[channel]
            else:
                direction = "out"
                office = out_offices[index - incoming]
                if channel == "email":
                    origin = "mailbox"
                    answered = moment
                else:
                    answered = moment + rng.randint(5, 40)
                done = answered + rng.randint(120, 900)
                identified_share = IDENTIFIED_SHARE["out"]
            if escalated_to:
                front_agent = rng.choice(handlers["front"])
                pickup = self.back_hours.next_open(done)
                closed = pickup + rng.randint(10 * 60, 3 * HOUR)
                office = escalated_to
                handler = rng.choice(handlers[office])
                created_by = front_agent
                rows.escalations.append(
                    (
                        ids.escalation,
                        contact_id,
                        "front",
                        office,
                        rng.choice(ESCALATION_REASONS[office]),
                        front_agent,
                        stamp(done),
                        stamp(pickup),
                    )
                )
                ids.escalation += 1
            else:
                closed = done
                handler = created_by = rng.choice(handlers[office])
            if province == "":
                identified_share /= 2
            if rng.random() < identified_share:
                customer = self._customer(province, topic, moment, rows)
                customer_id: int | None = customer[0]
                name = customer[1]
                contact_email = customer[2] if channel == "email" else ""
                contact_phone = customer[3] if channel == "phone" else ""
                anonymous = False
            else:
                customer_id, name, contact_phone, contact_email = None, "", "", ""
                anonymous = True
            row: Row = (
                contact_id, channel, origin, direction, stamp(moment), stamp(answered),
                stamp(closed), office, handler, province, topic, anonymous, customer_id,
                name, contact_phone, contact_email, created_by, stamp(moment), stamp(closed),
            )  # fmt: skip
            rows.contacts.append(row)
            combos, cum = self.reason_combos[topic]
            for code in rng.choices(combos, cum_weights=cum)[0]:
                rows.reasons.append((ids.reason_row, contact_id, reason_ids[code]))
                ids.reason_row += 1
            referral = referral_of.get(index) if index < incoming else None
            if referral is not None:
                rows.referrals.append((ids.referral_row, contact_id, referral_ids[referral]))
                ids.referral_row += 1
        ids.contact += len(order)
        return rows
