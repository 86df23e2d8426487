"""A campaign's results as an Excel workbook: numbers as numbers, native charts (a bar chart of
the themes' satisfaction, the importance × satisfaction scatter with its crosshair).

The open answers' texts are not in the workbook (they may hold personal data and a file
travels): only their groups and counts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kglijn.campaigns.analysis.estimates import Estimate
from kglijn.campaigns.analysis.services import CampaignResults, Change
from kglijn.core.excel import INTEGER, TWO_DECIMALS, ExcelWorkbook

SHEET = "Resultaten"
ITEMS_SHEET = "Items"
OPEN_SHEET = "Open antwoorden"
WEIGHTING_SHEET = "Weging"
P_VALUE = "0.0000"


def _number(sheet: Any, row: int, col: int, value: float | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    else:
        sheet.write_number(row, col, float(value), fmt)


def _estimate_cells(
    sheet: Any, row: int, col: int, estimate: Estimate | None, decimals: Any, count: Any
) -> None:
    if estimate is None:
        for offset in range(4):
            sheet.write_blank(row, col + offset, None)
        return
    sheet.write_number(row, col, estimate.mean, decimals)
    sheet.write_number(row, col + 1, estimate.ci_low, decimals)
    sheet.write_number(row, col + 2, estimate.ci_high, decimals)
    sheet.write_number(row, col + 3, estimate.n, count)


def _change_cells(
    sheet: Any, row: int, col: int, change: Change | None, decimals: Any, p_fmt: Any
) -> None:
    if change is None:
        for offset in range(4):
            sheet.write_blank(row, col + offset, None)
        return
    sheet.write_number(row, col, change.previous.mean, decimals)
    sheet.write_number(row, col + 1, change.difference.difference, decimals)
    sheet.write_number(row, col + 2, change.difference.p_value, p_fmt)
    sheet.write_string(row, col + 3, _("yes") if change.significant else _("no"))


def results_xlsx(results: CampaignResults) -> bytes:
    book = ExcelWorkbook()
    formats = book.formats
    decimals = formats.number(TWO_DECIMALS)
    count = formats.number(INTEGER)
    p_fmt = formats.number(P_VALUE)
    campaign = results.campaign
    sheet = book.workbook.add_worksheet(SHEET)
    sheet.write_string(0, 0, campaign.name, formats.heading)
    sheet.write_string(
        1,
        0,
        _("Weighted (raking to the population's margins)")
        if results.weighted
        else _("Unweighted (every weight 1)"),
        formats.bold,
    )
    sheet.write_string(
        2,
        0,
        _("%(complete)d complete responses, %(dropouts)d drop-outs")
        % {"complete": results.n_complete, "dropouts": results.n_dropouts},
    )
    header = [
        "",
        _("Mean"),
        _("95 % CI low"),
        _("95 % CI high"),
        _("n"),
        _("Previous measurement"),
        _("Difference"),
        _("p-value"),
        _("Significant (5 %)"),
        _("Design effect"),
    ]
    sheet.write_row(4, 0, header, formats.header)
    sheet.write_string(5, 0, _("Overall score"), formats.bold)
    _estimate_cells(sheet, 5, 1, results.overall, decimals, count)
    _change_cells(sheet, 5, 5, results.overall_change, decimals, p_fmt)
    _number(sheet, 5, 9, results.overall.deff if results.overall else None, decimals)

    theme_header_row = 7
    sheet.write_row(
        theme_header_row,
        0,
        [
            _("Theme"),
            _("Satisfaction"),
            _("95 % CI low"),
            _("95 % CI high"),
            _("n"),
            _("Previous measurement"),
            _("Difference"),
            _("p-value"),
            _("Significant (5 %)"),
            _("Importance"),
            _("Importance: asked or derived"),
            _("Quadrant"),
        ],
        formats.header,
    )
    row = theme_header_row
    for theme in results.themes:
        row += 1
        sheet.write_string(row, 0, theme.theme.title_nl)
        _estimate_cells(sheet, row, 1, theme.satisfaction, decimals, count)
        _change_cells(sheet, row, 5, theme.change, decimals, p_fmt)
        _number(sheet, row, 9, theme.importance_value, decimals)
        if theme.importance is not None:
            sheet.write_string(row, 10, _("asked"))
        elif theme.derived is not None:
            sheet.write_string(
                row,
                10,
                _("derived: 10 × r, r = %(r)s") % {"r": f"{theme.derived.correlation:.3f}"},
            )
        sheet.write_string(row, 11, theme.quadrant_label)
    first, last = theme_header_row + 1, row
    crosshair_row = row + 2
    if results.crosshair is not None:
        sheet.write_string(crosshair_row, 0, _("Crosshair (mean of the themes)"), formats.bold)
        sheet.write_row(crosshair_row + 1, 0, [_("Line"), _("Satisfaction"), _("Importance")])
        # Two segments across the 0-10 square, drawn as line series of the scatter chart.
        lines = [
            (_("vertical"), results.crosshair.satisfaction, 0.0),
            (_("vertical"), results.crosshair.satisfaction, 10.0),
            (_("horizontal"), 0.0, results.crosshair.importance),
            (_("horizontal"), 10.0, results.crosshair.importance),
        ]
        for offset, (label, x, y) in enumerate(lines, start=2):
            sheet.write_string(crosshair_row + offset, 0, label)
            sheet.write_number(crosshair_row + offset, 1, x, decimals)
            sheet.write_number(crosshair_row + offset, 2, y, decimals)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 9, 12)
    sheet.set_column(10, 11, 26)

    if last >= first:
        bar = book.workbook.add_chart({"type": "bar"})
        bar.add_series(
            {
                "name": _("Satisfaction"),
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, 1, last, 1],
                "data_labels": {"value": True, "num_format": "0.0"},
            }
        )
        bar.set_title({"name": _("Satisfaction per theme")})
        bar.set_x_axis({"min": 0, "max": 10, "num_format": "0"})
        bar.set_y_axis({"reverse": True})
        bar.set_legend({"none": True})
        sheet.insert_chart(crosshair_row + 7, 0, bar, {"x_scale": 1.4, "y_scale": 1.2})

        scatter = book.workbook.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        scatter.add_series(
            {
                "name": _("Themes"),
                "categories": [SHEET, first, 1, last, 1],
                "values": [SHEET, first, 9, last, 9],
                "line": {"none": True},
                "marker": {"type": "circle", "size": 8},
                "data_labels": {
                    "custom": [
                        {"value": f"='{SHEET}'!$A${index + 1}"} for index in range(first, last + 1)
                    ],
                    "position": "right",
                },
            }
        )
        if results.crosshair is not None:
            for start in (crosshair_row + 2, crosshair_row + 4):
                scatter.add_series(
                    {
                        "name": _("Crosshair"),
                        "categories": [SHEET, start, 1, start + 1, 1],
                        "values": [SHEET, start, 2, start + 1, 2],
                        "line": {"color": "#56626f", "dash_type": "dash", "width": 1},
                        "marker": {"type": "none"},
                    }
                )
        scatter.set_title({"name": _("Importance × satisfaction")})
        scatter.set_x_axis({"name": _("Satisfaction (0–10)"), "min": 0, "max": 10})
        scatter.set_y_axis({"name": _("Importance (0–10)"), "min": 0, "max": 10})
        scatter.set_legend({"none": True})
        sheet.insert_chart(crosshair_row + 7, 6, scatter, {"x_scale": 1.3, "y_scale": 1.5})

    items = book.workbook.add_worksheet(ITEMS_SHEET)
    items.write_row(
        0,
        0,
        [
            _("Theme"),
            _("Item"),
            _("Satisfaction"),
            _("95 % CI low"),
            _("95 % CI high"),
            _("n"),
            _("Importance"),
            _("95 % CI low"),
            _("95 % CI high"),
            _("n"),
        ],
        formats.header,
    )
    row = 0
    for theme in results.themes:
        for item in theme.items:
            row += 1
            items.write_string(row, 0, theme.theme.title_nl)
            items.write_string(row, 1, item.item.text_nl)
            _estimate_cells(items, row, 2, item.satisfaction, decimals, count)
            _estimate_cells(items, row, 6, item.importance, decimals, count)
    items.set_column(0, 1, 36)
    items.set_column(2, 9, 12)

    open_sheet = book.workbook.add_worksheet(OPEN_SHEET)
    open_sheet.write_string(
        0, 0, _("Groups of open answers (counts only: the texts stay in kglijn)"), formats.bold
    )
    open_sheet.write_row(2, 0, [_("Question"), _("Group (word)"), _("Answers")], formats.header)
    row = 2
    for open_item in results.open_items:
        for group in open_item.grouped.groups:
            row += 1
            open_sheet.write_string(row, 0, open_item.item.text_nl)
            open_sheet.write_string(row, 1, group.label)
            open_sheet.write_number(row, 2, group.count, count)
        row += 1
        open_sheet.write_string(row, 0, open_item.item.text_nl)
        open_sheet.write_string(row, 1, _("other (in no group)"))
        open_sheet.write_number(row, 2, open_item.grouped.other, count)
    open_sheet.set_column(0, 1, 36)

    weighting = book.workbook.add_worksheet(WEIGHTING_SHEET)
    report = campaign.weighting_report or {}
    weighting.write_string(0, 0, _("Weighting"), formats.heading)
    row = 2
    if report.get("errors"):
        weighting.write_string(row, 0, _("The weights could not be computed:"), formats.bold)
        for error in report["errors"]:
            row += 1
            weighting.write_string(row, 0, str(error))
    elif report:
        pairs: list[tuple[str, Any]] = [
            (_("Method"), report.get("method", "")),
            (_("Margins"), ", ".join(report.get("variables", []))),
            (_("Weighted responses"), report.get("n")),
            (_("Weighting efficiency (%)"), report.get("efficiency_pct")),
            (_("Design effect of the weights"), report.get("deff_weights")),
            (_("Largest relative miss of a margin"), report.get("max_relative_error")),
        ]
        for label, value in pairs:
            weighting.write_string(row, 0, label)
            if isinstance(value, int | float):
                weighting.write_number(row, 1, float(value))
            else:
                weighting.write_string(row, 1, str(value or ""))
            row += 1
    else:
        weighting.write_string(row, 0, _("No weights computed: the results are unweighted."))
    weighting.set_column(0, 0, 40)
    weighting.set_column(1, 1, 30)
    return book.close()
