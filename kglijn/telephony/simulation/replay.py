"""Posting call events to kglijn's telephony webhook as the platform would: signed, in time
order, optionally compressed in time, batched, redelivered and out of order.

Standard library only: one keep-alive http.client connection per sender thread. The events of
one call always go through the same thread, so they arrive in order unless --shuffle says
otherwise; different calls are posted concurrently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import random
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

EVENTS_PATH = "/api/v1/telephony/events/"
SIGNATURE_HEADER = "X-KGLijn-Signature"
MAX_BATCH = 500
REDELIVERY_DELAY = (1, 300)  # a redelivered event comes again this many day-seconds later
SHUFFLE_DELAY = (5, 300)  # an out-of-order event comes this many day-seconds late
# Answers that mean "stored": 409 = kept, but its call has no start yet (an early event; it
# applies when the start arrives), which out-of-order delivery causes on purpose.
STORED = {200, 201, 202, 409}  # stored (202: applied in the background, ADR 0009)


def signature(body: bytes, secret: str) -> str:
    """The X-KGLijn-Signature header value: sha256=<hex HMAC-SHA256 of the raw body>."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class ReplayError(Exception):
    """The replay cannot go on (server unreachable, wrong secret, no such endpoint)."""


@dataclass(frozen=True)
class Delivery:
    due: float  # seconds after the first event of the day (day time, before compression)
    event: Mapping[str, Any]
    redelivery: bool = False
    late: bool = False


def delivery_plan(
    events: Sequence[Mapping[str, Any]],
    *,
    redeliver: float = 0.0,
    shuffle: float = 0.0,
    seed: int = 0,
) -> list[Delivery]:
    """When each event is sent: at its own time, a `shuffle` fraction some minutes late (after
    later events of its call), and a `redeliver` fraction once more later on. Sorted by due."""
    if not 0 <= redeliver <= 1 or not 0 <= shuffle <= 1:
        raise ValueError("--redeliver and --shuffle are fractions between 0 and 1")
    if not events:
        return []
    rng = random.Random(f"kglijn-replay-{seed}")
    first = _moment(events[0])
    plan = []
    for event in events:
        due = _moment(event) - first
        late = rng.random() < shuffle
        if late:
            due += rng.uniform(*SHUFFLE_DELAY)
        plan.append(Delivery(due, event, late=late))
        if rng.random() < redeliver:
            plan.append(Delivery(due + rng.uniform(*REDELIVERY_DELAY), event, redelivery=True))
    plan.sort(key=lambda delivery: delivery.due)
    return plan


def _moment(event: Mapping[str, Any]) -> float:
    return dt.datetime.fromisoformat(str(event["occurred_at"])).timestamp()


def live_events(
    events: Sequence[Mapping[str, Any]], *, speed: float, start: dt.datetime, tag: str
) -> list[dict[str, Any]]:
    """The events moved to the wall clock of a live replay: the first at `start`, the others
    1/speed as far apart as they were, ids prefixed with `tag` so every live run is new."""
    if speed <= 0:
        raise ValueError("a live replay needs --speed > 0")
    if not events:
        return []
    first = _moment(events[0])
    moved = []
    for event in events:
        moment = start + dt.timedelta(seconds=(_moment(event) - first) / speed)
        moved.append(
            {
                **event,
                "event_id": f"{tag}-{event['event_id']}",
                "call_id": f"{tag}-{event['call_id']}",
                "occurred_at": moment.isoformat(timespec="milliseconds"),
            }
        )
    return moved


@dataclass
class ReplayResult:
    sent: int = 0  # events posted (redeliveries included)
    requests: int = 0
    accepted: int = 0
    duplicates: int = 0
    pending: int = 0  # stored, but nothing started their call yet (HTTP 409: out of order)
    errors: int = 0  # events in requests the server refused
    error_messages: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per request
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
        return ordered[index] * 1000


