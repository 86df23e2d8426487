"""The monthly satisfaction analysis equals an independent computation from the stored answers.

The world: random contacts over four months on every channel, office and handler (team members,
a member of two teams, a member of an inactive team only, a handler without team, no handler),
responses with partial answers and NULLs, e-mail invitations, and answers on the Brussels
month boundaries. The reference is a plain Python loop over the stored rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kglijn.accounts.models import Team
from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.contacts.models import Channel, Contact, Direction, Office
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.surveys.analysis.figures import (
    Month,
    Sums,
    months_ending,
    summed,
)
from kglijn.surveys.analysis.month import satisfaction_analysis
from kglijn.surveys.analysis.queries import (
    NO_TEAM,
    AnalysisFilters,
    handler_teams,
)
from kglijn.surveys.analysis.remarks import (
    satisfaction_remark_page,
    satisfaction_remarks_visible,
)
from kglijn.surveys.analysis.stats import (
    MIN_N,
    Moments,
    Verdict,
    mean_change,
    normal_two_sided_p,
    nps_change,
    proportion_change,
    t_two_sided_p,
)
from kglijn.surveys.models import (
    InvitationStatus,
    Source,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CRITERIA = ("waiting_time", "courtesy", "information", "recommendation")
SOURCES = {Channel.PHONE: Source.IVR, Channel.EMAIL: Source.MAIL, Channel.CHAT: Source.CHAT}
MARCH = Month(2024, 3)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def version() -> SurveyVersion:
    return SurveyVersion.objects.get_or_create(number=1)[0]


def contact_make(
    *,
    received_at: dt.datetime,
    channel: str = Channel.PHONE,
    office: str = Office.FRONT,
    handler: User | None = None,
    direction: str = Direction.IN,
) -> Contact:
    return Contact.objects.create(
        channel=channel,
        office=office,
        handler=handler,
        direction=direction,
        received_at=received_at,
    )


def response_make(
    contact: Contact,
    *,
    answered_at: dt.datetime,
    remark: str = "",
    **scores: int | None,
) -> SurveyResponse:
    values = {criterion: scores.get(criterion) for criterion in CRITERIA}
    return SurveyResponse.objects.create(
        contact=contact,
        version=version(),
        channel=contact.channel,
        source=SOURCES[Channel(contact.channel)],
        answered_at=answered_at,
        remark=remark,
        complete=all(value is not None for value in values.values()),
        **values,
    )


def invitation_make(contact: Contact, *, sent_at: dt.datetime | None) -> SurveyInvitation:
    return SurveyInvitation.objects.create(
        contact=contact,
        status=InvitationStatus.SENT if sent_at else InvitationStatus.SCHEDULED,
        due_at=sent_at or contact.received_at + dt.timedelta(hours=48),
        sent_at=sent_at,
    )


@dataclass
class World:
    users: dict[str, User]
    teams: dict[str, Team]


def build_world(seed: int = 5, contacts: int = 420) -> World:
    """Teams, handlers and random contacts with answers from January to April 2024."""
    roles_sync()
    users = {
        name: user_create_with_role(username=name, password=PASSWORD, role_slug=role)
        for name, role in (
            ("a1", "front_office"),
            ("a2", "front_office"),
            ("n1", "pgjo_nurse"),
            ("h1", "childcare_handler"),
            ("both", "front_office"),
            ("lone", "front_office"),
            ("ghost", "childcare_handler"),
            ("lead", "team_lead"),
        )
    }
    teams = {}
    for name, office, members, active in (
        ("Team A", Office.FRONT, ("a1", "a2", "both"), True),
        ("Team B", Office.PGJO, ("n1", "both"), True),  # "both" counts for team A (lower id)
        ("Team C", Office.CHILDCARE, ("ghost",), False),  # inactive: ghost has no team
        ("Team D", Office.CHILDCARE, ("h1",), True),
        ("Team E", Office.FRONT, (), True),  # an active team without members or figures
    ):
        team = Team.objects.create(name=name, office=office, lead=users["lead"], active=active)
        team.members.set([users[member] for member in members])
        teams[name] = team
    rng = random.Random(seed)
    handlers: list[User | None] = [*users.values(), None, None]
    handlers.remove(users["lead"])
    first = at(2024, 1, 1, 0)
    span = (at(2024, 5, 1, 0) - first).total_seconds()
    for index in range(contacts):
        channel = rng.choice(list(Channel))
        received_at = first + dt.timedelta(seconds=rng.uniform(0, span))
        contact = contact_make(
            received_at=received_at,
            channel=channel,
            office=rng.choice([Office.FRONT, Office.FRONT, Office.PGJO, Office.CHILDCARE]),
            handler=rng.choice(handlers),
            direction=Direction.OUT if rng.random() < 0.08 else Direction.IN,
        )
        answered_at: dt.datetime | None = None
        if channel == Channel.EMAIL:
            if rng.random() < 0.75:
                sent_at = received_at + dt.timedelta(hours=48)
                invitation_make(contact, sent_at=sent_at)
                if rng.random() < 0.55:
                    answered_at = sent_at + dt.timedelta(hours=rng.uniform(0.1, 300))
            elif rng.random() < 0.3:
                invitation_make(contact, sent_at=None)  # not sent yet: asks nobody
        elif rng.random() < 0.5:
            answered_at = received_at + dt.timedelta(minutes=rng.uniform(1, 30))
        if answered_at is not None:
            scores: dict[str, int | None] = {
                "waiting_time": rng.randint(1, 5),
                "courtesy": rng.randint(1, 5),
                "information": rng.randint(1, 5),
                "recommendation": rng.randint(0, 10),
            }
            for criterion in CRITERIA:
                if rng.random() < 0.15:
                    scores[criterion] = None
            remark = f"Opmerking {index}" if rng.random() < 0.3 else ""
            response_make(contact, answered_at=answered_at, remark=remark, **scores)
    # On the Brussels month boundaries (UTC says otherwise for two of them).
    boundary = [
        (at(2024, 2, 29, 23, 50), at(2024, 3, 1, 0, 10)),  # contact February, answer March
        (at(2024, 3, 31, 0, 5), at(2024, 3, 31, 0, 30)),  # March (still March 30 in UTC)
        (at(2024, 4, 1, 0, 1), at(2024, 4, 1, 0, 20)),  # April (March 31 in UTC)
        (at(2024, 2, 29, 23, 0), at(2024, 2, 29, 23, 30)),  # February
    ]
    for received_at, answered_at in boundary:
        contact = contact_make(received_at=received_at, handler=users["a1"])
        response_make(contact, answered_at=answered_at, recommendation=10, courtesy=5)
    # Responses whose recommendation is missing: they count for the other criteria only.
    contact = contact_make(received_at=at(2024, 3, 12), channel=Channel.CHAT, handler=users["n1"])
    response_make(contact, answered_at=at(2024, 3, 12, 10, 5), waiting_time=2)
    return World(users, teams)


# --- the independent reference ------------------------------------------------------------------


def brussels_month(moment: dt.datetime) -> tuple[int, int]:
    local = moment.astimezone(BRUSSELS)
    return local.year, local.month


def reference_team_of() -> dict[int, str]:
    """user id -> team key: the lowest id among the active teams that list the user."""
    result: dict[int, str] = {}
    for team in Team.objects.filter(active=True).order_by("id"):
        for member in team.members.all():
            result.setdefault(member.pk, str(team.pk))
    return result


def reference(month: Month, *, channel: str = "", office: str = "", team: str = "") -> dict:
    """The month's figures from a plain loop over every stored response, contact, invitation."""
    team_of = reference_team_of()
    wanted = (month.year, month.month)

    def keep(contact: Contact) -> bool:
        contact_team = team_of.get(contact.handler_id, NO_TEAM) if contact.handler_id else NO_TEAM
        return (
            (not channel or contact.channel == channel)
            and (not office or contact.office == office)
            and (not team or contact_team == team)
        )

    responses = [
        response
        for response in SurveyResponse.objects.select_related("contact")
        if brussels_month(response.answered_at) == wanted and keep(response.contact)
    ]
    asked = answered = 0
    for contact in Contact.objects.all():
        if (
            contact.channel in (Channel.PHONE, Channel.CHAT)
            and contact.direction == Direction.IN
            and brussels_month(contact.received_at) == wanted
            and keep(contact)
        ):
            asked += 1
            answered += SurveyResponse.objects.filter(contact=contact).exists()
    for invitation in SurveyInvitation.objects.select_related("contact"):
        if (
            invitation.sent_at is not None
            and brussels_month(invitation.sent_at) == wanted
            and keep(invitation.contact)
        ):
            asked += 1
            answered += SurveyResponse.objects.filter(contact=invitation.contact).exists()
    result: dict[str, Any] = {
        "responses": len(responses),
        "complete": sum(1 for r in responses if r.complete),
        "remarks": sum(1 for r in responses if r.remark),
        "asked": asked,
        "answered": answered,
        "response_rate": 100 * answered / asked if asked else None,
    }
    for criterion in CRITERIA:
        values = [getattr(r, criterion) for r in responses if getattr(r, criterion) is not None]
        result[f"{criterion}_n"] = len(values)
        result[f"{criterion}_mean"] = sum(values) / len(values) if values else None
        result[f"{criterion}_counts"] = dict(Counter(values))
    scores = [r.recommendation for r in responses if r.recommendation is not None]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    result["promoters"] = promoters
    result["passives"] = len(scores) - promoters - detractors
    result["detractors"] = detractors
    result["nps"] = 100 * (promoters - detractors) / len(scores) if scores else None
    return result


