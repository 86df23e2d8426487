"""Improvement actions (issue 20 item 6): create and edit by permission, overdue marked and
filtered, and the next measurement's view of them beside the theme's change."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.campaigns.actions.services import (
    actions_by_theme_key,
    is_overdue,
    previous_chain,
    theme_changes,
)
from kglijn.campaigns.models import (
    ActionStatus,
    Answer,
    Campaign,
    ImprovementAction,
    Item,
    Mode,
    Response,
    ResponseSource,
)
from tests.campaigns.bureau_world import bureau_campaign, questionnaire_version

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _action(
    campaign: Campaign, owner: User, key: str = "website", **fields: object
) -> ImprovementAction:
    theme = campaign.version.themes.get(key=key)
    values: dict[str, object] = {
        "campaign": campaign,
        "theme": theme,
        "theme_key": key,
        "title": f"Actie {key}",
        "owner": owner,
        "due_date": TODAY + dt.timedelta(days=30),
    }
    values.update(fields)
    return ImprovementAction.objects.create(**values)


def test_the_team_lead_creates_an_action_from_a_theme(make_user: Callable[..., User]) -> None:
    lead = make_user("team_lead", "lea")
    owner = make_user("information_manager", "ivo")
    campaign = bureau_campaign()
    client = _client(lead)
    url = reverse("campaigns:action_new", args=[campaign.pk])
    form = client.get(url + "?thema=website")
    assert form.status_code == 200
    theme = campaign.version.themes.get(key="website")
    assert f'<option value="{theme.pk}" selected>'.encode() in form.content
    answer = client.post(
        url,
        {
            "theme": theme.pk,
            "title": "Nieuwe website",
            "description": "Beter vindbaar.",
            "owner": owner.pk,
            "due_date": "2024-03-31",
            "status": ActionStatus.PLANNED,
        },
    )
    assert answer.status_code == 302
    action = ImprovementAction.objects.get()
    assert (action.campaign, action.theme_key, action.owner, action.created_by) == (
        campaign,
        "website",
        owner,
        lead,
    )
    invalid = client.post(
        url,
        {"theme": theme.pk, "title": "", "owner": owner.pk, "due_date": "gisteren", "status": "x"},
    )
    assert invalid.status_code == 400
    assert ImprovementAction.objects.count() == 1


def test_a_theme_of_another_version_is_refused(make_user: Callable[..., User]) -> None:
    lead = make_user("team_lead", "lea")
    campaign = bureau_campaign()
    other = questionnaire_version().themes.get(key="website")
    answer = _client(lead).post(
        reverse("campaigns:action_new", args=[campaign.pk]),
        {
            "theme": other.pk,
            "title": "X",
            "owner": lead.pk,
            "due_date": "2024-03-31",
            "status": "planned",
        },
    )
    assert answer.status_code == 400
    assert not ImprovementAction.objects.exists()


def test_edit_status_and_result(make_user: Callable[..., User]) -> None:
    manager = make_user("information_manager", "ivo")
    action = _action(bureau_campaign(), manager)
    url = reverse("campaigns:action_edit", args=[action.pk])
    client = _client(manager)
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "title": action.title,
            "owner": manager.pk,
            "due_date": action.due_date.isoformat(),
            "status": ActionStatus.DONE,
            "result": "Website vernieuwd.",
        },
    )
    assert answer.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.result) == (ActionStatus.DONE, "Website vernieuwd.")


def test_the_analyst_reads_but_does_not_change(make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", "ann")
    owner = make_user("team_lead", "lea")
    campaign = bureau_campaign()
    action = _action(campaign, owner)
    client = _client(analyst)
    assert client.get(reverse("campaigns:campaign_actions", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("campaigns:action_list")).status_code == 200
    assert client.get(reverse("campaigns:action_new", args=[campaign.pk])).status_code == 403
    assert (
        client.post(
            reverse("campaigns:action_edit", args=[action.pk]), {"status": "done"}
        ).status_code
        == 403
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED
    agent = make_user("front_office", "aga")
    assert _client(agent).get(reverse("campaigns:action_list")).status_code == 403
    assert Client().get(reverse("campaigns:action_list")).status_code == 302


def test_overdue_is_marked_by_text_and_filtered(make_user: Callable[..., User]) -> None:
    lead = make_user("team_lead", "lea")
    campaign = bureau_campaign()
    late = _action(campaign, lead, title="Te laat", due_date=TODAY - dt.timedelta(days=1))
    done = _action(
        campaign,
        lead,
        title="Klaar",
        due_date=TODAY - dt.timedelta(days=9),
        status=ActionStatus.DONE,
    )
    coming = _action(campaign, lead, title="Komt nog", due_date=TODAY)
    assert is_overdue(late)
    assert not is_overdue(done)
    assert not is_overdue(coming)
    client = _client(lead)
    page = client.get(reverse("campaigns:action_list"))
    text = page.content.decode()
    assert text.count("data-overdue-row") == 1
    assert "te laat" in text  # the marker is text, the icon only decorates
    filtered = client.get(reverse("campaigns:action_list"), {"overdue": "on"})
    assert "Te laat" in filtered.content.decode()
    assert "Komt nog" not in filtered.content.decode()
    by_status = client.get(reverse("campaigns:action_list"), {"status": "done"})
    assert "Klaar" in by_status.content.decode()
    assert "Komt nog" not in by_status.content.decode()
    assert client.get(reverse("campaigns:action_list"), {"status": "kapot"}).status_code == 400


def _responses(campaign: Campaign, rows: list[tuple[float | None, str, list[int]]]) -> None:
    """rows: (weight, stratum, satisfaction per website item) for complete responses."""
    item = Item.objects.get(version=campaign.version, key="website")
    for number, (weight, stratum, scores) in enumerate(rows):
        response = Response.objects.create(
            campaign=campaign,
            source=ResponseSource.BUREAU,
            import_key=f"k{number}",
            mode=Mode.WEB,
            stratum=stratum,
            started_at=timezone.now(),
            completed_at=timezone.now(),
            weight=weight,
        )
        for score in scores:
            Answer.objects.create(response=response, item=item, satisfaction=score, importance=8)


def test_the_next_measurement_shows_the_actions_beside_the_change(
    make_user: Callable[..., User],
) -> None:
    lead = make_user("team_lead", "lea")
    version = questionnaire_version()
    first = bureau_campaign(version, name="2019")
    second = bureau_campaign(version, name="2022", previous=first)
    third = bureau_campaign(version, name="2025", previous=second)
    old = _action(first, lead, title="Oud")
    new = _action(second, lead, title="Nieuw")
    _action(second, lead, key="bereikbaarheid", title="Bereik")
    assert previous_chain(third) == [second, first]
    by_key = actions_by_theme_key(third)
    assert by_key["website"] == [new, old]  # the nearest measurement first
    assert [a.title for a in by_key["bereikbaarheid"]] == ["Bereik"]
    assert actions_by_theme_key(first) == {}
    _responses(second, [(2.0, "a", [6]), (1.0, "a", [8]), (1.0, "b", [5])])
    _responses(third, [(None, "a", [9]), (None, "b", [7])])  # no weights yet: 1
    change = next(c for c in theme_changes(third) if c.key == "website")
    assert change.previous is not None
    assert change.current is not None
    assert change.change is not None
    assert change.previous.mean == pytest.approx((2 * 6 + 8 + 5) / 4)
    assert change.current.mean == pytest.approx(8.0)
    assert change.change.difference == pytest.approx(8.0 - 6.25)
    expected_se = math.sqrt(change.current.se**2 + change.previous.se**2)
    assert change.change.se == pytest.approx(expected_se)
    reach = next(c for c in theme_changes(third) if c.key == "bereikbaarheid")
    assert reach.change is None  # not measured
    page = _client(lead).get(reverse("campaigns:campaign_actions", args=[third.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "data-theme-changes" in text
    assert "Nieuw" in text
    assert "Oud" in text
    assert "+1,75" in text


def test_a_cycle_in_the_previous_chain_ends_the_walk() -> None:
    version = questionnaire_version()
    a = bureau_campaign(version, name="a")
    b = bureau_campaign(version, name="b", previous=a)
    Campaign.objects.filter(pk=a.pk).update(previous=b)
    a.refresh_from_db()
    assert previous_chain(a) == [b]
