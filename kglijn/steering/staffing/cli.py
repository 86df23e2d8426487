"""`kglijn staffing erlang --calls N --interval-seconds S --aht S --target-pct P
--target-seconds T [--shrinkage F] [--patience S] [--format text|json]` (docs/steering-staffing.md).

The fewest agents on the phones that meet the target, by Erlang C, or by Erlang A when a patience
is given. The JSON keys are a contract: agents, service_level_pct, asa_seconds,
wait_probability_pct, occupancy_pct (+ abandon_pct with --patience); added keys: model,
traffic_erlang, target_pct, target_seconds, and with --shrinkage shrinkage_pct and
scheduled_agents (= ⌈agents ÷ (1 − shrinkage)⌉: to put on the roster).
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kglijn.core.erlang import ERLANG_A, QueueFigures, agents_needed, scheduled_agents
from kglijn.core.numbers import format_nl

USAGE_ERROR = 2
# Bounds of a sensible question: a half hour of a national line is far below them.
MAX_CALLS = 1_000_000
MAX_SECONDS = 86_400.0
MAX_TRAFFIC = 20_000.0  # Erlangs


def erlang_parser_add(actions: Any) -> None:
    erlang = actions.add_parser(
        "erlang", help=_("the fewest agents that meet a service-level target (Erlang C or A)")
    )
    erlang.add_argument("--calls", required=True, help=_("calls offered in the interval"))
    erlang.add_argument(
        "--interval-seconds", dest="interval_seconds", required=True, help=_("e.g. 1800")
    )
    erlang.add_argument("--aht", required=True, help=_("average handling time in seconds"))
    erlang.add_argument(
        "--target-pct", dest="target_pct", required=True, help=_("e.g. 80 (less than 100)")
    )
    erlang.add_argument("--target-seconds", dest="target_seconds", required=True, help=_("e.g. 20"))
    erlang.add_argument(
        "--shrinkage", help=_("share of paid time off the phones, 0 to below 1 (e.g. 0.3)")
    )
    erlang.add_argument(
        "--patience", help=_("callers' mean patience in seconds: Erlang A instead of Erlang C")
    )
    erlang.add_argument("--format", choices=["text", "table", "json"], default="text")


def _number(options: dict[str, Any], key: str, option: str) -> float:
    raw = str(options[key])
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise CommandError(
            _("%(option)s: '%(value)s' is not a number") % {"option": option, "value": raw[:40]},
            returncode=USAGE_ERROR,
        ) from None
    if not math.isfinite(value):
        raise CommandError(
            _("%(option)s: '%(value)s' is not a number") % {"option": option, "value": raw[:40]},
            returncode=USAGE_ERROR,
        )
    return value


def _positive(options: dict[str, Any], key: str, option: str, most: float) -> float:
    value = _number(options, key, option)
    if value <= 0:
        raise CommandError(
            _("%(option)s must be more than 0") % {"option": option}, returncode=USAGE_ERROR
        )
    if value > most:
        raise CommandError(
            _("%(option)s must be at most %(most)s") % {"option": option, "most": format_nl(most)},
            returncode=USAGE_ERROR,
        )
    return value


def erlang_question(options: dict[str, Any]) -> dict[str, float | None]:
    """The options checked; CommandError (status 2) names the first wrong one, in Dutch."""
    calls = _positive(options, "calls", "--calls", MAX_CALLS)
    interval = _positive(options, "interval_seconds", "--interval-seconds", MAX_SECONDS)
    aht = _positive(options, "aht", "--aht", MAX_SECONDS)
    target_pct = _positive(options, "target_pct", "--target-pct", math.inf)
    if target_pct >= 100:
        raise CommandError(
            _("--target-pct must be below 100: no number of agents answers every call in time"),
            returncode=USAGE_ERROR,
        )
    target_seconds = _positive(options, "target_seconds", "--target-seconds", MAX_SECONDS)
    shrinkage = None
    if options.get("shrinkage") is not None:
        shrinkage = _number(options, "shrinkage", "--shrinkage")
        if not 0 <= shrinkage < 1:
            raise CommandError(
                _("--shrinkage must lie from 0 to below 1 (e.g. 0.3 for 30 percent)"),
                returncode=USAGE_ERROR,
            )
    patience = None
    if options.get("patience") is not None:
        patience = _positive(options, "patience", "--patience", MAX_SECONDS)
    if calls * aht / interval > MAX_TRAFFIC:
        raise CommandError(
            _("the traffic (calls × AHT ÷ interval) exceeds %(most)s Erlang")
            % {"most": format_nl(MAX_TRAFFIC)},
            returncode=USAGE_ERROR,
        )
    return {
        "calls": calls,
        "interval_seconds": interval,
        "aht": aht,
        "target_pct": target_pct,
        "target_seconds": target_seconds,
        "shrinkage": shrinkage,
        "patience": patience,
    }


def erlang_answer(question: dict[str, float | None]) -> dict[str, Any]:
    """The JSON object of `kglijn staffing erlang` for a checked question."""
    calls, interval, aht = question["calls"], question["interval_seconds"], question["aht"]
    target_pct, target_seconds = question["target_pct"], question["target_seconds"]
    assert calls is not None
    assert interval is not None
    assert aht is not None
    assert target_pct is not None
    assert target_seconds is not None
    figures: QueueFigures = agents_needed(
        calls=calls,
        interval_seconds=interval,
        aht=aht,
        target_seconds=target_seconds,
        target_level=target_pct / 100,
        patience=question["patience"],
    )
    answer: dict[str, Any] = {
        "agents": figures.agents,
        "service_level_pct": round(100 * figures.service_level, 3),
        "asa_seconds": round(figures.asa_seconds, 3),
        "wait_probability_pct": round(100 * figures.wait_probability, 3),
        "occupancy_pct": round(100 * figures.occupancy, 3),
    }
    if figures.model == ERLANG_A:
        answer["abandon_pct"] = round(100 * figures.abandon_probability, 3)
        answer["patience_seconds"] = question["patience"]
    answer.update(
        model=figures.model,
        traffic_erlang=round(figures.traffic, 4),
        target_pct=target_pct,
        target_seconds=target_seconds,
    )
    shrinkage = question["shrinkage"]
    if shrinkage is not None:
        answer["shrinkage_pct"] = round(100 * shrinkage, 3)
        answer["scheduled_agents"] = scheduled_agents(figures.agents, shrinkage)
    return answer


def erlang_text(answer: dict[str, Any]) -> str:
    model = "Erlang A" if answer["model"] == ERLANG_A else "Erlang C"
    lines = [
        _("Model: %(model)s; traffic %(traffic)s Erlang")
        % {"model": model, "traffic": format_nl(answer["traffic_erlang"], 2)},
        _("Target: %(pct)s %% of the calls answered within %(seconds)s s")
        % {
            "pct": format_nl(answer["target_pct"], 1),
            "seconds": format_nl(answer["target_seconds"]),
        },
        _("Agents needed on the phones: %(agents)s") % {"agents": answer["agents"]},
    ]
    if "scheduled_agents" in answer:
        lines.append(
            _("Agents to schedule at %(shrinkage)s %% shrinkage: %(scheduled)s")
            % {
                "shrinkage": format_nl(answer["shrinkage_pct"], 1),
                "scheduled": answer["scheduled_agents"],
            }
        )
    lines += [
        _("Service level: %(value)s %%") % {"value": format_nl(answer["service_level_pct"], 1)},
        _("Average speed of answer: %(value)s s") % {"value": format_nl(answer["asa_seconds"], 1)},
        _("Chance to wait: %(value)s %%") % {"value": format_nl(answer["wait_probability_pct"], 1)},
        _("Occupancy: %(value)s %%") % {"value": format_nl(answer["occupancy_pct"], 1)},
    ]
    if "abandon_pct" in answer:
        lines.append(_("Abandoned: %(value)s %%") % {"value": format_nl(answer["abandon_pct"], 1)})
    return "\n".join(lines) + "\n"


def staffing_handle(stdout: Any, options: dict[str, Any]) -> None:
    answer = erlang_answer(erlang_question(options))
    if options["format"] == "json":
        stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        stdout.write(erlang_text(answer), ending="")
