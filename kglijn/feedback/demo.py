"""Demo visits and feedback for the demo users (DEMO ONLY; called from the demo, `kglijn demo`).

The four demo nurses each work in one local team, the demo team lead leads those four teams.
Thirteen months of visits up to `today`, with answers, scores and remarks drawn from a seeded
random generator: the same seed and day give the same figures. Written in bulk (one
transaction, a few statements), like the demo's contacts, so it takes well under a second.
Re-running replaces the demo employees' visits; nobody else's are touched.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.periods import month_end, months_back
from kglijn.feedback.models import LocalTeam, LocalTeamMembership, Visit, VisitFeedback, VisitKind
from kglijn.feedback.tokens import TOKEN_VALID_FOR, token_hash, token_new

# Demo employee -> the local team they work in (codes of local_team_seed.LOCAL_TEAMS).
DEMO_TEAMS = {
    "nurse1": "antwerpen-noord",
    "nurse2": "gent-centrum",
    "nurse3": "leuven",
    "nurse4": "hasselt",
}
DEMO_LEAD = "lead"
# Score 1..5 weights: parents are mostly satisfied, as in the 2022-2023 survey (8.2/10).
SCORE_WEIGHTS = (3, 5, 12, 32, 48)
RESPONSE_RATE = 0.45
REMARK_RATE = 0.35
REMARKS = {
    5: (
        "Heel fijn gesprek, ik voelde me echt gehoord.",
        "Duidelijke uitleg over de vaccinaties, bedankt!",
        "Super vriendelijk en geduldig met onze oudste.",
        "Goede tips over slapen, we gaan ze proberen.",
    ),
    4: (
        "Vlot verlopen, alleen wat lang moeten wachten.",
        "Goede uitleg over voeding, graag wat meer tijd de volgende keer.",
        "Fijn dat jullie aan huis kwamen.",
    ),
    3: (
        "Het was oké, maar ik had meer vragen dan er tijd was.",
        "De wachtzaal was erg vol.",
    ),
    2: (
        "Ik kreeg tegenstrijdig advies over de borstvoeding.",
        "Afspraak begon een half uur te laat.",
    ),
    1: ("Ik voelde me niet begrepen.",),
}


@dataclass(frozen=True)
class FeedbackDemoSummary:
    visits: int
    answers: int
    unread: int  # answers the demo nurses have not seen yet (the menu's counter)
    # Paths of a few unanswered, still valid links (nurse1's), to try the parent's page.
    open_links: list[str] = field(default_factory=list)


def _users() -> dict[str, User]:
    wanted = [*DEMO_TEAMS, DEMO_LEAD]
    return {user.username: user for user in User.objects.filter(username__in=wanted)}


@transaction.atomic
def feedback_demo_load(
    *, today: dt.date | None = None, seed: int = 2016, months: int = 13
) -> FeedbackDemoSummary:
    """Memberships, visits and answers for the demo nurses (demo users must exist already).

    Deterministic for a given seed and `today` (the tokens, which nobody sees, excepted).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(seed)
    users = _users()
    teams = {team.code: team for team in LocalTeam.objects.filter(code__in=DEMO_TEAMS.values())}
    nurses = [name for name in DEMO_TEAMS if name in users]

    for name in nurses:
        LocalTeamMembership.objects.update_or_create(
            local_team=teams[DEMO_TEAMS[name]], user=users[name], defaults={"is_lead": False}
        )
        if DEMO_LEAD in users:
            LocalTeamMembership.objects.update_or_create(
                local_team=teams[DEMO_TEAMS[name]],
                user=users[DEMO_LEAD],
                defaults={"is_lead": True},
            )
    Visit.objects.filter(employee__in=[users[name] for name in nurses]).delete()

    planned: list[tuple[Visit, int | None, str, dt.datetime | None]] = []
    open_links: list[str] = []
    for name in nurses:
        for first in months_back(today, months):
            last = min(today, month_end(first))
            days = [
                first + dt.timedelta(days=n)
                for n in range((last - first).days + 1)
                if (first + dt.timedelta(days=n)).weekday() < 5
            ]
            if not days:
                continue
            for _ in range(rng.randint(14, 24) * len(days) // 22):
                day = rng.choice(days)
                issued = min(now, dt.datetime.combine(day, dt.time(rng.randint(9, 16)), BRUSSELS))
                token = token_new()
                visit = Visit(
                    kind=VisitKind.CLINIC if rng.random() < 0.7 else VisitKind.HOME,
                    visited_on=day,
                    employee=users[name],
                    local_team=teams[DEMO_TEAMS[name]],
                    token_hash=token_hash(token),
                    token_expires_at=issued + TOKEN_VALID_FOR,
                )
                score: int | None = None
                remark = ""
                answered_at: dt.datetime | None = None
                if rng.random() < RESPONSE_RATE:
                    score = rng.choices(range(1, 6), weights=SCORE_WEIGHTS)[0]
                    answered_at = issued + dt.timedelta(hours=rng.randint(1, 96))
                    if rng.random() < REMARK_RATE:
                        remark = rng.choice(REMARKS[score])
                    if answered_at > now:
                        score, remark, answered_at = None, "", None
                if score is None and name == "nurse1" and visit.token_expires_at > now:
                    open_links.append(reverse("feedback:answer", args=[token]))
                planned.append((visit, score, remark, answered_at))

    Visit.objects.bulk_create([visit for visit, *_ in planned], batch_size=500)
    seen_before = now - dt.timedelta(days=3)
    answers = [
        VisitFeedback(
            visit=visit,
            score=score,
            remark=remark,
            submitted_at=answered_at,
            seen_at=answered_at if answered_at < seen_before else None,
        )
        for visit, score, remark, answered_at in planned
        if score is not None and answered_at is not None
    ]
    VisitFeedback.objects.bulk_create(answers, batch_size=500)
    return FeedbackDemoSummary(
        visits=len(planned),
        answers=len(answers),
        unread=sum(1 for answer in answers if answer.seen_at is None),
        open_links=open_links[-3:],
    )