def figures_of(sums: Sums) -> dict:
    """The analysis' figures in the reference's shape."""
    result: dict[str, Any] = {
        "responses": sums.responses,
        "complete": sums.complete,
        "remarks": sums.remarks,
        "asked": sums.asked,
        "answered": sums.answered,
        "response_rate": sums.response_rate,
    }
    for criterion in CRITERIA:
        low = 0 if criterion == "recommendation" else 1
        result[f"{criterion}_n"] = sums.count(criterion)
        result[f"{criterion}_mean"] = sums.mean(criterion)
        result[f"{criterion}_counts"] = {
            low + index: count for index, count in enumerate(sums.distribution[criterion]) if count
        }
    result["promoters"] = sums.promoters
    result["passives"] = sums.passives
    result["detractors"] = sums.detractors
    result["nps"] = sums.nps
    return result


def rounded(figures: dict) -> dict:
    """Floats to 9 decimals: the two computations divide the same integers."""
    return {
        key: round(value, 9) if isinstance(value, float) else value
        for key, value in figures.items()
    }


# --- the figures ---------------------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_month_total_and_every_breakdown_equal_the_reference(world: World) -> None:
    team_a = str(world.teams["Team A"].pk)
    choices = [
        (MARCH, AnalysisFilters()),
        (MARCH, AnalysisFilters(channel=Channel.EMAIL)),
        (MARCH, AnalysisFilters(office=Office.PGJO)),
        (MARCH, AnalysisFilters(team=team_a)),
        (MARCH, AnalysisFilters(team=NO_TEAM)),
        (Month(2024, 2), AnalysisFilters(channel=Channel.PHONE, office=Office.FRONT)),
        (Month(2024, 1), AnalysisFilters(channel=Channel.CHAT)),
        (Month(2024, 4), AnalysisFilters(office=Office.CHILDCARE, team=NO_TEAM)),
    ]
    checked = 0
    for month, filters in choices:
        analysis = satisfaction_analysis(month=month, filters=filters)
        base = {"channel": filters.channel, "office": filters.office, "team": filters.team}
        expected = reference(month, **base)
        assert rounded(figures_of(analysis.total)) == rounded(expected), (month, filters)
        for field, rows in (
            ("channel", analysis.by_channel),
            ("office", analysis.by_office),
            ("team", analysis.by_team),
        ):
            for row in rows:
                narrowed = {**base, field: row.key}
                assert rounded(figures_of(row.sums)) == rounded(reference(month, **narrowed)), (
                    month,
                    filters,
                    field,
                    row.key,
                )
                checked += 1
            # The rows of a breakdown (the month's groups) add up to the total (the trend's
            # last month): two queries each, the same figures.
            assert summed(row.sums for row in rows) == analysis.total
        previous = reference(month.shift(-1), **base)
        assert rounded(figures_of(analysis.previous)) == rounded(previous)
    assert checked > 60
    # The world is not degenerate: March has partial answers, remarks and e-mail invitations.
    march = reference(MARCH)
    assert march["responses"] > 40
    assert march["complete"] < march["responses"]
    assert march["remarks"] > 5
    assert reference(MARCH, channel=Channel.EMAIL)["asked"] > 10
    assert march["recommendation_n"] < march["responses"]


