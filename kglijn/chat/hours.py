"""When the chat is open: the PGJO back office's hours from the business calendar (ADR 0011 §3).

Chats go straight to the PGJO nurses (000 §1.1), so the chat follows their office: weekdays
09:00–17:00, closed on Belgian public holidays and the configured closing days. A chat started
before closing time goes on after it; only new chats are refused. KGLIJN_CHAT_HOURS="always"
keeps the chat open round the clock for demonstrations and benchmarks, never in production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from kglijn.core import business_calendar
from kglijn.core.vocabulary import Office

CHAT_OFFICE = Office.PGJO.value
# The other channels a parent is pointed to when the chat is closed (K&G-Lijn).
PHONE_NUMBER = "078 150 100"


@dataclass(frozen=True)
class ChatOpening:
    open: bool
    # The next opening (Brussels time) when closed; None when open.
    next_opening: dt.datetime | None


def chat_opening(*, now: dt.datetime) -> ChatOpening:
    """Whether a new chat can start at `now` (aware) and, if not, when it can."""
    if settings.KGLIJN_CHAT_HOURS == "always":
        return ChatOpening(open=True, next_opening=None)
    if business_calendar.is_open(CHAT_OFFICE, now):
        return ChatOpening(open=True, next_opening=None)
    return ChatOpening(open=False, next_opening=business_calendar.next_opening(CHAT_OFFICE, now))
