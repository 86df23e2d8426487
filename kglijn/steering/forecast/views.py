"""The forecast page /sturing/prognose/: the latest run of a channel (daily totals, one day's
half hours) beside its back-test, the button for a new run and the Excel download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_tasks.base import TaskResultStatus

from kglijn.core.excel import xlsx_response
from kglijn.core.numbers import format_nl
from kglijn.core.vocabulary import Channel
from kglijn.steering.forecast.exports import forecast_xlsx
from kglijn.steering.forecast.selectors import backtest_daily, forecast_daily, forecast_day
from kglijn.steering.forecast.services import forecast_latest
from kglijn.steering.forecast.tasks import forecast_run_task

DEFAULT_WEEKS = 6


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=Channel.choices, required=False
    )


def _channel(data: Any) -> str:
    form = ChannelForm(data)
    if form.is_valid() and form.cleaned_data["channel"]:
        return str(form.cleaned_data["channel"])
    return Channel.PHONE.value


def _day_label(day: dt.date) -> str:
    return date_format(day, "D d/m")


@require_GET
@login_required
@permission_required("steering.view_forecast", raise_exception=True)
def forecast_page(request: HttpRequest) -> HttpResponse:
    channel = _channel(request.GET)
    run = forecast_latest(channel)
    context: dict[str, Any] = {
        "channel": channel,
        "channel_label": Channel(channel).label,
        "tabs": [(value, label) for value, label in Channel.choices],
        "run": run,
        "can_run": request.user.has_perm("steering.run_forecast"),
        "charts": {},
    }
    if run is None:
        return TemplateResponse(request, "steering/forecast/page.html", context)

    daily = forecast_daily(run)
    days = [day for day, _total in daily]
    chosen = days[0] if days else None
    asked = request.GET.get("day", "")
    try:
        wanted = dt.date.fromisoformat(asked[:10]) if asked else None
    except ValueError:
        wanted = None
    if wanted in days:
        chosen = wanted
    slots = forecast_day(run, chosen) if chosen else []
    tested = backtest_daily(run)
    context.update(
        daily=[(_day_label(day), format_nl(total, 1)) for day, total in daily],
        day_choices=[(day.isoformat(), _day_label(day)) for day in days],
        chosen=chosen,
        slots=[(moment.strftime("%H:%M"), format_nl(value, 1)) for moment, value in slots if value],
        backtest=[
            (
                _day_label(row.day),
                format_nl(row.actual, 0),
                format_nl(row.forecast, 1),
                format_nl(row.baseline, 0),
            )
            for row in tested
        ],
        wape=format_nl(run.backtest_wape_pct, 1, none="—"),
        baseline_wape=format_nl(run.baseline_wape_pct, 1, none="—"),
        charts={
            "chart-forecast-days": {
                "kind": "bar",
                "labels": [_day_label(day) for day in days],
                "datasets": [{"label": _("Forecast"), "data": [round(t, 1) for _d, t in daily]}],
                "yTitle": _("Contacts per day"),
                "decimals": 1,
            },
            "chart-forecast-slots": {
                "kind": "bar",
                "labels": [moment.strftime("%H:%M") for moment, _v in slots],
                "datasets": [{"label": _("Forecast"), "data": [round(v, 2) for _m, v in slots]}],
                "yTitle": _("Contacts per half hour"),
                "decimals": 1,
            },
            "chart-backtest": {
                "kind": "line",
                "labels": [_day_label(row.day) for row in tested],
                "datasets": [
                    {"label": _("Actual"), "data": [row.actual for row in tested]},
                    {"label": _("Forecast"), "data": [round(row.forecast, 1) for row in tested]},
                    {
                        "label": _("Seasonal naive"),
                        "data": [row.baseline for row in tested],
                        "muted": True,
                        "dashed": True,
                    },
                ],
                "yTitle": _("Contacts per day"),
            },
        },
    )
    return TemplateResponse(request, "steering/forecast/page.html", context)


@require_POST
@login_required
@permission_required("steering.run_forecast", raise_exception=True)
def forecast_compute(request: HttpRequest) -> HttpResponse:
    """A new run for the channel, through the Tasks API (at once under the immediate backend,
    in `kglijn worker` under `database`)."""
    channel = _channel(request.POST)
    result = forecast_run_task.enqueue(
        channel=channel, weeks=DEFAULT_WEEKS, user_id=request.user.pk
    )
    if result.status == TaskResultStatus.SUCCESSFUL:
        outcome = result.return_value or {}
        if "refused" in outcome:
            messages.error(request, str(outcome["refused"]))
        else:
            messages.success(request, _("The new forecast has been computed."))
    elif result.status == TaskResultStatus.FAILED:
        messages.error(request, _("Computing the forecast failed. Nothing changed."))
    else:
        messages.success(
            request, _("The forecast is being computed; it appears here when it is done.")
        )
    return redirect(reverse("steering:forecast") + f"?channel={channel}")


@require_GET
@login_required
@permission_required("steering.view_forecast", raise_exception=True)
def forecast_download(request: HttpRequest) -> HttpResponse:
    channel = _channel(request.GET)
    run = forecast_latest(channel)
    if run is None:
        return HttpResponse(
            _("There is no forecast of this channel yet."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    name = f"prognose-{channel}-{run.forecast_from:%Y%m%d}.xlsx"
    return xlsx_response(forecast_xlsx(run), filename=name)
