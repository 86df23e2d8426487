"""The chat's jobs for `kglijn worker` (settings.KGLIJN_WORKER_JOBS): transcript retention and
the parents' presence timeout."""

from __future__ import annotations

import datetime as dt

from kglijn.chat.selectors import chats_to_purge
from kglijn.chat.services import chat_presence_sweep as _presence_sweep
from kglijn.chat.services import chat_transcript_purge, presence_purge
from kglijn.core.worker import stop_requested

BATCH = 200


def chat_transcripts_purge(*, now: dt.datetime) -> int:
    """Delete the transcripts of chats that ended more than KGLIJN_CHAT_RETENTION_DAYS ago,
    one chat per transaction (idempotent, safe to run twice or in two workers); also forgets
    nurse consoles that stopped pinging. Returns the number of transcripts deleted."""
    presence_purge(now=now)
    done = 0
    for chat_id in chats_to_purge(now=now, limit=BATCH):
        if stop_requested():
            break
        if chat_transcript_purge(chat_id=chat_id, now=now):
            done += 1
    return done


def chat_presence_sweep(*, now: dt.datetime) -> int:
    """End the chats whose parent has been gone longer than KGLIJN_CHAT_PRESENCE_TIMEOUT (the
    consoles and waiting parents also sweep on their pings; this covers the hours without
    any). Returns the number of chats ended."""
    return _presence_sweep(now=now)
