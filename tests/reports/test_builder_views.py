"""The builder page, its downloads (Excel with a native chart, CSV) and saved reports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kglijn.contacts.models import Contact
from kglijn.reports.builder import ReportDefinition, report_run
from kglijn.reports.builder.exports import report_csv
from kglijn.reports.builder.saved import report_delete, report_save, saved_report_list
from kglijn.reports.builder.views import definition_query
from kglijn.reports.models import SavedReport
from tests.conftest import PASSWORD
from tests.reports.test_builder import (
    expected_counts,
    register_random_contacts,
    seed_catalogues,
)

PERIOD = {"date_from": "2023-01-10", "date_to": "2023-11-15"}


def _login(client: Any, user: User) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    seed_catalogues()
    return register_random_contacts(
        120, seed=7, first=dt.date(2022, 12, 20), last=dt.date(2023, 12, 10)
    )


def _query(**params: Any) -> str:
    base: dict[str, Any] = {"measure": "contacts", "dim1": "month", "dim2": "channel", **PERIOD}
    base.update(params)
    return urlencode(base, doseq=True)


def _definition(**kwargs: Any) -> ReportDefinition:
    base: dict[str, Any] = {
        "dimensions": ("month", "channel"),
        "date_from": dt.date(2023, 1, 10),
        "date_to": dt.date(2023, 11, 15),
    }
    return ReportDefinition(**{**base, **kwargs})


def test_analyst_builds_a_report(client: Any, analyst: User, contacts: list[Contact]) -> None:
    _login(client, analyst)

    response = client.get(f"{reverse('reports:builder')}?{_query(f_direction=['in'])}")

    assert response.status_code == 200
    result = response.context["result"]
    definition = _definition(filters={"direction": ("in",)})
    assert result.definition == definition
    truth = expected_counts(definition)
    assert result.count_total == sum(truth.values())
    assert response.context["chart"]["kind"] == "line"
    assert response.context["chart"]["labels"] == result.row_labels
    html = response.content.decode()
    assert 'id="builder-chart"' in html
    assert "kglijn/vendor/chartjs/chart.umd.min.js" in html
    assert "kglijn/charts.js" in html
    assert 'id="builder-chart-data" type="application/json"' in html
    assert "<script>" not in html  # no inline scripts: only src= and json_script data
    assert reverse("reports:overview") in html  # the built-in yearly report entry


def test_htmx_request_gets_the_result_fragment(
    client: Any, analyst: User, contacts: list[Contact]
) -> None:
    _login(client, analyst)

    response = client.get(
        f"{reverse('reports:builder')}?{_query(dim1='channel', dim2='')}", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="builder-table"' in html
    assert response.context["chart"]["kind"] == "bar"
    assert "HX-Request" in response["Vary"]


def test_default_page_shows_a_report(client: Any, analyst: User, contacts: list[Contact]) -> None:
    _login(client, analyst)

    response = client.get(reverse("reports:builder"))

    assert response.status_code == 200
    result = response.context["result"]
    assert result.definition.dimensions == ("month", "channel")
    # The latest year with contacts, up to today.
    assert result.definition.date_from == dt.date(2023, 1, 1)
    assert result.definition.date_to == dt.date(2023, 12, 31)


def test_unanswerable_combination_is_shown_as_an_error(
    client: Any, analyst: User, contacts: list[Contact]
) -> None:
    _login(client, analyst)
    client.post(reverse("set_language"), {"language": "en"})

    response = client.get(f"{reverse('reports:builder')}?{_query(dim1='hour', dim2='province')}")

    assert response.status_code == 200
    assert response.context["result"] is None
    assert "Hour cannot be combined with province." in response.content.decode()


def test_front_office_agent_gets_403_everywhere(client: Any, agent: User, db: None) -> None:
    _login(client, agent)
    saved = SavedReport.objects.count()

    for url in (
        reverse("reports:builder"),
        f"{reverse('reports:builder_xlsx')}?{_query()}",
        f"{reverse('reports:builder_csv')}?{_query()}",
        reverse("reports:dashboard"),
        reverse("reports:saved_open", args=[1]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("reports:saved_create"), {"name": "x", "saved_query": _query()})
    assert response.status_code == 403
    assert SavedReport.objects.count() == saved


def test_xlsx_has_the_numbers_and_a_native_chart(
    client: Any, analyst: User, contacts: list[Contact]
) -> None:
    _login(client, analyst)

    response = client.get(f"{reverse('reports:builder_xlsx')}?{_query()}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport_2023-01-10_2023-11-15.xlsx"'
    )
    content = response.content
    result = report_run(definition=_definition())
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Rapport"]
    rows = list(sheet.iter_rows(values_only=True))
    # Dutch headers (the documents' language), whatever the .po already translates.
    header_index = next(i for i, row in enumerate(rows) if row[0] == result.row_dimension_label)
    assert rows[header_index][: len(result.column_labels) + 2] == (
        result.row_dimension_label,
        "Telefoon",
        "E-mail",
        "Chat",
        "Totaal",
    )
    body = rows[header_index + 1 : header_index + 1 + len(result.row_labels)]
    for row, label, counts, total in zip(
        body, result.row_labels, result.counts, result.count_row_totals, strict=True
    ):
        assert row[0] == label
        assert list(row[1:5]) == [*counts, total]
        assert all(isinstance(value, int) for value in row[1:5])
    totals = rows[header_index + 1 + len(result.row_labels)]
    assert totals[0] == "Totaal"
    assert list(totals[1:5]) == [*result.count_column_totals, result.count_total]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:lineChart>" in chart  # month first: a line per channel
    assert chart.count("<c:ser>") == 3


def test_xlsx_share_of_reasons_is_a_bar_chart_with_percentages(
    client: Any, analyst: User, contacts: list[Contact]
) -> None:
    _login(client, analyst)

    response = client.get(
        f"{reverse('reports:builder_xlsx')}?{_query(measure='share', dim1='reason', dim2='')}"
    )

    assert response.status_code == 200
    result = report_run(
        definition=_definition(measure="share", dimensions=("reason",)),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Rapport"]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row[0] == result.row_dimension_label)
    body = rows[header_index + 1 : header_index + 1 + len(result.row_labels)]
    assert [row[1] for row in body] == [values[0] for values in result.values]
    assert abs(sum(float(str(row[1])) for row in body) - 100) < 0.1
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart


def test_csv_content(client: Any, analyst: User, contacts: list[Contact]) -> None:
    _login(client, analyst)

    response = client.get(
        f"{reverse('reports:builder_csv')}?{_query(dim1='channel', dim2='direction')}"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    result = report_run(definition=_definition(dimensions=("channel", "direction")))
    lines = response.content.decode().splitlines()
    assert lines[0] == "Kanaal,Inkomend,Uitgaand,Totaal"
    assert lines[1:] == [
        f"{label},{counts[0]},{counts[1]},{total}"
        for label, counts, total in zip(
            ["Telefoon", "E-mail", "Chat"], result.counts, result.count_row_totals, strict=True
        )
    ] + [f"Totaal,{result.count_column_totals[0]},{result.count_column_totals[1]},"
         f"{result.count_total}"]  # fmt: skip


def test_csv_of_shares_has_two_decimals(contacts: list[Contact]) -> None:
    result = report_run(definition=_definition(measure="share", dimensions=("channel",)))
    lines = report_csv(result).splitlines()
    assert lines[0] == f"Kanaal,{result.measure_label}"
    values = [line.split(",")[1] for line in lines[1:]]
    assert values == [f"{row[0]:.2f}" for row in result.values] + ["100.00"]


def test_bad_download_request_is_400(client: Any, analyst: User, db: None) -> None:
    _login(client, analyst)

    response = client.get(f"{reverse('reports:builder_csv')}?{_query(dim1='hour', dim2='topic')}")

    assert response.status_code == 400


# --- saved reports -------------------------------------------------------------------------------


def test_report_save_creates_and_replaces_by_name(analyst: User) -> None:
    seed_catalogues()
    first = report_save(owner=analyst, name="  Per  maand ", definition=_definition())
    assert first.name == "Per maand"
    assert ReportDefinition.from_json(first.definition) == _definition()

    second = report_save(
        owner=analyst, name="Per maand", definition=_definition(dimensions=("year",))
    )

    assert second.pk == first.pk
    assert SavedReport.objects.count() == 1
    assert ReportDefinition.from_json(SavedReport.objects.get().definition) == _definition(
        dimensions=("year",)
    )


def test_report_save_refuses_bad_input_and_writes_nothing(analyst: User, agent: User) -> None:
    seed_catalogues()
    with pytest.raises(ValidationError) as caught:
        report_save(owner=analyst, name=" ", definition=_definition(dimensions=("hour", "topic")))
    assert set(caught.value.message_dict) == {"name", "dimensions"}
    with pytest.raises(PermissionDenied):
        report_save(owner=agent, name="mine", definition=_definition())
    assert SavedReport.objects.count() == 0


def test_only_the_owner_deletes(analyst: User, make_user: Any) -> None:
    seed_catalogues()
    other = make_user("analyst", "analyst2")
    report = report_save(owner=analyst, name="Kanalen", definition=_definition())

    with pytest.raises(PermissionDenied):
        report_delete(report=report, by=other)
    assert SavedReport.objects.filter(pk=report.pk).exists()

    report_delete(report=report, by=analyst)
    assert not SavedReport.objects.exists()


def test_saved_reports_are_listed_for_report_viewers_own_first(
    analyst: User, agent: User, make_user: Any
) -> None:
    seed_catalogues()
    other = make_user("analyst", "analyst2")
    report_save(owner=other, name="A van collega", definition=_definition())
    report_save(owner=analyst, name="Z van mij", definition=_definition())

    assert [r.name for r in saved_report_list(user=analyst)] == ["Z van mij", "A van collega"]
    assert list(saved_report_list(user=agent)) == []


def test_save_open_and_delete_through_the_pages(
    client: Any, analyst: User, make_user: Any, contacts: list[Contact]
) -> None:
    _login(client, analyst)
    query = _query(f_province=["", "BE-VAN"], measure="share", share_of="row")

    response = client.post(
        reverse("reports:saved_create"), {"name": "Provincies", "saved_query": query}
    )

    report = SavedReport.objects.get()
    assert (report.name, report.owner) == ("Provincies", analyst)
    definition = ReportDefinition.from_json(report.definition)
    assert definition == _definition(
        measure="share", share_of="row", filters={"province": ("", "BE-VAN")}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:builder')}?{definition_query(definition)}"

    page = client.get(reverse("reports:builder"))
    assert "Provincies" in page.content.decode()
    opened = client.get(reverse("reports:saved_open", args=[report.pk]))
    assert opened.status_code == 302
    assert client.get(opened["Location"]).context["result"].definition == definition

    # Another analyst may open it but not delete it.
    client.logout()
    _login(client, make_user("analyst", "analyst2"))
    assert client.get(reverse("reports:saved_open", args=[report.pk])).status_code == 302
    response = client.post(reverse("reports:saved_delete", args=[report.pk]))
    assert response.status_code == 403
    assert SavedReport.objects.filter(pk=report.pk).exists()

    client.logout()
    _login(client, analyst)
    response = client.post(reverse("reports:saved_delete", args=[report.pk]))
    assert response.status_code == 302
    assert not SavedReport.objects.exists()


def test_saving_without_a_name_saves_nothing(
    client: Any, analyst: User, contacts: list[Contact]
) -> None:
    _login(client, analyst)

    response = client.post(reverse("reports:saved_create"), {"name": "", "saved_query": _query()})

    assert response.status_code == 302
    assert not SavedReport.objects.exists()
