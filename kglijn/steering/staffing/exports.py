"""The staffing grid as an Excel workbook: the heat map, every half hour, the day totals with a
native chart, and the back offices' backlog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook
from kglijn.core.vocabulary import Office
from kglijn.steering.staffing.backlog import OfficeBacklog
from kglijn.steering.staffing.need import StaffingGrid


def _day(day: dt.date) -> str:
    return date_format(day, "D d/m")


def _num(value: Decimal | int | float | None) -> float | None:
    return None if value is None else float(value)


def staffing_xlsx(grid: StaffingGrid, backlogs: list[OfficeBacklog]) -> bytes:
    book = ExcelWorkbook()
    formats = book.formats
    heading, header = formats.heading, formats.header
    count, decimal = formats.number(INTEGER), formats.number(ONE_DECIMAL)
    short = formats.get(bg_color="#fdecea", font_color="#b3261e", num_format="+0.##;-0.##;0")
    over = formats.get(bg_color="#e3f1f4", font_color="#003f4d", num_format="+0.##;-0.##;0")
    even = formats.get(num_format="+0.##;-0.##;0")
    model = "Erlang A" if grid.patience else "Erlang C"
    intro = _(
        "Week of %(week)s, front office. Difference = needed on the roster − planned: "
        "positive = short, negative = over. Model %(model)s, AHT %(aht)s s, shrinkage %(s)s %%."
    ) % {
        "week": grid.week_start.strftime("%d/%m/%Y"),
        "model": model,
        "aht": f"{grid.aht.value:g}",
        "s": f"{100 * grid.shrinkage:g}",
    }

    sheet = book.workbook.add_worksheet(_("Heat map"))
    sheet.write_string(0, 0, _("Staffing: needed − planned per half hour"), heading)
    sheet.write_string(1, 0, intro)
    sheet.write_string(3, 0, _("Half hour"), header)
    for col, day in enumerate(grid.days, start=1):
        sheet.write_string(3, col, _day(day), header)
    for line, time in enumerate(grid.times, start=4):
        sheet.write_string(line, 0, time.strftime("%H:%M"))
        for col, cell in enumerate(grid.row(time), start=1):
            diff = cell.difference if cell is not None else None
            if diff is None:
                sheet.write_blank(line, col, None)
            else:
                fmt = short if diff > 0 else over if diff < 0 else even
                sheet.write_number(line, col, float(diff), fmt)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 7, 11)
    sheet.freeze_panes(4, 1)

    detail = book.workbook.add_worksheet(_("Per half hour"))
    columns = [
        _("Day"),
        _("Half hour"),
        _("Forecast calls"),
        _("On the phones"),
        _("Needed on the roster"),
        _("Planned"),
        _("Needed − planned"),
        _("Service level (%)"),
    ]
    if grid.patience:
        columns.append(_("Abandoned (%)"))
    detail.write_string(0, 0, _("Staffing per half hour"), heading)
    detail.write_string(1, 0, intro)
    detail.write_row(3, 0, columns, header)
    line = 4
    for day in grid.days:
        for time in grid.times:
            cell = grid.cells.get((day, time))
            if cell is None:
                continue
            detail.write_string(line, 0, day.isoformat())
            detail.write_string(line, 1, time.strftime("%H:%M"))
            values = [
                (cell.calls, decimal),
                (cell.on_phones, count),
                (cell.needed, count),
                (_num(cell.planned), decimal),
                (_num(cell.difference), decimal),
                (None if cell.service_level is None else 100 * cell.service_level, decimal),
            ]
            if grid.patience:
                values.append((None if cell.abandon is None else 100 * cell.abandon, decimal))
            for col, (value, fmt) in enumerate(values, start=2):
                if value is None:
                    detail.write_blank(line, col, None, fmt)
                else:
                    detail.write_number(line, col, float(value), fmt)
            line += 1
    detail.set_column(0, 1, 12)
    detail.set_column(2, 9, 14)
    detail.freeze_panes(4, 2)

    totals = book.workbook.add_worksheet(_("Per day"))
    totals.write_string(0, 0, _("Agent-hours per day"), heading)
    totals.write_row(
        2, 0, [_("Day"), _("Needed (hours)"), _("Planned (hours)"), _("Difference")], header
    )
    for line, total in enumerate(grid.totals, start=3):
        totals.write_string(line, 0, _day(total.day))
        totals.write_number(line, 1, float(total.needed_hours), decimal)
        totals.write_number(line, 2, float(total.planned_hours), decimal)
        totals.write_number(line, 3, float(total.difference), decimal)
    last = 2 + len(grid.totals)
    chart = book.workbook.add_chart({"type": "column"})
    name = _("Per day")
    for col in (1, 2):
        chart.add_series(
            {
                "name": [name, 2, col],
                "categories": [name, 3, 0, last, 0],
                "values": [name, 3, col, last, col],
            }
        )
    chart.set_title({"name": _("Agent-hours needed and planned")})
    chart.set_y_axis({"name": _("Hours")})
    totals.insert_chart(2, 5, chart)
    totals.set_column(0, 3, 16)

    backlog = book.workbook.add_worksheet(_("Back offices"))
    backlog.write_string(0, 0, _("Written work of the back offices"), heading)
    offices = dict(Office.choices)
    line = 2
    for item in backlogs:
        backlog.write_string(line, 0, str(offices[item.office]), formats.bold)
        backlog.write_string(
            line + 1,
            0,
            _("Open, by age in working days (norm: %(days)d working days)")
            % {"days": item.norm_days},
        )
        backlog.write_row(line + 2, 0, [b.label for b in item.buckets], header)
        backlog.write_row(line + 3, 0, [b.count for b in item.buckets], count)
        backlog.write_row(line + 5, 0, [_("Day"), _("Received"), _("Closed")], header)
        for offset, day in enumerate(item.days):
            backlog.write_string(line + 6 + offset, 0, day.isoformat())
            backlog.write_number(line + 6 + offset, 1, item.intake[offset], count)
            backlog.write_number(line + 6 + offset, 2, item.closed[offset], count)
        line += 8 + len(item.days)
    backlog.set_column(0, 12, 12)
    return book.close()
