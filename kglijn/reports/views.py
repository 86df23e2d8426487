from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.dates import parse_bounded_date
from kglijn.core.excel import csv_response, xlsx_response
from kglijn.core.provinces import UNREGISTERED, Province, province_label
from kglijn.core.vocabulary import Channel, Topic
from kglijn.reports.exports import yearly_report_csv, yearly_report_xlsx
from kglijn.reports.selectors import YearFigures, reason_names, yearly_figures, yearly_report

MAX_YEARS = 20


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[str]]:
    """The asked period, corrected to a usable one, and what was wrong with the request."""
    today = timezone.localdate()
    date_from, error_from = parse_bounded_date(
        request.GET.get("from"), default=dt.date(today.year - 4, 1, 1), today=today
    )
    date_to, error_to = parse_bounded_date(request.GET.get("to"), default=today, today=today)
    errors = [error for error in (error_from, error_to) if error]
    if date_to < date_from:
        errors.append(_("The end date lies before the start date."))
        date_from, date_to = date_to, date_from
    if (date_to.year - date_from.year) > MAX_YEARS:
        errors.append(_("Choose a period of at most 20 years."))
        date_from = dt.date(date_to.year - MAX_YEARS, 1, 1)
    return date_from, date_to, errors


@permission_required("contacts.view_reports", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    """The yearly report (000 §2–4) for a chosen period, with Excel and CSV downloads."""
    date_from, date_to, errors = _period(request)
    years = yearly_figures(date_from=date_from, date_to=date_to)
    return render(request, "reports/overview.html", _context(years, date_from, date_to, errors))


def _context(
    years: list[YearFigures], date_from: dt.date, date_to: dt.date, errors: list[str]
) -> dict[str, object]:
    reason_totals: dict[str, int] = {}
    for year in years:
        for code, count in year.reason_counts.items():
            reason_totals[code] = reason_totals.get(code, 0) + count
    reason_codes = sorted(reason_totals, key=lambda code: (-reason_totals[code], code))
    names = reason_names()
    return {
        "years": years,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "channels": Channel.choices,
        "channel_rows": [
            (label, [year.incoming[value] for year in years]) for value, label in Channel.choices
        ],
        "province_rows": [
            (province_label(code), [year.province_share_pct[code] for year in years])
            for code in [UNREGISTERED, *Province.values]
        ],
        "topic_rows": [
            (label, [year.topic_share_pct[value] for year in years])
            for value, label in Topic.choices
            if value
        ],
        "reason_rows": [
            (names.get(code, code), [year.reason_counts.get(code, 0) for year in years])
            for code in reason_codes
        ],
        "download_query": f"from={date_from.isoformat()}&to={date_to.isoformat()}",
    }


@permission_required("contacts.view_reports", raise_exception=True)
def yearly_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The yearly report as an Excel workbook (a chart per sheet) or CSV file."""
    date_from, date_to, errors = _period(request)
    if errors:
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    report = yearly_report(date_from=date_from, date_to=date_to)
    name = f"jaarrapport_{date_from.isoformat()}_{date_to.isoformat()}"
    if fmt == "xlsx":
        return xlsx_response(yearly_report_xlsx(report), filename=f"{name}.xlsx")
    return csv_response(yearly_report_csv(report), filename=f"{name}.csv")
