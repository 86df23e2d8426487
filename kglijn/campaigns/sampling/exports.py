"""The sample (stratum plan) as an Excel workbook: population, sample and fraction per stratum,
with the design and the seed it was drawn with."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.campaigns.models import Campaign
from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook

SHEET_NAME = "Steekproef"


def sample_xlsx(campaign: Campaign, rows: list[dict[str, Any]]) -> bytes:
    book = ExcelWorkbook()
    formats = book.formats
    sheet = book.workbook.add_worksheet(SHEET_NAME)
    sheet.write(0, 0, campaign.name, formats.heading)
    facts = [
        (_("Design"), str(campaign.get_design_display())),
        (_("Sample size"), campaign.sample_size if campaign.sample_size is not None else ""),
        (_("Minimum per stratum"), campaign.min_per_stratum or ""),
        (_("Seed"), campaign.seed if campaign.seed is not None else ""),
        (
            _("Drawn"),
            timezone.localtime(campaign.drawn_at).strftime("%d/%m/%Y %H:%M")
            if campaign.drawn_at
            else "",
        ),
    ]
    for index, (label, value) in enumerate(facts, start=2):
        sheet.write(index, 0, label, formats.bold)
        sheet.write(index, 1, value)
    variables = list(campaign.strata_variables)
    top = len(facts) + 3
    header = [*variables, _("Stratum"), _("Population"), _("Sample"), _("Sampling fraction (%)")]
    sheet.write_row(top, 0, header, formats.header)
    for offset, row in enumerate(rows, start=1):
        line = top + offset
        for column, value in enumerate(row["values"]):
            sheet.write_string(line, column, value)
        base = len(variables)
        sheet.write_string(line, base, row["stratum"])
        sheet.write_number(line, base + 1, row["population"], formats.number(INTEGER))
        sheet.write_number(line, base + 2, row["sample"], formats.number(INTEGER))
        sheet.write_number(line, base + 3, row["fraction_pct"], formats.number(ONE_DECIMAL))
    total_line = top + len(rows) + 1
    base = len(variables)
    population = sum(row["population"] for row in rows)
    sample = sum(row["sample"] for row in rows)
    sheet.write(total_line, base, _("Total"), formats.total_label)
    sheet.write_number(total_line, base + 1, population, formats.total_number(INTEGER))
    sheet.write_number(total_line, base + 2, sample, formats.total_number(INTEGER))
    sheet.write_number(
        total_line,
        base + 3,
        100 * sample / population if population else 0,
        formats.total_number(ONE_DECIMAL),
    )
    sheet.set_column(0, base + 3, 16)
    return book.close()
