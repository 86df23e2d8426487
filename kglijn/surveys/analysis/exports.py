"""The monthly satisfaction analysis as CSV and as an Excel workbook with native charts.

Headers are in the active language: the views render downloads in Dutch. Figures only — the
free-text remarks stay in the application, where reading them is audited.

CSV: one table, one row per group — the month's total, each channel, office and team, and the
13 months of the trend — with the table's name, the group and the month first, then the counts,
the figures computed from them and the count of every score (empty where a figure has nothing
to be computed from).

Excel: a sheet per table (explanation, per channel, per office, per team, trend, distribution,
change against the previous month); the breakdowns, trend and distribution have native charts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kglijn.core.excel import INTEGER, ONE_DECIMAL, TWO_DECIMALS, ExcelWorkbook
from kglijn.surveys.analysis.figures import (
    NPS_CRITERION,
    SCALE_CRITERIA,
    SCORES,
    Sums,
)
from kglijn.surveys.analysis.month import (
    CRITERION_LABELS,
    DEFINITIONS,
    Breakdown,
    SatisfactionAnalysis,
    analysis_summary,
)

# (header, value from the sums, Excel number format)
Column = tuple[str, Callable[[Sums], float | int | None], str]

TWO = TWO_DECIMALS
ONE = ONE_DECIMAL


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _criterion_columns(criterion: str) -> list[Column]:
    label = str(CRITERION_LABELS[criterion])

    def mean(sums: Sums) -> float | None:
        return _rounded(sums.mean(criterion), 2)

    def count(sums: Sums) -> int:
        return sums.count(criterion)

    def satisfied(sums: Sums) -> float | None:
        return _rounded(sums.satisfied_pct(criterion), 1)

    return [
        (_("%(criterion)s: average") % {"criterion": label}, mean, TWO),
        (_("%(criterion)s: answers") % {"criterion": label}, count, INTEGER),
        (_("%(criterion)s: %% satisfied (4–5)") % {"criterion": label}, satisfied, ONE),
    ]


def columns() -> list[Column]:
    """The figures of a group, in the order of the downloads."""
    result: list[Column] = [
        (_("Asked"), lambda s: s.asked, INTEGER),
        (_("Answered (of asked)"), lambda s: s.answered, INTEGER),
        (_("Response rate (%)"), lambda s: _rounded(s.response_rate, 1), ONE),
        (_("Responses"), lambda s: s.responses, INTEGER),
        (_("Partial responses"), lambda s: s.partial, INTEGER),
        (_("With remark"), lambda s: s.remarks, INTEGER),
    ]
    for criterion in SCALE_CRITERIA:
        result += _criterion_columns(criterion)
    result += [
        (_("NPS"), lambda s: _rounded(s.nps, 1), ONE),
        (_("NPS answers"), lambda s: s.nps_n, INTEGER),
        (_("Promoters (9–10)"), lambda s: s.promoters, INTEGER),
        (_("Passives (7–8)"), lambda s: s.passives, INTEGER),
        (_("Detractors (0–6)"), lambda s: s.detractors, INTEGER),
    ]
    return result


def _score_columns() -> list[Column]:
    result: list[Column] = []
    for criterion in (*SCALE_CRITERIA, NPS_CRITERION):
        label = str(CRITERION_LABELS[criterion])
        for index, score in enumerate(SCORES[criterion]):

            def count(sums: Sums, criterion: str = criterion, index: int = index) -> int:
                return sums.distribution[criterion][index]

            result.append(
                (
                    _("%(criterion)s: score %(score)d") % {"criterion": label, "score": score},
                    count,
                    INTEGER,
                )
            )
    return result


def _csv_rows(analysis: SatisfactionAnalysis) -> list[tuple[str, str, str, Sums]]:
    month = analysis.month.iso
    rows = [(_("Total"), _("Total"), month, analysis.total)]
    for table, groups in (
        (_("Per channel"), analysis.by_channel),
        (_("Per office"), analysis.by_office),
        (_("Per team"), analysis.by_team),
    ):
        rows += [(table, group.label, month, group.sums) for group in groups]
    rows += [
        (_("Trend"), _("Total"), m.iso, sums)
        for m, sums in zip(analysis.months, analysis.trend, strict=True)
    ]
    return rows


def analysis_csv(analysis: SatisfactionAnalysis) -> str:
    """One row per group (see the module docstring); decimals with a point."""
    figures = columns() + _score_columns()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("Table"), _("Group"), _("Month"), *(header for header, _f, _n in figures)])
    for table, group, month, sums in _csv_rows(analysis):
        values = [figure(sums) for _h, figure, _n in figures]
        writer.writerow(
            [table, group, month, *("" if value is None else value for value in values)]
        )
    return out.getvalue()


class _Book:
    """A workbook (kglijn.core.excel) with the formats of this file."""

    def __init__(self, excel: ExcelWorkbook) -> None:
        self.workbook = excel.workbook
        house = excel.formats
        self.heading = house.heading
        self.bold = house.bold
        self.header = house.header
        self.wrap = house.wrap
        self.formats = {fmt: house.number(fmt) for fmt in (INTEGER, TWO, ONE)}
        self.total_formats = {fmt: house.total_number(fmt) for fmt in (INTEGER, TWO, ONE)}
        self.total_label = house.total_label

    def table(
        self,
        sheet: Any,
        first_row: int,
        label: str,
        rows: Sequence[tuple[str, Sums]],
        figures: Sequence[Column],
        total: tuple[str, Sums] | None = None,
    ) -> int:
        """Header, rows (and a total row); returns the row after the table."""
        sheet.write_row(first_row, 0, [label, *(header for header, _f, _n in figures)], self.header)
        body = [*rows, *([total] if total else [])]
        for offset, (name, sums) in enumerate(body, start=1):
            is_total = total is not None and offset == len(body)
            sheet.write_string(first_row + offset, 0, name, self.total_label if is_total else None)
            for col, (_header, figure, fmt) in enumerate(figures, start=1):
                value = figure(sums)
                style = (self.total_formats if is_total else self.formats)[fmt]
                if value is None:
                    sheet.write_blank(first_row + offset, col, None, style)
                else:
                    sheet.write_number(first_row + offset, col, value, style)
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, len(figures), 13)
        sheet.freeze_panes(first_row + 1, 1)
        return first_row + len(body) + 1


def _figure_index(figures: Sequence[Column], header: str) -> int:
    return next(i for i, (name, _f, _n) in enumerate(figures, start=1) if name == header)


def _breakdown_sheet(
    book: _Book, name: str, label: str, groups: list[Breakdown], total: Sums
) -> None:
    sheet = book.workbook.add_worksheet(name)
    figures = columns()
    end = book.table(
        sheet, 0, label, [(g.label, g.sums) for g in groups], figures, (_("Total"), total)
    )
    chart = book.workbook.add_chart({"type": "column"})
    last = max(len(groups), 1)
    for header in [str(CRITERION_LABELS[c]) for c in SCALE_CRITERIA]:
        col = _figure_index(figures, _("%(criterion)s: average") % {"criterion": header})
        chart.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, 1, 0, last, 0],
                "values": [name, 1, col, last, col],
            }
        )
    chart.set_title({"name": _("Average per criterion (1–5)")})
    chart.set_y_axis({"min": 0, "max": 5, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(end + 1, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})
    nps = book.workbook.add_chart({"type": "bar"})
    col = _figure_index(figures, _("NPS"))
    nps.add_series(
        {
            "name": [name, 0, col],
            "categories": [name, 1, 0, last, 0],
            "values": [name, 1, col, last, col],
        }
    )
    nps.set_title({"name": _("NPS")})
    nps.set_x_axis({"min": -100, "max": 100})
    nps.set_legend({"none": True})
    sheet.insert_chart(end + 1, 8, nps, {"x_scale": 1.2, "y_scale": 1.2})


def _trend_sheet(book: _Book, analysis: SatisfactionAnalysis) -> None:
    name = _("Trend")
    sheet = book.workbook.add_worksheet(name)
    figures = columns()
    rows = [
        (capfirst(month.label), sums)
        for month, sums in zip(analysis.months, analysis.trend, strict=True)
    ]
    end = book.table(sheet, 0, _("Month"), rows, figures)
    last = len(rows)
    means = book.workbook.add_chart({"type": "line"})
    for criterion in SCALE_CRITERIA:
        header = _("%(criterion)s: average") % {"criterion": str(CRITERION_LABELS[criterion])}
        col = _figure_index(figures, header)
        means.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, 1, 0, last, 0],
                "values": [name, 1, col, last, col],
                "marker": {"type": "circle"},
            }
        )
    means.set_title({"name": _("Average per criterion (1–5)")})
    means.set_y_axis({"min": 1, "max": 5, "major_gridlines": {"visible": True}})
    means.set_legend({"position": "bottom"})
    means.show_blanks_as("gap")
    sheet.insert_chart(end + 1, 0, means, {"x_scale": 1.4, "y_scale": 1.2})
    nps = book.workbook.add_chart({"type": "line"})
    col = _figure_index(figures, _("NPS"))
    nps.add_series(
        {
            "name": [name, 0, col],
            "categories": [name, 1, 0, last, 0],
            "values": [name, 1, col, last, col],
            "marker": {"type": "circle"},
        }
    )
    nps.set_title({"name": _("NPS")})
    nps.set_legend({"none": True})
    nps.show_blanks_as("gap")
    sheet.insert_chart(end + 1, 8, nps, {"x_scale": 1.2, "y_scale": 1.2})


def _distribution_sheet(book: _Book, analysis: SatisfactionAnalysis) -> None:
    name = _("Distribution")
    sheet = book.workbook.add_worksheet(name)
    total = analysis.total
    criteria = (*SCALE_CRITERIA, NPS_CRITERION)
    sheet.write_row(0, 0, [_("Score"), *(str(CRITERION_LABELS[c]) for c in criteria)], book.header)
    for row, score in enumerate(SCORES[NPS_CRITERION], start=1):
        sheet.write_number(row, 0, score)
        for col, criterion in enumerate(criteria, start=1):
            if score in SCORES[criterion]:
                index = SCORES[criterion].index(score)
                value = total.distribution[criterion][index]
                sheet.write_number(row, col, value, book.formats[INTEGER])
    sheet.set_column(0, len(criteria), 18)
    first, last = 1 + SCORES[NPS_CRITERION].index(1), 1 + SCORES[NPS_CRITERION].index(5)
    scale = book.workbook.add_chart({"type": "column"})
    for col, _criterion in enumerate(SCALE_CRITERIA, start=1):
        scale.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, first, 0, last, 0],
                "values": [name, first, col, last, col],
            }
        )
    scale.set_title({"name": _("Distribution of the scores (1–5)")})
    scale.set_legend({"position": "bottom"})
    sheet.insert_chart(1, len(criteria) + 2, scale, {"x_scale": 1.3, "y_scale": 1.2})
    nps = book.workbook.add_chart({"type": "column"})
    col = len(criteria)
    nps.add_series(
        {
            "name": [name, 0, col],
            "categories": [name, 1, 0, 11, 0],
            "values": [name, 1, col, 11, col],
        }
    )
    nps.set_title({"name": _("Recommendation (0–10)")})
    nps.set_legend({"none": True})
    sheet.insert_chart(18, len(criteria) + 2, nps, {"x_scale": 1.3, "y_scale": 1.2})


def _changes_sheet(book: _Book, analysis: SatisfactionAnalysis) -> None:
    # "Change" alone is Django admin's "Wijzigen" (a link); here: the difference between months.
    sheet = book.workbook.add_worksheet(pgettext("difference between two months", "Change"))
    sheet.write_row(
        0,
        0,
        [
            _("Figure"),
            analysis.month.shift(-1).label,
            analysis.month.label,
            _("Difference"),
            _("n previous month"),
            _("n this month"),
            _("p-value"),
            _("Significance"),
        ],
        book.header,
    )
    for row, change in enumerate(analysis.changes, start=1):
        sheet.write_string(row, 0, change.label)
        for col, value in enumerate((change.previous, change.current, change.difference), start=1):
            if value is None:
                sheet.write_blank(row, col, None)
            else:
                sheet.write_number(row, col, round(value, 2), book.formats[TWO])
        sheet.write_number(row, 4, change.n_previous, book.formats[INTEGER])
        sheet.write_number(row, 5, change.n_current, book.formats[INTEGER])
        p_value = change.significance.p_value
        if p_value is None:
            sheet.write_blank(row, 6, None)
        else:
            sheet.write_number(row, 6, round(p_value, 4))
        sheet.write_string(row, 7, change.hint)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 6, 14)
    sheet.set_column(7, 7, 44)


def analysis_xlsx(analysis: SatisfactionAnalysis) -> bytes:
    """The analysis as .xlsx: an explanation sheet, then one sheet per table (see docstring)."""
    excel = ExcelWorkbook()
    book = _Book(excel)
    sheet = book.workbook.add_worksheet(_("Explanation"))
    sheet.write_string(0, 0, _("Satisfaction per month"), book.heading)
    row = 1
    for label, text in analysis_summary(analysis):
        sheet.write_string(row, 0, label, book.bold)
        sheet.write_string(row, 1, text)
        row += 1
    row += 1
    for definition in DEFINITIONS:
        sheet.merge_range(row, 0, row, 7, str(definition), book.wrap)
        sheet.set_row(row, 60)
        row += 1
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 7, 16)
    _breakdown_sheet(book, _("Per channel"), _("Channel"), analysis.by_channel, analysis.total)
    _breakdown_sheet(book, _("Per office"), _("Office"), analysis.by_office, analysis.total)
    _breakdown_sheet(book, _("Per team"), _("Team"), analysis.by_team, analysis.total)
    _trend_sheet(book, analysis)
    _distribution_sheet(book, analysis)
    _changes_sheet(book, analysis)
    return excel.close()
