"""The yearly report as text tables, CSV and Excel (XlsxWriter, a native chart per sheet).

Input is the dict of `selectors.yearly_report` (the JSON contract). The Excel workbook and the
CSV are documents for the Flemish parliament: their titles and headers are Dutch on purpose,
whatever the user's interface language (the same words as the source tables).

CSV: one long table with header `section,year,key,label,value`; sections `incoming`
(key = channel or `total`), `outgoing` (key empty), `province_share_pct` (key = province code or
`unregistered`), `topic_share_pct`, `top_referrals` (key = code, label = name, in rank order) and
`reason_counts` (key = reason code). Shares are percentages with 2 decimals, as in the JSON.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from kglijn.core.excel import INTEGER, PERCENT, ExcelWorkbook
from kglijn.core.numbers import format_nl
from kglijn.core.provinces import Province
from kglijn.reports.selectors import CHANNELS, PROVINCE_KEYS, TOPICS, reason_names

CHANNEL_NL = {"chat": "Chat", "phone": "Telefoon", "email": "E-mail", "total": "Totaal"}
PROVINCE_NL = {
    Province.ANTWERPEN: "Antwerpen",
    Province.OOST_VLAANDEREN: "Oost-Vlaanderen",
    Province.WEST_VLAANDEREN: "West-Vlaanderen",
    Province.VLAAMS_BRABANT: "Vlaams-Brabant",
    Province.LIMBURG: "Limburg",
    Province.BRUSSEL: "Brussel",
    Province.HENEGOUWEN: "Henegouwen",
    Province.WAALS_BRABANT: "Waals-Brabant",
    Province.LUIK: "Luik",
    Province.LUXEMBURG: "Luxemburg",
    Province.NAMEN: "Namen",
    "unregistered": "Niet geregistreerd",
}
TOPIC_NL = {"childcare": "Kinderopvang", "family_support": "Preventieve gezinsondersteuning"}

CSV_HEADER = ("section", "year", "key", "label", "value")


def _years(report: dict[str, Any]) -> list[str]:
    return list(report["years"])


def _reason_codes(report: dict[str, Any]) -> list[str]:
    totals: dict[str, int] = {}
    for data in report["years"].values():
        for code, count in data["reason_counts"].items():
            totals[code] = totals.get(code, 0) + count
    return sorted(totals, key=lambda code: (-totals[code], code))


# --- CSV -------------------------------------------------------------------------------------


def yearly_report_csv(report: dict[str, Any]) -> str:
    """The report as one long CSV (see the module docstring for the layout)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    names = reason_names()
    for year, data in report["years"].items():
        for key in (*CHANNELS, "total"):
            writer.writerow(("incoming", year, key, CHANNEL_NL[key], data["incoming"][key]))
        writer.writerow(("outgoing", year, "", "Uitgaande contacten", data["outgoing"]))
        for key in PROVINCE_KEYS:
            value = data["province_share_pct"][key]
            writer.writerow(("province_share_pct", year, key, PROVINCE_NL[key], f"{value:.2f}"))
        for key in TOPICS:
            value = data["topic_share_pct"][key]
            writer.writerow(("topic_share_pct", year, key, TOPIC_NL[key], f"{value:.2f}"))
        for row in data["top_referrals"]:
            writer.writerow(("top_referrals", year, row["code"], row["name"], row["count"]))
        for code, count in data["reason_counts"].items():
            writer.writerow(("reason_counts", year, code, names.get(code, code), count))
    return out.getvalue()


# --- text tables -----------------------------------------------------------------------------


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [title, "=" * len(title)]
    lines.append(
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(header)
        )
    )
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
    return "\n".join(lines)


def yearly_report_table(report: dict[str, Any]) -> str:
    """The report as readable text tables, one column per year, numbers as nl-BE writes them."""
    years = _years(report)
    data = report["years"]
    parts = [f"Jaarrapport {report['from']} – {report['to']}"]
    parts.append(
        _table(
            "Inkomende contacten per kanaal",
            ["Kanaal", *years],
            [
                [CHANNEL_NL[key], *(format_nl(data[y]["incoming"][key]) for y in years)]
                for key in (*CHANNELS, "total")
            ]
            + [["Uitgaande contacten", *(format_nl(data[y]["outgoing"]) for y in years)]],
        )
    )
    parts.append(
        _table(
            "Aandeel per provincie (%)",
            ["Provincie", *years],
            [
                [
                    PROVINCE_NL[key],
                    *(format_nl(data[y]["province_share_pct"][key], 2) for y in years),
                ]
                for key in PROVINCE_KEYS
            ],
        )
    )
    parts.append(
        _table(
            "Kinderopvang versus preventieve gezinsondersteuning (%)",
            ["Domein", *years],
            [
                [TOPIC_NL[key], *(format_nl(data[y]["topic_share_pct"][key], 2) for y in years)]
                for key in TOPICS
            ],
        )
    )
    for year in years:
        parts.append(
            _table(
                f"Top doorverwijzingen {year}",
                ["Organisatie", "Code", "Aantal"],
                [
                    [row["name"], row["code"], format_nl(row["count"])]
                    for row in data[year]["top_referrals"]
                ],
            )
        )
    codes = _reason_codes(report)
    parts.append(
        _table(
            "Inkomende contacten per contactreden",
            ["Contactreden", *years],
            [
                [code, *(format_nl(data[y]["reason_counts"].get(code, 0)) for y in years)]
                for code in codes
            ],
        )
    )
    return "\n\n".join(parts) + "\n"


