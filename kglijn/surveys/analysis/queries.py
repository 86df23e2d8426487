"""The monthly satisfaction analysis (issue 5 §6): per channel, office and team, with a trend.

Everything is summed in SQL, six grouped queries per page whatever the number of answers, over
three sources: survey responses (by the Brussels month they were answered in: the number of
answers and, per criterion, the count of each score — from which count, mean, variance,
top-2-box share and NPS follow exactly), incoming phone and chat contacts (by the month they were
received in, and how many of them have a response: the response rate's cohort) and e-mail survey
invitations (by the month they were sent in, and how many were answered).

- the trend: each source filtered in SQL (channel, office, team) and grouped by month over the
  13 months — 13 rows each;
- the asked month: each source grouped by channel, office and team — a few dozen rows — which
  Python adds up per breakdown for the asked filters.

Totals and longer periods are recomputed from the counts, never averaged from averages.

Definitions (also shown on the page):
- A response belongs to the Brussels month in which it was answered.
- Response rate: phone and chat — of the incoming contacts received in the month on that
  channel, the share that has a response; e-mail — of the invitations sent in the month, the
  share that was answered (only those contacts were asked). The latest month can still rise.
- Average per criterion: over the answered values only (a partial response counts for the
  criteria it answered). NPS = % promoters (9–10) − % detractors (0–6) of the answers to the
  recommendation question; without answers there is no NPS (shown "–", not 0).
- Office: the contact's office. Team: the handler's team — the first active team (lowest id)
  whose members include the contact's handler, the same rule as the low-score follow-up;
  membership is today's (teams keep no history). No handler or no team: "without team".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable

from kglijn.accounts.models import Team
from kglijn.contacts.models import Channel, Contact, Direction
from kglijn.surveys.analysis.figures import (
    CRITERIA,
    SCORES,
    Month,
    Sums,
)
from kglijn.surveys.models import SurveyInvitation, SurveyResponse

NO_TEAM = "none"
# Contacts whose survey is offered on the contact itself (IVR after the call, end of the chat);
# e-mail contacts are asked through an invitation mail.
DIRECT_CHANNELS = (Channel.PHONE, Channel.CHAT)


# --- which answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisFilters:
    """Which answers to look at: a channel, office and team ("" = all; team "none" = without)."""

    channel: str = ""
    office: str = ""
    team: str = ""

    def matches(self, channel: str, office: str, team_id: int | None) -> bool:
        if self.channel and channel != self.channel:
            return False
        if self.office and office != self.office:
            return False
        if self.team:
            return team_key(team_id) == self.team
        return True


def team_key(team_id: int | None) -> str:
    return NO_TEAM if team_id is None else str(team_id)


# --- the grouped queries ------------------------------------------------------------------------


def handler_teams() -> dict[int, int]:
    """user id -> the id of their team: the first active team (lowest id) they are a member of."""
    rows = Team.members.through.objects.filter(team__active=True).values_list("user_id", "team_id")
    teams: dict[int, int] = {}
    for user_id, team_id in rows.order_by("-team_id"):
        teams[user_id] = team_id  # the lowest team id is written last
    return teams


def team_expression(handler_field: str, teams: dict[int, int]) -> Combinable:
    """SQL: the team id of the contact's handler (`teams` from `handler_teams`), else NULL."""
    members: dict[int, list[int]] = {}
    for user_id, team_id in sorted(teams.items()):
        members.setdefault(team_id, []).append(user_id)
    whens = [
        When(**{f"{handler_field}__in": ids}, then=Value(team_id))
        for team_id, ids in sorted(members.items())
    ]
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def team_condition(handler_field: str, team: str, teams: dict[int, int]) -> Q:
    """Rows of one team's key (an id, or NO_TEAM for contacts without a team)."""
    if team == NO_TEAM:
        return Q(**{f"{handler_field}__isnull": True}) | ~Q(**{f"{handler_field}__in": list(teams)})
    team_id = int(team)
    return Q(**{f"{handler_field}__in": [user for user, pk in teams.items() if pk == team_id]})


