"""The bureau page: who may load, the uploads' answers (400 with the errors, redirect on
success), the template download, and only for a bureau's campaign."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kglijn.campaigns.models import PopulationCount, PopulationKind, Response
from tests.campaigns.bureau_world import HEADER, MARGINS, PLAN, bureau_campaign, respondents_csv

pytestmark = pytest.mark.django_db


def _client(make_user: Callable[..., User], role: str) -> Client:
    client = Client()
    client.force_login(make_user(role, role))
    return client


def test_the_team_lead_loads_margins_and_respondents(make_user: Callable[..., User]) -> None:
    campaign = bureau_campaign()
    client = _client(make_user, "team_lead")
    page = client.get(reverse("campaigns:bureau_import", args=[campaign.pk]))
    assert page.status_code == 200
    assert reverse("campaigns:bureau_template", args=[campaign.pk]).encode() in page.content
    answer = client.post(
        reverse("campaigns:bureau_margins_upload", args=[campaign.pk]),
        {
            "margins": SimpleUploadedFile("marges.csv", MARGINS.encode()),
            "plan": SimpleUploadedFile("plan.csv", PLAN.encode()),
        },
    )
    assert answer.status_code == 302
    assert PopulationCount.objects.filter(campaign=campaign).count() == 4
    answer = client.post(
        reverse("campaigns:bureau_respondents_upload", args=[campaign.pk]),
        {"respondents": SimpleUploadedFile("r.csv", respondents_csv())},
    )
    assert answer.status_code == 302
    assert Response.objects.filter(campaign=campaign).count() == 4
    page = client.get(answer["Location"])
    assert b"data-margins" in page.content


def test_an_invalid_file_shows_every_error_with_400(make_user: Callable[..., User]) -> None:
    campaign = bureau_campaign()
    client = _client(make_user, "information_manager")
    bad = respondents_csv(
        ["R1;fax;ja;;;Antwerpen;groep;8;9;7;8;ja;8;", "R2;web;ja;;;A;groep;;;;;;12;"]
    )
    answer = client.post(
        reverse("campaigns:bureau_respondents_upload", args=[campaign.pk]),
        {"respondents": SimpleUploadedFile("r.csv", bad)},
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "data-upload-errors" in text
    assert "rij 2, kolom wijze" in text
    assert "rij 3, kolom algemeen" in text
    assert not Response.objects.exists()
    missing = client.post(reverse("campaigns:bureau_respondents_upload", args=[campaign.pk]), {})
    assert missing.status_code == 400


def test_the_template_download(make_user: Callable[..., User]) -> None:
    campaign = bureau_campaign()
    answer = _client(make_user, "team_lead").get(
        reverse("campaigns:bureau_template", args=[campaign.pk])
    )
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer.content.decode("utf-8-sig").strip() == HEADER


def test_the_analyst_may_not_load_and_anonymous_logs_in(make_user: Callable[..., User]) -> None:
    campaign = bureau_campaign()
    url = reverse("campaigns:bureau_import", args=[campaign.pk])
    assert _client(make_user, "analyst").get(url).status_code == 403
    posted = _client(make_user, "analyst").post(
        reverse("campaigns:bureau_respondents_upload", args=[campaign.pk]),
        {"respondents": SimpleUploadedFile("r.csv", respondents_csv())},
    )
    assert posted.status_code == 403
    assert not Response.objects.exists()
    assert Client().get(url).status_code == 302


def test_a_campaign_run_in_kglijn_has_no_bureau_page(make_user: Callable[..., User]) -> None:
    campaign = bureau_campaign(population_kind=PopulationKind.REGISTER)
    client = _client(make_user, "team_lead")
    assert client.get(reverse("campaigns:bureau_import", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:bureau_template", args=[campaign.pk])).status_code == 404
