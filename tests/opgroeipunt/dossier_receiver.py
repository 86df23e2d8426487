"""A real HTTP server in a thread that plays the dossier system's webhook receiver: it checks
the signature (the documented example, ``signature_verify``) and applies each event once,
deduplicating on the event id, as the contract in docs/opgroeipunt-sync-out.md asks."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kglijn.opgroeipunt.sync.outgoing import (
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_verify,
)


class DossierReceiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.applied: list[str] = []  # event ids, in the order they were applied
        self.bodies: dict[str, bytes] = {}
        self.requests: list[str] = []  # every request's event id (duplicates included)
        self.rejected: list[tuple[str, int]] = []
        self.fail_next: list[int] = []  # status codes to answer before applying anything
        self.hold = threading.Event()  # set: hold requests open (after applying) until released
        self.release = threading.Event()
        self.holding = threading.Event()  # set once a request is being held
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver.handle(
                    body,
                    event_id=self.headers.get(EVENT_HEADER, ""),
                    key=self.headers.get("Idempotency-Key", ""),
                    timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                    signature=self.headers.get(SIGNATURE_HEADER, ""),
                )
                if receiver.hold.is_set() and status == 200:
                    receiver.holding.set()
                    receiver.release.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/events"

    def handle(
        self, body: bytes, *, event_id: str, key: str, timestamp: str, signature: str
    ) -> int:
        with self._lock:
            self.requests.append(event_id)
            if not signature_verify(
                secret=self.secret,
                timestamp=timestamp,
                body=body,
                signature=signature,
                now=time.time(),
            ):
                self.rejected.append((event_id, 401))
                return 401
            if self.fail_next:
                return self.fail_next.pop(0)
            document = json.loads(body)
            if document["event_id"] != event_id or key != event_id:
                self.rejected.append((event_id, 400))
                return 400
            if event_id in self.bodies:
                # a repeat: the same body, already applied; acknowledged, not applied again
                assert self.bodies[event_id] == body, "a repeat must carry the same body"
                return 200
            self.bodies[event_id] = body
            self.applied.append(event_id)
            return 200

    def __enter__(self) -> DossierReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
