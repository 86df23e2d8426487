"""The forecast run as an Excel workbook: the daily totals with a native column chart, the
forecast per half hour, and the back-test (per day with a native line chart of actual, forecast
and seasonal naive, and per half hour with the two WAPEs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.excel import ONE_DECIMAL, ExcelWorkbook
from kglijn.steering.forecast.selectors import backtest_daily, forecast_daily
from kglijn.steering.models import ForecastRun

DATE = "dd/mm/yyyy"
MOMENT = "dd/mm/yyyy hh:mm"


def forecast_xlsx(run: ForecastRun) -> bytes:
    book = ExcelWorkbook()
    workbook = book.workbook
    formats = book.formats
    decimal = formats.number(ONE_DECIMAL)
    date = formats.number(DATE)
    moment = formats.number(MOMENT)
    channel = str(run.get_channel_display())

    # 1. The forecast per day, with its chart.
    days_name = _("Forecast per day")
    sheet = workbook.add_worksheet(days_name)
    sheet.write_string(0, 0, _("Forecast of %(channel)s") % {"channel": channel}, formats.heading)
    sheet.write_string(
        1,
        0,
        _("Run %(id)s, computed %(at)s; method: %(method)s")
        % {
            "id": run.pk,
            "at": run.created_at.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M"),
            "method": run.method,
        },
    )
    sheet.write_row(3, 0, [_("Day"), _("Contacts")], formats.header)
    daily = forecast_daily(run)
    for line, (day, total) in enumerate(daily, start=4):
        sheet.write_datetime(line, 0, day, date)
        sheet.write_number(line, 1, total, decimal)
    sheet.set_column(0, 1, 14)
    if daily:
        chart = workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": [days_name, 3, 1],
                "categories": [days_name, 4, 0, 3 + len(daily), 0],
                "values": [days_name, 4, 1, 3 + len(daily), 1],
            }
        )
        chart.set_title({"name": _("Forecast contacts per day")})
        chart.set_y_axis({"name": _("Contacts"), "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        sheet.insert_chart(3, 3, chart, {"x_scale": 1.8, "y_scale": 1.4})

    # 2. The forecast per half hour.
    sheet = workbook.add_worksheet(_("Forecast per half hour"))
    sheet.write_row(0, 0, [_("Half hour (Brussels)"), _("Contacts")], formats.header)
    rows = run.points.filter(backtest=False).order_by("slot_start")
    for line, (start, contacts) in enumerate(rows.values_list("slot_start", "contacts"), start=1):
        sheet.write_datetime(line, 0, start.astimezone(BRUSSELS).replace(tzinfo=None), moment)
        sheet.write_number(line, 1, contacts, decimal)
    sheet.set_column(0, 1, 20)

    # 3. The back-test per day, with the WAPEs and its chart.
    test_name = _("Back-test per day")
    sheet = workbook.add_worksheet(test_name)
    sheet.write_string(0, 0, _("Back-test of %(channel)s") % {"channel": channel}, formats.heading)
    sheet.write_string(
        1,
        0,
        _(
            "WAPE: the mean absolute error as a percentage of the actual volume, over all half "
            "hours of the held-out weeks; lower is better."
        ),
    )
    sheet.write_string(2, 0, _("WAPE forecast (%)"), formats.bold)
    sheet.write_string(3, 0, _("WAPE seasonal naive (%)"), formats.bold)
    for line, value in ((2, run.backtest_wape_pct), (3, run.baseline_wape_pct)):
        if value is None:
            sheet.write_blank(line, 1, None)
        else:
            sheet.write_number(line, 1, value, formats.number("0.00"))
    header = [_("Day"), _("Actual"), _("Forecast"), _("Seasonal naive")]
    sheet.write_row(5, 0, header, formats.header)
    tested = backtest_daily(run)
    for line, row in enumerate(tested, start=6):
        sheet.write_datetime(line, 0, row.day, date)
        sheet.write_number(line, 1, row.actual, decimal)
        sheet.write_number(line, 2, row.forecast, decimal)
        sheet.write_number(line, 3, row.baseline, decimal)
    sheet.set_column(0, 3, 16)
    if tested:
        chart = workbook.add_chart({"type": "line"})
        for col in (1, 2, 3):
            chart.add_series(
                {
                    "name": [test_name, 5, col],
                    "categories": [test_name, 6, 0, 5 + len(tested), 0],
                    "values": [test_name, 6, col, 5 + len(tested), col],
                    "line": {"dash_type": "dash"} if col == 3 else {},
                }
            )
        chart.set_title({"name": _("Back-test: actual, forecast and seasonal naive per day")})
        chart.set_y_axis({"name": _("Contacts"), "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(5, 5, chart, {"x_scale": 1.8, "y_scale": 1.4})

    # 4. The back-test per half hour: the points the WAPEs are computed from.
    sheet = workbook.add_worksheet(_("Back-test per half hour"))
    header = [_("Half hour (Brussels)"), _("Actual"), _("Forecast"), _("Seasonal naive")]
    sheet.write_row(0, 0, header, formats.header)
    points = run.points.filter(backtest=True).order_by("slot_start")
    values = points.values_list("slot_start", "actual", "contacts", "baseline")
    for line, (start, actual, contacts, baseline) in enumerate(values, start=1):
        sheet.write_datetime(line, 0, start.astimezone(BRUSSELS).replace(tzinfo=None), moment)
        sheet.write_number(line, 1, actual or 0.0, decimal)
        sheet.write_number(line, 2, contacts, decimal)
        sheet.write_number(line, 3, baseline or 0.0, decimal)
    sheet.set_column(0, 3, 20)
    return book.close()
