"""`kglijn demo`'s Opgroeipunt part: write the plan (``opgroeipunt_plan``) with bulk inserts,
and remove exactly the demo's rows again.

Demo rows are marked by the external id prefix ``demo-`` (organisers, locations, cases,
decisions); tracks, proposals, inspection visits (``ZI-demo-``) and document requests go with
their demo location or case (a request without a location by its requester's example.org
address). Decisions before
Opgroeipunt's launch (1 October 2023) are imported history (source ``import``, no proposal);
later ones were approved by a second customer manager (an approved ``Proposal`` each).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from kglijn.core.bulk import BulkWriter, fast_writes, first_free_ids, m2m_spec, table_spec
from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.opgroeipunt_inspections import REQUEST_EMAIL_DOMAIN, plan_extras, write_extras
from kglijn.demo.opgroeipunt_plan import (
    FIRST_NAMES,
    LAST_NAMES,
    LAUNCH,
    MARK,
    OpgroeipuntPlan,
    load_targets,
    plan_opgroeipunt,
)
from kglijn.demo.users import DEMO_USERS, demo_users_ensure
from kglijn.demo.vocabulary import DEMO_EMAIL_DOMAIN
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    Decision,
    DecisionSource,
    DocumentRequest,
    EnforcementTrack,
    InspectionVisit,
    InspectionVisitVersion,
    Location,
    LocationVersion,
    Organiser,
    Proposal,
    ProposalStatus,
    RegionalTeam,
    Reporter,
    RiskScore,
)

MANAGER_ROLE = "childcare_customer_manager"
BATCH = 5_000
MOTIVATIONS = {
    "admissible": "De klager is gekend, de feiten zijn recent en vallen onder onze bevoegdheid.",
    "not_admissible": "De klacht is niet ontvankelijk om de vermelde reden.",
    "danger_closed": "Zorginspectie en de klantenbeheerder bevestigen dat de situatie veilig is.",
    "enforcement_started": "Herhaalde tekortkomingen: een verbetertraject met opvolging.",
    "warning": "Onvoldoende verbetering binnen de gestelde termijn: formele aanmaning.",
    "intention": "Voornemen tot schorsing of opheffing; de organisator wordt gehoord.",
    "suspension": "Het welzijn van de kinderen is in gevaar: schorsing van de vergunning.",
    "revocation": "Geen herstel na de aanmaning en de hoorzitting: opheffing van de vergunning.",
    "inspection_advice": "Handhavingsadvies van Zorginspectie ontvangen.",
    "priority_support": "Prioritaire ondersteuning na de aanmaning.",
    "civil_party": "Opgroeien stelt zich burgerlijke partij.",
    "evaluation_positive": "Positieve evaluatie: de afspraken worden nageleefd.",
    "evaluation_negative": "Negatieve evaluatie: de afspraken worden niet nageleefd.",
    "enforcement_closed": "Het handhavingstraject wordt afgesloten.",
}
RELATIONS = ("ouder", "ouder", "ouder", "grootouder", "medewerker", "buur")


def _managers() -> list[int]:
    """Ids of the demo customer managers (klantenbeheer1, 2, 3 ...), in username order."""
    demo_users_ensure()
    names = sorted(u.username for u in DEMO_USERS if u.role_slug == MANAGER_ROLE)
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    return [ids[name] for name in names]


@contextmanager
def _given_times(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Keep the historic times the plan gives where the model stamps ``now`` on creation."""
    found = [model._meta.get_field(name) for model, name in fields]
    saved = [(f, f.auto_now_add) for f in found]  # type: ignore[union-attr]
    for f in found:
        f.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value  # type: ignore[union-attr]


def opgroeipunt_demo_exists() -> bool:
    return Location.objects.filter(external_id__startswith=MARK).exists()


