"""Satisfaction answers for the demo: the last 13 months of demo contacts (issue 5).

Bulk rows like the rest of the demo (raw inserts through the BulkWriter, explicit ids), made
after the contacts, deterministic per seed:

- who answers: IVR after ~25 % of the answered incoming calls, ~30 % of the chats, ~15 % of
  the invitations mailed 48 h after an identified sender's e-mail was answered (anonymous
  senders are never invited); some stop early (partial);
- what they answer: positive, as a public contact centre's customers do (the 2022-2023
  survey of parents scored 8.2/10, seed_figures.json): one latent satisfaction per respondent
  drives the 4 scores, so a bad experience is bad on several criteria; waiting time is rated
  lower in the busy autumn months; a few remarks in Dutch (mail and chat only: an IVR has none);
- follow-up: the active low-score rules open a task for the lead of the handler's team, as
  `survey_response_record` does; tasks older than 3 weeks (of the data) are done.

No audit events: these are historical rows, like the demo contacts themselves.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import accumulate
from statistics import NormalDist

from django.contrib.auth.models import User
from django.db import connection

from kglijn.accounts.models import Team
from kglijn.core.bulk import BulkWriter, first_free_ids
from kglijn.core.bulk import table_spec as make_table_spec
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.periods import add_months, month_start_brussels
from kglijn.demo.timeline import HOUR, TimestampText
from kglijn.demo.vocabulary import DEMO_EMAIL_DOMAIN
from kglijn.surveys.models import (
    FollowUpTask,
    InvitationStatus,
    SurveyInvitation,
    SurveyResponse,
)
from kglijn.surveys.services import (
    low_score_reasons,
    low_score_rules_active,
    survey_version_current,
)

MONTHS = 13
DAY = 24 * HOUR
RESPONSE_RATE = {"phone": 0.25, "email": 0.15, "chat": 0.30}
PARTIAL_SHARE = {"phone": 0.12, "email": 0.05, "chat": 0.08}
REMARK_SHARE = {"phone": 0.0, "email": 0.35, "chat": 0.20}
SOURCE = {"phone": "ivr", "email": "mail", "chat": "chat"}
INVITATION_DELAY = 48 * HOUR
INVITATION_VALID = 14 * DAY
OPEN_TASK_DAYS = 21  # tasks of the data's last 3 weeks are still open

CRITERIA = ("waiting_time", "courtesy", "information", "recommendation")
# Marginal distributions (score -> weight), skewed positive: NPS about +50, recommendation
# ~8.4 on average (parents scored the agency 8.2/10 in the 2022-2023 survey).
DISTRIBUTIONS: dict[str, dict[int, float]] = {
    "waiting_time": {1: 3, 2: 6, 3: 15, 4: 35, 5: 41},
    "courtesy": {1: 0.8, 2: 1.7, 3: 6.5, 4: 27, 5: 64},
    "information": {1: 1.5, 2: 3.5, 3: 10, 4: 33, 5: 52},
    "recommendation": {
        0: 1, 1: 0.3, 2: 0.5, 3: 0.7, 4: 1.5, 5: 3, 6: 4, 7: 10, 8: 16, 9: 25, 10: 38,
    },
}  # fmt: skip
LOADING = 0.87  # of the latent mood on each criterion; UNIQUE**2 + LOADING**2 = 1
UNIQUE = (1 - LOADING**2) ** 0.5
_NORMAL = NormalDist()
# Shifts of the latent score (in standard deviations): busier months wait longer, chats are
# rated a little higher and e-mails a little lower.
WAITING_MONTH_SHIFT = {3: -0.05, 7: 0.08, 8: 0.1, 9: -0.15, 10: -0.2, 11: -0.1}
CHANNEL_SHIFT = {"phone": -0.02, "email": -0.08, "chat": 0.1}

TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Frontoffice A", "front", ("agent1", "agent2", "agent3")),
    ("Frontoffice B", "front", ("agent4", "agent5", "agent6")),
    ("Backoffice PGJO", "pgjo", ("nurse1", "nurse2", "nurse3", "nurse4")),
    ("Backoffice kinderopvang", "childcare", ("childcare1", "childcare2")),
)
TEAM_LEAD = "lead"

REMARKS_GOOD = (
    "Heel vriendelijk geholpen, dank u!",
    "Snel een duidelijk antwoord gekregen.",
    "Fijn dat ik meteen iemand aan de lijn kreeg.",
    "De verpleegkundige nam echt de tijd voor mijn vraag.",
    "Zeer behulpzaam, ik weet nu wat ik moet doen.",
    "Duidelijke uitleg over de inentingen.",
    "Top service, blij dat de K&G-Lijn bestaat.",
    "Goed doorverwezen naar het Huis van het Kind.",
    "Vlot en correct antwoord op mijn mail.",
    "Heel geruststellend gesprek, merci.",
)
REMARKS_MIXED = (
    "Antwoord was goed, maar ik moest lang wachten.",
    "Vriendelijk, maar ik had graag wat meer uitleg gehad.",
    "Ik moest mijn vraag twee keer uitleggen.",
    "Goed geholpen, al duurde het antwoord op mijn mail wat lang.",
    "De website had dit ook duidelijker kunnen uitleggen.",
    "Informatie was correct, maar wat algemeen.",
)
REMARKS_BAD = (
    "Veel te lang gewacht aan de telefoon.",
    "Ik voelde me niet echt gehoord.",
    "Het antwoord hielp mij niet verder.",
    "Ik werd van het kastje naar de muur gestuurd.",
    "Pas na drie dagen een antwoord op mijn mail.",
    "Onvriendelijk te woord gestaan.",
)
OUTCOMES = (
    "Ouder teruggebeld, excuses aangeboden en de vraag alsnog beantwoord.",
    "Besproken met de medewerker in het teamoverleg.",
    "Gesprek beluisterd: correct verlopen, geen verdere actie.",
    "Lange wachttijd door piekmoment; bezetting voor die dag bijgestuurd.",
    "Mail met bijkomende uitleg gestuurd.",
    "Coaching gepland voor de medewerker.",
    "Geen contactgegevens: enkel intern besproken.",
)

RESPONSE_FIELDS = (
    "id", "contact_id", "version_id", "channel", "source", "external_id", "waiting_time",
    "courtesy", "information", "recommendation", "remark", "complete", "answered_at",
    "created_at",
)  # fmt: skip
INVITATION_FIELDS = (
    "id", "contact_id", "status", "due_at", "message_id", "claimed_at", "sent_at",
    "expires_at", "used_at", "attempts", "created_at",
)  # fmt: skip
TASK_FIELDS = (
    "id", "response_id", "contact_id", "assigned_to_id", "reasons", "status", "created_at",
    "done_at", "done_by_id", "outcome",
)  # fmt: skip

Row = tuple[object, ...]


@dataclass
class SurveyRows:
    responses: list[Row] = field(default_factory=list)
    invitations: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class DemoContact:
    id: int
    channel: str
    received: int  # epoch seconds
    answered: int | None
    closed: int | None
    office: str
    handler_id: int | None
    anonymous: bool


def _quantiles(distribution: dict[int, float]) -> tuple[list[float], list[int]]:
    scores = sorted(distribution)
    total = sum(distribution.values())
    bounds = list(accumulate(distribution[score] / total for score in scores))
    return bounds, scores


_QUANTILES = {criterion: _quantiles(dist) for criterion, dist in DISTRIBUTIONS.items()}


def _score(criterion: str, u: float) -> int:
    bounds, scores = _QUANTILES[criterion]
    return scores[min(bisect.bisect_left(bounds, u), len(scores) - 1)]


def demo_teams_ensure() -> dict[int, int]:
    """The demo teams (idempotent, by name), all led by the demo team lead; returns the lead
    per member (user id -> lead id) for the follow-up tasks."""
    users = dict(User.objects.values_list("username", "pk"))
    lead_id = users.get(TEAM_LEAD)
    lead_of: dict[int, int] = {}
    for name, office, members in TEAMS:
        team, created = Team.objects.get_or_create(
            name=name, defaults={"office": office, "lead_id": lead_id}
        )
        if created:
            team.members.set([users[member] for member in members if member in users])
    # As survey_response_record decides it: the oldest active team with a lead.
    for team in Team.objects.filter(active=True, lead__isnull=False).order_by("-id"):
        for member_id in team.members.values_list("pk", flat=True):
            assert team.lead_id is not None
            lead_of[member_id] = team.lead_id
    return lead_of


def _epoch_sql(column: str) -> str:
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {quoted}) AS BIGINT)"
    return f"CAST(strftime('%%s', {quoted}) AS INTEGER)"


def _contacts_since(start: int) -> list[DemoContact]:
    """The incoming contacts received at or after `start` (epoch), by id."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')}, {quote('channel')}, {_epoch_sql('received_at')}, "  # noqa: S608
        f"{_epoch_sql('answered_at')}, {_epoch_sql('closed_at')}, {quote('office')}, "
        f"{quote('handler_id')}, {quote('anonymous')} FROM {quote('contacts_contact')} "
        f"WHERE {quote('direction')} = 'in' AND {quote('received_at')} >= %s "
        f"ORDER BY {quote('id')}"
    )
    with connection.cursor() as cursor:
        since = connection.ops.adapt_datetimefield_value(dt.datetime.fromtimestamp(start, dt.UTC))
        cursor.execute(sql, [since])
        return [
            DemoContact(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]))
            for row in cursor.fetchall()
        ]


