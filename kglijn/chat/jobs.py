"""The chat's job for `kglijn worker` (settings.KGLIJN_WORKER_JOBS): transcript retention."""

from __future__ import annotations

import datetime as dt

from kglijn.chat.selectors import chats_to_purge
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