@transaction.atomic
def opgroeipunt_demo_delete() -> dict[str, int]:
    """Delete the demo organisers, locations and cases and everything that hangs on them
    (tracks, decisions, proposals, history, reporters). Other rows stay."""
    locations = Location.objects.filter(external_id__startswith=MARK).values("pk")
    cases = Case.objects.filter(external_id__startswith=MARK).values("pk")
    on_demo = Q(location__in=locations) | Q(case__in=cases)
    visits = InspectionVisit.objects.filter(location__in=locations)
    InspectionVisitVersion.objects.filter(visit__in=visits.values("pk")).delete()
    requests = DocumentRequest.objects.filter(
        Q(location__in=locations)
        | Q(location__isnull=True, requester_email__endswith=f"@{REQUEST_EMAIL_DOMAIN}")
    )
    deleted = {
        # The risk model's scores of demo locations (the scores cascade; counted on their own).
        "opgroeipunt risk scores": RiskScore.objects.filter(location__in=locations).delete()[0],
        "opgroeipunt inspection visits": visits.delete()[0],
        "opgroeipunt document requests": requests.delete()[0],
        "opgroeipunt decisions": Decision.objects.filter(on_demo).delete()[0],
        "opgroeipunt proposals": Proposal.objects.filter(on_demo).delete()[0],
        "opgroeipunt tracks": EnforcementTrack.objects.filter(location__in=locations).delete()[0],
    }
    CaseEvent.objects.filter(case__in=cases).delete()
    Reporter.objects.filter(case__in=cases).delete()
    through = Case.locations.through
    through.objects.filter(Q(case__in=cases) | Q(location__in=locations)).delete()
    deleted["opgroeipunt cases"] = Case.objects.filter(external_id__startswith=MARK).delete()[0]
    LocationVersion.objects.filter(location__in=locations).delete()
    deleted["opgroeipunt locations"] = Location.objects.filter(
        external_id__startswith=MARK
    ).delete()[0]
    deleted["opgroeipunt organisers"] = Organiser.objects.filter(
        external_id__startswith=MARK, locations__isnull=True
    ).delete()[0]
    return deleted


def opgroeipunt_demo_load(
    *,
    seed: int,
    now: dt.datetime | None = None,
    reset: bool = False,
    progress: bool = False,
) -> dict[str, int]:
    """Write the Opgroeipunt demo (one transaction). Returns rows written per table; nothing
    when the demo rows are there already and ``reset`` is not asked."""
    now = (now or timezone.now()).astimezone(BRUSSELS)
    with transaction.atomic():
        if opgroeipunt_demo_exists():
            if not reset:
                return {}
            opgroeipunt_demo_delete()
        targets = load_targets()
        plan = plan_opgroeipunt(targets=targets, seed=seed, today=now.date(), now=now)
        return _write(plan, targets=targets, seed=seed, now=now, progress=progress)


def _write(
    plan: OpgroeipuntPlan, *, targets: dict[str, Any], seed: int, now: dt.datetime, progress: bool
) -> dict[str, int]:
    rng = random.Random(f"opgroeipunt-rows-{seed}")
    managers = _managers()
    extras = plan_extras(plan, targets=targets, seed=seed, managers=len(managers))
    teams = {
        number: RegionalTeam.objects.filter(name=f"Regionaal team {number}")
        .values_list("pk", flat=True)
        .first()
        for number in (1, 2, 3, 4)
    }
    rows: dict[str, int] = {}
    steps = (
        "organisers", "locations", "cases", "tracks", "decisions", "proposals", "inspections"
    )  # fmt: skip
    with tqdm(
        total=len(steps), desc="demo opgroeipunt", file=sys.stderr, disable=not progress
    ) as bar:
        organisers = Organiser.objects.bulk_create(
            [Organiser(external_id=o.external_id, name=o.name) for o in plan.organisers],
            batch_size=BATCH,
        )
        rows["opgroeipunt organisers"] = len(organisers)
        bar.update()
        locations = Location.objects.bulk_create(
            [
                Location(
                    external_id=loc.external_id,
                    organiser_id=organisers[loc.organiser].pk,
                    name=loc.name,
                    postcode=loc.postcode,
                    province=loc.province,
                    care_type=loc.care_type,
                    places=loc.places,
                    subsidy=loc.subsidy,
                    income_tariff=loc.income_tariff,
                    active=loc.active,
                    licence_status=loc.licence_status,
                    regional_team_id=teams[loc.team],
                    spoc_id=managers[plan.organisers[loc.organiser].manager % len(managers)],
                )
                for loc in plan.locations
            ],
            batch_size=BATCH,
        )
        first_load = dt.datetime(2021, 1, 4, 7, 0, tzinfo=BRUSSELS)
        with _given_times((LocationVersion, "changed_at")):
            LocationVersion.objects.bulk_create(
                [
                    LocationVersion(
                        location_id=location.pk,
                        changed_at=first_load,
                        source="demo",
                        created=True,
                        changes={
                            "name": [None, location.name],
                            "postcode": [None, location.postcode],
                            "care_type": [None, location.care_type],
                            "places": [None, location.places],
                            "subsidy": [None, location.subsidy],
                            "income_tariff": [None, location.income_tariff],
                        },
                    )
                    for location in locations
                ],
                batch_size=BATCH,
            )
        rows["opgroeipunt locations"] = len(locations)
        bar.update()
        cases = _write_cases(plan, locations, managers, teams, rng)
        rows["opgroeipunt cases"] = len(cases)
        bar.update()
        tracks = EnforcementTrack.objects.bulk_create(
            [
                EnforcementTrack(
                    location_id=locations[track.location].pk,
                    started_at=dt.datetime.combine(track.start, dt.time(9, 0), tzinfo=BRUSSELS),
                    closed_at=None,
                    state=track.state,
                    positive_evaluations=track.positive_evaluations,
                    plan_of_approach_on=extras.plan_of_approach.get(number),
                )
                for number, track in enumerate(plan.tracks)
            ],
            batch_size=BATCH,
        )
        rows["opgroeipunt tracks"] = len(tracks)
        bar.update()
        rows |= _write_decisions(plan, locations, cases, tracks, managers, rng)
        bar.update()
        rows["opgroeipunt open proposals"] = _write_open_proposals(plan, locations, cases, managers)
        bar.update()
        rows |= write_extras(
            extras,
            locations=[location.pk for location in locations],
            location_external_ids=[location.external_id for location in locations],
            managers=managers,
            batch=BATCH,
        )
        rows["opgroeipunt plans of approach"] = len(extras.plan_of_approach)
        bar.update()
    return rows


