"""The call-event webhook as a lean ASGI endpoint, for `kglijn serve` (ADR 0009).

Django's ASGI handler costs more per request than the webhook's own work: a new thread per
request for its thread-sensitive code, request signals, the middleware chain, URL resolution.
This endpoint reads the body, checks the signature on the event loop, and hands the rest to
`webhook_answer` — the same function the Django view calls — in a small pool of threads
that keep their database connection. Only this one path is served here (config/asgi.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections
from django.utils.translation import gettext as _

from kglijn.telephony.api import WebhookAnswer, body_too_large, webhook_answer, webhook_signed
from kglijn.telephony.events import MAX_BODY_BYTES

__all__ = ["EVENTS_PATHS", "MAX_BODY_BYTES", "events_endpoint"]

logger = logging.getLogger(__name__)

EVENTS_PATHS = ("/api/v1/telephony/events/", "/api/v1/telephony/events")
_SIGNATURE = b"x-kglijn-signature"
# Threads doing the database work: a few per process keep several commits in flight.
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kglijn-webhook")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _send_json(send: Send, answer: WebhookAnswer) -> None:
    # ASCII escapes: an error may echo a lone surrogate the sender put in, which has no UTF-8.
    body = json.dumps(answer.payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in answer.headers.items()),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _problem(status: int, message: str, **headers: str) -> WebhookAnswer:
    return WebhookAnswer(status, {"errors": [{"field": "body", "message": message}]}, headers)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when it exceeds MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _answer_in_thread(body: bytes, signature: str | None) -> WebhookAnswer:
    try:
        return webhook_answer(body=body, signature=signature)
    except Exception:
        logger.exception("call-event webhook failed")
        return _problem(500, _("Internal error: nothing was stored; send the events again."))
    finally:
        close_old_connections()  # CONN_MAX_AGE 0: the connection goes back to the pool


async def events_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["method"] != "POST":
        await _send_json(send, _problem(405, _("Only POST is allowed here."), Allow="POST"))
        return
    body = await _read_body(receive)
    if body is None:
        await _send_json(send, body_too_large())
        return
    signature = next(
        (value.decode("latin-1") for name, value in scope["headers"] if name == _SIGNATURE),
        None,
    )
    refused = webhook_signed(body=body, signature=signature)
    if refused is not None:  # answered on the event loop: nothing to store
        await _send_json(send, refused)
        return
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(_executor, _answer_in_thread, body, signature)
    await _send_json(send, answer)
