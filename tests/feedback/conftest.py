"""Fixtures of the feedback loop: local teams from the seed, employees in them, a visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.core.business_calendar import BRUSSELS
from kglijn.feedback.models import LocalTeam, Visit, VisitKind
from kglijn.feedback.services import local_team_member_add, local_teams_ensure, visit_register


@pytest.fixture(autouse=True)
def local_teams(db: None) -> None:
    """A transactional test elsewhere flushes the tables, data migrations included."""
    local_teams_ensure()


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), BRUSSELS)


@pytest.fixture
def team(db: None) -> LocalTeam:
    return LocalTeam.objects.get(code="antwerpen-noord")


@pytest.fixture
def other_team(db: None) -> LocalTeam:
    return LocalTeam.objects.get(code="gent-centrum")


@pytest.fixture
def employee(make_user: Callable[..., User], team: LocalTeam) -> User:
    user = make_user("pgjo_nurse", "griet")
    local_team_member_add(local_team=team, user=user)
    return user


@pytest.fixture
def colleague(make_user: Callable[..., User], team: LocalTeam) -> User:
    user = make_user("pgjo_nurse", "hanne")
    local_team_member_add(local_team=team, user=user)
    return user


@pytest.fixture
def team_leader(make_user: Callable[..., User], team: LocalTeam) -> User:
    """The lead of `team` (role team lead and lead member of the local team)."""
    user = make_user("team_lead", "veerle")
    local_team_member_add(local_team=team, user=user, is_lead=True)
    return user


@pytest.fixture
def register(employee: User, team: LocalTeam) -> Callable[..., tuple[Visit, str]]:
    """Register a visit of `employee` in `team` (today unless told otherwise)."""

    def _register(
        *,
        kind: str = VisitKind.CLINIC,
        visited_on: dt.date | None = None,
        by: User | None = None,
        local_team: LocalTeam | None = None,
        now: dt.datetime | None = None,
    ) -> tuple[Visit, str]:
        day = visited_on or timezone.localdate()
        return visit_register(
            employee=by or employee,
            kind=kind,
            local_team=local_team or team,
            visited_on=day,
            now=now or (noon(day) if visited_on else None),
        )

    return _register
