"""`kglijn serve`: the ASGI server (HTTP now, websockets when chat lands) under uvicorn."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve kglijn over HTTP with uvicorn (ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="worker processes (production: 2 per core)"
        )

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        self.stdout.write(f"kglijn serves on http://{host}:{port}/ (Ctrl+C stops)")
        uvicorn.run(
            "kglijn.config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info" if settings.DEBUG else "warning",
            proxy_headers=True,
            lifespan="off",
        )
