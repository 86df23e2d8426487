"""A real HTTP server in a thread that plays a source system for the sync tests."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kglijn.opgroeipunt.models import Location, Organiser


@dataclass
class SourceState:
    """What the played source holds and how it misbehaves."""

    records: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    cursor: str = "c1"
    # page number -> how many of the next requests for it fail, and how
    fail_page: int = 0
    fail_times: int = 0
    fail_how: str = "503"  # "503" | "drop" (close the connection without an answer) | "cut"
    requests: list[str] = field(default_factory=list)

    def page(self, since: str | None, number: int) -> dict[str, Any]:
        chosen = (
            self.records if since is None else [r for r in self.records if r.get("_at", "") > since]
        )
        start = (number - 1) * self.page_size
        chunk = chosen[start : start + self.page_size]
        more = start + self.page_size < len(chosen)
        since_part = f"since={since}&" if since else ""
        return {
            "records": [{k: v for k, v in r.items() if k != "_at"} for r in chunk],
            "next": f"/feed?{since_part}page={number + 1}" if more else None,
            "cursor": self.cursor,
        }


class _Handler(BaseHTTPRequestHandler):
    state: SourceState

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state = self.server.state  # type: ignore[attr-defined]
        state.requests.append(self.path)
        query = parse_qs(urlsplit(self.path).query)
        number = int(query.get("page", ["1"])[0])
        since = query.get("since", [None])[0]
        if number == state.fail_page and state.fail_times > 0:
            state.fail_times -= 1
            if state.fail_how == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if state.fail_how == "cut":
                body = b'{"records": [{"external_id": "'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(state.page(since, number)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def source_server(state: SourceState, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """Serve ``state`` on a free port of 127.0.0.1; yields the feed's address. ``tls``: a
    (certificate, key) pair to serve https with, for the name localhost."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.state = state  # type: ignore[attr-defined]
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile=tls[0], keyfile=tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        if tls is not None:
            yield f"https://localhost:{server.server_address[1]}/feed"
        else:
            yield f"http://127.0.0.1:{server.server_address[1]}/feed"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, made with the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    subprocess.run(  # noqa: S603 - fixed arguments, no outside input
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def visit(number: int, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "external_id": f"V{number}",
        "location_external_id": "L1",
        "visited_on": f"2025-03-0{1 + number % 9}",
        "types": ["regular"],
        "findings": [{"theme": "Veiligheid", "severity": "minor", "text": "Stopcontacten"}],
        "report_reference": f"ZI-{number}",
        "report_url": f"https://zorginspectie.example/rapport/{number}",
        "report_published_on": "2025-04-01",
        "active": True,
    }
    record.update(overrides)
    return record


def locations(*external_ids: str) -> None:
    organiser, _ = Organiser.objects.get_or_create(
        external_id="O1", defaults={"name": "Vzw Kindjes"}
    )
    for external_id in external_ids:
        Location.objects.create(
            external_id=external_id,
            organiser=organiser,
            name=f"Opvang {external_id}",
            postcode="9000",
            province="BE-VOV",
            care_type="group",
            places=18,
            subsidy="T2",
            income_tariff=True,
        )