def _last_received() -> int | None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX({_epoch_sql('received_at')}) FROM {quote('contacts_contact')}",  # noqa: S608
            [],
        )
        (last,) = cursor.fetchone()
    return int(last) if last is not None else None


def _window_start(last: int) -> int:
    """The first day (Brussels) of the month 12 months before the last contact's month: 13
    calendar months of answers."""
    day = dt.datetime.fromtimestamp(last, BRUSSELS).date()
    first = month_start_brussels(add_months(day, -(MONTHS - 1)))
    return int(first.timestamp())


class SurveyGenerator:
    """The rows for a list of contacts; deterministic for (seed, contacts, ids)."""

    def __init__(
        self,
        *,
        seed: int,
        version_id: int,
        rules: list[tuple[str, int]],
        lead_of: dict[int, int],
        first_ids: tuple[int, int, int],
        stamp: TimestampText,
    ) -> None:
        self.rng = random.Random(f"{seed}-surveys")
        self.version_id = version_id
        self.rules = rules
        self.lead_of = lead_of
        self.response_id, self.invitation_id, self.task_id = first_ids
        self.stamp = stamp

    def _scores(self, contact: DemoContact, moment: int) -> tuple[float, dict[str, int]]:
        rng = self.rng
        # A Gaussian copula: each score's marginal stays exactly its distribution, while one
        # latent mood (correlation ~0.75 between criteria) ties the 4 answers together.
        mood = rng.gauss(0.0, 1.0)
        month = dt.datetime.fromtimestamp(moment, BRUSSELS).month
        scores = {}
        for criterion in CRITERIA:
            shift = CHANNEL_SHIFT[contact.channel]
            if criterion == "waiting_time":
                shift += WAITING_MONTH_SHIFT.get(month, 0.0)
            z = LOADING * mood + UNIQUE * rng.gauss(0.0, 1.0) + shift
            u = min(_NORMAL.cdf(z), 0.999999)
            scores[criterion] = _score(criterion, u)
        return mood, scores

    def _remark(self, contact: DemoContact, mood: float, scores: dict[str, int]) -> str:
        if self.rng.random() >= REMARK_SHARE[contact.channel]:
            return ""
        lowest = min(scores.values())
        if scores["recommendation"] <= 6 or lowest <= 2:
            return self.rng.choice(REMARKS_BAD)
        if mood < -0.1 or lowest == 3:
            return self.rng.choice(REMARKS_MIXED)
        return self.rng.choice(REMARKS_GOOD)

    def _answered_at(self, contact: DemoContact) -> int | None:
        """When the survey was answered; None when the contact gets no survey."""
        rng = self.rng
        if contact.answered is None:
            return None
        if contact.channel == "email":
            return (
                contact.answered
                + INVITATION_DELAY
                + min(int(rng.expovariate(1 / (18 * HOUR))), INVITATION_VALID - HOUR)
                + rng.randint(60, 600)
            )
        if contact.channel == "phone" and contact.office == "front" and contact.closed:
            end = contact.closed  # the call's end: the IVR starts right after it
        elif contact.channel == "chat" and contact.closed:
            end = contact.closed
        else:  # transferred call: ended long before the back office closed the contact
            end = contact.answered + rng.randint(90, 600)
        return end + rng.randint(15, 90)

    def generate(self, contacts: list[DemoContact], last: int) -> SurveyRows:
        rows = SurveyRows()
        rng = self.rng
        stamp = self.stamp
        open_from = last - OPEN_TASK_DAYS * DAY
        for contact in contacts:
            if contact.answered is None:
                continue
            invited = contact.channel == "email"
            if invited and contact.anonymous:
                continue  # never invited: no address kept
            answers = rng.random() < RESPONSE_RATE[contact.channel]
            moment = self._answered_at(contact)
            assert moment is not None
            response_id = None
            if answers:
                response_id = self.response_id
                self.response_id += 1
                mood, scores = self._scores(contact, moment)
                complete = rng.random() >= PARTIAL_SHARE[contact.channel]
                given: dict[str, int | None] = dict(scores)
                if not complete:
                    stopped = rng.randint(1, 3)  # answered the first 1-3 questions
                    for criterion in CRITERIA[stopped:]:
                        given[criterion] = None
                remark = self._remark(contact, mood, scores)
                rows.responses.append(
                    (
                        response_id,
                        contact.id,
                        self.version_id,
                        contact.channel,
                        SOURCE[contact.channel],
                        f"demo-ivr-{contact.id}" if contact.channel == "phone" else None,
                        given["waiting_time"],
                        given["courtesy"],
                        given["information"],
                        given["recommendation"],
                        remark,
                        complete,
                        stamp(moment),
                        stamp(moment),
                    )
                )
                reasons = low_score_reasons(scores=given, rules=self.rules)
                if reasons:
                    self._task(rows, response_id, contact, moment, reasons, open_from)
            if invited:
                assert contact.answered is not None
                due = contact.answered + INVITATION_DELAY
                sent = due + rng.randint(5, 240)
                rows.invitations.append(
                    (
                        self.invitation_id,
                        contact.id,
                        InvitationStatus.ANSWERED if answers else InvitationStatus.SENT,
                        stamp(due),
                        f"<survey-{contact.id}@{DEMO_EMAIL_DOMAIN}>",
                        stamp(sent),
                        stamp(sent),
                        stamp(sent + INVITATION_VALID),
                        stamp(moment) if answers else None,
                        1,
                        stamp(contact.answered),
                    )
                )
                self.invitation_id += 1
        return rows

    def _task(
        self,
        rows: SurveyRows,
        response_id: int,
        contact: DemoContact,
        moment: int,
        reasons: list[str],
        open_from: int,
    ) -> None:
        rng = self.rng
        lead = self.lead_of.get(contact.handler_id) if contact.handler_id else None
        done = moment < open_from
        done_at = moment + rng.randint(1, 6) * DAY + rng.randint(0, 8 * HOUR) if done else None
        rows.tasks.append(
            (
                self.task_id,
                response_id,
                contact.id,
                lead,
                "; ".join(reasons)[:300],
                "done" if done else "open",
                self.stamp(moment + 1),
                self.stamp(done_at) if done_at is not None else None,
                lead if done else None,
                rng.choice(OUTCOMES) if done else "",
            )
        )
        self.task_id += 1


