from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.outbox.purposes import NOTE, OTHER
from tests.surveys.smtp_sink import SmtpSink, use_smtp


@pytest.fixture
def note_purpose(settings: Any) -> Iterator[Any]:
    settings.KGLIJN_OUTBOX_PURPOSES = [
        *settings.KGLIJN_OUTBOX_PURPOSES,
        "tests.outbox.purposes.NOTE",
        "tests.outbox.purposes.OTHER",
    ]
    NOTE.reset()
    OTHER.reset()
    yield NOTE
    NOTE.reset()
    OTHER.reset()


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        yield sink
