"""The telephony pages: who may see them, what they show, the Excel file, the desk's call."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Contact
from kglijn.telephony.models import CallEvent, ServiceLevelContract
from kglijn.telephony.services import call_events_apply_pending
from tests.conftest import PASSWORD
from tests.telephony.calls import event, post

pytestmark = pytest.mark.django_db

SERVICE_LEVELS = "/telephony/service-levels/"
WALLBOARD = "/telephony/wallboard/"
MY_CALL = "/telephony/my-call/"


def log_in(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize(
    ("role", "service_levels", "wallboard"),
    [
        ("team_lead", 200, 200),
        ("front_office", 403, 200),
        ("analyst", 200, 403),
        ("information_manager", 200, 403),
        ("pgjo_nurse", 403, 403),
        ("childcare_handler", 403, 403),
        ("administrator", 403, 403),
    ],
)
def test_who_sees_which_page(client, make_user, role, service_levels, wallboard) -> None:
    user = make_user(role)
    log_in(client, user)

    assert client.get(SERVICE_LEVELS).status_code == service_levels
    assert client.get(SERVICE_LEVELS + "serviceniveau.xlsx").status_code == service_levels
    assert client.get(WALLBOARD).status_code == wallboard
    desk = client.get("/desk/")
    nav = re.search(r'<nav class="main-nav".*?</nav>', desk.content.decode(), re.S)
    assert nav is not None
    assert (WALLBOARD in nav.group(0)) == (wallboard == 200)
    assert (SERVICE_LEVELS in nav.group(0)) == (service_levels == 200)


def test_anonymous_users_see_no_telephony_page(client) -> None:
    for url in (SERVICE_LEVELS, WALLBOARD):
        assert client.get(url).status_code in (302, 403)
    assert client.get(MY_CALL).status_code == 302


@pytest.fixture
def a_day_of_calls(client, make_user) -> None:
    """Three front-office calls on 6 March 2023: one on time, one late, one abandoned."""
    make_user("front_office", "a1")
    nine = dt.datetime(2023, 3, 6, 9, 0, tzinfo=dt.UTC)
    events = []
    for n, (wait, outcome) in enumerate([(5, "answered"), (45, "answered"), (30, "abandoned")]):
        start = nine + dt.timedelta(minutes=n)
        events.append(event(f"e{n}a", "offered", f"c{n}", start, queue="front"))
        extra = {"agent": "a1"} if outcome == "answered" else {}
        events.append(
            event(f"e{n}b", outcome, f"c{n}", start + dt.timedelta(seconds=wait), **extra)
        )
        if outcome == "answered":
            events.append(event(f"e{n}c", "ended", f"c{n}", start + dt.timedelta(seconds=200)))
    assert post(client, events).status_code == 201


def test_the_service_level_page_shows_chart_data_and_table(
    client, team_lead, a_day_of_calls
) -> None:
    log_in(client, team_lead)

    response = client.get(
        SERVICE_LEVELS, {"period": "hour", "date_from": "2023-03-06", "date_to": "2023-03-06"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-service-level"' in html
    assert 'data-chart="chart-service-level"' in html
    assert "chart.umd.min.js" in html
    report = response.context["report"]
    front = report.totals["front"]
    assert (front.offered, front.answered, front.answered_in_target, front.abandoned) == (
        3,
        2,
        1,
        1,
    )
    assert front.service_level_pct == pytest.approx(100 / 3)
    rows = response.context["rows"]
    assert rows[0][:2] == ("06/03/2023 10:00", "Front office") or rows[0][1] != ""
    assert 'class="sl-below"' in html  # 33 % against an 80 % norm


def test_the_service_level_page_refuses_an_impossible_period(client, team_lead) -> None:
    log_in(client, team_lead)

    backwards = client.get(SERVICE_LEVELS, {"date_from": "2023-03-07", "date_to": "2023-03-06"})
    too_long = client.get(
        SERVICE_LEVELS, {"period": "hour", "date_from": "2023-01-01", "date_to": "2023-03-06"}
    )
    not_a_date = client.get(SERVICE_LEVELS, {"date_from": "gisteren"})

    assert backwards.context["report"] is None
    assert "date_to" in backwards.context["form"].errors
    assert "date_from" in too_long.context["form"].errors
    assert "date_from" in not_a_date.context["form"].errors
    download = client.get(
        SERVICE_LEVELS + "serviceniveau.xlsx", {"date_from": "2023-03-07", "date_to": "2023-03-06"}
    )
    assert download.status_code == 400


def test_the_excel_download_holds_the_figures_and_a_native_chart(
    client, analyst, a_day_of_calls
) -> None:
    log_in(client, analyst)

    response = client.get(
        SERVICE_LEVELS + "serviceniveau.xlsx",
        {"period": "day", "date_from": "2023-03-06", "date_to": "2023-03-06"},
    )

    assert response.status_code == 200
    assert "serviceniveau-20230306-20230306-day.xlsx" in response["Content-Disposition"]
    content = response.content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "Period" or row[0] == "Periode")
    data = rows[rows.index(header) + 1]
    assert data[2:6] == (3, 2, 1, 1) or list(data[2:6]) == [3, 2, 1, 1]
    assert data[8] == pytest.approx(100 / 3)


def _now_events(client, prefix: str, *, waiting: int, answered_by: str | None) -> None:
    now = timezone.now()
    events = []
    for n in range(waiting):
        events.append(
            event(
                f"{prefix}w{n}",
                "offered",
                f"{prefix}w{n}",
                now - dt.timedelta(seconds=30 + n),
                queue="front",
            )
        )
    if answered_by:
        start = now - dt.timedelta(seconds=100)
        events += [
            event(f"{prefix}a1", "offered", f"{prefix}a", start, queue="front"),
            event(
                f"{prefix}a2",
                "answered",
                f"{prefix}a",
                start + dt.timedelta(seconds=60),
                agent=answered_by,
            ),
        ]
    assert post(client, events).status_code == 201


def test_the_wallboard_shows_live_figures_and_polls(client, team_lead, agent) -> None:
    _now_events(client, "x", waiting=2, answered_by="agent")
    log_in(client, team_lead)

    page = client.get(WALLBOARD)
    board = client.get(WALLBOARD, HTTP_HX_REQUEST="true")

    html = page.content.decode()
    assert "<html" in html
    assert 'hx-get="/telephony/wallboard/"' in html
    assert 'hx-trigger="every 3s"' in html
    fragment = board.content.decode()
    assert "<html" not in fragment
    assert 'id="wallboard"' in fragment
    front = next(office for office in page.context["board"].offices if office.office == "front")
    assert (front.waiting, front.agents_talking) == (2, 1)
    assert front.longest_wait_seconds is not None
    assert front.longest_wait_seconds >= 31
    # one call answered after 60 s, two still waiting (not counted yet): 0 % against 80 %
    assert (front.today.offered, front.today.answered, front.today.service_level_pct) == (1, 1, 0.0)
    assert front.below_target
    assert re.search(r'data-office="front"[^>]*>', fragment)
    assert "wallboard__office--below" in fragment


def test_the_wallboard_colours_an_office_on_target(client, team_lead, agent) -> None:
    ServiceLevelContract.objects.filter(office="front").update(target_seconds=90)
    _now_events(client, "y", waiting=0, answered_by="agent")
    log_in(client, team_lead)

    fragment = client.get(WALLBOARD, HTTP_HX_REQUEST="true").content.decode()

    front = re.search(r'<li class="([^"]*)" data-office="front"', fragment)
    assert front is not None
    assert "--below" not in front.group(1)
    assert "wallboard__figure--ok" in fragment
    assert ServiceLevelContract.objects.get(office="front").target_pct == Decimal("80.00")


def test_the_wallboard_warns_when_stored_events_wait_to_be_applied(
    client, team_lead, settings
) -> None:
    # background mode (ADR 0009) with no applier running: events are stored, not applied
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    now = timezone.now()
    assert post(client, [event("lag1", "offered", "lag", now, queue="front")]).status_code == 202
    log_in(client, team_lead)

    fresh = client.get(WALLBOARD)
    assert fresh.context["board"].lagging is False  # just stored: not late yet
    assert "data-apply-lag" not in fresh.content.decode()

    CallEvent.objects.update(received_at=now - dt.timedelta(seconds=95))
    late = client.get(WALLBOARD)

    assert late.context["board"].lagging is True
    assert late.context["board"].apply_lag_seconds >= 95
    assert 'role="alert" data-apply-lag' in late.content.decode()
    fragment = client.get(WALLBOARD, HTTP_HX_REQUEST="true").content.decode()
    assert "data-apply-lag" in fragment  # the polled board carries it too

    call_events_apply_pending()
    assert client.get(WALLBOARD).context["board"].apply_lag_seconds is None


def test_the_desk_shows_the_agents_call_and_links_its_wrap_up(client, agent) -> None:
    log_in(client, agent)
    desk = client.get("/desk/").content.decode()
    assert 'hx-get="/telephony/my-call/"' in desk
    assert "{#" not in desk
    assert "{%" not in desk
    assert client.get(MY_CALL).content.decode().strip() == ""

    _now_events(client, "d", waiting=0, answered_by="agent")
    contact = Contact.objects.get()

    live = client.get(MY_CALL).content.decode()
    assert "Current call" in live or "Lopend gesprek" in live
    assert f'href="/desk/contacts/{contact.pk}/edit/"' in live

    post(client, event("d-end", "ended", "da", timezone.now()))
    after = client.get(MY_CALL).content.decode()
    assert f'href="/desk/contacts/{contact.pk}/edit/"' in after
    assert 'data-call="da"' in after

    Contact.objects.filter(pk=contact.pk).update(status="closed")
    assert client.get(MY_CALL).content.decode().strip() == ""


def test_another_agents_call_is_not_on_my_desk(client, agent, make_user) -> None:
    make_user("front_office", "colleague")
    _now_events(client, "o", waiting=0, answered_by="colleague")
    log_in(client, agent)

    assert client.get(MY_CALL).content.decode().strip() == ""


def test_the_administrator_sets_a_contract_in_the_management_site(client, administrator) -> None:
    log_in(client, administrator)

    response = client.post(
        reverse("admin:telephony_servicelevelcontract_add"),
        {
            "office": "front",
            "valid_from": "2024-01-01",
            "target_pct": "85",
            "target_seconds": "30",
            "short_abandon_seconds": "5",
        },
    )

    assert response.status_code == 302
    contract = ServiceLevelContract.objects.get(valid_from=dt.date(2024, 1, 1))
    assert (contract.target_pct, contract.target_seconds) == (Decimal("85"), 30)
    bad = client.post(
        reverse("admin:telephony_servicelevelcontract_add"),
        {
            "office": "front",
            "valid_from": "2024-02-01",
            "target_pct": "120",
            "target_seconds": "0",
            "short_abandon_seconds": "5",
        },
    )
    assert bad.status_code == 200
    assert set(bad.context["adminform"].form.errors) == {"target_pct", "target_seconds"}
    assert not ServiceLevelContract.objects.filter(valid_from=dt.date(2024, 2, 1)).exists()
