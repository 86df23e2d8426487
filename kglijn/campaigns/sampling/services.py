"""The draw, the start of the fieldwork and the close of a campaign
(docs/campaigns-sampling.md).

The draw is reproducible: the same frame and seed draw the same units whatever order the
frame was stored in. Strata are taken in the order of their key; within a stratum the units
are ordered by `external_key` (Python's code-point order, not the database's collation) and
one `numpy.random.Generator(PCG64(seed))`, shared by the strata in that order, chooses
without replacement.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    Design,
    FrameUnit,
    Invitation,
    InvitationMail,
    InvitationStatus,
    PopulationCount,
    PopulationKind,
    StratumPlan,
)
from kglijn.campaigns.questionnaire.services import version_freeze, version_problems
from kglijn.campaigns.sampling.allocation import (
    AllocationError,
    allocate_minimum,
    allocate_proportional,
    too_large,
)
from kglijn.campaigns.sampling.frames import (
    BATCH,
    frame_replace,
    register_rows,
)
from kglijn.campaigns.sampling.mailing import CAMPAIGN_PURPOSE
from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.outbox.services import outbox_enqueue_many

AUDIT_TYPE = "campaigns.campaign"


class CampaignRefused(Exception):
    """The action is not possible now; the message says why (Dutch through gettext)."""


@dataclass(frozen=True)
class DrawResult:
    population: int
    sample: int
    strata: int
    with_email: int
    phone_only: int  # sampled, no e-mail address but a phone number: the phone short version
    no_address: int  # sampled, neither


def allocation(campaign: Campaign, populations: dict[str, int]) -> dict[str, int] | None:
    """Sample size per stratum for a stratified design; None for census / simple random
    (sizes follow from the draw). Raises AllocationError when the design does not fit."""
    total = sum(populations.values())
    if campaign.design == Design.CENSUS:
        return None
    n = campaign.sample_size or 0
    if n < 1:
        raise AllocationError(_("Give the sample size."))
    if campaign.design == Design.SIMPLE_RANDOM:
        if n > total:
            raise AllocationError(too_large(n, total))
        return None
    if campaign.design == Design.STRATIFIED_PROPORTIONAL:
        return allocate_proportional(populations, n)
    return allocate_minimum(populations, n, campaign.min_per_stratum or 0)


def _choose(generator: np.random.Generator, keys: Sequence[str], n: int) -> list[str]:
    ordered = sorted(keys)
    if n >= len(ordered):
        return ordered
    picked = generator.choice(len(ordered), size=n, replace=False)
    return [ordered[int(index)] for index in picked]


def draw_units(
    *, design: str, units: dict[str, str], sizes: dict[str, int] | None, n: int, seed: int
) -> set[str]:
    """The external keys drawn from `units` ({external_key: stratum}). `sizes` per stratum for a
    stratified design; n for simple random. Pure and reproducible (see the module's text)."""
    if design == Design.CENSUS:
        return set(units)
    generator = np.random.Generator(np.random.PCG64(seed))
    if design == Design.SIMPLE_RANDOM:
        return set(_choose(generator, list(units), n))
    assert sizes is not None
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for key, stratum in units.items():
        by_stratum[stratum].append(key)
    drawn: set[str] = set()
    for stratum in sorted(by_stratum):
        drawn.update(_choose(generator, by_stratum[stratum], sizes.get(stratum, 0)))
    return drawn


def _chunks(values: Sequence[int], size: int = BATCH) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


@transaction.atomic
def sample_draw(
    campaign: Campaign, *, now: dt.datetime, by: User | AnonymousUser | None = None
) -> DrawResult:
    """Draw the sample (before the fieldwork only; again = a new draw). A register population
    is read from the register first; an uploaded frame whose addresses were blanked by an
    earlier draw must be uploaded again. Stores the stratum plan and the margins, blanks the
    addresses of units not drawn, status drawn. Raises CampaignRefused / AllocationError."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.DRAWN):
        raise CampaignRefused(_("A sample can only be drawn before the fieldwork."))
    if campaign.seed is None:
        raise CampaignRefused(_("Give a seed before drawing."))
    variables = list(campaign.strata_variables)
    if campaign.population_kind == PopulationKind.REGISTER:
        frame_replace(campaign, register_rows(campaign.population_criteria, variables))
        campaign.refresh_from_db()
    elif campaign.population_kind == PopulationKind.UPLOAD:
        if campaign.drawn_at is not None:
            raise CampaignRefused(
                _(
                    "The addresses of the units not drawn were erased after the previous "
                    "draw: upload the frame again to draw anew."
                )
            )
    else:
        raise CampaignRefused(_("This population cannot be drawn from in kglijn."))
    rows = list(
        FrameUnit.objects.filter(campaign=campaign).values_list(
            "pk", "external_key", "stratum", "strata"
        )
    )
    if not rows:
        raise CampaignRefused(_("The population is empty: there is nothing to draw."))
    units = {key: stratum for _pk, key, stratum, _strata in rows}
    populations = dict(Counter(units.values()))
    sizes = allocation(campaign, populations)
    drawn = draw_units(
        design=campaign.design,
        units=units,
        sizes=sizes,
        n=campaign.sample_size or 0,
        seed=campaign.seed,
    )
    drawn_ids = [pk for pk, key, _stratum, _strata in rows if key in drawn]
    sample_counts = Counter(units[key] for key in drawn)
    # Plan and margins (the whole frame's counts per category of every strata variable).
    StratumPlan.objects.filter(campaign=campaign).delete()
    PopulationCount.objects.filter(campaign=campaign).delete()
    StratumPlan.objects.bulk_create(
        StratumPlan(
            campaign=campaign,
            stratum=stratum,
            population=populations[stratum],
            sample=sample_counts.get(stratum, 0),
        )
        for stratum in sorted(populations)
    )
    margins: Counter[tuple[str, str]] = Counter()
    for _pk, _key, _stratum, strata in rows:
        for name in variables:
            margins[(name, str(strata.get(name, "")))] += 1
    PopulationCount.objects.bulk_create(
        PopulationCount(campaign=campaign, variable=name, category=category, count=count)
        for (name, category), count in sorted(margins.items())
    )
    units_qs = FrameUnit.objects.filter(campaign=campaign)
    units_qs.filter(sampled=True).update(sampled=False)
    for chunk in _chunks(drawn_ids):
        FrameUnit.objects.filter(pk__in=chunk).update(sampled=True)
    # Minimisation: the addresses of whoever was not drawn are not kept.
    units_qs.filter(sampled=False).exclude(email="", phone="").update(email="", phone="")
    campaign.status = CampaignStatus.DRAWN
    campaign.drawn_at = now
    campaign.save(update_fields=["status", "drawn_at"])
    sampled = units_qs.filter(sampled=True)
    with_email = sampled.exclude(email="").count()
    phone_only = sampled.filter(email="").exclude(phone="").count()
    result = DrawResult(
        population=len(rows),
        sample=len(drawn_ids),
        strata=len(populations),
        with_email=with_email,
        phone_only=phone_only,
        no_address=len(drawn_ids) - with_email - phone_only,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=campaign.pk,
        detail={
            "event": "sample_draw",
            "design": campaign.design,
            "seed": campaign.seed,
            "population": result.population,
            "sample": result.sample,
            "strata": result.strata,
        },
    )
    return result


# --- fieldwork -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldworkResult:
    invitations: int
    phone_only: int
    no_address: int


@transaction.atomic
def fieldwork_begin(
    campaign: Campaign, *, now: dt.datetime, by: User | AnonymousUser | None = None
) -> FieldworkResult:
    """Start the fieldwork of a drawn campaign: an invitation (first mail due now, in the
    outbox) for every drawn unit with an e-mail address; freezes the questionnaire version.
    Units without one are counted (phone-only: for the phone short version)."""
    campaign = Campaign.objects.select_for_update().select_related("version").get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAWN:
        raise CampaignRefused(_("The fieldwork can only start once the sample is drawn."))
    problems = version_problems(campaign.version)
    if problems:
        raise CampaignRefused(" ".join(problems))
    today = now.astimezone(BRUSSELS).date()
    if campaign.fieldwork_end is not None and campaign.fieldwork_end < today:
        raise CampaignRefused(_("The fieldwork's end date has passed: change it first."))
    sampled = FrameUnit.objects.filter(campaign=campaign, sampled=True)
    unit_ids = list(sampled.exclude(email="").order_by("pk").values_list("pk", flat=True))
    phone_only = sampled.filter(email="").exclude(phone="").count()
    no_address = sampled.filter(email="", phone="").count()
    invitations = Invitation.objects.bulk_create(
        [Invitation(campaign=campaign, unit_id=pk) for pk in unit_ids], batch_size=BATCH
    )
    if any(invitation.pk is None for invitation in invitations):  # pragma: no cover - old SQLite
        invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    mails = InvitationMail.objects.bulk_create(
        [InvitationMail(invitation=inv, sequence=0, due_at=now) for inv in invitations],
        batch_size=BATCH,
    )
    if any(mail.pk is None for mail in mails):  # pragma: no cover - old SQLite
        mails = list(InvitationMail.objects.filter(invitation__campaign=campaign))
    outbox_enqueue_many(purpose=CAMPAIGN_PURPOSE, items=[(mail.pk, now) for mail in mails])
    version = campaign.version
    version_freeze(version, now)
    campaign.status = CampaignStatus.FIELDWORK
    fields = ["status"]
    if campaign.fieldwork_start is None:
        campaign.fieldwork_start = today
        fields.append("fieldwork_start")
    campaign.save(update_fields=fields)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=campaign.pk,
        detail={
            "event": "fieldwork_begin",
            "invitations": len(mails),
            "phone_only": phone_only,
            "no_address": no_address,
        },
    )
    return FieldworkResult(invitations=len(mails), phone_only=phone_only, no_address=no_address)


@transaction.atomic
def campaign_close(
    campaign: Campaign, *, now: dt.datetime, by: User | AnonymousUser | None = None
) -> None:
    """End the fieldwork: mails still waiting are not sent (the purpose declines them)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.FIELDWORK:
        raise CampaignRefused(_("Only a campaign in the fieldwork can be closed."))
    campaign.status = CampaignStatus.CLOSED
    fields = ["status"]
    today = now.astimezone(BRUSSELS).date()
    if campaign.fieldwork_end is None or campaign.fieldwork_end > today:
        campaign.fieldwork_end = today
        fields.append("fieldwork_end")
    campaign.save(update_fields=fields)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CLOSE,
        object_type=AUDIT_TYPE,
        object_id=campaign.pk,
        detail={"event": "campaign_close"},
    )


@dataclass(frozen=True)
class Counts:
    population: int
    sampled: int
    invited: int
    sent: int
    opted_out: int
    completed: int
    skipped: int
    phone_only: int


def campaign_counts(campaign: Campaign) -> Counts:
    units = FrameUnit.objects.filter(campaign=campaign)
    invitations = Invitation.objects.filter(campaign=campaign)
    by_status = Counter(invitations.values_list("status", flat=True))
    # Once drawn, the population is the stratum plan's (stored with the draw, equal to the frame
    # then); a frame kept only for the drawn units (the demo's) still shows the whole population.
    planned = StratumPlan.objects.filter(campaign=campaign).aggregate(n=Sum("population"))["n"]
    return Counts(
        population=units.count() if planned is None else planned,
        sampled=units.filter(sampled=True).count(),
        invited=sum(by_status.values()),
        sent=invitations.filter(mails__sent_at__isnull=False).distinct().count(),
        opted_out=by_status.get(InvitationStatus.OPTED_OUT, 0),
        completed=by_status.get(InvitationStatus.COMPLETED, 0),
        skipped=by_status.get(InvitationStatus.SKIPPED, 0),
        phone_only=units.filter(sampled=True, email="").exclude(phone="").count(),
    )