CASE_FIELDS = (
    "id", "external_id", "kind", "source", "received_at", "status", "subject",
    "regional_team_id", "handler_id", "urgent", "urgent_due_at", "taken_at", "escalated_at",
    "admissible", "admissibility_reason", "acknowledged_at", "answered_at", "conciliation",
    "handler_not_involved", "ombudsman_informed", "measures", "measures_from", "measures_until",
    "closed_at", "description",
)  # fmt: skip
CASE_CONSTANTS: dict[str, object] = {"created_by_id": None, "contact_id": None}
REPORTER_FIELDS = ("id", "case_id", "name", "email", "phone", "relation")
EVENT_FIELDS = ("id", "case_id", "at", "by_id", "what")
EVENT_CONSTANTS: dict[str, object] = {"changes": {}, "note": ""}  # prepared by the field


def _write_cases(
    plan: OpgroeipuntPlan,
    locations: list[Location],
    managers: list[int],
    teams: dict[int, int | None],
    rng: random.Random,
) -> list[int]:
    """Cases, their locations, reporters and history as raw rows (core.bulk): the ORM's
    bulk_create spends ~10 s on 100,000 rows of Python per field here. Returns the case ids."""
    suffix = "+00" if connection.vendor == "postgresql" else ""

    def ts(moment: dt.datetime | None) -> str | None:
        if moment is None:
            return None
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") + suffix

    def day(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    def manager(index: int | None) -> int | None:
        return None if index is None else managers[index % len(managers)]

    specs = {
        "cases": table_spec(Case, CASE_FIELDS, connection=connection, constants=CASE_CONSTANTS),
        "links": m2m_spec(Case, "locations", connection=connection),
        "reporters": table_spec(Reporter, REPORTER_FIELDS, connection=connection),
        "events": table_spec(
            CaseEvent, EVENT_FIELDS, connection=connection, constants=EVENT_CONSTANTS
        ),
    }
    next_case, next_link, next_reporter, next_event = first_free_ids(specs.values(), connection)
    ids = list(range(next_case, next_case + len(plan.cases)))
    cases, links, reporters, events = [], [], [], []
    for pk, c in zip(ids, plan.cases, strict=True):
        team = teams[plan.locations[c.locations[0]].team] if c.locations else None
        cases.append(
            (
                pk,
                c.external_id,
                c.kind,
                c.source,
                ts(c.received_at),
                c.status,
                c.subject,
                team,
                manager(c.handler),
                c.urgent,
                ts(c.urgent_due_at),
                ts(c.taken_at),
                ts(c.escalated_at),
                c.admissible,
                c.reason,
                ts(c.acknowledged_at),
                ts(c.answered_at),
                c.conciliation,
                c.kind == "complaint" and c.handler is not None,
                c.answered_at is not None and c.kind == "complaint",
                json.dumps(list(c.measures)),
                day(c.measures_from),
                day(c.measures_until),
                ts(c.closed_at),
                c.description,
            )
        )
        for index in c.locations:
            links.append((next_link, pk, locations[index].pk))
            next_link += 1
        if c.reporter and c.kind != "staff_shortage":
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            phone = " ".join(str(rng.randrange(10, 99)) for _ in range(3))
            relation = "ouder" if c.kind == "complaint" else rng.choice(RELATIONS)
            reporters.append(
                (
                    next_reporter,
                    pk,
                    f"{first} {last}",
                    f"{local}.{pk}@{DEMO_EMAIL_DOMAIN}",
                    f"04{rng.randrange(70, 99)} {phone}",
                    relation,
                )
            )
            next_reporter += 1
        for what, moment, by in (
            ("created", c.received_at, None),
            ("taken", c.taken_at, manager(c.handler)),
            ("closed", c.closed_at, manager(c.handler)),
        ):
            if moment is not None:
                events.append((next_event, pk, ts(moment), by, what))
                next_event += 1
    writer = BulkWriter(connection)
    with fast_writes(connection):
        for name, rows in (
            ("cases", cases),
            ("links", links),
            ("reporters", reporters),
            ("events", events),
        ):
            writer.write(specs[name], rows)
        writer.finish()
    return ids


def _write_decisions(
    plan: OpgroeipuntPlan,
    locations: list[Location],
    cases: list[int],
    tracks: list[EnforcementTrack],
    managers: list[int],
    rng: random.Random,
) -> dict[str, int]:
    """Decisions; those after the launch each with the approved proposal they came from."""
    proposals: list[Proposal] = []
    pairs: list[tuple[int, int]] = []
    for decision in plan.decisions:
        if decision.decided_at.date() < LAUNCH:
            pairs.append((-1, -1))
            continue
        proposer = rng.randrange(len(managers))
        approver = (proposer + 1 + rng.randrange(len(managers) - 1)) % len(managers)
        pairs.append((managers[proposer], managers[approver]))
        proposals.append(
            Proposal(
                kind=decision.kind,
                case_id=cases[decision.case] if decision.case is not None else None,
                location_id=locations[decision.location].pk
                if decision.location is not None
                else None,
                motivation=MOTIVATIONS.get(decision.kind, ""),
                payload=decision.payload,
                status=ProposalStatus.APPROVED,
                proposed_by_id=managers[proposer],
                proposed_at=decision.decided_at - dt.timedelta(hours=rng.randrange(1, 48)),
                decided_by_id=managers[approver],
                decided_at=decision.decided_at,
            )
        )
    with _given_times((Proposal, "proposed_at")):
        made = iter(Proposal.objects.bulk_create(proposals, batch_size=BATCH))
    rows = []
    closed_at: dict[int, dt.datetime] = {}
    for decision, (proposer, approver) in zip(plan.decisions, pairs, strict=True):
        approved = proposer >= 0
        proposal = next(made) if approved else None
        track = tracks[decision.track] if decision.track is not None else None
        if track is not None and plan.tracks[decision.track].close is not None:  # type: ignore[index]
            closed_at[decision.track] = decision.decided_at  # type: ignore[index]
        rows.append(
            Decision(
                external_id=decision.external_id,
                kind=decision.kind,
                source=DecisionSource.APPROVED if approved else DecisionSource.IMPORT,
                case_id=cases[decision.case] if decision.case is not None else None,
                location_id=locations[decision.location].pk
                if decision.location is not None
                else None,
                track_id=track.pk if track is not None else None,
                proposal_id=proposal.pk if proposal is not None else None,
                decided_at=decision.decided_at,
                effective_from=decision.effective_from,
                effective_until=decision.effective_until,
                motivation=MOTIVATIONS.get(decision.kind, ""),
                payload=decision.payload,
                proposed_by_id=proposer if approved else None,
                approved_by_id=approver if approved else None,
            )
        )
    Decision.objects.bulk_create(rows, batch_size=BATCH)
    # A closed track closes at its last decision (enforcement_closed or the 2nd positive).
    changed = []
    for number, moment in closed_at.items():
        tracks[number].closed_at = moment
        changed.append(tracks[number])
    EnforcementTrack.objects.bulk_update(changed, ["closed_at"], batch_size=BATCH)
    return {"opgroeipunt decisions": len(rows), "opgroeipunt approved proposals": len(proposals)}


def _write_open_proposals(
    plan: OpgroeipuntPlan, locations: list[Location], cases: list[int], managers: list[int]
) -> int:
    """Proposals waiting for a second pair of eyes, and a few rejected ones."""
    rows = [
        Proposal(
            kind=p.kind,
            case_id=cases[p.case] if p.case is not None else None,
            location_id=locations[p.location].pk if p.location is not None else None,
            motivation=p.motivation,
            payload=p.payload,
            status=p.status,
            proposed_by_id=managers[p.proposer],
            proposed_at=p.proposed_at,
            decided_by_id=managers[p.decider] if p.decider is not None else None,
            decided_at=p.decided_at,
            rejection_reason=p.rejection_reason,
        )
        for p in plan.proposals
    ]
    with _given_times((Proposal, "proposed_at")):
        Proposal.objects.bulk_create(rows)
    return len(rows)


def opgroeipunt_demo_counts() -> dict[str, Any]:
    """How many demo rows there are (for the command's summary and the tests)."""
    return {
        "locations": Location.objects.filter(external_id__startswith=MARK).count(),
        "cases": Case.objects.filter(external_id__startswith=MARK).count(),
    }