def test_trend_covers_13_months_each_equal_to_the_reference(world: World) -> None:
    analysis = satisfaction_analysis(month=Month(2024, 4), filters=AnalysisFilters())

    assert analysis.months == [Month(2023, 4).shift(n) for n in range(13)]
    assert analysis.months[-1] == Month(2024, 4)
    for month, sums in zip(analysis.months, analysis.trend, strict=True):
        assert rounded(figures_of(sums)) == rounded(reference(month)), month
    assert [sums.responses for sums in analysis.trend[:9]] == [0] * 9
    assert analysis.trend[9].responses > 0  # January 2024


def test_teams_follow_the_first_active_team_of_the_handler(world: World) -> None:
    users, teams = world.users, world.teams
    assert handler_teams() == {
        users["a1"].pk: teams["Team A"].pk,
        users["a2"].pk: teams["Team A"].pk,
        users["both"].pk: teams["Team A"].pk,
        users["n1"].pk: teams["Team B"].pk,
        users["h1"].pk: teams["Team D"].pk,
    }
    analysis = satisfaction_analysis(month=MARCH, filters=AnalysisFilters())
    keys = [row.key for row in analysis.by_team]
    # Active teams always, the inactive team C never (its member counts as without team).
    assert keys == [
        str(teams["Team D"].pk),  # childcare
        str(teams["Team A"].pk),  # front, by name
        str(teams["Team E"].pk),
        str(teams["Team B"].pk),  # pgjo
        NO_TEAM,
    ]
    empty = analysis.by_team[2].sums
    assert (empty.responses, empty.asked, empty.nps) == (0, 0, None)


