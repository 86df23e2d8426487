"""Which pages may open the chat's websockets: scheme, host and port, not only the host name.

Channels' AllowedHostsOriginValidator compares the Origin's host name with ALLOWED_HOSTS only,
so `http://127.0.0.1:8102.evil.example`, another port or another scheme got through. Here an
Origin is allowed when it is exactly the websocket request's own origin (the scheme of the
connection, the Host header, which must be in ALLOWED_HOSTS) or one of the origins configured in
KGLIJN_ALLOWED_ORIGINS or CSRF_TRUSTED_ORIGINS. A request without an Origin is refused: browsers
always send one, and a script outside a browser has no business on these sockets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
# The websocket scheme of the connection and the page scheme it belongs to.
PAGE_SCHEME = {"ws": "http", "wss": "https", "http": "http", "https": "https"}

Origin = tuple[str, str, int]  # scheme, host name (lower case, IPv6 without brackets), port


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an origin `scheme://host[:port]`; None for anything else."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme]


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:  # what Django itself allows then
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _own_origin(scope: dict[str, Any], host_header: str) -> Origin | None:
    """The origin of the page this websocket request belongs to, if its Host is ours."""
    scheme = PAGE_SCHEME.get(str(scope.get("scheme") or "ws"))
    if scheme is None or not host_header:
        return None
    domain, _port = split_domain_port(host_header)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    return parse_origin(f"{scheme}://{host_header}")


def _configured_match(origin: Origin) -> bool:
    for entry in [*settings.KGLIJN_ALLOWED_ORIGINS, *settings.CSRF_TRUSTED_ORIGINS]:
        wildcard = "://*." in entry
        allowed = parse_origin(entry.replace("://*.", "://", 1) if wildcard else entry)
        if allowed is None:
            continue
        scheme, host, port = allowed
        if (origin[0], origin[2]) != (scheme, port):
            continue
        if origin[1] == host or (wildcard and origin[1].endswith("." + host)):
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the websocket request in `scope` comes from one of our own pages."""
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    origin = parse_origin(headers.get("origin", ""))
    if origin is None:
        return False
    return origin == _own_origin(scope, headers.get("host", "")) or _configured_match(origin)


class SameOriginValidator:
    """ASGI middleware: a websocket whose Origin is not allowed is closed before it opens."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)  # type: ignore[arg-type]
        return await self.application(scope, receive, send)
