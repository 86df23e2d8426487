"""The Opgroeipunt team lead's operational dashboard (issue 17 item 8): reads only.

Open cases by kind, team and age; the urgent lane with the oldest untaken urgent case; proposals
waiting for a second pair of eyes; each customer manager's caseload against the goal of 125
dossiers per FTE (source 002: "125 in plaats van 225 dossiers per VTE"). A dossier is a childcare
location the manager is the single point of contact (SPOC) for; each account counts as one FTE
(kglijn keeps no working-time fractions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q

from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    CaseStatus,
    Location,
    Proposal,
    ProposalStatus,
    RegionalTeam,
)

DOSSIERS_PER_FTE_GOAL = 125
DOSSIERS_PER_FTE_BEFORE = 225
# Age bands of open cases, in days since receipt (upper bounds; the last is open-ended).
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 7), (7, 30), (30, 90), (90, None))
CUSTOMER_MANAGER_GROUPS = ("Klantenbeheerder kinderopvang", "Teamleider Opgroeipunt")


@dataclass(frozen=True)
class Caseload:
    user: User
    dossiers: int  # active locations with this manager as SPOC
    open_cases: int

    @property
    def over_goal(self) -> bool:
        return self.dossiers > DOSSIERS_PER_FTE_GOAL

    @property
    def goal_pct(self) -> int:
        return round(100 * self.dossiers / DOSSIERS_PER_FTE_GOAL)


@dataclass(frozen=True)
class Dashboard:
    now: dt.datetime
    open_total: int
    by_kind: list[tuple[str, int, int]]  # (label, open, of which urgent)
    by_team: list[tuple[str, int]]
    by_age: list[tuple[tuple[int, int | None], int]]
    urgent_untaken: list[Case]  # oldest first
    urgent_overdue: int
    proposals_waiting: int
    oldest_proposal: Proposal | None
    caseloads: list[Caseload]
    goal: int = DOSSIERS_PER_FTE_GOAL
    before: int = DOSSIERS_PER_FTE_BEFORE


def opgroeipunt_dashboard(*, now: dt.datetime) -> Dashboard:
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED)
    kinds = {
        row["kind"]: (row["n"], row["urgent"])
        for row in open_cases.values("kind").annotate(
            n=Count("id"), urgent=Count("id", filter=Q(urgent=True))
        )
    }
    by_kind = [(str(label), *kinds.get(value, (0, 0))) for value, label in CaseKind.choices]
    teams: dict[int | None, int] = dict(
        open_cases.values_list("regional_team")
        .annotate(n=Count("id"))
        .values_list("regional_team", "n")
    )
    by_team = [(team.name, teams.get(team.pk, 0)) for team in RegionalTeam.objects.all()]
    if teams.get(None):
        by_team.append(("—", teams[None]))
    by_age = []
    for low, high in AGE_BANDS:
        band = open_cases.filter(received_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            band = band.filter(received_at__gt=now - dt.timedelta(days=high))
        by_age.append(((low, high), band.count()))
    untaken = open_cases.filter(urgent=True, taken_at__isnull=True)
    waiting = Proposal.objects.filter(status=ProposalStatus.PROPOSED)
    managers = list(
        User.objects.filter(is_active=True, groups__name__in=CUSTOMER_MANAGER_GROUPS).distinct()
    )
    # Two grouped counts, not one query joining both (its rows multiply: dossiers × cases).
    dossiers = dict(
        Location.objects.filter(active=True, spoc__in=managers)
        .values_list("spoc")
        .annotate(n=Count("id"))
        .values_list("spoc", "n")
    )
    handling = dict(
        open_cases.filter(handler__in=managers)
        .values_list("handler")
        .annotate(n=Count("id"))
        .values_list("handler", "n")
    )
    caseloads = sorted(
        (
            Caseload(
                user=user, dossiers=dossiers.get(user.pk, 0), open_cases=handling.get(user.pk, 0)
            )
            for user in managers
        ),
        key=lambda load: (-load.dossiers, load.user.username),
    )
    return Dashboard(
        now=now,
        open_total=open_cases.count(),
        by_kind=by_kind,
        by_team=by_team,
        by_age=by_age,
        urgent_untaken=list(
            untaken.select_related("regional_team").order_by("received_at", "id")[:10]
        ),
        urgent_overdue=untaken.filter(urgent_due_at__lt=now).count(),
        proposals_waiting=waiting.count(),
        oldest_proposal=waiting.select_related("proposed_by").order_by("proposed_at").first(),
        caseloads=caseloads,
    )


def locations_without_spoc() -> int:
    return Location.objects.filter(active=True, spoc__isnull=True).count()
