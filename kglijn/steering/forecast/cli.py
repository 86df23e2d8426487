"""`kglijn forecast run --channel phone|email|chat [--weeks N] [--today D] [--format text|json]`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.utils.translation import gettext as _

from kglijn.core.dates import FIRST_DATE, last_date
from kglijn.core.numbers import format_nl
from kglijn.core.vocabulary import Channel
from kglijn.steering.forecast.selectors import forecast_daily
from kglijn.steering.forecast.services import MAX_WEEKS, ForecastRefused, forecast_run
from kglijn.steering.models import ForecastRun

USAGE_ERROR = 2
SHOWN_DAYS = 7


def forecast_parser_add(actions: Any) -> None:
    run = actions.add_parser("run", help=_("back-test and compute a new forecast of one channel"))
    run.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    run.add_argument(
        "--weeks", type=int, default=6, help=_("weeks ahead (1-%(max)d)") % {"max": MAX_WEEKS}
    )
    run.add_argument("--today", help=_("forecast from this date YYYY-MM-DD (default: today)"))
    run.add_argument("--format", choices=["text", "json"], default="text")


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--today: '%(value)s' is not a date (use YYYY-MM-DD)") % {"value": value[:40]},
            returncode=USAGE_ERROR,
        ) from None
    if not FIRST_DATE <= day <= last_date():
        raise CommandError(
            _("--today: choose a date between %(first)s and %(last)s")
            % {"first": FIRST_DATE.isoformat(), "last": last_date().isoformat()},
            returncode=USAGE_ERROR,
        )
    return day


def forecast_summary(run: ForecastRun, days: int = SHOWN_DAYS) -> dict[str, Any]:
    """The run as a JSON-able dict: id, method, back-test and baseline WAPE, first days."""
    return {
        "id": run.pk,
        "channel": run.channel,
        "method": run.method,
        "history_from": run.history_from.isoformat(),
        "history_to": run.history_to.isoformat(),
        "forecast_from": run.forecast_from.isoformat(),
        "forecast_to": run.forecast_to.isoformat(),
        "backtest_from": run.backtest_from.isoformat() if run.backtest_from else None,
        "backtest_to": run.backtest_to.isoformat() if run.backtest_to else None,
        "backtest_wape_pct": _round(run.backtest_wape_pct),
        "baseline_wape_pct": _round(run.baseline_wape_pct),
        "seconds": run.parameters.get("seconds"),
        "days": [
            {"date": day.isoformat(), "contacts": round(total, 1)}
            for day, total in forecast_daily(run)[:days]
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def forecast_handle(stdout: OutputWrapper, options: dict[str, Any]) -> None:
    weeks = options["weeks"]
    if not 1 <= weeks <= MAX_WEEKS:
        raise CommandError(
            _("--weeks: choose from 1 to %(max)d") % {"max": MAX_WEEKS}, returncode=USAGE_ERROR
        )
    try:
        run = forecast_run(channel=options["channel"], weeks=weeks, today=_today(options["today"]))
    except ForecastRefused as exc:
        raise CommandError(str(exc)) from exc
    summary = forecast_summary(run)
    if options["format"] == "json":
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    lines = [
        _("Forecast #%(id)s of %(channel)s, %(start)s to %(end)s (%(seconds)s s)")
        % {
            "id": run.pk,
            "channel": run.get_channel_display(),
            "start": summary["forecast_from"],
            "end": summary["forecast_to"],
            "seconds": summary["seconds"],
        },
        _("Method: %(method)s") % {"method": run.method},
        _("Back-test %(start)s to %(end)s: WAPE %(wape)s %% (seasonal naive %(baseline)s %%)")
        % {
            "start": summary["backtest_from"],
            "end": summary["backtest_to"],
            "wape": format_nl(run.backtest_wape_pct, 1),
            "baseline": format_nl(run.baseline_wape_pct, 1),
        },
    ]
    lines += [f"  {row['date']}  {format_nl(row['contacts'], 1):>10}" for row in summary["days"]]
    stdout.write("\n".join(lines))
