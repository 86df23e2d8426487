"""Bounded parsing of untrusted JSON bodies and timestamps (the signed webhooks' front door).

`json.loads` alone lets a sender reach the server's limits instead of the contract's: a body
nested 100,000 levels deep raises RecursionError, a 5,000-digit number ValueError (Python's
limit on int digits), a lone surrogate ("\\ud800") becomes a string no database or UTF-8
encoder accepts, a NUL character is refused by PostgreSQL, and an ISO time such as
0001-01-01T00:00:00+14:00 overflows when converted to UTC. Each of these ended as a 500.
Here each becomes a `JsonProblem` naming where it is, so the webhook can answer 400 before
anything is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _

# Deeper than any body of ours needs (an event batch is 3 levels, a survey 2), small enough
# that walking it can never approach the interpreter's recursion limit.
MAX_DEPTH = 8
# Longer than any field of ours (ids 100, usernames 150); unknown fields are bounded too.
MAX_STRING_LENGTH = 1000
# A JSON number beyond a 64-bit integer is never a count, a score or a duration of ours.
MAX_INTEGER = 2**63 - 1
# Events and survey answers are about calls since kglijn exists; the platform's clock may run
# a little ahead of ours, a day is far more than any real skew.
EARLIEST_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_FUTURE = dt.timedelta(days=1)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class JsonProblem:
    """What is wrong and where: `path` is the keys and indexes from the top (empty: the body)."""

    path: Path
    message: str


class JsonRefused(Exception):
    def __init__(self, problems: list[JsonProblem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _printable(key: str) -> str:
    """A key safe to echo in an answer (lone surrogates and NULs escaped, length bounded)."""
    if "\x00" in key or not _encodable(key):
        key = key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        key = key.replace("\x00", "\\u0000")
    return key[:100]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING_LENGTH:
        return _("At most %(max)d characters.") % {"max": MAX_STRING_LENGTH}
    if "\x00" in text:
        return _("NUL characters are not allowed.")
    if not _encodable(text):
        return _("Not valid Unicode (a lone surrogate such as \\ud800).")
    return None


def _up_to_first_key(path: Path) -> Path:
    """(3, "extra", 0, 0, …) -> (3, "extra"): a deep value named by the field it is in."""
    for position, part in enumerate(path):
        if isinstance(part, str):
            return path[: position + 1]
    return path[:1]


def _walk(data: Any, problems: list[JsonProblem]) -> None:
    """Check every value's depth, strings (and keys) and integers, without recursion."""
    stack: list[tuple[Any, Path]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            # Named by where it starts (an event's field, "answers"), not by the whole path.
            message = _("Nested more than %(max)d levels deep.") % {"max": MAX_DEPTH}
            problems.append(JsonProblem(_up_to_first_key(path), message))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _string_problem(key)
                name = _printable(key)
                if problem is not None:
                    problems.append(JsonProblem((*path, name), problem))
                    continue
                stack.append((item, (*path, name)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = _string_problem(value)
            if problem is not None:
                problems.append(JsonProblem(path, problem))
        elif isinstance(value, int) and not -MAX_INTEGER <= value <= MAX_INTEGER:
            problems.append(JsonProblem(path, _("The number is too large.")))


def json_loads_bounded(body: bytes) -> Any:
    """The parsed body; raises JsonRefused for anything but bounded, encodable JSON.

    Refused: invalid JSON or UTF-8, NaN/Infinity, nesting deeper than MAX_DEPTH, strings or
    keys longer than MAX_STRING_LENGTH or holding NUL or lone surrogates, integers beyond
    64 bits. Problems inside the document carry their path.
    """
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except RecursionError as exc:
        raise JsonRefused(
            [JsonProblem((), _("Nested more than %(max)d levels deep.") % {"max": MAX_DEPTH})]
        ) from exc
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            [JsonProblem((), _("The body is not valid JSON: %(error)s") % {"error": exc})]
        ) from exc
    except UnicodeDecodeError as exc:
        raise JsonRefused([JsonProblem((), _("The body is not valid UTF-8."))]) from exc
    except ValueError as exc:  # a number beyond Python's int digits limit, NaN, Infinity
        raise JsonRefused(
            [JsonProblem((), _("The body holds a number that is too large or not finite."))]
        ) from exc
    problems: list[JsonProblem] = []
    _walk(data, problems)
    if problems:
        problems.sort(key=lambda problem: [str(part) for part in problem.path])
        raise JsonRefused(problems)
    return data


def moment_parse(value: Any, *, now: dt.datetime | None = None) -> dt.datetime | str:
    """An ISO 8601 time with a UTC offset as an aware UTC datetime, or the message saying why
    not. Only moments from 2000-01-01 to one day after `now` (default: the clock) are taken."""
    if not isinstance(value, str):
        return _("Expected an ISO 8601 date-time string.")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return _("“%(value)s” is not an ISO 8601 date-time (e.g. 2023-03-06T09:14:03+01:00).") % {
            "value": value[:40]
        }
    if moment.tzinfo is None or moment.utcoffset() is None:
        return _("The time needs a UTC offset (e.g. +01:00 or Z).")
    window = _("The time must lie between 2000-01-01 and one day from now.")
    try:
        moment = moment.astimezone(dt.UTC)  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
    except OverflowError:
        return window
    if not EARLIEST_MOMENT <= moment <= (now or dt.datetime.now(dt.UTC)) + MAX_FUTURE:
        return window
    return moment


def field_name(path: Path) -> str:
    """A path as a dotted field name ("answers.courtesy"); "body" for the body itself."""
    return ".".join(str(part) for part in path) or "body"


def request_body_bounded(request: HttpRequest, *, limit: int) -> bytes | None:
    """The request's body, or None when it is larger than `limit` bytes (answer 413).

    Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) answers with an HTML page; a webhook
    answers JSON."""
    try:
        if int(request.headers.get("Content-Length") or 0) > limit:
            return None
        body = request.body
    except (ValueError, RequestDataTooBig):
        return None
    return body if len(body) <= limit else None
