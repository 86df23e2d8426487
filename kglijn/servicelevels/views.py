"""Pages of the service levels: per channel and period (+ Excel), and the live wallboard.

URLs and URL names stay the telephony ones (config/urls.py adds these to that namespace)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kglijn.core.dates import BoundedDateField
from kglijn.core.excel import download_refused, xlsx_response
from kglijn.core.vocabulary import Office
from kglijn.servicelevels.exports import (
    call_outcome_series,
    columns,
    period_label,
    row_values,
    service_levels_xlsx,
)
from kglijn.servicelevels.mail import email_service_levels_for
from kglijn.servicelevels.mail import table_rows as email_table_rows
from kglijn.servicelevels.phone import (
    Period,
    ServiceLevelReport,
    service_level_series,
    service_levels,
)
from kglijn.servicelevels.wallboard import wallboard_figures

DOCUMENT_LANGUAGE = "nl-be"
# The longest range per period: keeps a page to a few hundred rows per office.
MAX_DAYS = {Period.HOUR: 31, Period.DAY: 366, Period.MONTH: 3660}
WALLBOARD_POLL_SECONDS = 3


PERIOD_LABELS = {
    Period.HOUR: gettext_lazy("hour"),
    Period.DAY: gettext_lazy("day"),
    Period.MONTH: gettext_lazy("month"),
}


class ServiceLevelForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Per"),
        choices=[(period.value, label) for period, label in PERIOD_LABELS.items()],
        required=False,
    )
    date_from = BoundedDateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    date_to = BoundedDateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    office = forms.ChoiceField(
        label=gettext_lazy("Office"),
        choices=[("", gettext_lazy("All offices")), *Office.choices],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        period = Period(data.get("period") or Period.DAY)
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - dt.timedelta(days=6)
        if date_from > date_to:
            self.add_error("date_to", _("The end date lies before the start date."))
        elif (date_to - date_from).days + 1 > MAX_DAYS[period]:
            self.add_error(
                "date_from",
                _("Per %(period)s, choose at most %(days)d days.")
                % {
                    "period": PERIOD_LABELS[period],
                    "days": MAX_DAYS[period],
                },
            )
        data.update(period=period, date_from=date_from, date_to=date_to)
        return data


def _with_defaults(request: HttpRequest) -> dict[str, str]:
    """The filter as asked, completed with the default: per day, the last seven days."""
    today = timezone.localdate()
    data = {
        "period": Period.DAY.value,
        "date_from": (today - dt.timedelta(days=6)).isoformat(),
        "date_to": today.isoformat(),
        "office": "",
    }
    for key in data:
        value = request.GET.get(key)
        if value:
            data[key] = value
    return data


def _report(form: ServiceLevelForm) -> ServiceLevelReport:
    data = form.cleaned_data
    return service_levels(
        date_from=data["date_from"],
        date_to=data["date_to"],
        period=data["period"],
        offices=[data["office"]] if data.get("office") else None,
    )


def _charts(report: ServiceLevelReport) -> dict[str, Any]:
    labels = [period_label(moment, report.period) for moment in report.periods()]
    offices = dict(Office.choices)
    levels = service_level_series(report)
    return {
        "chart-service-level": {
            "kind": "line",
            "percent": True,
            "labels": labels,
            "datasets": [
                {"label": str(offices[office]), "data": levels[office]}
                for office in report.offices
                if any(value is not None for value in levels[office])
            ],
            "yTitle": _("Service level (%)"),
        },
        "chart-calls": {
            "kind": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": [
                {"label": label, "data": data}
                for label, data in call_outcome_series(report).items()
            ],
            "yTitle": _("Calls"),
        },
    }


@require_GET
@permission_required("telephony.view_service_levels", raise_exception=True)
def service_levels_page(request: HttpRequest) -> HttpResponse:
    """Serviceniveau: the figures per office and hour/day/month, a chart and a table."""
    form = ServiceLevelForm(_with_defaults(request))
    report = _report(form) if form.is_valid() else None
    offices = dict(Office.choices)
    rows: list[tuple[str, str, list[float | int | None], bool, bool]] = []
    if report is not None:
        for office in report.offices:
            for row in report.rows[office]:
                rows.append(
                    (
                        period_label(row.start, report.period),
                        str(offices[office]),
                        row_values(row),
                        row.below_target,
                        False,
                    )
                )
            total = report.totals[office]
            rows.append(
                (_("Total"), str(offices[office]), row_values(total), total.below_target, True)
            )
        if len(report.offices) > 1 and report.combined_total is not None:
            rows.append(
                (_("Total"), _("All offices"), row_values(report.combined_total), False, True)
            )
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "columns": columns(),
        "rows": rows,
        "charts": _charts(report) if report is not None else {},
        "query": request.GET.urlencode(),
    }
    if report is not None:  # the e-mail channel's service level beside it (issue 6 item 5)
        context["email_report"] = email_report = email_service_levels_for(report)
        context["email_rows"] = email_table_rows(email_report)
    return render(request, "telephony/service_levels.html", context)


@require_GET
@permission_required("telephony.view_service_levels", raise_exception=True)
def service_levels_download(request: HttpRequest) -> HttpResponse:
    form = ServiceLevelForm(_with_defaults(request))
    if not form.is_valid():
        return download_refused(form)
    report = _report(form)
    with translation.override(DOCUMENT_LANGUAGE):
        content = service_levels_xlsx(report)
    name = f"serviceniveau-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}-{report.period}.xlsx"
    return xlsx_response(content, filename=name)


@require_GET
@permission_required("telephony.view_wallboard", raise_exception=True)
def wallboard(request: HttpRequest) -> HttpResponse:
    """The live wallboard; htmx asks for the board part again every few seconds.

    ``?tv=1`` is the TV mode: no site header, menu or footer, the tiles fill the screen."""
    context = {
        "board": wallboard_figures(now=timezone.now()),
        "poll_seconds": WALLBOARD_POLL_SECONDS,
        "tv": request.GET.get("tv") == "1",
    }
    if getattr(request, "htmx", False):
        return render(request, "telephony/wallboard.html#board", context)
    return render(request, "telephony/wallboard.html", context)