def test_boundary_answers_count_in_their_brussels_month(db: None) -> None:
    roles_sync()
    for received_at, answered_at in (
        (at(2024, 2, 29, 23, 50), at(2024, 3, 1, 0, 10)),
        (at(2024, 3, 31, 23, 0), at(2024, 3, 31, 23, 59)),
        (at(2024, 4, 1, 0, 1), at(2024, 4, 1, 0, 20)),
    ):
        response_make(
            contact_make(received_at=received_at), answered_at=answered_at, recommendation=9
        )

    march = satisfaction_analysis(month=MARCH, filters=AnalysisFilters()).total

    assert march.responses == 2  # 1 March 00:10 and 31 March 23:59, not 1 April 00:20
    assert march.asked == 1  # the contact of 31 March; the one of 29 February is February's
    assert march.answered == 1


# --- hand-checked figures, NPS edge cases --------------------------------------------------------


def test_small_month_by_hand(db: None) -> None:
    """Three phone answers and one outgoing call: figures worked out by hand."""
    day = at(2024, 3, 5)
    c1, c2, c3 = (contact_make(received_at=day) for _n in range(3))
    contact_make(received_at=day)  # asked, never answered
    contact_make(received_at=day, direction=Direction.OUT)  # outgoing: not asked
    response_make(c1, answered_at=day, waiting_time=5, courtesy=4, information=3, recommendation=10)
    response_make(c2, answered_at=day, waiting_time=2, courtesy=5, recommendation=9)
    response_make(c3, answered_at=day, waiting_time=None, courtesy=1, recommendation=3)

    total = satisfaction_analysis(month=MARCH, filters=AnalysisFilters()).total

    assert (total.responses, total.complete, total.partial) == (3, 1, 2)
    assert (total.asked, total.answered, total.response_rate) == (4, 3, 75.0)
    assert total.mean("waiting_time") == 3.5  # (5 + 2) / 2: the missing answer is left out
    assert total.count("waiting_time") == 2
    assert total.mean("courtesy") == pytest.approx(10 / 3)
    assert total.mean("information") == 3.0
    assert total.satisfied_pct("courtesy") == pytest.approx(200 / 3)  # 4 and 5 of 3 answers
    assert (total.promoters, total.passives, total.detractors) == (2, 0, 1)
    assert total.nps == pytest.approx(100 / 3)  # 2/3 − 1/3
    assert total.distribution["recommendation"] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]


