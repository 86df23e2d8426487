"""The ASGI application `kglijn serve` runs.

The telephony platform's call-event webhook, the hottest path, is served by a lean endpoint
(kglijn.telephony.asgi: no middleware, signals or per-request thread; ADR 0009); every other
request goes through Django. Websockets (the chat, ADR 0011) go to Django Channels: the
session's user, and only from our own pages: the Origin's scheme, host and port must be the
request's own (its Host in ALLOWED_HOSTS) or a configured origin (kglijn.chat.origin).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")

django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kglijn.chat.origin import SameOriginValidator  # noqa: E402
from kglijn.chat.routing import websocket_urlpatterns  # noqa: E402
from kglijn.telephony.asgi import EVENTS_PATHS, events_endpoint  # noqa: E402


async def http_application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "http" and scope["path"] in EVENTS_PATHS:
        return await events_endpoint(scope, receive, send)
    return await django_application(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