class _Client:
    """One keep-alive connection; reconnects once when the server closed it."""

    def __init__(self, url: str, secret: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ReplayError(f"--url must be http(s)://host[:port], not {url!r}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.path = (parts.path.rstrip("/") or "") + EVENTS_PATH
        self.url = f"{parts.scheme}://{parts.netloc}{self.path}"
        self.secret = secret
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=self.timeout)

    def post(self, body: bytes) -> tuple[int, bytes]:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(body, self.secret),
        }
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.request("POST", self.path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A keep-alive connection the server closed: reconnect and send again, which is
                # safe as the webhook is idempotent on event ids.
                self.close()
                if attempt == 2:
                    lost = f"lost the connection to kglijn at {self.url}: {exc}"
                    raise ReplayError(lost) from exc
            except OSError as exc:
                self.close()
                raise ReplayError(f"cannot reach kglijn at {self.url}: {exc}") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _refusal(status: int, payload: bytes, url: str) -> str | None:
    """The reason to stop everything, for answers no later request will fix."""
    if status == 401:
        return (
            f"{url} answered 401: the signature was refused - is KGLIJN_TELEPHONY_SECRET the "
            "same here as on the server?"
        )
    if status in (404, 405):
        return f"{url} answered {status}: no telephony webhook there (wrong --url?)"
    return None


def _errors_of(payload: bytes) -> list[str]:
    try:
        body = json.loads(payload)
    except ValueError:
        return [" ".join(payload[:300].decode(errors="replace").split())[:200]]
    if isinstance(body, dict) and "errors" in body:
        errors = body["errors"]
        return [json.dumps(e) if not isinstance(e, str) else e for e in errors] or [str(body)]
    return [json.dumps(body)[:200]]


def replay(
    plan: Sequence[Delivery],
    *,
    url: str,
    secret: str,
    speed: float = 0.0,
    batch: int = 1,
    concurrency: int = 4,
    timeout: float = 30.0,
    duration: float | None = None,
    rate: float | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Post the plan's events; speed 0 = as fast as possible, N = N day-seconds per second.

    Events of one call go through one thread (in plan order); `batch` events a request at most;
    with `duration`, senders stop after that many seconds (a sustained-load measurement); with
    `rate`, requests are paced to that many a second in all (spread over the connections)
    instead of as fast as the server answers.
    Raises ReplayError when the server cannot be reached or refuses the signature."""
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"--batch must be between 1 and {MAX_BATCH}")
    if speed < 0:
        raise ValueError("--speed must be >= 0")
    if rate is not None and rate <= 0:
        raise ValueError("rate must be > 0")
    concurrency = max(1, concurrency)
    lanes: list[list[Delivery]] = [[] for _ in range(concurrency)]
    for delivery in plan:
        call_id = str(delivery.event["call_id"]).encode()
        lanes[zlib.crc32(call_id) % concurrency].append(delivery)
    result = ReplayResult()
    lock = threading.Lock()
    stop = threading.Event()
    failure: list[BaseException] = []
    started = time.perf_counter()
    deadline = started + duration if duration is not None else None

    lane_interval = len([lane for lane in lanes if lane]) / rate if rate else 0.0

    def run(lane: list[Delivery]) -> None:
        client = _Client(url, secret, timeout)
        try:
            index = 0
            requests = 0
            while index < len(lane) and not stop.is_set():
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                if lane_interval:
                    wait = started + requests * lane_interval - time.perf_counter()
                    if wait > 0:
                        stop.wait(wait)
                        continue
                    requests += 1
                if speed > 0:
                    wait = started + lane[index].due / speed - time.perf_counter()
                    if wait > 0:
                        stop.wait(wait)
                        continue
                    now_due = (time.perf_counter() - started) * speed
                    end = index + 1
                    while end < len(lane) and end - index < batch and lane[end].due <= now_due:
                        end += 1
                else:
                    end = min(len(lane), index + batch)
                chunk = [delivery.event for delivery in lane[index:end]]
                body = json.dumps(chunk[0] if batch == 1 else chunk).encode()
                sent_at = time.perf_counter()
                status, payload = client.post(body)
                latency = time.perf_counter() - sent_at
                refusal = _refusal(status, payload, client.url)
                if refusal:
                    raise ReplayError(refusal)
                counts: dict[str, Any] = {}
                if status in STORED:
                    try:
                        counts = json.loads(payload)
                    except ValueError:
                        counts = {}
                with lock:
                    result.sent += len(chunk)
                    result.requests += 1
                    result.latencies.append(latency)
                    if status in STORED:
                        result.accepted += int(counts.get("accepted", 0))
                        result.duplicates += int(counts.get("duplicates", 0))
                        result.pending += len(counts.get("errors", ()))
                    else:
                        result.errors += len(chunk)
                        if len(result.error_messages) < 20:
                            result.error_messages.extend(
                                f"HTTP {status}: {message}" for message in _errors_of(payload)
                            )
                if on_progress is not None:
                    on_progress(len(chunk))
                index = end
        except BaseException as exc:  # handed to the caller's thread below
            with lock:
                failure.append(exc)
            stop.set()
        finally:
            client.close()

    threads = [
        threading.Thread(target=run, args=(lane,), name=f"replay-{n}", daemon=True)
        for n, lane in enumerate(lanes)
        if lane
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        stop.set()
        raise
    result.seconds = time.perf_counter() - started
    if failure:
        exc = failure[0]
        if isinstance(exc, ReplayError):
            raise exc
        raise ReplayError(f"replay failed: {exc!r}") from exc
    return result
