"""The chat over the Redis channel layer (production's), against the machine's real Redis.

KGLIJN_TEST_REDIS_URL picks the server and database (default: local Redis, database 7, which
nothing else of kglijn uses); each run has its own key prefix and flushes it afterwards.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.chat import services
from kglijn.chat.models import ChatMessage
from tests.chat.conftest import drain, messages_of
from tests.chat.test_consumers import connect_console, connect_parent

REDIS_URL = os.environ.get("KGLIJN_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": f"kglijn-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }


def test_messages_and_resume_over_redis(redis_layer: None, nurse: User) -> None:
    chat = services.chat_start(first_name="Lena", now=timezone.now())

    async def scenario() -> dict[str, Any]:
        layer = get_channel_layer()
        assert type(layer).__name__ == "RedisChannelLayer"
        console, _ = await connect_console(nurse)
        parent, _ = await connect_parent(chat.pk)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        nurse_frames = await drain(console)
        await parent.send_json_to(
            {"type": "message", "body": "Koorts na vaccin?", "client_id": "a"}
        )
        nurse_frames += await drain(console)
        parent_frames = await drain(parent)
        await parent.disconnect()
        await console.send_json_to({"type": "message", "chat": chat.pk, "body": "Hoeveel graden?"})
        nurse_frames += await drain(console)
        parent, resumed = await connect_parent(chat.pk, last_seq=2)
        await parent.disconnect()
        await console.disconnect()
        await layer.flush()
        return {"nurse": nurse_frames, "parent": parent_frames, "resumed": resumed}

    frames = async_to_sync(scenario)()
    assert [seq for seq, _s, _b in messages_of(frames["nurse"])] == [1, 2, 3]
    assert messages_of(frames["parent"])[1] == (2, "parent", "Koorts na vaccin?")
    assert messages_of(frames["resumed"]) == [(3, "nurse", "Hoeveel graden?")]
    assert ChatMessage.objects.filter(chat=chat).count() == 3