def test_nps_all_promoters_is_100_and_no_answers_is_no_value(db: None) -> None:
    day = at(2024, 3, 5)
    for score in (9, 10, 10):
        response_make(contact_make(received_at=day), answered_at=day, recommendation=score)
    # A response without a recommendation answer does not count for the NPS.
    response_make(contact_make(received_at=day), answered_at=day, courtesy=4)

    total = satisfaction_analysis(month=MARCH, filters=AnalysisFilters()).total
    assert total.nps == 100.0
    assert (total.nps_n, total.responses) == (3, 4)

    empty = satisfaction_analysis(month=Month(2024, 2), filters=AnalysisFilters()).total
    assert empty.nps is None
    assert empty.mean("courtesy") is None
    assert empty.response_rate is None
    only_courtesy = satisfaction_analysis(
        month=MARCH, filters=AnalysisFilters(channel=Channel.PHONE)
    )
    assert only_courtesy.total.mean("courtesy") == 4.0


def test_only_passives_is_a_real_zero(db: None) -> None:
    day = at(2024, 3, 5)
    for score in (7, 8):
        response_make(contact_make(received_at=day), answered_at=day, recommendation=score)

    total = satisfaction_analysis(month=MARCH, filters=AnalysisFilters()).total

    assert total.nps == 0.0
    assert total.passives == 2


def test_the_analysis_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    # Team memberships, the trend and the month's groups of responses, contacts and invitations
    # (3 + 3), the teams' names.
    with django_assert_num_queries(8):
        satisfaction_analysis(month=MARCH, filters=AnalysisFilters())
    for index in range(30):
        contact = contact_make(received_at=at(2024, 3, 2 + index % 20), handler=world.users["a2"])
        response_make(contact, answered_at=at(2024, 3, 25), recommendation=index % 11)
    with django_assert_num_queries(8):
        analysis = satisfaction_analysis(month=MARCH, filters=AnalysisFilters(team=NO_TEAM))
    assert analysis.total.responses == reference(MARCH, team=NO_TEAM)["responses"]


# --- remarks ---------------------------------------------------------------------------------


def test_remarks_only_for_team_leads_latest_first_and_audited(world: World) -> None:
    lead, analyst = (
        world.users["lead"],
        user_create_with_role(username="ana", password=PASSWORD, role_slug="analyst"),
    )
    assert satisfaction_remarks_visible(user=lead) is True
    assert satisfaction_remarks_visible(user=analyst) is False
    assert satisfaction_remarks_visible(user=world.users["a1"]) is False
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        satisfaction_remark_page(
            user=analyst, month=MARCH, filters=AnalysisFilters(), page_number=1
        )
    assert AuditEvent.objects.count() == before

    page = satisfaction_remark_page(
        user=lead, month=MARCH, filters=AnalysisFilters(), page_number=1
    )

    expected = sorted(
        (
            r
            for r in SurveyResponse.objects.exclude(remark="")
            if brussels_month(r.answered_at) == (2024, 3)
        ),
        key=lambda r: (r.answered_at, r.pk),
        reverse=True,
    )
    assert page.paginator.count == len(expected) == reference(MARCH)["remarks"]
    assert [r.pk for r in page] == [r.pk for r in expected[:20]]
    events = AuditEvent.objects.order_by("id")[before:]
    assert [(e.object_type, e.object_id, e.detail) for e in events] == [
        ("contact", r.contact_id, {"survey_remark": r.pk}) for r in expected[:20]
    ]
    assert {e.actor_id for e in events} == {lead.pk}
    assert {e.action for e in events} == {AuditEvent.Action.VIEW}


def test_remarks_follow_the_filters(world: World) -> None:
    team_a = world.teams["Team A"]
    filters = AnalysisFilters(team=str(team_a.pk), channel=Channel.PHONE)
    page = satisfaction_remark_page(
        user=world.users["lead"], month=MARCH, filters=filters, page_number=1
    )
    members = {world.users[name].pk for name in ("a1", "a2", "both")}
    expected = [
        r.pk
        for r in SurveyResponse.objects.select_related("contact").exclude(remark="")
        if brussels_month(r.answered_at) == (2024, 3)
        and r.channel == Channel.PHONE
        and r.contact.handler_id in members
    ]
    assert sorted(r.pk for r in page.object_list) == sorted(expected)
    assert expected
    none_page = satisfaction_remark_page(
        user=world.users["lead"], month=MARCH, filters=AnalysisFilters(team=NO_TEAM), page_number=1
    )
    assert none_page.paginator.count == reference(MARCH, team=NO_TEAM)["remarks"]


# --- months ------------------------------------------------------------------------------------


