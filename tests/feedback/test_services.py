"""The write services: visits with their link, the parent's answer, "seen", memberships."""

from __future__ import annotations

import datetime as dt
import hashlib
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kglijn.core.models import AuditEvent
from kglijn.feedback.local_team_seed import LOCAL_TEAMS
from kglijn.feedback.models import LocalTeam, LocalTeamMembership, Visit, VisitFeedback
from kglijn.feedback.selectors import FeedbackLinkError
from kglijn.feedback.services import (
    feedback_mark_seen,
    feedback_submit,
    local_team_member_add,
    local_teams_ensure,
    visit_register,
    visit_token_reissue,
)
from tests.feedback.conftest import noon

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


# --- the 57 local teams ----------------------------------------------------------------------


def test_the_data_migration_seeds_the_57_local_teams_by_province() -> None:
    migration = import_module("kglijn.feedback.migrations.0002_local_teams")
    LocalTeam.objects.all().delete()
    migration.load(django_apps, None)
    migration.load(django_apps, None)  # idempotent
    teams = list(LocalTeam.objects.values_list("code", "name", "province", "active"))
    assert len(teams) == 57
    assert sorted(teams) == sorted((c, n, p, True) for c, n, p in LOCAL_TEAMS)
    per_province = {
        province: LocalTeam.objects.filter(province=province).count()
        for province in ("BE-VAN", "BE-VOV", "BE-VWV", "BE-VBR", "BE-VLI", "BE-BRU")
    }
    assert per_province == {
        "BE-VAN": 14,
        "BE-VOV": 12,
        "BE-VWV": 9,
        "BE-VBR": 9,
        "BE-VLI": 7,
        "BE-BRU": 6,
    }
    assert all(name.startswith("Lokaal team ") for _c, name, _p, _a in teams)


def test_local_teams_ensure_adds_only_the_missing_teams() -> None:
    LocalTeam.objects.filter(code="genk").delete()
    LocalTeam.objects.filter(code="hasselt").update(name="Lokaal team Hasselt-Zonhoven")
    assert local_teams_ensure() == 1
    assert local_teams_ensure() == 0
    assert LocalTeam.objects.count() == 57
    assert LocalTeam.objects.get(code="hasselt").name == "Lokaal team Hasselt-Zonhoven"


def test_membership_is_added_once_and_its_lead_flag_updated(make_user, team) -> None:
    user = make_user("pgjo_nurse", "tom")
    first = local_team_member_add(local_team=team, user=user)
    again = local_team_member_add(local_team=team, user=user, is_lead=True)
    assert first.pk == again.pk
    assert list(LocalTeamMembership.objects.filter(user=user).values_list("is_lead")) == [(True,)]


# --- visit_register --------------------------------------------------------------------------


def test_register_stores_only_the_hash_and_an_expiry_14_days_after_issue(employee, team) -> None:
    issued = noon(DAY)
    visit, token = visit_register(
        employee=employee, kind="home", local_team=team, visited_on=DAY, now=issued
    )
    stored = Visit.objects.get(pk=visit.pk)
    assert len(token) == 22
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert stored.token_expires_at == issued + dt.timedelta(days=14)
    assert (stored.kind, stored.visited_on, stored.employee, stored.local_team) == (
        "home",
        DAY,
        employee,
        team,
    )
    event = AuditEvent.objects.get(object_type="feedback_visit", object_id=visit.pk)
    assert (event.actor, event.action, event.detail) == (
        employee,
        "create",
        {"kind": "home", "local_team": "antwerpen-noord"},
    )
    assert token not in str(event.detail)


def test_two_visits_get_different_tokens(register) -> None:
    (_v1, first), (_v2, second) = register(), register()
    assert first != second


@pytest.mark.parametrize(
    ("kind", "visited_on", "field", "message"),
    [
        ("phone", DAY, "kind", "Onbekende waarde “phone”."),
        (
            "clinic",
            DAY + dt.timedelta(days=1),
            "visited_on",
            "Een bezoek kan niet in de toekomst liggen.",
        ),
        (
            "clinic",
            DAY - dt.timedelta(days=15),
            "visited_on",
            "Feedback kan maar gevraagd worden tot 14 dagen na het bezoek.",
        ),
    ],
)
def test_register_refuses_wrong_input_and_writes_nothing(
    employee, team, kind, visited_on, field, message
) -> None:
    with pytest.raises(ValidationError) as caught:
        visit_register(
            employee=employee, kind=kind, local_team=team, visited_on=visited_on, now=noon(DAY)
        )
    assert caught.value.message_dict == {field: [message]}
    assert Visit.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="feedback_visit").count() == 0


def test_a_visit_14_days_ago_is_still_accepted(employee, team) -> None:
    visit, _token = visit_register(
        employee=employee,
        kind="clinic",
        local_team=team,
        visited_on=DAY - dt.timedelta(days=14),
        now=noon(DAY),
    )
    assert Visit.objects.get().pk == visit.pk


