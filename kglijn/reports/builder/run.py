"""report_run: validate a definition and let the source that holds its measure answer."""

from __future__ import annotations

from kglijn.reports.builder.calls import call_run
from kglijn.reports.builder.contact_counts import contacts_run
from kglijn.reports.builder.definition import InvalidReport, ReportDefinition
from kglijn.reports.builder.measures import CALL_MEASURES, SURVEY_MEASURE_KEYS
from kglijn.reports.builder.result import ReportResult
from kglijn.reports.builder.surveys import survey_run


def report_run(*, definition: ReportDefinition) -> ReportResult:
    """Run a definition; raises InvalidReport with field-level errors.

    Contact measures read only rollup rows (ADR 0005): month rows for whole months, day rows at
    the edges; call measures read the call legs' service levels, satisfaction measures the
    survey responses.
    """
    errors = definition.errors()
    if errors:
        raise InvalidReport(errors)
    if definition.measure in CALL_MEASURES:
        return call_run(definition)
    if definition.measure in SURVEY_MEASURE_KEYS:
        return survey_run(definition)
    return contacts_run(definition)