def test_month_parsing_and_shifting() -> None:
    assert Month.parse("2024-03") == MARCH
    for bad in ("2024-3", "2024-13", "24-03", "maart", "2024-00", ""):
        with pytest.raises(ValueError):  # noqa: PT011
            Month.parse(bad)
    assert MARCH.shift(-3) == Month(2023, 12)
    assert MARCH.shift(10) == Month(2025, 1)
    assert months_ending(Month(2024, 1), 3) == [Month(2023, 11), Month(2023, 12), Month(2024, 1)]
    assert MARCH.start == dt.datetime(2024, 3, 1, tzinfo=BRUSSELS)
    assert MARCH.end.astimezone(dt.UTC) == dt.datetime(2024, 3, 31, 22, 0, tzinfo=dt.UTC)
    with translation.override("nl-be"):
        assert MARCH.label == "maart 2024"


# --- significance ---------------------------------------------------------------------------------


def test_t_distribution_tail_matches_closed_forms_and_tables() -> None:
    for t in (0.3, 1.0, 2.5, 7.0):
        # df = 1 is the Cauchy distribution, df = 2 has a closed form too.
        assert t_two_sided_p(t, 1) == pytest.approx(1 - 2 / math.pi * math.atan(t), abs=1e-12)
        assert t_two_sided_p(t, 2) == pytest.approx(1 - t / math.sqrt(2 + t * t), abs=1e-12)
    # Critical values of Student's t (two-sided 5 % and 1 %).
    assert t_two_sided_p(2.228139, 10) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(2.042272, 30) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(2.976843, 14) == pytest.approx(0.01, abs=1e-6)
    assert t_two_sided_p(0.0, 12) == 1.0
    assert normal_two_sided_p(1.959964) == pytest.approx(0.05, abs=1e-6)


def test_nps_change_z_test() -> None:
    # 50 % promoters / 20 % detractors (NPS 30) against 30 % / 30 % (NPS 0), 200 answers each.
    result = nps_change(
        promoters_1=60, detractors_1=60, n_1=200, promoters_2=100, detractors_2=40, n_2=200
    )
    var_1 = 0.3 + 0.3 - 0.0**2
    var_2 = 0.5 + 0.2 - 0.3**2
    z = 0.3 / math.sqrt(var_1 / 200 + var_2 / 200)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert result.verdict == Verdict.SIGNIFICANT
    # The same NPS both months: no difference at all.
    same = nps_change(
        promoters_1=20, detractors_1=10, n_1=50, promoters_2=40, detractors_2=20, n_2=100
    )
    assert (same.verdict, same.p_value) == (Verdict.NOT_SIGNIFICANT, 1.0)
    # A small change on many answers is not significant.
    small = nps_change(
        promoters_1=50, detractors_1=20, n_1=100, promoters_2=52, detractors_2=20, n_2=100
    )
    assert small.verdict == Verdict.NOT_SIGNIFICANT
    assert small.p_value is not None
    assert 0.7 < small.p_value < 0.9
    # All promoters both months: no spread, no change.
    all_promoters = nps_change(
        promoters_1=40, detractors_1=0, n_1=40, promoters_2=35, detractors_2=0, n_2=35
    )
    assert all_promoters.verdict == Verdict.NOT_SIGNIFICANT
    flipped = nps_change(
        promoters_1=40, detractors_1=0, n_1=40, promoters_2=0, detractors_2=35, n_2=35
    )
    assert (flipped.verdict, flipped.p_value) == (Verdict.SIGNIFICANT, 0.0)


def test_too_few_answers_are_not_tested() -> None:
    few = nps_change(promoters_1=29, detractors_1=0, n_1=29, promoters_2=0, detractors_2=40, n_2=40)
    assert few == type(few)(Verdict.TOO_FEW)
    assert MIN_N == 30
    assert proportion_change(hits_1=1, n_1=10, hits_2=9, n_2=10).verdict == Verdict.TOO_FEW
    assert mean_change(Moments(29, 29.0, 29.0), Moments(40, 200.0, 1000.0)).verdict == (
        Verdict.TOO_FEW
    )
    assert proportion_change(hits_1=0, n_1=0, hits_2=9, n_2=40).verdict == Verdict.NO_DATA