def test_register_refuses_a_team_the_employee_is_not_in(employee, other_team) -> None:
    with pytest.raises(ValidationError) as caught:
        visit_register(
            employee=employee, kind="clinic", local_team=other_team, visited_on=DAY, now=noon(DAY)
        )
    assert caught.value.message_dict == {"local_team": ["Je bent geen lid van dit lokaal team."]}
    assert Visit.objects.count() == 0


def test_register_refuses_an_inactive_team(employee, team) -> None:
    LocalTeam.objects.filter(pk=team.pk).update(active=False)
    team.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        visit_register(
            employee=employee, kind="clinic", local_team=team, visited_on=DAY, now=noon(DAY)
        )
    assert caught.value.message_dict == {"local_team": ["Dit lokaal team is niet meer actief."]}
    assert Visit.objects.count() == 0


# --- feedback_submit -------------------------------------------------------------------------


def test_submit_stores_score_and_remark_on_the_visit(register) -> None:
    visit, token = register(visited_on=DAY)
    at = noon(DAY) + dt.timedelta(hours=3)
    feedback = feedback_submit(token=token, score="4", remark="  Fijn gesprek.  ", now=at)
    stored = VisitFeedback.objects.get()
    assert stored.pk == feedback.pk
    assert (stored.visit_id, stored.score, stored.remark, stored.submitted_at, stored.seen_at) == (
        visit.pk,
        4,
        "Fijn gesprek.",
        at,
        None,
    )


def test_submit_without_remark_is_fine(register) -> None:
    _visit, token = register()
    feedback_submit(token=token, score=5)
    assert list(VisitFeedback.objects.values_list("score", "remark")) == [(5, "")]


@pytest.mark.parametrize("score", [0, 6, -1, "", None, "vijf", "4.5", True])
def test_submit_refuses_a_score_outside_1_to_5(register, score) -> None:
    _visit, token = register()
    with pytest.raises(ValidationError) as caught:
        feedback_submit(token=token, score=score)
    assert caught.value.message_dict == {"score": ["Kies een score van 1 tot 5."]}
    assert VisitFeedback.objects.count() == 0


def test_submit_refuses_a_remark_over_1000_characters(register) -> None:
    _visit, token = register()
    with pytest.raises(ValidationError) as caught:
        feedback_submit(token=token, score=3, remark="x" * 1001)
    assert caught.value.message_dict == {"remark": ["Houd de opmerking op maximaal 1000 tekens."]}
    assert VisitFeedback.objects.count() == 0
    feedback_submit(token=token, score=3, remark="x" * 1000)
    assert VisitFeedback.objects.get().remark == "x" * 1000


# --- visit_token_reissue ---------------------------------------------------------------------


def test_reissue_replaces_the_link_and_the_old_one_stops_working(register, employee) -> None:
    visit, old = register(visited_on=DAY)
    later = noon(DAY) + dt.timedelta(days=3)
    _visit, new = visit_token_reissue(visit_id=visit.pk, employee=employee, now=later)
    assert new != old
    assert Visit.objects.get(pk=visit.pk).token_expires_at == later + dt.timedelta(days=14)
    with pytest.raises(FeedbackLinkError) as caught:
        feedback_submit(token=old, score=5, now=later)
    assert caught.value.reason == "unknown"
    feedback_submit(token=new, score=5, now=later)
    assert VisitFeedback.objects.count() == 1


def test_reissue_only_by_the_visits_own_employee(register, colleague) -> None:
    visit, _token = register()
    before = Visit.objects.get(pk=visit.pk).token_hash
    with pytest.raises(PermissionDenied):
        visit_token_reissue(visit_id=visit.pk, employee=colleague)
    assert Visit.objects.get(pk=visit.pk).token_hash == before


def test_reissue_refused_once_answered(register, employee) -> None:
    visit, token = register()
    feedback_submit(token=token, score=2)
    before = Visit.objects.get(pk=visit.pk).token_hash
    with pytest.raises(ValidationError) as caught:
        visit_token_reissue(visit_id=visit.pk, employee=employee)
    assert caught.value.messages == ["Dit bezoek is al beantwoord."]
    assert Visit.objects.get(pk=visit.pk).token_hash == before


# --- feedback_mark_seen ----------------------------------------------------------------------


def test_mark_seen_marks_only_the_employees_own_new_feedback(register, colleague, team) -> None:
    _v1, mine = register()
    _v2, theirs = register(by=colleague)
    feedback_submit(token=mine, score=5)
    feedback_submit(token=theirs, score=1)
    at = timezone.now()
    assert feedback_mark_seen(employee=_v1.employee, now=at) == 1
    assert feedback_mark_seen(employee=_v1.employee, now=at) == 0
    assert dict(VisitFeedback.objects.values_list("visit__employee__username", "seen_at")) == {
        "griet": at,
        "hanne": None,
    }
