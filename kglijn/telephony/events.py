"""The webhook's input: signature check and validation of event bodies (docs/telephony.md).

Validation is complete before anything is written: a request with one bad event stores none,
and every problem is reported with the event's index and the field's name as sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kglijn.core.bounded_json import (
    JsonProblem,
    JsonRefused,
    field_name,
    json_loads_bounded,
    moment_parse,
)
from kglijn.core.vocabulary import Office
from kglijn.telephony.models import EventType

SIGNATURE_HEADER = "X-KGLijn-Signature"
SIGNATURE_PREFIX = "sha256="
MAX_BATCH = 500
# A batch of 500 events is ~150 KB; anything far beyond is not a telephony platform's body.
MAX_BODY_BYTES = MAX_BATCH * 2048
MAX_ID_LENGTH = 100
MAX_AGENT_LENGTH = 150  # auth.User.username
MAX_HOLD_SECONDS = 24 * 60 * 60

# Contract name -> the shorter name architecture.md's minimal body uses; both are accepted.
ALIASES = {"event_id": "id", "occurred_at": "at", "caller_number": "caller"}
QUEUE_REQUIRED = {EventType.OFFERED, EventType.QUEUED, EventType.TRANSFERRED}
AGENT_REQUIRED = {EventType.ANSWERED, EventType.OUTBOUND_STARTED}
HOLD_ALLOWED = {EventType.ENDED, EventType.OUTBOUND_ENDED}
# Computed once: Choices.values builds a new list on every access.
_TYPES = frozenset(EventType.values)
_QUEUES = frozenset(Office.values)
_PHONE = re.compile(r"\+?[0-9][0-9 ./()-]{2,28}")


def signature_for(body: bytes, secret: str) -> str:
    """The header value for a body: 'sha256=' and the hex HMAC-SHA256 of the raw bytes."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_PREFIX}{digest}"


def signature_valid(*, body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time check of the signature header against the raw body."""
    if not header or not secret:
        return False
    value = header.strip()
    if not value.lower().startswith(SIGNATURE_PREFIX):
        return False
    given = value[len(SIGNATURE_PREFIX) :].lower()
    return hmac.compare_digest(given, signature_for(body, secret)[len(SIGNATURE_PREFIX) :])


@dataclass(frozen=True)
class EventInput:
    """One validated event (times aware, names canonical)."""

    index: int
    event_id: str
    type: str
    call_id: str
    occurred_at: dt.datetime
    queue: str = ""
    agent: str = ""
    hold_seconds: int | None = None
    caller_number: str = ""


@dataclass(frozen=True)
class FieldError:
    index: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


class EventsInvalid(Exception):
    """The body is malformed (HTTP 400): nothing was stored."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.index}/{e.field}: {e.message}" for e in errors))
        self.errors = errors


def _take(raw: dict[str, Any], name: str, index: int, errors: list[FieldError]) -> tuple[str, Any]:
    """(field name as sent, value) for a contract field or its alias; (name, None) if absent."""
    alias = ALIASES.get(name)
    if alias is not None and alias in raw:
        if name in raw and raw[name] != raw[alias]:
            errors.append(
                FieldError(
                    index,
                    name,
                    _("“%(name)s” and “%(alias)s” are the same field; they differ here.")
                    % {"name": name, "alias": alias},
                )
            )
        if name not in raw:
            return alias, raw[alias]
    return name, raw.get(name)


def _text(
    raw: dict[str, Any],
    name: str,
    index: int,
    errors: list[FieldError],
    *,
    required: bool,
    max_length: int,
) -> str:
    sent, value = _take(raw, name, index, errors)
    if value is None or value == "":
        if required:
            errors.append(FieldError(index, sent, _("This field is required.")))
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(index, sent, _("Expected a string.")))
        return ""
    if len(value) > max_length:
        errors.append(
            FieldError(index, sent, _("At most %(max)d characters.") % {"max": max_length})
        )
        return ""
    if value != value.strip():
        errors.append(FieldError(index, sent, _("No leading or trailing spaces.")))
        return ""
    return value


def _moment(raw: dict[str, Any], index: int, errors: list[FieldError]) -> dt.datetime | None:
    sent, value = _take(raw, "occurred_at", index, errors)
    if value is None or value == "":
        errors.append(FieldError(index, sent, _("This field is required.")))
        return None
    moment = moment_parse(value)  # bounded: 2000-01-01 to a day from now (issue 13)
    if isinstance(moment, str):
        errors.append(FieldError(index, sent, moment))
        return None
    return moment