def demo_surveys_write(*, writer: BulkWriter, seed: int) -> dict[str, int]:
    """Write the survey rows for the last 13 months of the loaded contacts (inside the demo
    load's transaction); returns rows written per table."""
    last = _last_received()
    counts = {"survey responses": 0, "survey invitations": 0, "follow-up tasks": 0}
    if last is None:
        return counts
    lead_of = demo_teams_ensure()
    specs = {
        "survey responses": make_table_spec(SurveyResponse, RESPONSE_FIELDS, connection=connection),
        "survey invitations": make_table_spec(
            SurveyInvitation,
            INVITATION_FIELDS,
            connection=connection,
            constants={"token_hash": None, "skip_reason": ""},
        ),
        "follow-up tasks": make_table_spec(FollowUpTask, TASK_FIELDS, connection=connection),
    }
    first = first_free_ids(list(specs.values()), connection)
    generator = SurveyGenerator(
        seed=seed,
        version_id=survey_version_current().pk,
        rules=low_score_rules_active(),
        lead_of=lead_of,
        first_ids=(first[0], first[1], first[2]),
        stamp=TimestampText("+00" if connection.vendor == "postgresql" else ""),
    )
    rows = generator.generate(_contacts_since(_window_start(last)), last)
    counts["survey responses"] = writer.write(specs["survey responses"], rows.responses)
    counts["survey invitations"] = writer.write(specs["survey invitations"], rows.invitations)
    counts["follow-up tasks"] = writer.write(specs["follow-up tasks"], rows.tasks)
    return counts


def demo_surveys_delete() -> dict[str, int]:
    """Delete every survey response, invitation and follow-up task (they hang on contacts, which
    a demo reset deletes all of). Versions and rules stay."""
    deleted = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, model in (
            ("follow-up tasks", FollowUpTask),
            ("survey responses", SurveyResponse),
            ("survey invitations", SurveyInvitation),
        ):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
            deleted[name] = max(int(cursor.rowcount), 0)
    return deleted
