"""Who sees what: an employee only their own feedback; the team's lead the team's remarks
(audit-logged); analysts and other readers of the figures no remark at all."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from kglijn.core.models import AuditEvent
from kglijn.feedback.models import Visit
from kglijn.feedback.selectors import (
    feedback_for_employee,
    feedback_nav_state,
    team_remarks_for_lead,
)
from kglijn.feedback.services import feedback_submit, local_team_member_add
from tests.conftest import PASSWORD
from tests.feedback.conftest import noon

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)
MARCH = "2025-03"


@pytest.fixture
def answered(register, colleague):
    """Griet's visit (remark "Heel fijn gesprek") and Hanne's (remark "Te lang gewacht")."""
    mine, my_token = register(visited_on=DAY)
    theirs, their_token = register(visited_on=DAY, by=colleague)
    feedback_submit(token=my_token, score=5, remark="Heel fijn gesprek", now=noon(DAY))
    feedback_submit(token=their_token, score=2, remark="Te lang gewacht", now=noon(DAY))
    return mine, theirs


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_an_employee_sees_only_their_own_feedback(answered, employee, colleague) -> None:
    assert [f.remark for f in feedback_for_employee(user=employee)] == ["Heel fijn gesprek"]
    assert [f.remark for f in feedback_for_employee(user=colleague)] == ["Te lang gewacht"]


def test_my_feedback_page_shows_own_remarks_only(client, answered, employee) -> None:
    html = log_in(client, employee).get("/feedback/mine/").content.decode()
    assert "Heel fijn gesprek" in html
    assert "Te lang gewacht" not in html


def test_an_employee_cannot_open_a_colleagues_card(client, answered, employee) -> None:
    _mine, theirs = answered
    assert log_in(client, employee).get(f"/feedback/visits/{theirs.pk}/card/").status_code == 404


def test_the_unread_counter_counts_own_unseen_feedback(client, answered, employee) -> None:
    assert feedback_nav_state(user=employee).unread == 1
    log_in(client, employee)
    desk = client.get("/feedback/mine/")
    assert desk.status_code == 200
    assert feedback_nav_state(user=employee).unread == 0


def test_the_team_lead_reads_the_teams_remarks_and_each_read_is_audited(
    answered, team, team_leader
) -> None:
    found, remarks = team_remarks_for_lead(
        user=team_leader,
        local_team_id=team.pk,
        first_day=dt.date(2025, 3, 1),
        last_day=dt.date(2025, 3, 31),
    )
    assert found == team
    assert sorted(r.remark for r in remarks) == ["Heel fijn gesprek", "Te lang gewacht"]
    events = AuditEvent.objects.filter(object_type="visit_feedback")
    assert sorted(events.values_list("actor__username", "action", "object_id")) == sorted(
        ("veerle", "view", r.pk) for r in remarks
    )
    assert {str(e.detail) for e in events} == {"{'local_team': 'antwerpen-noord'}"}


def test_remarks_page_for_the_lead_shows_the_remarks(client, answered, team, team_leader) -> None:
    response = log_in(client, team_leader).get(
        f"/feedback/teams/{team.pk}/remarks/", {"month": MARCH}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Heel fijn gesprek" in html
    assert "Te lang gewacht" in html
    assert AuditEvent.objects.filter(object_type="visit_feedback", action="view").count() == 2


@pytest.mark.parametrize("role", ["analyst", "team_lead", "information_manager", "pgjo_nurse"])
def test_nobody_but_the_teams_lead_reads_its_remarks(
    client, answered, team, other_team, make_user, role
) -> None:
    user = make_user(role, f"someone-{role}")
    # Leading another team gives no right to this team's remarks.
    local_team_member_add(local_team=other_team, user=user, is_lead=True)
    with pytest.raises(PermissionDenied):
        team_remarks_for_lead(
            user=user,
            local_team_id=team.pk,
            first_day=dt.date(2025, 3, 1),
            last_day=dt.date(2025, 3, 31),
        )
    response = log_in(client, user).get(f"/feedback/teams/{team.pk}/remarks/", {"month": MARCH})
    assert response.status_code == 403
    assert "Te lang gewacht" not in response.content.decode()
    assert AuditEvent.objects.filter(object_type="visit_feedback").count() == 0


def test_an_ordinary_member_does_not_read_the_teams_remarks(client, answered, team, employee):
    response = log_in(client, employee).get(f"/feedback/teams/{team.pk}/remarks/", {"month": MARCH})
    assert response.status_code == 403
    assert "Te lang gewacht" not in response.content.decode()


def test_analysts_see_figures_but_no_remark(client, answered, analyst) -> None:
    log_in(client, analyst)
    page = client.get("/feedback/teams/", {"month": MARCH})
    excel = client.get("/feedback/teams/feedback-lokale-teams.xlsx", {"month": MARCH})
    assert page.status_code == excel.status_code == 200
    html = page.content.decode()
    workbook = load_workbook(io.BytesIO(excel.content))
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert 'data-team="antwerpen-noord"' in html
    assert "Lokaal team Antwerpen-Noord" in cells
    for remark in ("Heel fijn gesprek", "Te lang gewacht"):
        assert remark not in html
        assert remark not in cells
    assert "/remarks/" not in html
    assert Visit.objects.count() == 2


def test_the_lead_gets_a_remarks_link_only_for_the_team_they_lead(
    client, answered, team, other_team, team_leader
) -> None:
    html = log_in(client, team_leader).get("/feedback/teams/", {"month": MARCH}).content.decode()
    assert f"/feedback/teams/{team.pk}/remarks/?month={MARCH}" in html
    assert f"/feedback/teams/{other_team.pk}/remarks/" not in html
    assert "Te lang gewacht" not in html