def _hold(raw: dict[str, Any], kind: str, index: int, errors: list[FieldError]) -> int | None:
    value = raw.get("hold_seconds")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FieldError(index, "hold_seconds", _("Expected a whole number of seconds.")))
        return None
    if not 0 <= value <= MAX_HOLD_SECONDS:
        errors.append(
            FieldError(
                index,
                "hold_seconds",
                _("Between 0 and %(max)d seconds.") % {"max": MAX_HOLD_SECONDS},
            )
        )
        return None
    if kind and kind not in HOLD_ALLOWED:
        errors.append(FieldError(index, "hold_seconds", _("Only an ended call has a hold time.")))
        return None
    return value


def _event(raw: Any, index: int, errors: list[FieldError]) -> EventInput | None:
    if not isinstance(raw, dict):
        errors.append(FieldError(index, "event", _("Each event is a JSON object.")))
        return None
    before = len(errors)
    event_id = _text(raw, "event_id", index, errors, required=True, max_length=MAX_ID_LENGTH)
    kind = _text(raw, "type", index, errors, required=True, max_length=30)
    if kind and kind not in _TYPES:
        errors.append(
            FieldError(
                index,
                "type",
                _("Unknown type “%(value)s”; expected one of: %(choices)s.")
                % {"value": kind, "choices": ", ".join(EventType.values)},
            )
        )
        kind = ""
    call_id = _text(raw, "call_id", index, errors, required=True, max_length=MAX_ID_LENGTH)
    occurred_at = _moment(raw, index, errors)
    queue = _text(raw, "queue", index, errors, required=kind in QUEUE_REQUIRED, max_length=20)
    if queue and queue not in _QUEUES:
        errors.append(
            FieldError(
                index,
                "queue",
                _("Unknown queue “%(value)s”; expected one of: %(choices)s.")
                % {"value": queue, "choices": ", ".join(Office.values)},
            )
        )
    agent = _text(
        raw, "agent", index, errors, required=kind in AGENT_REQUIRED, max_length=MAX_AGENT_LENGTH
    )
    hold = _hold(raw, kind, index, errors)
    sent, number = _take(raw, "caller_number", index, errors)
    caller = ""
    if number is not None and number != "":
        if not isinstance(number, str) or not _PHONE.fullmatch(number):
            errors.append(FieldError(index, sent, _("Not a phone number.")))
        else:
            caller = number
    if len(errors) > before or occurred_at is None:
        return None
    return EventInput(
        index=index,
        event_id=event_id,
        type=kind,
        call_id=call_id,
        occurred_at=occurred_at,
        queue=queue,
        agent=agent,
        hold_seconds=hold,
        # Personal data: only a callback request needs the number (to call back).
        caller_number=caller if kind == EventType.CALLBACK_REQUESTED else "",
    )


def _located(problem: JsonProblem) -> FieldError:
    """A problem of the bounded parse as (event index, field as sent)."""
    path = problem.path
    if not path:
        return FieldError(None, "body", problem.message)
    if isinstance(path[0], int):  # a batch: [index, field, ...]
        return FieldError(
            path[0], field_name(path[1:]) if len(path) > 1 else "event", problem.message
        )
    return FieldError(0, field_name(path), problem.message)  # one event object


def events_parse(body: bytes) -> list[EventInput]:
    """The events of a request body (one object or an array of at most 500); raises
    EventsInvalid listing every problem, so a bad batch stores nothing."""
    try:
        data = json_loads_bounded(body)
    except JsonRefused as exc:
        raise EventsInvalid([_located(problem) for problem in exc.problems]) from exc
    items = data if isinstance(data, list) else [data]
    if not isinstance(data, list | dict):
        raise EventsInvalid(
            [FieldError(None, "body", _("Send one event object or an array of events."))]
        )
    if not items:
        raise EventsInvalid([FieldError(None, "body", _("The array holds no events."))])
    if len(items) > MAX_BATCH:
        raise EventsInvalid(
            [
                FieldError(
                    None,
                    "body",
                    _("At most %(max)d events per request, not %(count)d.")
                    % {"max": MAX_BATCH, "count": len(items)},
                )
            ]
        )
    errors: list[FieldError] = []
    events = [_event(raw, index, errors) for index, raw in enumerate(items)]
    if errors:
        raise EventsInvalid(errors)
    return [event for event in events if event is not None]
