"""The reachability dashboard as rows, chart data and an Excel workbook (native charts)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook
from kglijn.steering.reachability.figures import ReachabilityDay, ReachabilityReport

SHEET_NAME = "Bereikbaarheid"
CHARTS_SHEET_NAME = "Grafieken"


def day_label(day: ReachabilityDay) -> str:
    return date_format(day.day, "D d/m/Y")


def headline(report: ReachabilityReport) -> str:
    """E.g. "31 van 40 dagen voldoende bereikbaar (78 %)"."""
    pct = report.met_pct
    return _("%(met)d of %(days)d days reachable enough (%(pct)s %%)") % {
        "met": report.days_met,
        "days": report.days_with_calls,
        "pct": number_format(pct, decimal_pos=0) if pct is not None else "–",
    }


def rule(report: ReachabilityReport) -> str:
    return _(
        "A day is reachable enough when calls were offered, the front office's service level "
        "reached its target that day (e.g. 80 %% within 20 s) and at most %(max)s %% of the "
        "offered calls were abandoned. Short abandons are left out of both."
    ) % {"max": number_format(report.max_abandon_pct, decimal_pos=0)}


def columns() -> list[str]:
    return [
        _("Day"),
        _("Offered"),
        _("Forecast"),
        _("Deviation from forecast (%)"),
        _("Answered"),
        _("Abandoned"),
        _("Service level (%)"),
        _("Target (%)"),
        _("Abandon rate (%)"),
        _("ASA (s)"),
        _("Staff planned (agent-hours)"),
        _("Reachable enough"),
    ]


def met_text(day: ReachabilityDay) -> str:
    if day.met is None:
        return _("no calls")
    return _("yes") if day.met else _("no")


def row_values(day: ReachabilityDay) -> list[Any]:
    return [
        day.offered if day.met is not None else None,
        day.forecast,
        day.forecast_deviation_pct,
        day.answered if day.met is not None else None,
        day.abandoned if day.met is not None else None,
        day.service_level_pct,
        float(day.target_pct) if day.target_pct is not None else None,
        day.abandon_rate_pct,
        day.asa_seconds,
        day.agent_hours,
    ]


def charts(report: ReachabilityReport) -> dict[str, Any]:
    labels = [day_label(day) for day in report.days]
    return {
        "chart-reach-level": {
            "kind": "line",
            "percent": True,
            "labels": labels,
            "datasets": [
                {"label": _("Service level"), "data": [d.service_level_pct for d in report.days]},
                {
                    "label": _("Target"),
                    "data": [
                        float(d.target_pct) if d.target_pct is not None else None
                        for d in report.days
                    ],
                    "muted": True,
                    "dashed": True,
                },
            ],
            "yTitle": _("Service level (%)"),
        },
        "chart-reach-offered": {
            "kind": "bar",
            "labels": labels,
            "datasets": [
                {"label": _("Offered"), "data": [d.offered for d in report.days]},
                {
                    "label": _("Forecast"),
                    "data": [
                        round(d.forecast, 1) if d.forecast is not None else None
                        for d in report.days
                    ],
                    "muted": True,
                },
            ],
            "yTitle": _("Calls"),
        },
    }


def reachability_xlsx(report: ReachabilityReport) -> bytes:
    """Sheet "Bereikbaarheid": headline, rule and one row per day; sheet "Grafieken": the
    page's two charts, native, drawn from the figures beside them."""
    book = ExcelWorkbook()
    workbook = book.workbook
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(ONE_DECIMAL)
    sheet = workbook.add_worksheet(SHEET_NAME)
    sheet.write_string(0, 0, _("Reachability of the front office"), book.formats.heading)
    sheet.write_string(
        1,
        0,
        _("%(first)s to %(last)s, per day")
        % {
            "first": date_format(report.date_from, "d/m/Y"),
            "last": date_format(report.date_to, "d/m/Y"),
        },
    )
    sheet.write_string(2, 0, headline(report), book.formats.bold)
    sheet.write_string(3, 0, rule(report))
    header_row = 5
    sheet.write_row(header_row, 0, columns(), book.formats.header)
    counts = {0, 3, 4}  # row_values' offered, answered, abandoned
    for index, day in enumerate(report.days, start=header_row + 1):
        sheet.write_string(index, 0, day_label(day))
        for col, value in enumerate(row_values(day), start=1):
            fmt = count if col - 1 in counts else decimal
            if value is None:
                sheet.write_blank(index, col, None, fmt)
            else:
                sheet.write_number(index, col, value, fmt)
        sheet.write_string(index, len(columns()) - 1, met_text(day))
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(columns()) - 1, 13)
    sheet.freeze_panes(header_row + 1, 1)
    if report.days:
        _charts_sheet(book, report)
    return book.close()


def _charts_sheet(book: ExcelWorkbook, report: ReachabilityReport) -> None:
    workbook = book.workbook
    sheet = workbook.add_worksheet(CHARTS_SHEET_NAME)
    decimal = book.formats.number(ONE_DECIMAL)
    headers = [_("Day"), _("Service level (%)"), _("Target (%)"), _("Offered"), _("Forecast")]
    sheet.write_string(0, 0, _("Charts"), book.formats.heading)
    header_row = 2
    sheet.write_row(header_row, 0, headers, book.formats.header)
    first = header_row + 1
    last = header_row + len(report.days)
    for line, day in enumerate(report.days, start=first):
        sheet.write_string(line, 0, day_label(day))
        values = [
            day.service_level_pct,
            float(day.target_pct) if day.target_pct is not None else None,
            day.offered,
            day.forecast,
        ]
        for col, value in enumerate(values, start=1):
            if value is None:
                sheet.write_blank(line, col, None, decimal)
            else:
                sheet.write_number(line, col, value, decimal)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 4, 13)
    categories = [CHARTS_SHEET_NAME, first, 0, last, 0]
    size = {"x_scale": 1.6, "y_scale": 1.4}

    level = workbook.add_chart({"type": "line"})
    for col in (1, 2):
        level.add_series(
            {
                "name": [CHARTS_SHEET_NAME, header_row, col],
                "categories": categories,
                "values": [CHARTS_SHEET_NAME, first, col, last, col],
                "marker": {"type": "circle"} if col == 1 else {"type": "none"},
                "line": {"dash_type": "dash"} if col == 2 else {},
            }
        )
    level.set_title({"name": _("Service level per day against the target")})
    level.set_y_axis({"name": _("Service level (%)"), "min": 0, "max": 100})
    level.set_legend({"position": "bottom"})
    sheet.insert_chart(header_row, 6, level, size)

    offered = workbook.add_chart({"type": "column"})
    for col in (3, 4):
        offered.add_series(
            {
                "name": [CHARTS_SHEET_NAME, header_row, col],
                "categories": categories,
                "values": [CHARTS_SHEET_NAME, first, col, last, col],
            }
        )
    offered.set_title({"name": _("Offered calls against the forecast")})
    offered.set_y_axis({"name": _("Calls"), "major_gridlines": {"visible": True}})
    offered.set_legend({"position": "bottom"})
    sheet.insert_chart(header_row + 22, 6, offered, size)
