"""The satisfaction page /reports/satisfaction/: who may see it, what it shows, the remarks."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Channel
from kglijn.core.models import AuditEvent
from kglijn.surveys.analysis.figures import (
    Month,
)
from kglijn.surveys.analysis.month import satisfaction_analysis
from kglijn.surveys.analysis.queries import (
    NO_TEAM,
    AnalysisFilters,
)
from kglijn.surveys.models import SurveyResponse
from tests.conftest import PASSWORD
from tests.surveys.test_analysis import (
    MARCH,
    World,
    at,
    brussels_month,
    build_world,
    contact_make,
    reference,
    response_make,
)

pytestmark = pytest.mark.django_db

URL = reverse("survey_analysis:page")


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_only_report_roles_see_the_page(world: World, analyst: User, agent: User) -> None:
    assert Client().get(URL).status_code == 403  # as every report page
    assert client_for(agent).get(URL).status_code == 403
    assert client_for(agent).get(reverse("survey_analysis:xlsx")).status_code == 403
    assert client_for(analyst).get(URL).status_code == 200
    assert client_for(world.users["lead"]).get(URL).status_code == 200


def test_the_page_shows_the_months_figures(world: World, analyst: User) -> None:
    response = client_for(analyst).get(URL, {"month": "2024-03"})

    assert response.status_code == 200
    html = response.content.decode()
    analysis = response.context["analysis"]
    assert analysis.month == MARCH
    expected = reference(MARCH)
    assert analysis.total.responses == expected["responses"]
    assert f'data-figure="responses">{expected["responses"]}<' in html
    nps = f"{expected['nps']:.1f}".replace(".", ",")
    assert f'data-figure="nps">{nps}<' in html
    rate = f"{expected['response_rate']:.1f}".replace(".", ",")
    assert f'data-figure="response_rate">{rate} %<' in html
    text = text_of(html)
    assert "Tevredenheid maart 2024" in text
    for title in ("Per kanaal", "Per afdeling", "Per team", "Zonder team", "Team A"):
        assert title in text
    assert "Team C" not in text.split("Per team")[1].split("Verdeling")[0]
    for chart in (
        "chart-trend-nps",
        "chart-trend-means",
        "chart-distribution-scale",
        "chart-distribution-nps",
    ):
        assert f'data-chart="{chart}"' in html
        assert f'id="{chart}"' in html
    assert "kglijn/vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()
    # The definitions are on the page.
    assert "de uitnodigingen die in de maand verstuurd zijn" in text or "uitnodigingen" in text
    assert "Welch" in text


def test_default_month_is_the_last_complete_month_with_answers(world: World, analyst: User) -> None:
    latest = SurveyResponse.objects.latest("answered_at").answered_at
    response = client_for(analyst).get(URL)

    month = Month.of(timezone.localtime(latest).date())
    assert response.context["analysis"].month == month
    assert f'value="{month.iso}"' in response.content.decode()  # shown in the month field


def test_without_answers_the_default_is_the_last_complete_month(analyst: User) -> None:
    response = client_for(analyst).get(URL)

    assert response.context["analysis"].month == Month.of(timezone.localdate()).shift(-1)


def test_filters_narrow_the_figures(world: World, analyst: User) -> None:
    team = world.teams["Team A"]
    response = client_for(analyst).get(
        URL, {"month": "2024-03", "channel": "phone", "team": str(team.pk)}
    )
    analysis = response.context["analysis"]
    expected = reference(MARCH, channel=Channel.PHONE, team=str(team.pk))
    assert analysis.total.responses == expected["responses"]
    assert analysis.total.asked == expected["asked"]
    assert [row.key for row in analysis.by_channel] == ["phone"]
    assert [row.key for row in analysis.by_team] == [str(team.pk)]
    assert response.context["query"] == f"month=2024-03&channel=phone&office=&team={team.pk}"


def test_a_month_without_answers_shows_dashes_not_zeros(world: World, analyst: User) -> None:
    response = client_for(analyst).get(URL, {"month": "2023-06"})
    html = response.content.decode()
    assert 'data-figure="nps">–<' in html
    assert 'data-figure="courtesy">–<' in html
    assert 'data-figure="response_rate">–<' in html
    assert 'data-figure="responses">0<' in html


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2024-13", "is geen maand"),
        ("maart", "is geen maand"),
        ("2999-01", "Kies deze maand of een eerdere"),
        ("1999-12", "Kies een maand vanaf 2000"),
    ],
)
def test_a_wrong_month_is_explained(world: World, analyst: User, month: str, message: str) -> None:
    response = client_for(analyst).get(URL, {"month": month})
    assert response.status_code == 200
    assert "analysis" not in response.context
    assert message in response.content.decode()
    download = client_for(analyst).get(reverse("survey_analysis:csv"), {"month": month})
    assert download.status_code == 400
    assert message in download.content.decode()


def test_an_unknown_team_or_channel_is_refused(world: World, analyst: User) -> None:
    response = client_for(analyst).get(URL, {"month": "2024-03", "team": "999999"})
    assert "analysis" not in response.context
    assert "team" in response.context["form"].errors
    response = client_for(analyst).get(URL, {"month": "2024-03", "channel": "fax"})
    assert "channel" in response.context["form"].errors


def test_analysts_see_only_the_number_of_remarks(world: World, analyst: User) -> None:
    before = AuditEvent.objects.count()
    response = client_for(analyst).get(URL, {"month": "2024-03"})
    html = response.content.decode()
    count = reference(MARCH)["remarks"]
    assert f"{count} antwoorden van deze maand hebben een opmerking" in text_of(html)
    assert "Opmerking " not in html  # the remark texts all start so
    assert "data-remark=" not in html
    assert AuditEvent.objects.count() == before


def test_team_leads_read_the_remarks_and_each_read_is_audited(world: World) -> None:
    lead = world.users["lead"]
    for index in range(12):
        contact = contact_make(received_at=at(2024, 3, 20), channel=Channel.CHAT)
        response_make(contact, answered_at=at(2024, 3, 20, 11, index), remark=f"Chat {index}")
    before = AuditEvent.objects.count()
    response = client_for(lead).get(URL, {"month": "2024-03"})
    html = response.content.decode()
    expected = sorted(
        (
            r
            for r in SurveyResponse.objects.exclude(remark="")
            if brussels_month(r.answered_at) == (2024, 3)
        ),
        key=lambda r: (r.answered_at, r.pk),
        reverse=True,
    )
    shown = [int(pk) for pk in re.findall(r'data-remark="(\d+)"', html)]
    assert shown == [r.pk for r in expected[:20]]
    for r in expected[:20]:
        assert r.remark in html
    assert reverse("contacts:detail", args=[expected[0].contact_id]) in html
    assert AuditEvent.objects.count() == before + 20
    # The next page comes through htmx, without the figures.
    page_two = client_for(lead).get(
        URL, {"month": "2024-03", "part": "remarks", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    html_two = page_two.content.decode()
    assert "data-figure" not in html_two
    assert html_two.lstrip().startswith('<section class="card" aria-labelledby="h-remarks"')
    shown_two = [int(pk) for pk in re.findall(r'data-remark="(\d+)"', html_two)]
    assert shown_two == [r.pk for r in expected[20:40]]
    assert AuditEvent.objects.count() == before + 20 + len(shown_two)


def test_the_page_cost_does_not_grow_with_the_answers(world: World) -> None:
    client = client_for(world.users["lead"])
    for index in range(20):  # a full page of remarks (each one read is audited: one insert)
        contact = contact_make(received_at=at(2024, 3, 4), channel=Channel.CHAT)
        response_make(contact, answered_at=at(2024, 3, 4, 12, index), remark=f"Chat {index}")
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"month": "2024-03"})
    for index in range(60):
        contact = contact_make(received_at=at(2024, 3, 3), handler=world.users["n1"])
        response_make(
            contact, answered_at=at(2024, 3, 3, 11), recommendation=index % 11, remark="Nieuw"
        )
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"month": "2024-03"})
    # Session, user, permissions, teams, 4 for the figures, remarks: count + page + 20 audits.
    assert len(small.captured_queries) == len(large.captured_queries) < 40


def test_the_reports_tabs_link_the_page(world: World, analyst: User) -> None:
    for page in ("reports:dashboard", "reports:builder", "reports:overview"):
        html = client_for(analyst).get(reverse(page)).content.decode()
        assert f'href="{URL}"' in html
    html = client_for(analyst).get(URL).content.decode()
    assert f'href="{URL}" aria-current="page"' in html


def test_no_team_filter_equals_the_analysis(world: World, analyst: User) -> None:
    response = client_for(analyst).get(URL, {"month": "2024-02", "team": NO_TEAM})
    direct = satisfaction_analysis(month=Month(2024, 2), filters=AnalysisFilters(team=NO_TEAM))
    assert response.context["analysis"].total == direct.total
