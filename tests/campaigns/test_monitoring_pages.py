"""The response and methodology pages: who may open them, and every number on the methodology
page recomputed here from the stored rows."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from scipy import stats

from kglijn.campaigns.models import Campaign, ImprovementAction, Response, StratumPlan
from kglijn.campaigns.monitoring.answers import MethodologyAnswer
from tests.campaigns.monitoring_world import PLAN, build_bureau_world, build_campaign_world

pytestmark = pytest.mark.django_db
Z = 1.959963984540054


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_who_may_open_the_pages(make_user: Callable[..., User]) -> None:
    campaign = build_bureau_world()
    allowed = [_client(make_user(role)) for role in ("team_lead", "information_manager", "analyst")]
    denied = [_client(make_user(role)) for role in ("front_office", "administrator")]
    for name in ("response", "response_xlsx", "methodology", "methodology_xlsx"):
        url = reverse(f"campaigns:{name}", args=[campaign.pk])
        assert Client().get(url).status_code == 302, name  # anonymous: the login page
        assert [c.get(url).status_code for c in allowed] == [200, 200, 200], name
        assert [c.get(url).status_code for c in denied] == [403, 403], name
        missing = reverse(f"campaigns:{name}", args=[campaign.pk + 1000])
        assert allowed[2].get(missing).status_code == 404, name
        assert allowed[2].post(url).status_code == 405, name


def test_response_page_flags_the_stratum_below_the_minimum(
    make_user: Callable[..., User],
) -> None:
    campaign = build_campaign_world().campaign
    response = _client(make_user("analyst")).get(reverse("campaigns:response", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bijgewerkt om" in html
    flagged = html.split('data-stratum="province=VBR | age=0-1"')[1].split("</tr>")[0]
    assert "data-below-minimum" in flagged
    assert "onder het minimum" in flagged
    assert "⚠" in flagged
    ok = html.split('data-stratum="province=ANT | age=0-1"')[1].split("</tr>")[0]
    assert "data-below-minimum" not in ok
    assert "bereikt" in ok
    assert 'data-chart="chart-response-strata"' in html
    assert 'id="chart-response-dropouts"' in html
    assert response.context["totals"].complete == 41
    # Every chart's numbers are in a table too.
    assert "data-response-dropouts" in html
    assert "data-response-modes" in html


def test_response_download_holds_the_page_figures(make_user: Callable[..., User]) -> None:
    campaign = build_campaign_world().campaign
    response = _client(make_user("analyst")).get(
        reverse("campaigns:response_xlsx", args=[campaign.pk])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Respons", "Strata", "Modi", "Afhakers", "Representativiteit"]
    strata = book["Strata"]
    rows = {row[0]: row for row in strata.iter_rows(min_row=4, values_only=True) if row[0]}
    vbr = rows["province=VBR | age=0-1"]
    assert vbr[1:6] == (200, 20, 19, 4, 3)
    assert vbr[7] == pytest.approx(20.0)
    assert vbr[10] == "ja"
    assert strata._charts  # type: ignore[attr-defined]  # the native chart


def _figures(client: Client, campaign: Campaign) -> dict[str, MethodologyAnswer]:
    response = client.get(reverse("campaigns:methodology", args=[campaign.pk]))
    assert response.status_code == 200
    return {answer.key: answer for answer in response.context["answers"]}


def test_every_number_on_the_methodology_page_recomputes(make_user: Callable[..., User]) -> None:
    lead = make_user("team_lead")
    world = build_campaign_world(owner=lead)
    campaign = world.campaign
    client = _client(make_user("analyst"))
    response = client.get(reverse("campaigns:methodology", args=[campaign.pk]))
    html = response.content.decode()
    answers = {a.key: a for a in response.context["answers"]}
    assert list(answers) == [
        "population",
        "design",
        "sample",
        "invited",
        "respondents",
        "response_rate",
        "modes",
        "weighting",
        "standardised",
        "margin",
        "overall",
        "representativeness",
        "trend",
        "follow_up",
        "cost",
    ]
    for number, key in enumerate(answers, start=1):
        assert f'<h2 id="q-{key}">{number}. ' in html

    # Recomputed from the rows, not from the services.
    plans = list(StratumPlan.objects.filter(campaign=campaign))
    big_n = sum(p.population for p in plans)
    sample = sum(p.sample for p in plans)
    responses = list(Response.objects.filter(campaign=campaign))
    complete = [r for r in responses if r.completed_at is not None]
    dropouts = [r for r in responses if r.completed_at is None]
    invited = campaign.invitations.filter(mails__sent_at__isnull=False).distinct().count()
    assert answers["population"].figure == big_n == 1000
    assert "N = 1.000" in answers["population"].answer
    assert "child_age_max = 3" in answers["population"].answer
    assert answers["design"].figure == campaign.seed
    assert "startwaarde 20230301" in answers["design"].answer
    assert "geen zelfselectie" in answers["design"].answer.lower()
    assert answers["sample"].figure == sample == 100
    assert answers["invited"].figure == invited == 97
    assert answers["respondents"].figure == len(complete) == 41
    assert f"{len(dropouts)} " in answers["respondents"].answer
    rate = 100 * len(complete) / sample
    assert answers["response_rate"].figure == pytest.approx(rate, abs=0.005)
    assert "41,0 %" in answers["response_rate"].answer
    assert "1 van 4 strata" in answers["response_rate"].answer
    web = sum(1 for r in complete if r.mode == "web")
    assert answers["modes"].figure == pytest.approx(100 * web / len(complete), abs=0.005)
    assert f"{web} digitaal" in answers["modes"].answer

    weights = np.array([r.weight for r in complete], dtype=float)
    deff_w = len(weights) * float((weights**2).sum()) / float(weights.sum()) ** 2
    assert answers["weighting"].figure == pytest.approx(deff_w, abs=1e-4)
    assert "poststratificatie" in answers["weighting"].answer.lower()
    assert answers["standardised"].answer.startswith("Ja")
    n_eff = len(complete) / deff_w
    moe = 100 * Z * math.sqrt(0.25 / n_eff * (big_n - n_eff) / (big_n - 1))
    assert answers["margin"].figure == pytest.approx(moe, abs=0.005)
    assert f"± {moe:.1f}".replace(".", ",") in answers["margin"].answer

    # The overall score: weighted mean over complete responses, variance by stratum.
    scores = {a.response_id: a.score for a in world.items["totaal"].answers.all()}
    y = np.array([scores[r.pk] for r in complete], dtype=float)
    mean = float((weights * y).sum() / weights.sum())
    assert answers["overall"].figure == pytest.approx(mean, abs=1e-4)
    z = weights * (y - mean) / weights.sum()
    variance = 0.0
    for key in {r.stratum for r in complete}:
        zh = np.array([z[i] for i, r in enumerate(complete) if r.stratum == key])
        variance += len(zh) / (len(zh) - 1) * float(((zh - zh.mean()) ** 2).sum())
    low, high = mean - Z * math.sqrt(variance), mean + Z * math.sqrt(variance)
    overall_text = answers["overall"].answer
    assert f"{low:.2f}".replace(".", ",") in overall_text
    assert f"{high:.2f}".replace(".", ",") in overall_text

    # Representativeness: the age margin by hand (600/400 of 1000).
    ages = [r.strata["age"] for r in complete]
    observed = [ages.count("0-1"), ages.count("2-3")]
    expected = [len(complete) * 0.6, len(complete) * 0.4]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    assert f"χ² = {chi2:.2f}".replace(".", ",") in answers["representativeness"].answer
    assert chi2 == pytest.approx(stats.chisquare(observed, expected).statistic)

    # The trend: the previous campaign unweighted and unstratified.
    before = np.array(
        [a.score for a in world.items["totaal"].answers.filter(response__campaign=world.previous)],
        dtype=float,
    )
    before_mean = float(before.mean())
    before_se = math.sqrt(
        float(((before - before_mean) ** 2).sum()) / (len(before) * (len(before) - 1))
    )
    diff = mean - before_mean
    p = math.erfc(abs(diff / math.sqrt(variance + before_se**2)) / math.sqrt(2))
    assert answers["trend"].figure == pytest.approx(diff, abs=1e-4)
    assert "Ouders 2019" in answers["trend"].answer
    assert ("niet significant" in answers["trend"].answer) == (p >= 0.05)

    assert (
        answers["follow_up"].figure
        == ImprovementAction.objects.filter(campaign=campaign).count()
        == 3
    )
    assert "gepland 2" in answers["follow_up"].answer
    assert "afgehandeld 1" in answers["follow_up"].answer
    assert "ondernemingsplan" in answers["follow_up"].answer
    assert answers["cost"].figure == 81957.0
    per_complete = (Decimal("81957.00") / len(complete)).quantize(Decimal("0.01"))
    assert per_complete == Decimal("1998.95")
    assert "€ 1.998,95 per bruikbare vragenlijst" in answers["cost"].answer

    # The page shows every answer, the stratum table and the tests.
    for answer in answers.values():
        assert str(answer.question) in html
    assert html.count("data-stratum=") == len(PLAN)


def test_methodology_download(make_user: Callable[..., User]) -> None:
    world = build_campaign_world()
    client = _client(make_user("analyst"))
    response = client.get(reverse("campaigns:methodology_xlsx", args=[world.campaign.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Methodologie"
    rows = list(book["Methodologie"].iter_rows(min_row=4, values_only=True))
    assert len(rows) == 15
    assert rows[4][3] == 41  # usable questionnaires
    assert str(rows[0][1]).startswith("Welke populatie")


def test_unweighted_campaign_methodology(make_user: Callable[..., User]) -> None:
    campaign = build_campaign_world(weighted=False).campaign
    answers = _figures(_client(make_user("analyst")), campaign)
    assert answers["weighting"].answer.startswith("Niet gewogen")
    assert answers["standardised"].answer.startswith("Nee")
    big_n, n = 1000, 41
    moe = 100 * Z * math.sqrt(0.25 / n * (big_n - n) / (big_n - 1))
    assert answers["margin"].figure == pytest.approx(moe, abs=0.005)
    assert "niet gewogen" in answers["overall"].answer


def test_bureau_campaign_methodology(make_user: Callable[..., User]) -> None:
    campaign = build_bureau_world()
    answers = _figures(_client(make_user("analyst")), campaign)
    assert "Bureau X" in answers["design"].answer
    assert "census of all organisers" in answers["design"].answer
    assert answers["design"].figure is None
    assert answers["invited"].figure == 60
    assert answers["response_rate"].figure == pytest.approx(100 * 32 / 60, abs=0.005)
    assert answers["population"].figure == 200
    assert answers["trend"].answer == "Er is geen vorige meting."
    assert answers["cost"].answer == "Niet geregistreerd."
