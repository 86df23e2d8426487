"""Websocket routes of the chat (mounted by kglijn.config.asgi under the "websocket" protocol)."""

from typing import Any

from django.urls import path

from kglijn.chat.consumers import ConsoleConsumer, ParentConsumer

# django.urls.path with ASGI consumers, as Channels' URLRouter expects (its stubs type path()
# for Django views only).
websocket_urlpatterns: list[Any] = [
    path("chat/ws/parent/", ParentConsumer.as_asgi()),  # type: ignore[arg-type]
    path("chat/ws/console/", ConsoleConsumer.as_asgi()),  # type: ignore[arg-type]
]
