"""Forecast (issue 19 item 4): `kglijn forecast run … --format json|text` and its errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kglijn.steering.models import ForecastRun
from tests.steering.test_forecast_history import TODAY, build_history

pytestmark = pytest.mark.django_db


def test_cli_json_prints_the_run_its_wapes_and_the_first_days() -> None:
    build_history("phone")
    out = io.StringIO()
    call_command(
        "forecast",
        "run",
        "--channel",
        "phone",
        "--today",
        TODAY.isoformat(),
        "--weeks",
        "2",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    run = ForecastRun.objects.get()
    assert data["id"] == run.pk
    assert data["channel"] == "phone"
    assert data["method"] == run.method
    assert data["backtest_wape_pct"] == round(run.backtest_wape_pct or 0, 2)
    assert data["baseline_wape_pct"] == round(run.baseline_wape_pct or 0, 2)
    assert data["backtest_wape_pct"] < data["baseline_wape_pct"]
    assert data["forecast_from"] == TODAY.isoformat()
    assert data["forecast_to"] == "2023-12-03"
    assert [day["date"] for day in data["days"]][:2] == ["2023-11-20", "2023-11-21"]
    assert len(data["days"]) == 7
    assert data["days"][5]["contacts"] == 0  # Saturday: the phone line is closed
    assert data["days"][0]["contacts"] > data["days"][4]["contacts"]  # Monday > Friday


def test_cli_text_names_both_wapes() -> None:
    build_history("phone")
    out = io.StringIO()
    call_command("forecast", "run", "--channel", "phone", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "WAPE" in text
    assert "2023-09-25" in text
    assert "2023-11-20" in text


def test_cli_too_little_history_says_how_much_is_needed() -> None:
    with pytest.raises(CommandError, match=r"minstens 118 dagen .*er zijn er 0") as info:
        call_command("forecast", "run", "--channel", "chat", "--today", TODAY.isoformat())
    assert info.value.returncode == 1
    assert not ForecastRun.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--today", "2023-02-30"], "is geen datum"),
        (["--today", "1999-12-31"], "kies een datum tussen"),
        (["--weeks", "0"], "--weeks"),
        (["--weeks", "27"], "--weeks"),
    ],
)
def test_cli_bad_arguments_exit_2(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        call_command("forecast", "run", "--channel", "phone", *arguments)
    assert info.value.returncode == 2
