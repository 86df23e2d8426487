"""Forecast (issue 19 item 4): the page /sturing/prognose/, the button and the Excel file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kglijn.steering.forecast.services import forecast_run
from kglijn.steering.models import ForecastRun
from tests.steering.test_forecast_history import TODAY, build_history

pytestmark = pytest.mark.django_db


def _client(make_user: Callable[..., User], role: str) -> Client:
    user = make_user(role)
    client = Client()
    client.force_login(user)
    return client


def test_empty_state_without_a_run(make_user: Callable[..., User]) -> None:
    response = _client(make_user, "analyst").get(reverse("steering:forecast") + "?channel=email")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Er is nog geen prognose van E-mail." in text
    assert "Nieuwe prognose berekenen" not in text  # the analyst may not compute one


def test_the_page_shows_the_forecast_and_the_back_test_side_by_side(
    make_user: Callable[..., User],
) -> None:
    build_history("phone")
    run = forecast_run(channel="phone", today=TODAY)
    client = _client(make_user, "team_lead")
    response = client.get(reverse("steering:forecast") + "?channel=phone&day=2023-11-21")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nieuwe prognose berekenen" in text
    wape = f"{run.backtest_wape_pct:.1f}".replace(".", ",")
    baseline = f"{run.baseline_wape_pct:.1f}".replace(".", ",")
    assert f"<dd data-wape>{wape} %</dd>" in text
    assert f"<dd data-baseline-wape>{baseline} %</dd>" in text
    assert "gemiddelde absolute fout als percentage van het werkelijke volume; lager is beter" in (
        text
    )
    assert 'value="2023-11-21" selected' in text
    charts = response.context["charts"]
    assert len(charts["chart-forecast-days"]["labels"]) == 42
    assert len(charts["chart-backtest"]["labels"]) == 56
    assert charts["chart-forecast-slots"]["labels"][16] == "08:00"
    # A day that is not in the forecast falls back to its first day, not an error.
    response = client.get(reverse("steering:forecast") + "?channel=phone&day=2099-01-01x")
    assert response.status_code == 200
    assert 'value="2023-11-20" selected' in response.content.decode()


def test_the_team_lead_computes_a_new_run_the_analyst_may_not(
    make_user: Callable[..., User],
) -> None:
    today = timezone.localdate()  # the button forecasts from today
    build_history("phone", first=today - dt.timedelta(days=400), last=today - dt.timedelta(days=1))
    analyst = _client(make_user, "analyst")
    url = reverse("steering:forecast_compute")
    assert analyst.post(url, {"channel": "phone"}).status_code == 403
    assert not ForecastRun.objects.exists()
    lead = _client(make_user, "team_lead")
    response = lead.post(url, {"channel": "phone"}, follow=True)
    run = ForecastRun.objects.get()
    assert run.channel == "phone"
    assert run.created_by is not None
    assert "De nieuwe prognose is berekend." in response.content.decode()
    # Too little history for chat: said so, nothing stored.
    response = lead.post(url, {"channel": "chat"}, follow=True)
    assert "Te weinig historiek" in response.content.decode()
    assert ForecastRun.objects.count() == 1


def test_excel_has_the_forecast_the_back_test_and_native_charts(
    make_user: Callable[..., User],
) -> None:
    build_history("phone")
    run = forecast_run(channel="phone", weeks=2, today=TODAY)
    response = _client(make_user, "analyst").get(
        reverse("steering:forecast_xlsx") + "?channel=phone"
    )
    assert response.status_code == 200
    content = response.content
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sum(name.startswith("xl/charts/chart") for name in names) == 2
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Prognose per dag",
        "Prognose per halfuur",
        "Backtest per dag",
        "Backtest per halfuur",
    ]
    assert book["Prognose per halfuur"].max_row == 1 + 14 * 48
    assert book["Backtest per halfuur"].max_row == 1 + 56 * 48
    assert book["Backtest per dag"]["B3"].value == pytest.approx(run.backtest_wape_pct, rel=1e-12)
    assert book["Backtest per dag"]["B4"].value == pytest.approx(run.baseline_wape_pct, rel=1e-12)
