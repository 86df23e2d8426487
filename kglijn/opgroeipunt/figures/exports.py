"""The Opgroeipunt figures as a text table (CLI) and as an Excel workbook with a native chart."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from kglijn.core.excel import INTEGER, ExcelWorkbook
from kglijn.core.numbers import format_nl
from kglijn.opgroeipunt.figures.selectors import FIGURES

SHEET_NAME = "Cijfers"
CHARTS_SHEET_NAME = "Grafieken"

# Labels close to 002's "1. Cijfers" (Dutch in the catalogue).
FIGURE_LABELS: dict[str, Any] = {
    "danger_situations": pgettext_lazy("opgroeipunt figure", "Danger situations"),
    "danger_situations_locations": pgettext_lazy("opgroeipunt figure", "Number of locations"),
    "danger_situations_enforcement_started": pgettext_lazy(
        "opgroeipunt figure", "Enforcement started after a danger situation"
    ),
    "admissible_complaints": pgettext_lazy("opgroeipunt figure", "Admissible complaints"),
    "inspection_enforcement_advices": pgettext_lazy(
        "opgroeipunt figure", "Zorginspectie enforcement advices"
    ),
    "enforcement_locations": pgettext_lazy("opgroeipunt figure", "Locations in enforcement"),
    "suspension_decisions": pgettext_lazy("opgroeipunt figure", "Suspension decisions"),
    "revocation_decisions": pgettext_lazy("opgroeipunt figure", "Revocation decisions"),
    "civil_party_proceedings": pgettext_lazy("opgroeipunt figure", "Civil-party proceedings"),
}
assert tuple(FIGURE_LABELS) == FIGURES


def year_heading(year: str, figures: dict[str, Any]) -> str:
    """ "2023" for a whole year, "2023 (1/1–5/6)" for a clipped one."""
    first = max(figures["from"], f"{year}-01-01")
    last = min(figures["to"], f"{year}-12-31")
    if first.endswith("-01-01") and last.endswith("-12-31"):
        return year
    return f"{year} ({_short(first)}–{_short(last)})"


def _short(iso: str) -> str:
    _year, month, day = iso.split("-")
    return f"{int(day)}/{int(month)}"


def figures_rows(figures: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """(label, count per year) per figure, in the JSON's order."""
    years = list(figures["years"])
    return [
        (str(FIGURE_LABELS[name]), [figures["years"][year][name] for year in years])
        for name in FIGURES
    ]


def figures_table(figures: dict[str, Any]) -> str:
    """An aligned text table: one row per figure, one column per year (nl-BE numbers)."""
    headings = [_("Figure"), *(year_heading(y, figures) for y in figures["years"])]
    rows = [
        [label, *(format_nl(value) for value in values)] for label, values in figures_rows(figures)
    ]
    widths = [max(len(row[col]) for row in [headings, *rows]) for col in range(len(headings))]
    lines = [
        _("Opgroeipunt figures %(first)s to %(last)s (Brussels dates)")
        % {"first": figures["from"], "last": figures["to"]},
        "",
    ]
    for index, row in enumerate([headings, *rows]):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def figures_xlsx(figures: dict[str, Any]) -> bytes:
    """Sheet "Cijfers": the table (figures × years); sheet "Grafieken": a native clustered
    column chart per year of the same numbers, drawn from the table."""
    book = ExcelWorkbook()
    workbook = book.workbook
    sheet = workbook.add_worksheet(SHEET_NAME)
    years = list(figures["years"])
    subtitle = _("%(first)s to %(last)s (Brussels dates), each year clipped to the period") % {
        "first": figures["from"],
        "last": figures["to"],
    }
    sheet.write_string(0, 0, _("Opgroeipunt figures"), book.formats.heading)
    sheet.write_string(1, 0, subtitle)
    header_row = 3
    sheet.write_row(
        header_row,
        0,
        [_("Figure"), *(year_heading(year, figures) for year in years)],
        book.formats.header,
    )
    count = book.formats.number(INTEGER)
    rows = figures_rows(figures)
    first = header_row + 1
    for offset, (label, values) in enumerate(rows):
        sheet.write_string(first + offset, 0, label)
        for col, value in enumerate(values, start=1):
            sheet.write_number(first + offset, col, value, count)
    last = first + len(rows) - 1
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, len(years), 16)
    sheet.freeze_panes(header_row + 1, 1)

    charts = workbook.add_worksheet(CHARTS_SHEET_NAME)
    charts.write_string(0, 0, _("Charts"), book.formats.heading)
    charts.write_string(1, 0, subtitle)
    chart = workbook.add_chart({"type": "bar"})
    for col in range(1, len(years) + 1):
        chart.add_series(
            {
                "name": [SHEET_NAME, header_row, col],
                "categories": [SHEET_NAME, first, 0, last, 0],
                "values": [SHEET_NAME, first, col, last, col],
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": _("Opgroeipunt figures per year")})
    chart.set_x_axis(
        {"name": pgettext("opgroeipunt figure", "Number"), "major_gridlines": {"visible": True}}
    )
    chart.set_y_axis({"reverse": True})  # the first figure on top, as in the table
    chart.set_legend({"position": "bottom"})
    charts.insert_chart(3, 0, chart, {"x_scale": 2.0, "y_scale": 2.2})
    return book.close()