# --- Excel -----------------------------------------------------------------------------------


def yearly_report_xlsx(report: dict[str, Any]) -> bytes:
    """The report as an .xlsx: one sheet per table, each with a native Excel chart."""
    book = ExcelWorkbook()
    workbook = book.workbook
    bold = book.formats.bold
    integer = book.formats.number(INTEGER)
    percent = book.formats.number(PERCENT)
    years = _years(report)
    data = report["years"]
    last_col = len(years)

    def wide_sheet(
        name: str,
        label: str,
        rows: list[tuple[str, list[float]]],
        cell_format: Any,
        chart_type: dict[str, str],
        title: str,
        chart_rows: int | None = None,
    ) -> None:
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [label, *years], bold)
        for index, (row_label, values) in enumerate(rows, start=1):
            sheet.write_string(index, 0, row_label)
            for col, value in enumerate(values, start=1):
                sheet.write_number(index, col, value, cell_format)
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, last_col, 12)
        chart = workbook.add_chart(chart_type)
        shown = chart_rows if chart_rows is not None else len(rows)
        for col in range(1, last_col + 1):
            chart.add_series(
                {
                    "name": [name, 0, col],
                    "categories": [name, 1, 0, max(shown, 1), 0],
                    "values": [name, 1, col, max(shown, 1), col],
                }
            )
        chart.set_title({"name": title})
        if chart_type.get("type") != "pie":
            chart.set_legend({"position": "bottom"})
        sheet.insert_chart(1, last_col + 2, chart, {"x_scale": 1.4, "y_scale": 1.3})

    wide_sheet(
        "Inkomend per kanaal",
        "Kanaal",
        [
            (CHANNEL_NL[key], [data[y]["incoming"][key] for y in years])
            for key in (*CHANNELS, "total")
        ],
        integer,
        {"type": "column"},
        "Inkomende contacten per kanaal",
        chart_rows=len(CHANNELS),
    )
    wide_sheet(
        "Uitgaand",
        "Uitgaande contacten",
        [("Alle kanalen", [data[y]["outgoing"] for y in years])],
        integer,
        {"type": "column"},
        "Uitgaande contacten",
    )
    wide_sheet(
        "Provincies",
        "Provincie",
        [
            (PROVINCE_NL[key], [data[y]["province_share_pct"][key] / 100 for y in years])
            for key in PROVINCE_KEYS
        ],
        percent,
        {"type": "bar"},
        "Aandeel inkomende contacten per provincie",
    )
    wide_sheet(
        "Domeinen",
        "Domein",
        [(TOPIC_NL[key], [data[y]["topic_share_pct"][key] / 100 for y in years]) for key in TOPICS],
        percent,
        {"type": "pie"} if len(years) == 1 else {"type": "column", "subtype": "percent_stacked"},
        "Kinderopvang versus preventieve gezinsondersteuning",
    )

    # Referrals: each year has its own top 10, so one block of rows per year.
    sheet = workbook.add_worksheet("Doorverwijzingen")
    sheet.write_row(0, 0, ["Jaar", "Code", "Organisatie", "Aantal"], bold)
    chart = workbook.add_chart({"type": "bar"})
    row = 1
    for year in years:
        top = data[year]["top_referrals"]
        for item in top:
            sheet.write_number(row, 0, int(year))
            sheet.write_string(row, 1, item["code"])
            sheet.write_string(row, 2, item["name"])
            sheet.write_number(row, 3, item["count"], integer)
            row += 1
        if top:
            chart.add_series(
                {
                    "name": year,
                    "categories": ["Doorverwijzingen", row - len(top), 2, row - 1, 2],
                    "values": ["Doorverwijzingen", row - len(top), 3, row - 1, 3],
                }
            )
    if row == 1:  # no referrals at all: an empty series keeps the sheet's chart valid
        chart.add_series({"values": ["Doorverwijzingen", 1, 3, 1, 3]})
    sheet.set_column(0, 1, 14)
    sheet.set_column(2, 2, 44)
    sheet.set_column(3, 3, 10)
    chart.set_title({"name": "Top doorverwijzingen (inkomende contacten)"})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(1, 5, chart, {"x_scale": 1.4, "y_scale": 1.6})

    codes = _reason_codes(report)
    names = reason_names()
    wide_sheet(
        "Contactredenen",
        "Contactreden",
        [
            (names.get(code, code), [data[y]["reason_counts"].get(code, 0) for y in years])
            for code in codes
        ],
        integer,
        {"type": "bar"},
        "Inkomende contacten per contactreden",
    )
    return book.close()
