"""The Opgroeipunt demo's issue-18 rows: Zorginspectie's visits with findings and published
reports, plans of approach on enforcement tracks, and requests for documents (passive openness).

A pure plan on top of the Opgroeipunt plan (``plan_extras``) and a bulk writer (``write_extras``).
Exact by construction (docs/opgroeipunt.md, "Inspecties, openbaarheid en geplante risico's"):

- every half year from January 2020 has ``VISITS_PER_HALF_YEAR`` visits (the running half year
  pro rata); the share of visits with each type equals 002's "Soort inspectiebezoek" for
  January-June 2020 and January-June 2023 exactly, the half years between are interpolated,
  those after keep 2023's shares;
- 440 reports are published from 19 December 2022 up to 30 June 2023;
- 1,265 document requests are received from 1 January up to 26 June 2023, due by the app's own
  openness term (3 working days, ``kglijn.opgroeipunt.terms.openness_due``).
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.opgroeipunt_plan import FIRST_NAMES, LAST_NAMES, OpgroeipuntPlan
from kglijn.demo.opgroeipunt_signals import (
    TILT_LABEL,
    TILT_SIGNAL,
    critical_finding_chance,
    sigmoid,
    weights,
)
from kglijn.opgroeipunt.models import DocumentRequest, InspectionVisit, InspectionVisitVersion
from kglijn.opgroeipunt.models import InspectionType as T
from kglijn.opgroeipunt.terms import Calendar, TermStatus, openness_due, openness_term

VISITS_PER_HALF_YEAR = 1_000
FIRST_VISIT_DAY = dt.date(2020, 1, 1)
PUBLICATION_START = dt.date(2022, 12, 19)  # 002: "Publicatie gestart op 19/12/2022"
REPORTS_ONLINE_BY = dt.date(2023, 6, 30)  # 002: 440 inspection reports online by June 2023
REQUESTS_WINDOW = (dt.date(2023, 1, 1), dt.date(2023, 6, 26))  # "T.e.m 26/06: 1265 aanvragen"
PLAN_OF_APPROACH_FROM = dt.date(2023, 7, 1)  # "Begin juli 2023: melding als er een plan ..."
PLAN_OF_APPROACH_SHARE = 0.55
REPORT_URL = "https://www.zorginspectie.example/verslagen/{reference}.pdf"
REQUEST_EMAIL_DOMAIN = "example.org"
SYNC_SOURCE = "sync:inspection (demo)"
# Blocks in this order, wrapped over the visits: the types beyond 100 % fall on the first
# visits, i.e. on follow-up visits (enforcement advice with a follow-up: the usual pair).
TYPE_ORDER = (
    T.FOLLOW_UP,
    T.REGULAR,
    T.DOSSIER_REVIEW,
    T.COMPLAINT,
    T.DANGER_SITUATION,
    T.ADVICE_ENFORCEMENT,
)
THEMES: dict[str, tuple[str, ...]] = {
    "veiligheid": (
        "Onvoldoende toezicht in de buitenruimte.",
        "Gevaarlijke producten binnen bereik van de kinderen.",
        "Het veiligheidsbeleid is niet bijgewerkt.",
    ),
    "gezondheid en hygiëne": (
        "De handhygiëne bij het verluieren wordt niet consequent toegepast.",
        "Het beleid rond koortsmeting en medicatie ontbreekt.",
    ),
    "pedagogische kwaliteit": (
        "Er is weinig interactie met de kinderen tijdens de vrije momenten.",
        "Het pedagogisch beleid is niet gekend bij de begeleiders.",
    ),
    "personeel en begeleiding": (
        "De begeleider-kindratio wordt op piekmomenten overschreden.",
        "Niet alle begeleiders hebben een geldig attest.",
    ),
    "infrastructuur": (
        "De slaapruimte is onvoldoende verlucht.",
        "De buitenruimte vertoont schade aan de omheining.",
    ),
}
CRITICAL_TEXTS = (
    "Kinderen bleven zonder toezicht achter; onmiddellijke maatregelen nodig.",
    "Een kind met letsel werd niet opgevolgd; het welzijn van de kinderen is in gevaar.",
    "Zware onderbemanning: één begeleider voor twee leefgroepen.",
    "Onveilige slaapsituatie bij baby's vastgesteld.",
)
REQUEST_SUBJECTS = (
    "Het inspectieverslag van {name} van {day}.",
    "Alle inspectieverslagen van {name} sinds 2021.",
    "Het laatste inspectieverslag van {name}, voor mijn keuze van opvang.",
)
REQUEST_GENERAL = (
    "De inspectieverslagen van de kinderopvang in mijn gemeente.",
    "Een overzicht van de handhavingsbeslissingen van het voorbije jaar.",
)


@dataclass
class PlanVisit:
    external_id: str
    location: int
    visited_on: dt.date
    types: list[str]
    findings: list[dict[str, str]]
    report_reference: str
    synced_at: dt.datetime  # when the daily sync brought it in (its first version)
    report_published_on: dt.date | None = None
    report_url: str = ""


@dataclass
class PlanRequest:
    received_at: dt.datetime
    requester_name: str
    requester_email: str
    location: int | None
    subject: str
    due_on: dt.date
    status: str
    answered_at: dt.datetime | None
    handler: int | None  # manager index
    answer: str


@dataclass
class PlanExtras:
    visits: list[PlanVisit]
    plan_of_approach: dict[int, dt.date]  # track index -> since
    requests: list[PlanRequest]
    half_years: list[tuple[dt.date, dt.date, int]] = field(default_factory=list)


def type_shares(targets: dict[str, Any], half: int) -> dict[str, float]:
    """The share (%) of visits with each type in half year ``half`` (0: January-June 2020,
    6: January-June 2023): 002's two columns, linear in between, 2023's after."""
    first = targets["inspection_visit_types_jan_jun_pct"]["2020"]
    last = targets["inspection_visit_types_jan_jun_pct"]["2023"]
    share = min(half, 6) / 6
    return {
        kind: round(first.get(kind, 0) + share * (last.get(kind, 0) - first.get(kind, 0)), 1)
        for kind in TYPE_ORDER
    }


def _half_years(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    year, first_half = FIRST_VISIT_DAY.year, True
    yesterday = today - dt.timedelta(days=1)
    while True:
        start = dt.date(year, 1 if first_half else 7, 1)
        if start > yesterday:
            return out
        end = dt.date(year, 6, 30) if first_half else dt.date(year, 12, 31)
        out.append((start, min(end, yesterday)))
        year, first_half = (year, False) if first_half else (year + 1, True)


def _visit_types(shares: dict[str, float], n: int, rng: random.Random) -> list[list[str]]:
    """n type lists whose counts per type are round(n × share) exactly; each list >= 1 type."""
    tokens = [kind for kind in TYPE_ORDER for _ in range(round(n * shares[kind] / 100))]
    if len(tokens) < n:  # fewer type slots than visits cannot happen with 002's shares
        tokens += [T.REGULAR] * (n - len(tokens))
    lists: list[list[str]] = [[] for _ in range(n)]
    for k, kind in enumerate(tokens):
        lists[k % n].append(str(kind))
    rng.shuffle(lists)
    return lists


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5]


class _Extras:
    def __init__(
        self, plan: OpgroeipuntPlan, targets: dict[str, Any], seed: int, calendar: Calendar
    ) -> None:
        self.plan = plan
        self.calendar = calendar
        self.targets = targets
        self.rng = random.Random(f"opgroeipunt-inspections-{seed}")
        self.z = plan.propensity or [0.0] * len(plan.locations)
        n = len(plan.locations)
        self.all = list(range(n))
        self.cum_label = list(accumulate(weights(self.z, TILT_LABEL)))
        self.cum_signal = list(accumulate(weights(self.z, TILT_SIGNAL)))
        self.cases: dict[str, tuple[list[dt.date], list[int]]] = {}
        for kind in ("danger", "complaint"):
            rows = sorted(
                (c.received_at.astimezone(BRUSSELS).date(), c.locations[0])
                for c in plan.cases
                if c.kind == kind and c.locations
            )
            self.cases[kind] = ([d for d, _l in rows], [loc for _d, loc in rows])
        self.tracks_by_month: dict[tuple[int, int], list[int]] = {}
        for track in plan.tracks:
            last = track.last_day(plan.today)
            month = (track.start.year, track.start.month)
            while month <= (last.year, last.month):
                self.tracks_by_month.setdefault(month, []).append(track.location)
                month = (month[0] + (month[1] == 12), month[1] % 12 + 1)

    def _recent_case(self, kind: str, day: dt.date, within: int) -> int | None:
        days, locations = self.cases[kind]
        lo = bisect_left(days, day - dt.timedelta(days=within))
        hi = bisect_right(days, day - dt.timedelta(days=1))
        return locations[self.rng.randrange(lo, hi)] if hi > lo else None

    def _location(self, types: list[str], day: dt.date) -> int:
        """Visits follow what happened: a danger visit goes where a danger situation was just
        reported, a complaint visit to a recent complaint, a follow-up or advice visit to a
        location in enforcement; before the register's history (2020) they follow the
        propensity."""
        rng = self.rng
        found: int | None = None
        if T.DANGER_SITUATION in types:
            found = self._recent_case("danger", day, 30)
        if found is None and T.COMPLAINT in types:
            found = self._recent_case("complaint", day, 60)
        if found is None and (T.FOLLOW_UP in types or T.ADVICE_ENFORCEMENT in types):
            open_tracks = self.tracks_by_month.get((day.year, day.month))
            if open_tracks:
                found = rng.choice(open_tracks)
        if found is not None:
            return found
        if types == [T.REGULAR]:
            return rng.randrange(len(self.all))
        cumulative = self.cum_signal if T.DOSSIER_REVIEW in types else self.cum_label
        return rng.choices(self.all, cum_weights=cumulative)[0]

    def _findings(self, location: int) -> list[dict[str, str]]:
        rng = self.rng
        z = self.z[location]
        findings = []
        if rng.random() < critical_finding_chance(z):
            findings.append(
                {"theme": "veiligheid", "severity": "critical", "text": rng.choice(CRITICAL_TEXTS)}
            )
        for _ in range(rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]):
            theme = rng.choice(list(THEMES))
            severity = "major" if rng.random() < 0.15 + 0.25 * sigmoid(z) else "minor"
            findings.append(
                {"theme": theme, "severity": severity, "text": rng.choice(THEMES[theme])}
            )
        return findings

    def visits(self) -> tuple[list[PlanVisit], list[tuple[dt.date, dt.date, int]]]:
        rng = self.rng
        visits: list[PlanVisit] = []
        halves = []
        now = dt.datetime.combine(self.plan.today, dt.time(6, 0), tzinfo=BRUSSELS)
        for half, (first, last) in enumerate(_half_years(self.plan.today)):
            end = dt.date(first.year, 6, 30) if first.month == 1 else dt.date(first.year, 12, 31)
            full = (end - first).days + 1
            n = round(VISITS_PER_HALF_YEAR * min(1.0, ((last - first).days + 1) / full))
            halves.append((first, last, n))
            days = _weekdays(first, last)
            for types in _visit_types(type_shares(self.targets, half), n, rng):
                day = rng.choice(days)
                location = self._location(types, day)
                number = len(visits) + 1
                synced = dt.datetime.combine(
                    day + dt.timedelta(days=rng.randrange(2, 12)), dt.time(6, 30), tzinfo=BRUSSELS
                )
                visits.append(
                    PlanVisit(
                        external_id=f"ZI-demo-{day.year}-{number:06d}",
                        location=location,
                        visited_on=day,
                        types=sorted(types, key=lambda t: TYPE_ORDER.index(T(t))),
                        findings=self._findings(location),
                        report_reference=f"ZI-R-{day.year}-{number:06d}",
                        synced_at=min(synced, now),
                    )
                )
        self._publish(visits)
        return visits, halves

    def _publish(self, visits: list[PlanVisit]) -> None:
        """Exactly 440 reports online from 19 December 2022 to 30 June 2023; after that about a
        third of the reports, a month or so after the visit."""
        rng = self.rng
        candidates = []
        for visit in visits:
            after = visit.visited_on + dt.timedelta(days=rng.randrange(25, 50))
            on = max(after, PUBLICATION_START + dt.timedelta(days=rng.randrange(0, 20)))
            if visit.visited_on >= dt.date(2022, 10, 1) and on <= REPORTS_ONLINE_BY:
                candidates.append((visit, on))
            elif on > REPORTS_ONLINE_BY and on < self.plan.today and rng.random() < 0.35:
                visit.report_published_on = on
        for visit, on in rng.sample(candidates, 440):
            visit.report_published_on = on
        for visit in visits:
            if visit.report_published_on is not None:
                visit.report_url = REPORT_URL.format(reference=visit.report_reference)

    def plan_of_approach(self) -> dict[int, dt.date]:
        """About half of the tracks open from July 2023 on get a plan of approach, 3 to 10
        weeks after their start (never before July 2023, never after their close)."""
        rng = self.rng
        out = {}
        yesterday = self.plan.today - dt.timedelta(days=1)
        for number, track in enumerate(self.plan.tracks):
            last = track.close or yesterday
            if last < PLAN_OF_APPROACH_FROM or track.revocation is not None:
                continue
            if rng.random() >= PLAN_OF_APPROACH_SHARE:
                continue
            on = max(
                track.start + dt.timedelta(days=rng.randrange(21, 70)),
                PLAN_OF_APPROACH_FROM + dt.timedelta(days=rng.randrange(2, 30)),
            )
            if on <= last:
                out[number] = on
        return out

    def _working_days_before(self, day: dt.date, count: int) -> dt.date:
        while count:
            day -= dt.timedelta(days=1)
            count -= self.calendar.is_working_day(day)
        return day

    def _answered(self, received: dt.datetime, due: dt.date) -> dt.datetime:
        """On a working day: 93 % by the due day (the app's openness term), 7 % 1-6 working
        days after it."""
        rng = self.rng
        calendar = self.calendar
        if rng.random() < 0.07:
            day = calendar.add_working_days(due, rng.randrange(1, 7))
        else:
            first = calendar.add_working_days(received.date(), 0)
            span = [first]
            while span[-1] < due:
                span.append(calendar.add_working_days(span[-1], 1))
            day = rng.choice(span)
        moment = dt.datetime.combine(
            day, dt.time(rng.randrange(9, 17), rng.randrange(60)), tzinfo=BRUSSELS
        )
        return max(moment, received + dt.timedelta(hours=rng.randrange(1, 5)))

    def requests(self, visits: list[PlanVisit], managers: int) -> list[PlanRequest]:
        """1,265 requests in the window, answered (93 % within the 3 working days); a few open
        right now (received 1 and 2 working days ago: in their term; 5-12 ago: past it)."""
        rng = self.rng
        published = sorted(
            (v for v in visits if v.report_published_on is not None),
            key=lambda v: (v.report_published_on, v.external_id),
        )
        published_on = [v.report_published_on or PUBLICATION_START for v in published]
        out: list[PlanRequest] = []
        days = _weekdays(*REQUESTS_WINDOW)
        received_days = sorted(rng.choice(days) for _ in range(1_265))
        recent = [self._working_days_before(self.plan.today, d) for d in (1, 2, 5, 7, 9, 12)]
        for number, day in enumerate(received_days + recent, start=1):
            received = dt.datetime.combine(
                day, dt.time(rng.randrange(8, 20), rng.randrange(60)), tzinfo=BRUSSELS
            )
            known = bisect_right(published_on, day)
            visit = published[rng.randrange(known)] if known and rng.random() < 0.9 else None
            name = self.plan.locations[visit.location].name if visit else ""
            subject = (
                rng.choice(REQUEST_SUBJECTS).format(name=name, day=f"{visit.visited_on:%d/%m/%Y}")
                if visit
                else rng.choice(REQUEST_GENERAL)
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            due = openness_due(received, self.calendar)
            status, answered, answer = "received", None, ""
            if day <= REQUESTS_WINDOW[1]:
                answered = self._answered(received, due)
                status = rng.choices(("granted", "partly_granted", "refused"), (85, 11, 4))[0]
                answer = {
                    "granted": "Het gevraagde verslag is bezorgd.",
                    "partly_granted": "Verslag bezorgd; persoonsgegevens zijn onleesbaar gemaakt.",
                    "refused": "Het verslag is nog niet definitief en kan niet bezorgd worden.",
                }[status]
            out.append(
                PlanRequest(
                    received_at=received,
                    requester_name=f"{first} {last}",
                    requester_email=f"{local}.{number}@{REQUEST_EMAIL_DOMAIN}",
                    location=visit.location if visit else None,
                    subject=subject,
                    due_on=due,
                    status=status,
                    answered_at=answered,
                    handler=number % managers if answered else None,
                    answer=answer,
                )
            )
        return out


def request_on_time(request: PlanRequest, *, now: dt.datetime, calendar: Calendar) -> bool:
    """The app's verdict (``openness_term``) on one planned request."""
    term = openness_term(
        due=request.due_on, answered_at=request.answered_at, now=now, calendar=calendar
    )
    return term.status == TermStatus.ON_TIME


def requests_calendar(today: dt.date) -> Calendar:
    """Working days from the requests' window to a year after today (reads the closing days)."""
    return Calendar.covering(REQUESTS_WINDOW[0] - dt.timedelta(days=7), today)


def plan_extras(
    plan: OpgroeipuntPlan,
    *,
    targets: dict[str, Any],
    seed: int,
    managers: int = 3,
    calendar: Calendar | None = None,
) -> PlanExtras:
    """Visits, plans of approach and document requests for ``plan`` (same seed, same rows).
    The requests' due days follow the app's working days (``calendar``; default: read now)."""
    extras = _Extras(plan, targets, seed, calendar or requests_calendar(plan.today))
    visits, halves = extras.visits()
    return PlanExtras(
        visits=visits,
        plan_of_approach=extras.plan_of_approach(),
        requests=extras.requests(visits, managers),
        half_years=halves,
    )


def write_extras(
    extras: PlanExtras,
    *,
    locations: list[int],
    location_external_ids: list[str],
    managers: list[int],
    batch: int = 5_000,
) -> dict[str, int]:
    """Bulk-insert the visits with their history (as the daily sync writes it) and the document
    requests; ``locations`` maps plan index -> Location pk. Plans of approach go with the
    tracks (the caller sets ``plan_of_approach_on``)."""
    made = InspectionVisit.objects.bulk_create(
        [
            InspectionVisit(
                external_id=v.external_id,
                location_id=locations[v.location],
                visited_on=v.visited_on,
                types=v.types,
                findings=v.findings,
                report_reference=v.report_reference,
                report_url=v.report_url,
                report_published_on=v.report_published_on,
            )
            for v in extras.visits
        ],
        batch_size=batch,
    )
    versions = []
    for visit, v in zip(made, extras.visits, strict=True):
        versions.append(
            InspectionVisitVersion(
                visit_id=visit.pk,
                changed_at=v.synced_at,
                source=SYNC_SOURCE,
                created=True,
                changes={
                    "location": [None, location_external_ids[v.location]],
                    "visited_on": [None, v.visited_on.isoformat()],
                    "types": [None, v.types],
                    "findings": [None, v.findings],
                    "report_reference": [None, v.report_reference],
                },
            )
        )
        if v.report_published_on is not None:
            versions.append(
                InspectionVisitVersion(
                    visit_id=visit.pk,
                    changed_at=dt.datetime.combine(
                        v.report_published_on, dt.time(6, 30), tzinfo=BRUSSELS
                    ),
                    source=SYNC_SOURCE,
                    created=False,
                    changes={
                        "report_url": ["", v.report_url],
                        "report_published_on": [None, v.report_published_on.isoformat()],
                    },
                )
            )
    field = InspectionVisitVersion._meta.get_field("changed_at")
    saved = field.auto_now_add
    field.auto_now_add = False
    try:
        InspectionVisitVersion.objects.bulk_create(versions, batch_size=batch)
    finally:
        field.auto_now_add = saved
    requests = DocumentRequest.objects.bulk_create(
        [
            DocumentRequest(
                received_at=r.received_at,
                requester_name=r.requester_name,
                requester_email=r.requester_email,
                location_id=locations[r.location] if r.location is not None else None,
                subject=r.subject,
                due_on=r.due_on,
                status=r.status,
                answered_at=r.answered_at,
                handled_by_id=managers[r.handler % len(managers)]
                if r.handler is not None
                else None,
                answer=r.answer,
            )
            for r in extras.requests
        ],
        batch_size=batch,
    )
    return {
        "opgroeipunt inspection visits": len(made),
        "opgroeipunt inspection visit versions": len(versions),
        "opgroeipunt document requests": len(requests),
    }