def _month_expression(moment_field: str, months: Sequence[Month]) -> Case:
    """SQL: the index of the Brussels month a moment falls in (UTC ranges, index-friendly)."""
    return Case(
        *[
            When(**{f"{moment_field}__gte": m.start, f"{moment_field}__lt": m.end}, then=Value(i))
            for i, m in enumerate(months)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class _Source:
    """One of the three grouped tables and where its channel, office and handler are."""

    name: str
    moment: str
    channel: str | None  # None: always e-mail (an invitation is the e-mail channel's survey)
    office: str
    handler: str

    def rows(self, first: Month, last: Month) -> QuerySet[Any]:
        """The table's rows of the months first…last, before grouping."""
        if self.name == "responses":
            return SurveyResponse.objects.filter(
                answered_at__gte=first.start, answered_at__lt=last.end
            )
        if self.name == "contacts":
            return Contact.objects.filter(
                received_at__gte=first.start,
                received_at__lt=last.end,
                direction=Direction.IN,
                channel__in=DIRECT_CHANNELS,
            )
        return SurveyInvitation.objects.filter(sent_at__gte=first.start, sent_at__lt=last.end)

    def aggregates(self) -> dict[str, Aggregate]:
        if self.name == "responses":
            return {
                "responses": Count("id"),
                "complete": Count("id", filter=Q(complete=True)),
                "remarks": Count("id", filter=~Q(remark="")),
                **{
                    f"d_{criterion}_{score}": Count("id", filter=Q(**{criterion: score}))
                    for criterion in CRITERIA
                    for score in SCORES[criterion]
                },
            }
        if self.name == "contacts":
            return {"asked": Count("id"), "answered": Count("survey_response")}
        # An invitation was answered when its contact has a response (read by the contact's
        # key: no join with the contacts unless the office or the team is asked).
        answered = Exists(SurveyResponse.objects.filter(contact_id=OuterRef("contact_id")))
        return {"asked": Count("id"), "answered": Count("id", filter=Q(answered))}

    def where(self, filters: AnalysisFilters, teams: dict[int, int]) -> Q:
        condition = Q()
        if filters.channel and self.channel is not None:
            condition &= Q(**{self.channel: filters.channel})
        elif filters.channel and filters.channel != Channel.EMAIL:
            condition &= Q(pk__in=[])  # invitations are the e-mail channel's
        if filters.office:
            condition &= Q(**{self.office: filters.office})
        if filters.team:
            condition &= team_condition(self.handler, filters.team, teams)
        return condition


SOURCES = (
    # Survey responses by the month they were answered in.
    _Source("responses", "answered_at", "channel", "contact__office", "contact__handler_id"),
    # Incoming phone and chat contacts by the month they were received in (asked on the spot).
    _Source("contacts", "received_at", "channel", "office", "handler_id"),
    # E-mail invitations by the month they were sent in.
    _Source("invitations", "sent_at", None, "contact__office", "contact__handler_id"),
)


def _add(target: Sums, row: dict[str, Any]) -> None:
    for name in ("responses", "complete", "remarks", "asked", "answered"):
        if name in row:
            setattr(target, name, getattr(target, name) + row[name])
    if "responses" in row:
        for criterion in CRITERIA:
            counts = target.distribution[criterion]
            for index, score in enumerate(SCORES[criterion]):
                counts[index] += row[f"d_{criterion}_{score}"]


def satisfaction_trend(
    *, months: Sequence[Month], filters: AnalysisFilters, teams: dict[int, int]
) -> list[Sums]:
    """The filtered figures of each of the given consecutive months (one query per source)."""
    trend = [Sums() for _month in months]
    for source in SOURCES:
        rows = (
            source.rows(months[0], months[-1])
            .filter(source.where(filters, teams))
            .annotate(k_month=_month_expression(source.moment, months))
            .values("k_month")
            .annotate(**source.aggregates())
            .order_by()
        )
        for row in rows:
            if row["k_month"] >= 0:
                _add(trend[row["k_month"]], row)
    return trend


# (channel, office, team id or None)
GroupKey = tuple[str, str, int | None]


def satisfaction_groups(*, month: Month, teams: dict[int, int]) -> dict[GroupKey, Sums]:
    """The month's figures per channel, office and team (one query per source)."""
    groups: dict[GroupKey, Sums] = {}
    for source in SOURCES:
        rows = (
            source.rows(month, month)
            .annotate(k_team=team_expression(source.handler, teams))
            .values(*([source.channel] if source.channel else []), source.office, "k_team")
            .annotate(**source.aggregates())
            .order_by()
        )
        for row in rows:
            channel = row[source.channel] if source.channel else Channel.EMAIL
            key = (str(channel), row[source.office], row["k_team"])
            _add(groups.setdefault(key, Sums()), row)
    return groups
