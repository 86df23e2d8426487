"""Issue 19 item 5: `kglijn staffing erlang` — the JSON contract, Erlang A, shrinkage, errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kglijn.core.erlang import queue_figures

BASE = [
    "erlang",
    "--calls", "360",
    "--interval-seconds", "1800",
    "--aht", "240",
    "--target-pct", "84.5",
    "--target-seconds", "15",
]  # fmt: skip
CONTRACT = {"agents", "service_level_pct", "asa_seconds", "wait_probability_pct", "occupancy_pct"}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    return out.getvalue()


def test_json_contract_for_the_check_value() -> None:
    answer = json.loads(_run(*BASE, "--format", "json"))
    assert set(answer) >= CONTRACT
    assert "abandon_pct" not in answer
    assert "scheduled_agents" not in answer
    assert answer["agents"] == 55
    assert answer["service_level_pct"] == pytest.approx(84.6, abs=0.05)
    assert answer["asa_seconds"] == pytest.approx(8.2, abs=0.05)
    assert answer["wait_probability_pct"] == pytest.approx(23.9, abs=0.05)
    assert answer["occupancy_pct"] == pytest.approx(100 * 48 / 55, abs=0.01)
    assert answer["model"] == "erlang_c"


def test_patience_gives_erlang_a_with_abandon_pct_and_shrinkage_scheduled_agents() -> None:
    args = [*BASE, "--patience", "120", "--shrinkage", "0.3", "--format", "json"]
    answer = json.loads(_run(*args))
    assert CONTRACT | {"abandon_pct", "scheduled_agents"} <= set(answer)
    assert answer["model"] == "erlang_a"
    assert answer["scheduled_agents"] == -(-answer["agents"] * 10 // 7)  # ⌈agents ÷ 0.7⌉
    one_less = queue_figures(
        calls=360,
        interval_seconds=1800,
        aht=240,
        agents=answer["agents"] - 1,
        target_seconds=15,
        patience=120,
    )
    assert 100 * one_less.service_level < 84.5 <= answer["service_level_pct"]


def test_text_output_is_dutch() -> None:
    text = _run(*BASE)
    assert "Medewerkers nodig aan de telefoon: 55" in text


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--calls", "0", "--calls"),
        ("--calls", "-5", "--calls"),
        ("--aht", "abc", "--aht"),
        ("--interval-seconds", "0", "--interval-seconds"),
        ("--target-pct", "100", "--target-pct"),
        ("--target-pct", "0", "--target-pct"),
        ("--target-seconds", "-1", "--target-seconds"),
        ("--shrinkage", "1", "--shrinkage"),
        ("--shrinkage", "-0.1", "--shrinkage"),
        ("--patience", "0", "--patience"),
        ("--calls", "nan", "--calls"),
    ],
)
def test_impossible_input_is_refused_with_status_2(option: str, value: str, message: str) -> None:
    args = list(BASE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    with pytest.raises(CommandError) as error:
        _run(*args)
    assert message in str(error.value)
    assert error.value.returncode == 2
