"""The demo's feedback: memberships, visits and answers for the demo users, deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from kglijn.demo.users import demo_users_ensure
from kglijn.feedback.demo import DEMO_TEAMS, feedback_demo_load
from kglijn.feedback.figures import monthly_trend
from kglijn.feedback.models import LocalTeamMembership, Visit, VisitFeedback
from kglijn.feedback.selectors import feedback_nav_state, visit_for_token

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 14)


@pytest.fixture
def demo_users(db) -> None:
    demo_users_ensure()


def snapshot() -> list[tuple]:
    return sorted(
        Visit.objects.values_list(
            "employee__username",
            "local_team__code",
            "kind",
            "visited_on",
            "feedback__score",
            "feedback__remark",
        ),
        key=str,
    )


def test_the_demo_is_deterministic_and_replaces_its_own_visits(demo_users) -> None:
    first = feedback_demo_load(today=TODAY)
    rows = snapshot()
    second = feedback_demo_load(today=TODAY)

    assert (second.visits, second.answers) == (first.visits, first.answers)
    assert snapshot() == rows
    assert Visit.objects.count() == first.visits
    assert VisitFeedback.objects.count() == first.answers
    assert 600 < first.visits < 1400
    assert 0.35 < first.answers / first.visits < 0.55


def test_the_demo_nurses_and_lead_are_in_their_local_teams(demo_users) -> None:
    feedback_demo_load(today=TODAY)
    memberships = set(
        LocalTeamMembership.objects.values_list("user__username", "local_team__code", "is_lead")
    )
    assert memberships == {(u, c, False) for u, c in DEMO_TEAMS.items()} | {
        ("lead", c, True) for c in DEMO_TEAMS.values()
    }
    assert set(Visit.objects.values_list("employee__username", flat=True)) == set(DEMO_TEAMS)
    trend = monthly_trend(last_month=TODAY, months=13)
    assert all(figures.visits > 0 for _first, figures in trend)


def test_the_demo_gives_open_links_to_try_and_unread_feedback(demo_users) -> None:
    summary = feedback_demo_load()  # today: the links must be valid now
    assert len(summary.open_links) == 3
    for path in summary.open_links:
        token = path.removeprefix("/feedback/").removesuffix("/")
        assert visit_for_token(token=token).employee.username == "nurse1"
    from django.contrib.auth.models import User

    unread = sum(
        feedback_nav_state(user=User.objects.get(username=name)).unread for name in DEMO_TEAMS
    )
    assert unread == summary.unread
