"""The dashboard: this year against last year, provinces, domains, referrals — from rollups."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Contact
from kglijn.reports.dashboard import dashboard_default_year, dashboard_figures
from tests.conftest import PASSWORD
from tests.reports.test_builder import register_random_contacts, seed_catalogues

BXL = ZoneInfo("Europe/Brussels")


def _login(client: Any, user: User) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    seed_catalogues()
    today = timezone.localdate()
    return register_random_contacts(150, seed=5, first=dt.date(today.year - 1, 1, 1), last=today)


def _incoming(year: int, last: dt.date) -> list[Contact]:
    return [
        contact
        for contact in Contact.objects.filter(direction="in").prefetch_related("referrals")
        if dt.date(year, 1, 1) <= contact.received_at.astimezone(BXL).date() <= last
    ]


def test_dashboard_figures_equal_the_contacts(contacts: list[Contact]) -> None:
    today = timezone.localdate()
    year = today.year

    data = dashboard_figures(year=year, today=today)

    this_year = _incoming(year, today)
    leap_day = (today.month, today.day) == (2, 29)
    last_same = _incoming(year - 1, today.replace(year=year - 1, day=28 if leap_day else today.day))
    last_whole = _incoming(year - 1, dt.date(year - 1, 12, 31))
    for channel in data.channels:
        mine = [c for c in this_year if c.channel == channel.channel]
        assert channel.this_year_to_date == len(mine)
        assert channel.last_year_same_period == sum(
            1 for c in last_same if c.channel == channel.channel
        )
        months = Counter(c.received_at.astimezone(BXL).month for c in mine)
        assert channel.this_year == [
            months.get(m, 0) if m <= today.month else None for m in range(1, 13)
        ]
        last_months = Counter(
            c.received_at.astimezone(BXL).month for c in last_whole if c.channel == channel.channel
        )
        assert channel.last_year == [last_months.get(m, 0) for m in range(1, 13)]
    assert data.incoming_to_date == len(this_year)

    provinces = Counter(c.province for c in this_year)
    for key, values in zip(data.provinces.row_keys, data.provinces.values, strict=True):
        assert abs(values[0] - 100 * provinces.get(key, 0) / len(this_year)) <= 0.01
    with_topic = [c for c in this_year if c.topic]
    topics = Counter(c.topic for c in with_topic)
    assert data.topics.row_keys == ["childcare", "family_support"]
    for key, values in zip(data.topics.row_keys, data.topics.values, strict=True):
        assert abs(values[0] - 100 * topics[key] / len(with_topic)) <= 0.01
    referrals = Counter(
        code for c in this_year for code in c.referrals.values_list("code", flat=True)
    )
    expected = sorted(referrals.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [(code, count) for code, _name, count in data.top_referrals] == expected


def test_default_year_is_the_latest_with_contacts(db: None) -> None:
    seed_catalogues()
    today = dt.date(2026, 11, 23)
    assert dashboard_default_year(today=today) == 2026
    register_random_contacts(3, seed=1, first=dt.date(2023, 3, 1), last=dt.date(2023, 3, 31))
    assert dashboard_default_year(today=today) == 2023
    # This month's few calls (a simulation, a test) do not move it: a month counts once complete.
    register_random_contacts(9, seed=2, first=dt.date(2026, 11, 2), last=dt.date(2026, 11, 22))
    assert dashboard_default_year(today=today) == 2023
    assert dashboard_default_year(today=dt.date(2026, 12, 1)) == 2026


def test_dashboard_opens_on_the_last_year_with_data(client: Any, analyst: User, db: None) -> None:
    """Data only in 2023 (the demo) plus this month's 9 calls: the dashboard opens on 2023."""
    seed_catalogues()
    today = timezone.localdate()
    register_random_contacts(40, seed=3, first=dt.date(2023, 1, 1), last=dt.date(2023, 11, 15))
    register_random_contacts(9, seed=4, first=today.replace(day=1), last=today)
    _login(client, analyst)

    response = client.get(reverse("reports:dashboard"))

    data = response.context["data"]
    assert data.year == 2023
    assert (
        data.incoming_to_date
        == Contact.objects.filter(direction="in", received_at__year=2023).count()
    )
    assert '<option value="2023" selected' in response.content.decode()


def test_analyst_sees_the_dashboard(client: Any, analyst: User, contacts: list[Contact]) -> None:
    _login(client, analyst)

    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    data = response.context["data"]
    # The year of the last complete month (the contacts run up to today).
    assert data.year == (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).year
    html = response.content.decode()
    for chart in ("chart-channel-phone", "chart-channel-email", "chart-channel-chat",
                  "chart-provinces", "chart-topics", "chart-referrals"):  # fmt: skip
        assert f'id="{chart}" type="application/json"' in html
        assert f'data-chart="{chart}"' in html
    assert "kglijn/vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html
    # The numbers are on the page as well (tables / aria-labels), not only in the canvas.
    phone = next(c for c in data.channels if c.channel == "phone")
    assert f"{phone.this_year_to_date}" in html


def test_dashboard_for_an_earlier_year(client: Any, analyst: User, contacts: list[Contact]) -> None:
    _login(client, analyst)
    year = timezone.localdate().year - 1

    response = client.get(reverse("reports:dashboard"), {"year": year})

    data = response.context["data"]
    assert data.year == year
    assert data.last_day == dt.date(year, 12, 31)
    assert all(value is not None for channel in data.channels for value in channel.this_year)


def test_front_office_agent_may_not_see_the_dashboard(client: Any, agent: User) -> None:
    _login(client, agent)

    assert client.get(reverse("reports:dashboard")).status_code == 403
