"""The monitoring and methodology pages' charts and their Excel workbooks (native charts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from kglijn.campaigns.monitoring.services import (
    FULL_STRATUM,
    DropoutPosition,
    Methodology,
    ModeResponse,
    RepresentativenessTest,
    ResponseTotals,
    StratumResponse,
    design_text,
)
from kglijn.core.excel import INTEGER, TWO_DECIMALS, ExcelWorkbook

LABEL_LENGTH = 40


def position_label(row: DropoutPosition) -> str:
    if row.position is None:
        return row.item_text
    text = row.item_text
    if len(text) > LABEL_LENGTH:
        text = text[: LABEL_LENGTH - 1] + "…"
    return f"{row.position}. {text}"


def variable_label(test: RepresentativenessTest) -> str:
    return (
        _("Stratum (all strata variables together)")
        if test.variable == FULL_STRATUM
        else test.variable
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def response_charts(
    strata: Sequence[StratumResponse],
    modes: Sequence[ModeResponse],
    dropouts: Sequence[DropoutPosition],
    minimum: float,
) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    rated = [row for row in strata if row.response_rate_pct is not None]
    if rated:
        charts["chart-response-strata"] = {
            "kind": "bar",
            "horizontal": True,
            "percent": True,
            "decimals": 1,
            "labels": [row.stratum for row in rated],
            "datasets": [
                {
                    "label": _("Response rate"),
                    "data": [_round(row.response_rate_pct, 1) for row in rated],
                },
                {
                    "label": _("Minimum"),
                    "data": [minimum for _row in rated],
                    "muted": True,
                },
            ],
            "yTitle": _("Response rate (%)"),
            "aspect": max(1.0, 3.0 - 0.1 * len(rated)),
        }
    if any(m.complete for m in modes):
        charts["chart-response-modes"] = {
            "kind": "doughnut",
            "labels": [m.label for m in modes],
            "datasets": [{"label": _("Complete"), "data": [m.complete for m in modes]}],
            "aspect": 2.2,
        }
    if dropouts:
        charts["chart-response-dropouts"] = {
            "kind": "bar",
            "labels": [position_label(row) for row in dropouts],
            "datasets": [{"label": _("Drop-outs"), "data": [row.dropouts for row in dropouts]}],
            "xTitle": _("Last item reached"),
            "yTitle": _("Drop-outs"),
        }
    return charts


def _write(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, _("yes") if value else _("no"), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _strata_sheet(book: ExcelWorkbook, strata: Sequence[StratumResponse], minimum: float) -> None:
    name = _("Strata")[:31]
    sheet = book.workbook.add_worksheet(name)
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(TWO_DECIMALS)
    headers = [
        _("Stratum"),
        _("Population"),
        _("Sample"),
        _("Invited"),
        _("Complete"),
        _("Drop-outs"),
        _("Opted out"),
        _("Response rate (complete ÷ sample, %)"),
        _("Complete ÷ invited (%)"),
        _("Minimum (%)"),
        _("Below the minimum"),
    ]
    sheet.write_string(0, 0, _("Response per stratum"), book.formats.heading)
    sheet.write_row(2, 0, headers, book.formats.header)
    for line, row in enumerate(strata, start=3):
        values = [
            row.stratum,
            row.population,
            row.sample,
            row.invited,
            row.complete,
            row.dropouts,
            row.opted_out,
            _round(row.response_rate_pct),
            _round(row.invited_rate_pct),
            minimum,
            row.below_minimum,
        ]
        for col, value in enumerate(values):
            _write(sheet, line, col, value, count if 1 <= col <= 6 else decimal)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, len(headers) - 1, 14)
    sheet.freeze_panes(3, 1)
    if strata and any(r.response_rate_pct is not None for r in strata):
        first, last = 3, 2 + len(strata)
        chart = book.workbook.add_chart({"type": "bar"})
        for col in (7, 9):
            chart.add_series(
                {
                    "name": [name, 2, col],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, col, last, col],
                }
            )
        chart.set_title({"name": _("Response rate per stratum against the minimum")})
        chart.set_x_axis({"name": _("Response rate (%)"), "min": 0})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(last + 2, 0, chart, {"x_scale": 1.6, "y_scale": 1.4})


def _modes_sheet(book: ExcelWorkbook, modes: Sequence[ModeResponse]) -> None:
    sheet = book.workbook.add_worksheet(_("Modes")[:31])
    sheet.write_string(0, 0, _("Response per mode"), book.formats.heading)
    sheet.write_row(
        2, 0, [_("Mode"), _("Complete"), _("Drop-outs"), _("Share (%)")], book.formats.header
    )
    for line, mode in enumerate(modes, start=3):
        sheet.write_string(line, 0, mode.label)
        _write(sheet, line, 1, mode.complete, book.formats.number(INTEGER))
        _write(sheet, line, 2, mode.dropouts, book.formats.number(INTEGER))
        _write(sheet, line, 3, _round(mode.share_pct), book.formats.number(TWO_DECIMALS))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 14)


def _dropouts_sheet(book: ExcelWorkbook, dropouts: Sequence[DropoutPosition]) -> None:
    name = _("Drop-outs")[:31]
    sheet = book.workbook.add_worksheet(name)
    sheet.write_string(0, 0, _("Drop-outs by the last item reached"), book.formats.heading)
    sheet.write_row(
        2, 0, [_("Position"), _("Item"), _("Drop-outs"), _("Share (%)")], book.formats.header
    )
    for line, row in enumerate(dropouts, start=3):
        _write(sheet, line, 0, row.position, book.formats.number(INTEGER))
        sheet.write_string(line, 1, row.item_text)
        _write(sheet, line, 2, row.dropouts, book.formats.number(INTEGER))
        _write(sheet, line, 3, _round(row.share_pct), book.formats.number(TWO_DECIMALS))
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 14)
    if dropouts:
        first, last = 3, 2 + len(dropouts)
        chart = book.workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": [name, 2, 2],
                "categories": [name, first, 0, last, 0],
                "values": [name, first, 2, last, 2],
            }
        )
        chart.set_title({"name": _("Drop-outs by the last item reached")})
        chart.set_legend({"none": True})
        sheet.insert_chart(2, 5, chart, {"x_scale": 1.4, "y_scale": 1.2})


def _representativeness_sheet(book: ExcelWorkbook, tests: Sequence[RepresentativenessTest]) -> None:
    sheet = book.workbook.add_worksheet(_("Representativeness")[:31])
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(TWO_DECIMALS)
    sheet.write_string(0, 0, _("Respondents against the population"), book.formats.heading)
    line = 2
    headers = [
        _("Category"),
        _("Population"),
        _("Population share (%)"),
        _("Respondents"),
        _("Respondent share (%)"),
        _("Expected"),
        _("Weighted share (%)"),
        _("Pooled (expected < 5)"),
    ]
    for test in tests:
        sheet.write_string(line, 0, variable_label(test), book.formats.bold)
        line += 1
        sheet.write_string(line, 0, test.verdict)
        line += 1
        if test.chi2 is not None:
            sheet.write_string(line, 0, _("Chi-square"))
            _write(sheet, line, 1, round(test.chi2, 4), decimal)
            sheet.write_string(line, 2, _("df"))
            _write(sheet, line, 3, test.df, count)
            sheet.write_string(line, 4, "p")
            sheet.write_number(line, 5, test.p_value or 0.0, book.formats.number("0.0000"))
            line += 1
        sheet.write_row(line, 0, headers, book.formats.header)
        line += 1
        for category in test.categories:
            values = [
                category.category,
                category.population,
                _round(category.population_share_pct),
                category.respondents,
                _round(category.respondent_share_pct),
                _round(category.expected),
                _round(category.weighted_share_pct),
                category.pooled,
            ]
            for col, value in enumerate(values):
                _write(sheet, line, col, value, count if col in (1, 3) else decimal)
            line += 1
        line += 1
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 7, 14)


def _totals_rows(totals: ResponseTotals) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        (_("Population (N)"), totals.population),
        (_("Sample (n)"), totals.sample),
        (_("Invited (at least one mail sent)"), totals.invited),
        (_("Complete responses"), totals.complete),
        (_("Drop-outs"), totals.dropouts),
        (_("Opted out"), totals.opted_out),
        (_("Response rate (%)"), _round(totals.response_rate_pct)),
        (_("Complete ÷ invited (%)"), _round(totals.invited_rate_pct)),
        (_("Strata below the minimum"), totals.strata_below_minimum),
    ]
    for label, value in reported_rows(totals):
        rows.append((_("Reported by the bureau: %(what)s") % {"what": label}, value))
    return rows


def reported_rows(totals: ResponseTotals) -> list[tuple[str, int]]:
    """The bureau's own counts, labelled (its design text is the methodology's)."""
    labels = {
        "population": _("Population"),
        "sample": _("Sample"),
        "invited": _("Invited"),
        "complete": _("Complete responses"),
        "dropouts": _("Drop-outs"),
    }
    return [(labels[key], value) for key, value in totals.reported.items() if key in labels]


def response_xlsx(
    *,
    campaign_name: str,
    updated: str,
    totals: ResponseTotals,
    strata: Sequence[StratumResponse],
    modes: Sequence[ModeResponse],
    dropouts: Sequence[DropoutPosition],
    tests: Sequence[RepresentativenessTest],
    minimum: float,
) -> bytes:
    book = ExcelWorkbook()
    sheet = book.workbook.add_worksheet(_("Response")[:31])
    sheet.write_string(0, 0, campaign_name, book.formats.heading)
    sheet.write_string(1, 0, updated)
    for line, (label, value) in enumerate(_totals_rows(totals), start=3):
        sheet.write_string(line, 0, label)
        _write(
            sheet,
            line,
            1,
            value,
            book.formats.number(INTEGER if isinstance(value, int) else TWO_DECIMALS),
        )
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, 1, 14)
    _strata_sheet(book, strata, minimum)
    _modes_sheet(book, modes)
    _dropouts_sheet(book, dropouts)
    _representativeness_sheet(book, tests)
    return book.close()


def methodology_xlsx(answers: Sequence[tuple[str, str, Any]], report: Methodology) -> bytes:
    """Sheet "Methodologie": one row per question (number, question, answer, the number as a
    number); then the per-stratum and representativeness tables."""
    book = ExcelWorkbook()
    sheet = book.workbook.add_worksheet(_("Methodology")[:31])
    sheet.write_string(0, 0, report.campaign.name, book.formats.heading)
    sheet.write_row(2, 0, ["#", _("Question"), _("Answer"), _("Figure")], book.formats.header)
    line = 3
    for number, (question, answer, figure) in enumerate(answers, start=1):
        sheet.write_number(line, 0, number)
        sheet.write_string(line, 1, question, book.formats.wrap)
        sheet.write_string(line, 2, answer, book.formats.wrap)
        fmt = book.formats.number(INTEGER if isinstance(figure, int) else TWO_DECIMALS)
        _write(sheet, line, 3, figure, fmt)
        line += 1
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 90)
    sheet.set_column(3, 3, 14)
    _strata_sheet(book, report.strata, float(report.campaign.min_response_rate_pct))
    _modes_sheet(book, report.modes)
    _representativeness_sheet(book, report.representativeness)
    return book.close()


def design_sentence(report: Methodology) -> str:
    return design_text(report.campaign, report.totals.reported)
