"""The report builder: a measure by one or two dimensions, filtered, over any period.

Contact measures answer only from the rollups (ADR 0005): the definition's dimensions and filters
decide which rollup table can answer it; a combination no table holds is refused with a message
naming it (e.g. "Hour cannot be combined with province."). Call measures come from the call
legs' service levels, satisfaction measures from the survey responses.

    measures.py        the vocabulary: measures, dimensions, their values and labels
    definition.py      ReportDefinition and its validation (InvalidReport), its summary
    sources.py         which rollup table answers a definition
    result.py          ReportResult, built from counts or from per-cell sums
    contact_counts.py  contacts and shares from the rollups
    calls.py           call measures          surveys.py   satisfaction measures
    run.py             report_run: validate, then the measure's source answers
    saved.py           saved definitions (services and selectors; the model is in reports.models)
    views.py exports.py   /reports/builder/, /reports/dashboard/, XLSX and CSV downloads

The names below are the engine's public interface, for the dashboard and other callers.
"""

from kglijn.reports.builder.definition import InvalidReport, ReportDefinition
from kglijn.reports.builder.result import ReportResult
from kglijn.reports.builder.run import report_run

__all__ = ["InvalidReport", "ReportDefinition", "ReportResult", "report_run"]
