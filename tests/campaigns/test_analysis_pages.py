"""Issue 20 item 4: the results page, the "Gewichten berekenen" button by permission, the audit
of the open answers and the Excel download with its native charts."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.campaigns.analysis.services import campaign_results, campaign_weights_compute
from kglijn.campaigns.models import PopulationCount, Response
from kglijn.core.models import AuditEvent
from tests.campaigns.analysis_world import NOW, build_campaign

pytestmark = pytest.mark.django_db


def _client(make_user: Callable[..., User], role: str) -> Client:
    client = Client()
    client.force_login(make_user(role, role))
    return client


@pytest.fixture
def weighted_pair() -> tuple:
    previous, _v1 = build_campaign(name="Ouders 2019", seed=5, shift=-0.6, n=150)
    campaign_weights_compute(previous, now=NOW)
    campaign, _v2 = build_campaign(name="Ouders 2023", seed=6, previous=previous, n=180)
    campaign_weights_compute(campaign, now=NOW)
    return campaign, previous


def test_results_page_shows_the_weighted_figures_themes_matrix_and_open_answers(
    make_user: Callable[..., User], weighted_pair: tuple
) -> None:
    campaign, previous = weighted_pair
    client = _client(make_user, "analyst")
    response = client.get(reverse("campaigns:results", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    results = campaign_results(campaign)
    assert results.overall is not None
    # weighted, said in words, with the overall score, its interval and n
    assert 'data-weighted="yes"' in html
    assert "Gewogen" in html
    assert f"{results.overall.mean:.1f}".replace(".", ",") in html
    assert f"n = {results.overall.n} respondenten" in html
    assert f"{results.overall.ci_low:.2f}".replace(".", ",") in html
    # every theme in the table, its quadrant in words and the change with its marker in text
    for theme in results.themes:
        assert f'data-theme="{theme.theme.key}" data-quadrant="{theme.quadrant}"' in html
    assert "Hier verbeteren" in html
    assert "significant hoger" in html
    assert f"Verschil met {previous.name}" in html
    # the matrix as a scatter spec with its crosshair, and its table
    spec = json.loads(html.split('id="chart-matrix" type="application/json">')[1].split("<")[0])
    assert spec["kind"] == "scatter"
    assert results.crosshair is not None
    assert spec["crosshair"]["x"] == pytest.approx(results.crosshair.satisfaction, abs=1e-3)
    assert 'id="chart-matrix"' in html
    assert "data-matrix" in html
    # the open answers, grouped, with the warning; e-mail addresses masked
    assert "openingsuren" in html
    assert "persoonsgegevens" in html
    assert "ouder@example.org" not in html
    # the analyst may not compute weights: no button
    assert "data-compute-weights" not in html
    # reading the open answers is audit-logged
    event = AuditEvent.objects.get(object_type="campaign_open_answers", object_id=campaign.pk)
    assert event.action == AuditEvent.Action.VIEW
    assert event.detail["answers"] == results.open_answers


def test_unweighted_results_say_so(make_user: Callable[..., User]) -> None:
    campaign, _version = build_campaign(n=50, margins=None)
    client = _client(make_user, "team_lead")
    html = client.get(reverse("campaigns:results", args=[campaign.pk])).content.decode()
    assert 'data-weighted="no"' in html
    assert "Ongewogen" in html
    assert "data-compute-weights" in html


def test_the_button_computes_the_weights_for_a_campaign_manager(
    make_user: Callable[..., User],
) -> None:
    campaign, _version = build_campaign(n=120)
    client = _client(make_user, "team_lead")
    url = reverse("campaigns:results_weights", args=[campaign.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("campaigns:results", args=[campaign.pk])
    html = response.content.decode()
    assert "Gewichten berekend voor 120 volledige antwoorden." in html
    assert 'data-weighted="yes"' in html
    assert "data-weighting-report" in html
    assert not Response.objects.filter(campaign=campaign, completed_at__isnull=False, weight=None)
    assert AuditEvent.objects.filter(object_type="campaign_weights", object_id=campaign.pk)


def test_the_button_shows_the_problems_in_dutch(make_user: Callable[..., User]) -> None:
    campaign, _version = build_campaign(n=80)
    PopulationCount.objects.create(campaign=campaign, variable="age", category="3-4", count=0)
    PopulationCount.objects.create(campaign=campaign, variable="province", category="BXL", count=5)
    PopulationCount.objects.filter(campaign=campaign, variable="province", category="ANT").update(
        count=2995
    )
    client = _client(make_user, "information_manager")
    response = client.post(reverse("campaigns:results_weights", args=[campaign.pk]), follow=True)
    html = response.content.decode()
    assert "De gewichten konden niet berekend worden" in html
    assert "province = BXL: populatie 5, maar geen enkele respondent" in html
    assert 'data-weighted="no"' in html


def test_the_button_is_refused_without_manage_campaign(
    make_user: Callable[..., User],
) -> None:
    campaign, _version = build_campaign(n=30)
    client = _client(make_user, "analyst")
    response = client.post(reverse("campaigns:results_weights", args=[campaign.pk]))
    assert response.status_code == 403
    assert not Response.objects.filter(campaign=campaign).exclude(weight=None).exists()
    assert client.get(reverse("campaigns:results_weights", args=[campaign.pk])).status_code == 405


def test_results_need_view_results(make_user: Callable[..., User]) -> None:
    campaign, _version = build_campaign(n=20)
    client = _client(make_user, "front_office")
    assert client.get(reverse("campaigns:results", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaigns:results_xlsx", args=[campaign.pk])).status_code == 403
    assert not AuditEvent.objects.filter(object_type="campaign_open_answers").exists()


def test_excel_has_the_values_and_native_charts(
    make_user: Callable[..., User], weighted_pair: tuple
) -> None:
    campaign, _previous = weighted_pair
    client = _client(make_user, "analyst")
    response = client.get(reverse("campaigns:results_xlsx", args=[campaign.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Resultaten", "Items", "Open antwoorden", "Weging"]
    sheet = book["Resultaten"]
    results = campaign_results(campaign)
    assert results.overall is not None
    assert sheet["A2"].value.startswith("Gewogen")
    assert sheet["A6"].value == "Totaalscore"
    assert sheet["B6"].value == pytest.approx(results.overall.mean)
    assert sheet["E6"].value == results.overall.n
    for row, theme in enumerate(results.themes, start=9):
        assert sheet.cell(row, 1).value == theme.theme.title_nl
        assert theme.satisfaction is not None
        assert sheet.cell(row, 2).value == pytest.approx(theme.satisfaction.mean)
        assert sheet.cell(row, 10).value == pytest.approx(theme.importance_value)
        assert sheet.cell(row, 12).value == theme.quadrant_label
    # native charts: a bar chart and a scatter chart sit in the sheet (openpyxl reads them
    # from the drawing's parts)
    names = {name for name in _zip_names(response.content) if name.startswith("xl/charts/")}
    assert names == {"xl/charts/chart1.xml", "xl/charts/chart2.xml"}
    charts = [_zip_text(response.content, name) for name in sorted(names)]
    assert "<c:barChart>" in charts[0]
    assert "<c:scatterChart>" in charts[1]
    # no open answer text leaves kglijn in the file
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if c.value]
    assert not any("example.org" in str(text) for text in texts)
    assert book["Weging"]["B3"].value == "raking"


def _zip_names(content: bytes) -> list[str]:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(content)).namelist()


def _zip_text(content: bytes, name: str) -> str:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(content)).read(name).decode()
