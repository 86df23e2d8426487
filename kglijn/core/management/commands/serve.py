"""`kglijn serve`: the ASGI server (HTTP and the chat's websockets) under uvicorn.

The background parts it runs beside the server (the telephony applier) are named in
settings.KGLIJN_SERVER_BACKGROUND, like the worker's jobs: core imports no app.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string
from uvicorn import Config, Server
from uvicorn.supervisors import Multiprocess


class _Config(Config):
    """uvicorn's Config, with a listening socket that asyncio recognises as TCP.

    With several workers uvicorn binds the socket itself as `socket.socket(family)`: protocol
    0, so asyncio never switches Nagle's algorithm off on accepted connections and every
    keep-alive response waited ~40 ms for the client's delayed ACK (measured: 44 ms per request
    with 3 workers, 1.5 ms with 1; uvicorn issue #3149). The same socket, re-wrapped with
    protocol IPPROTO_TCP and TCP_NODELAY set, which accepted sockets inherit on Linux.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tcp.set_inheritable(True)
        return tcp


def background_start(paths: list[str]) -> list[Callable[[], None]]:
    """Start each background part (`start() -> stop | None`); the stops of those that run."""
    starts = []
    for path in paths:
        try:
            starts.append(import_string(path))
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"KGLIJN_SERVER_BACKGROUND: cannot import {path!r}: {exc}"
            ) from exc
    stops = []
    for start in starts:
        stop = start()
        if stop is not None:
            stops.append(stop)
    return stops


class Command(BaseCommand):
    help = "Serve kglijn over HTTP with uvicorn (ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="worker processes (production: 2 per core)"
        )
        parser.add_argument(
            "--no-applier",
            action="store_true",
            help="do not apply call events here (another server's applier does it)",
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, no_applier: bool, **options: Any
    ) -> None:
        self.stdout.write(f"kglijn serves on http://{host}:{port}/ (Ctrl+C stops)")
        # In this (supervising) process: the worker processes only serve (ADR 0009).
        stops = [] if no_applier else background_start(list(settings.KGLIJN_SERVER_BACKGROUND))
        # X-Forwarded-For/-Proto only from the configured reverse proxies; uvicorn's default
        # would trust them from 127.0.0.1, so anyone on this host (or any local proxy that
        # passes the header on) could choose the client address the rate limits count.
        proxies = list(settings.KGLIJN_TRUSTED_PROXIES)
        config = _Config(
            "kglijn.config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info" if settings.DEBUG else "warning",
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            lifespan="off",
            # Chat frames are a few hundred bytes: compressing them costs CPU, saves nothing.
            ws_per_message_deflate=False,
        )
        try:
            if workers > 1:
                Multiprocess(config, sockets=[config.bind_socket()]).run()
            else:
                Server(config).run()  # asyncio binds and sets TCP_NODELAY itself
        except KeyboardInterrupt:
            pass
        finally:
            for stop in reversed(stops):
                stop()
