"""The ASGI application `kglijn serve` runs.

The telephony platform's call-event webhook, the hottest path, is served by a lean endpoint
(kglijn.telephony.asgi: no middleware, signals or per-request thread; ADR 0009); every other
request goes through Django.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")

django_application = get_asgi_application()

from kglijn.telephony.asgi import EVENTS_PATHS, events_endpoint  # noqa: E402


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "http" and scope["path"] in EVENTS_PATHS:
        return await events_endpoint(scope, receive, send)
    return await django_application(scope, receive, send)
