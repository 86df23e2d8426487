"""`kglijn serve` starts the background parts named in KGLIJN_SERVER_BACKGROUND (core imports
no app): the telephony applier in background mode, nothing in inline mode."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from kglijn.core.management.commands.serve import background_start

STARTED: list[str] = []


def part_that_runs() -> Any:
    STARTED.append("runs")
    return lambda: STARTED.append("stopped")


def part_with_nothing_to_do() -> None:
    STARTED.append("nothing")
    return None


def test_each_part_starts_and_those_that_run_give_their_stop() -> None:
    STARTED.clear()
    stops = background_start([f"{__name__}.part_that_runs", f"{__name__}.part_with_nothing_to_do"])
    assert STARTED == ["runs", "nothing"]
    assert len(stops) == 1
    stops[0]()
    assert STARTED == ["runs", "nothing", "stopped"]


def test_a_wrong_path_stops_the_server_before_anything_starts() -> None:
    STARTED.clear()
    with pytest.raises(ImproperlyConfigured, match="KGLIJN_SERVER_BACKGROUND"):
        background_start([f"{__name__}.part_that_runs", "kglijn.nowhere.start"])
    assert STARTED == []


@pytest.mark.django_db(transaction=True)
def test_the_applier_runs_in_background_mode_only(settings: Any) -> None:
    assert settings.KGLIJN_SERVER_BACKGROUND == ["kglijn.telephony.applier.applier_start"]
    settings.KGLIJN_TELEPHONY_APPLY = "inline"
    assert background_start(settings.KGLIJN_SERVER_BACKGROUND) == []
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    (stop,) = background_start(settings.KGLIJN_SERVER_BACKGROUND)
    stop()
