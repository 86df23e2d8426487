"""The team figures as an Excel workbook (XlsxWriter, native charts, like the other reports).

Counts and averages only: no remark ever goes into the file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.core.excel import INTEGER, ONE_DECIMAL, TWO_DECIMALS, ExcelWorkbook
from kglijn.core.provinces import Province
from kglijn.feedback.figures import SCORES, Figures, TeamMonthReport
from kglijn.feedback.models import SCORE_LABELS, VisitKind

TEAMS_SHEET = "Lokale teams"
TREND_SHEET = "Per maand"


def figure_columns() -> list[str]:
    return [
        _("Visits with a feedback link"),
        _("Answers"),
        _("Response rate (%)"),
        _("Average score (1–5)"),
        *[f"{score} – {SCORE_LABELS[score]}" for score in SCORES],
    ]


def figure_values(figures: Figures) -> list[float | int | None]:
    rate = figures.response_rate_pct
    average = figures.average_score
    return [
        figures.visits,
        figures.responses,
        round(rate, 1) if rate is not None else None,
        round(average, 2) if average is not None else None,
        *figures.distribution,
    ]


def filter_label(report: TeamMonthReport) -> str:
    parts = [date_format(report.first_day, "F Y")]
    if report.province:
        parts.append(str(Province(report.province).label))
    if report.kind:
        parts.append(str(VisitKind(report.kind).label))
    return " · ".join(parts)


def team_figures_xlsx(report: TeamMonthReport, trend: list[tuple[dt.date, Figures]]) -> bytes:
    """Sheet 1: one row per local team + total, with a chart of the average score per team.
    Sheet 2: the 13 months up to the chosen one, with a chart of the answers per score."""
    book = ExcelWorkbook()
    workbook = book.workbook
    heading = book.formats.heading
    header = book.formats.header
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(ONE_DECIMAL)
    score = book.formats.number(TWO_DECIMALS)
    bold = book.formats.total_label
    formats = [count, count, decimal, score, *[count] * len(SCORES)]

    def write_figures(sheet: Any, row: int, figures: Figures) -> None:
        for col, value in enumerate(figure_values(figures), start=2):
            if value is None:
                sheet.write_blank(row, col, None, formats[col - 2])
            else:
                sheet.write_number(row, col, value, formats[col - 2])

    sheet = workbook.add_worksheet(TEAMS_SHEET)
    sheet.write_string(0, 0, _("Feedback after visits per local team"), heading)
    sheet.write_string(1, 0, filter_label(report))
    sheet.write_string(
        2,
        0,
        _(
            "A visit and its answer count in the month of the visit. Remarks are not in this "
            "file: they go to the employee concerned and the team lead only."
        ),
    )
    header_row = 4
    sheet.write_row(header_row, 0, [_("Province"), _("Local team"), *figure_columns()], header)
    line = header_row + 1
    for team_row in report.rows:
        sheet.write_string(line, 0, str(Province(team_row.team.province).label))
        sheet.write_string(line, 1, team_row.team.name)
        write_figures(sheet, line, team_row.figures)
        line += 1
    sheet.write_string(line, 0, _("Total"), bold)
    sheet.write_string(line, 1, _("All local teams"), bold)
    write_figures(sheet, line, report.total)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 3 + len(SCORES) + 1, 13)
    sheet.freeze_panes(header_row + 1, 2)
    if report.rows:
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": _("Average score (1–5)"),
                "categories": [TEAMS_SHEET, header_row + 1, 1, line - 1, 1],
                "values": [TEAMS_SHEET, header_row + 1, 5, line - 1, 5],
            }
        )
        chart.set_title({"name": _("Average score per local team")})
        chart.set_x_axis({"min": 1, "max": 5})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        sheet.insert_chart(header_row, 4 + len(SCORES) + 1, chart, {"x_scale": 1.5, "y_scale": 4.5})

    months = workbook.add_worksheet(TREND_SHEET)
    months.write_string(0, 0, _("Feedback after visits per month"), heading)
    months.write_row(2, 0, [_("Month"), "", *figure_columns()], header)
    for offset, (first, figures) in enumerate(trend, start=3):
        months.write_string(offset, 0, date_format(first, "F Y"))
        write_figures(months, offset, figures)
    months.set_column(0, 0, 18)
    months.set_column(1, 1, 2)
    months.set_column(2, 3 + len(SCORES) + 1, 13)
    if trend:
        chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
        last = 2 + len(trend)
        for index in range(len(SCORES)):
            chart.add_series(
                {
                    "name": [TREND_SHEET, 2, 6 + index],
                    "categories": [TREND_SHEET, 3, 0, last, 0],
                    "values": [TREND_SHEET, 3, 6 + index, last, 6 + index],
                }
            )
        chart.set_title({"name": _("Answers per score and month")})
        chart.set_legend({"position": "bottom"})
        months.insert_chart(2, 4 + len(SCORES) + 1, chart, {"x_scale": 1.6, "y_scale": 1.4})
    return book.close()