def test_welch_t_test_equals_the_textbook_formula() -> None:
    first = [3, 4, 4, 5, 2, 4, 3, 5, 4, 4] * 4  # 40 answers
    second = [5, 5, 4, 5, 4, 5, 3, 5, 5, 4, 5] * 3  # 33 answers
    m1, m2 = sum(first) / len(first), sum(second) / len(second)
    v1 = sum((x - m1) ** 2 for x in first) / (len(first) - 1)
    v2 = sum((x - m2) ** 2 for x in second) / (len(second) - 1)
    se2 = v1 / len(first) + v2 / len(second)
    t = (m2 - m1) / math.sqrt(se2)
    df = se2**2 / ((v1 / len(first)) ** 2 / (len(first) - 1) + (v2 / len(second)) ** 2 / 32)

    result = mean_change(
        Moments(len(first), float(sum(first)), float(sum(x * x for x in first))),
        Moments(len(second), float(sum(second)), float(sum(x * x for x in second))),
    )

    assert result.statistic == pytest.approx(t)
    assert result.p_value == pytest.approx(t_two_sided_p(t, df))
    assert result.p_value is not None
    assert result.p_value < 0.001
    assert result.verdict == Verdict.SIGNIFICANT


def test_two_proportion_z_test() -> None:
    result = proportion_change(hits_1=45, n_1=100, hits_2=60, n_2=100)
    pooled = 105 / 200
    z = 0.15 / math.sqrt(pooled * (1 - pooled) * 0.02)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(0.0337, abs=1e-4)
    assert result.verdict == Verdict.SIGNIFICANT
    assert proportion_change(hits_1=45, n_1=100, hits_2=50, n_2=100).verdict == (
        Verdict.NOT_SIGNIFICANT
    )


def test_change_hints_in_dutch(db: None) -> None:
    day, before = at(2024, 3, 5), at(2024, 2, 5)
    for index in range(40):
        # February: 40 detractors; March: 40 promoters (and 5 in between stay passives).
        response_make(contact_make(received_at=before), answered_at=before, recommendation=2)
        response_make(
            contact_make(received_at=day),
            answered_at=day,
            recommendation=10,
            courtesy=5 if index < 20 else None,
        )
    with translation.override("nl-be"):
        analysis = satisfaction_analysis(month=MARCH, filters=AnalysisFilters())
        hints = {change.key: change.hint for change in analysis.changes}
    nps = analysis.changes[0]
    assert (nps.previous, nps.current, nps.difference) == (-100.0, 100.0, 200.0)
    assert (nps.n_previous, nps.n_current) == (40, 40)
    assert hints == {
        "nps": "significant (p < 0,001)",
        "waiting_time": "–",  # no answers in either month
        "courtesy": "–",  # February has no courtesy answers
        "information": "–",
        "response_rate": "niet significant (p = 1,000)",  # 100 % both months
    }
    few = satisfaction_analysis(month=MARCH, filters=AnalysisFilters(channel=Channel.CHAT))
    assert few.changes[0].significance.verdict == Verdict.NO_DATA
    contact = contact_make(received_at=day, channel=Channel.CHAT)
    response_make(contact, answered_at=day, recommendation=10)
    contact = contact_make(received_at=before, channel=Channel.CHAT)
    response_make(contact, answered_at=before, recommendation=1)
    with translation.override("nl-be"):
        few = satisfaction_analysis(month=MARCH, filters=AnalysisFilters(channel=Channel.CHAT))
        assert few.changes[0].hint == "niet significant: te weinig antwoorden (n < 30)"


def test_welch_test_equals_scipys_on_a_grid() -> None:
    # SciPy's own Welch test from the same summary statistics: the same t and p-value.
    from scipy import stats

    for n_1, mean_1, var_1 in ((30, 3.2, 0.9), (45, 4.1, 0.2), (200, 3.9, 1.4)):
        for n_2, mean_2, var_2 in ((31, 3.3, 1.1), (80, 4.4, 0.05), (1000, 2.0, 2.5)):
            first = Moments(n_1, n_1 * mean_1, var_1 * (n_1 - 1) + n_1 * mean_1**2)
            second = Moments(n_2, n_2 * mean_2, var_2 * (n_2 - 1) + n_2 * mean_2**2)
            expected = stats.ttest_ind_from_stats(
                mean_2, math.sqrt(var_2), n_2, mean_1, math.sqrt(var_1), n_1, equal_var=False
            )
            result = mean_change(first, second)
            assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-9)
            assert result.p_value == pytest.approx(float(expected.pvalue), rel=1e-6, abs=1e-12)
