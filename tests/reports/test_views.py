import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from kglijn.contacts.services import contact_register
from tests.conftest import PASSWORD


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_analyst_sees_figures_per_year(client, analyst, agent) -> None:
    when = dt.datetime(2022, 6, 1, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    contact_register(by=agent, channel="chat", received_at=when, province="BE-VLI")
    _login(client, analyst)

    response = client.get(reverse("reports:overview"), {"from": "2022-01-01", "to": "2022-12-31"})

    assert response.status_code == 200
    figures = response.context["years"]
    assert [(y.year, y.incoming["chat"], y.province_share_pct["BE-VLI"]) for y in figures] == [
        (2022, 1, 100.0)
    ]


def test_bad_date_gets_a_clear_message(client, analyst) -> None:
    _login(client, analyst)

    response = client.get(reverse("reports:overview"), {"from": "2022-13-01"})

    assert response.status_code == 200
    assert any("2022-13-01" in str(error) for error in response.context["errors"])


def test_front_office_agent_may_not_see_reports(client, agent) -> None:
    _login(client, agent)

    assert client.get(reverse("reports:overview")).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_offered_the_login_page(client) -> None:
    response = client.get(reverse("reports:overview"), {"from": "2023-01-01"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Meld je aan" in page
    assert "/login/?next=/reports/%3Ffrom%3D2023-01-01" in page
    assert "Je rol geeft je geen toegang" not in page
