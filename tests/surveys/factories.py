"""Helpers for the survey tests: teams, snapshots and answers.

Rows are arranged directly (like tests/contacts/factories.py); the behaviour under test goes
through kglijn.surveys.services and the HTTP endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User

from kglijn.accounts.models import Team
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import (
    FollowUpTask,
    LowScoreRule,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from tests.contacts.factories import BRUSSELS, DEFAULT_RECEIVED_AT

ANSWERED_AT = DEFAULT_RECEIVED_AT + dt.timedelta(minutes=9)
GOOD = {"waiting_time": 4, "courtesy": 5, "information": 5, "recommendation": 9}


def team_make(*, name: str, lead: User | None, members: list[User], active: bool = True) -> Team:
    team = Team.objects.create(name=name, office="front", lead=lead, active=active)
    team.members.set(members)
    return team


def survey_snapshot() -> dict[str, Any]:
    """Every row a survey write may touch, to prove that a call changed nothing."""
    return {
        "responses": list(SurveyResponse.objects.values().order_by("id")),
        "tasks": list(FollowUpTask.objects.values().order_by("id")),
        "versions": list(SurveyVersion.objects.values().order_by("id")),
        "questions": list(SurveyQuestion.objects.values().order_by("id")),
        "rules": list(LowScoreRule.objects.values().order_by("id")),
        "audit": list(AuditEvent.objects.values().order_by("id")),
    }


__all__ = ["ANSWERED_AT", "BRUSSELS", "GOOD", "survey_snapshot", "team_make"]
