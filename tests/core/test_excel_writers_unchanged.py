"""The six Excel writers write the same workbooks as before core/excel.py (issue 14), and the
yearly report's JSON is the same after core/periods.py.

The golden files under tests/core/excel_golden/ were written by this test from the writers as
they were before the shared formats and download helpers and SciPy's t (KGLIJN_WRITE_GOLDEN=1,
run against the code of commit f43a602). Every part of a workbook — cells, shared strings,
styles, charts, drawings — must stay byte for byte the same; only docProps/core.xml (the
creation timestamp) is left out. The demo's scale gives the change sheet real p-values.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation

from kglijn.demo.services import demo_load
from kglijn.demo.users import demo_users_ensure
from kglijn.feedback.demo import feedback_demo_load
from kglijn.feedback.exports import team_figures_xlsx
from kglijn.feedback.figures import monthly_trend, team_month_figures
from kglijn.reports.builder import ReportDefinition, report_run
from kglijn.reports.builder.exports import report_xlsx
from kglijn.reports.exports import yearly_report_xlsx
from kglijn.reports.selectors import yearly_report
from kglijn.servicelevels.exports import service_levels_xlsx
from kglijn.servicelevels.mail import email_service_levels, email_service_levels_xlsx
from kglijn.servicelevels.phone import Period, service_levels
from kglijn.surveys.analysis.exports import analysis_xlsx
from kglijn.surveys.analysis.figures import Month
from kglijn.surveys.analysis.month import satisfaction_analysis
from kglijn.surveys.analysis.queries import AnalysisFilters

GOLDEN = Path(__file__).parent / "excel_golden"
TODAY = dt.date(2024, 1, 15)
FIRST = dt.date(2023, 1, 1)
LAST = dt.date(2023, 12, 31)

pytestmark = pytest.mark.django_db


def _writers() -> dict[str, Callable[[], bytes]]:
    month = dt.date(2023, 12, 1)
    return {
        "yearly_report": lambda: yearly_report_xlsx(yearly_report(date_from=FIRST, date_to=LAST)),
        "builder_month_channel": lambda: report_xlsx(
            report_run(
                definition=ReportDefinition(
                    dimensions=("month", "channel"), date_from=FIRST, date_to=LAST
                )
            )
        ),
        "builder_reason_share": lambda: report_xlsx(
            report_run(
                definition=ReportDefinition(
                    measure="share", dimensions=("reason",), date_from=FIRST, date_to=LAST
                )
            )
        ),
        "satisfaction": lambda: analysis_xlsx(
            satisfaction_analysis(month=Month(2023, 11), filters=AnalysisFilters())
        ),
        "telephony_service_levels": lambda: service_levels_xlsx(
            service_levels(date_from=FIRST, date_to=LAST, period=Period.MONTH)
        ),
        "mail_service_levels": lambda: email_service_levels_xlsx(
            email_service_levels(date_from=FIRST, date_to=LAST, period="month", today=TODAY)
        ),
        "feedback_teams": lambda: team_figures_xlsx(
            team_month_figures(month=month), monthly_trend(last_month=month)
        ),
    }


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"
        }


@pytest.fixture
def register() -> None:
    demo_users_ensure()
    demo_load(years=[2023], scale=0.05, seed=7)
    feedback_demo_load(today=TODAY)


def test_every_writer_writes_the_golden_workbook(register: None) -> None:
    written = {}
    with translation.override("nl-be"):
        for name, write in _writers().items():
            written[name] = write()
    if os.environ.get("KGLIJN_WRITE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name, content in written.items():
            (GOLDEN / f"{name}.xlsx").write_bytes(content)
    for name, content in written.items():
        golden = _parts((GOLDEN / f"{name}.xlsx").read_bytes())
        assert _parts(content) == golden, name
    # The yearly report's JSON (whole year and a period with edge days) did not move either.
    for name, first, last in (("yearly", FIRST, LAST), ("partial", dt.date(2023, 3, 10), LAST)):
        report = json.dumps(yearly_report(date_from=first, date_to=last), indent=1, sort_keys=True)
        if os.environ.get("KGLIJN_WRITE_GOLDEN"):
            (GOLDEN / f"report_{name}.json").write_text(report)
        assert report == (GOLDEN / f"report_{name}.json").read_text(), name
    # The fixture is not empty: the data reached the sheets, and the change sheet has p-values
    # of the tests (Welch's t through SciPy among them).
    satisfaction = _parts(written["satisfaction"])
    assert b"<c " in satisfaction["xl/worksheets/sheet2.xml"]
    assert b'<c r="G3"><v>0.' in satisfaction["xl/worksheets/sheet7.xml"]
