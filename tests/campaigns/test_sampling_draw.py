"""The draw on the database: plan, margins, minimisation, reproducibility, the register's
population and the rules for drawing again."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    Design,
    FrameUnit,
    PopulationCount,
    PopulationKind,
    StratumPlan,
)
from kglijn.campaigns.sampling.services import CampaignRefused, sample_draw
from kglijn.contacts.models import Channel, Customer
from kglijn.core.models import AuditEvent
from tests.campaigns.sampling_world import NOW, campaign_make, frame_fill, sampled_keys
from tests.contacts.factories import BRUSSELS, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

SIZES = {"BE-VAN": 57, "BE-VOV": 38, "BE-VLI": 19, "BE-VBR": 6}


def plan(campaign: Campaign) -> dict[str, tuple[int, int]]:
    return {
        row.stratum: (row.population, row.sample)
        for row in StratumPlan.objects.filter(campaign=campaign)
    }


def test_a_proportional_draw_stores_the_plan_margins_and_blanks_the_others() -> None:
    campaign = campaign_make(sample_size=20, strata_variables=["province"])
    frame_fill(campaign, SIZES)
    result = sample_draw(campaign, now=NOW)
    # 20·N_h/120: 9.5, 6.33, 3.17, 1.0 -> 9 + 6 + 3 + 1 = 19, the last unit to BE-VAN (0.5).
    assert plan(campaign) == {
        "province=BE-VAN": (57, 10),
        "province=BE-VBR": (6, 1),
        "province=BE-VLI": (19, 3),
        "province=BE-VOV": (38, 6),
    }
    assert (result.population, result.sample, result.strata) == (120, 20, 4)
    assert result.with_email == 20
    margins = {
        (m.variable, m.category): m.count for m in PopulationCount.objects.filter(campaign=campaign)
    }
    assert margins == {("province", key): size for key, size in SIZES.items()}
    units = FrameUnit.objects.filter(campaign=campaign)
    assert units.filter(sampled=True).count() == 20
    assert not units.filter(sampled=False).exclude(email="", phone="").exists()
    assert not units.filter(sampled=True, email="").exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAWN
    assert campaign.drawn_at == NOW
    event = AuditEvent.objects.get(object_type="campaigns.campaign", object_id=campaign.pk)
    assert event.detail["event"] == "sample_draw"
    assert event.detail["seed"] == 12345


def test_margins_cover_every_strata_variable() -> None:
    campaign = campaign_make(strata_variables=["province", "age"], sample_size=4)
    FrameUnit.objects.bulk_create(
        FrameUnit(
            campaign=campaign,
            external_key=f"k{i}",
            email=f"p{i}@example.be",
            strata={"province": "BE-VAN" if i < 6 else "BE-VLI", "age": str(i % 2)},
            stratum=f"province={'BE-VAN' if i < 6 else 'BE-VLI'} | age={i % 2}",
        )
        for i in range(10)
    )
    sample_draw(campaign, now=NOW)
    margins = {
        (m.variable, m.category): m.count for m in PopulationCount.objects.filter(campaign=campaign)
    }
    assert margins == {
        ("age", "0"): 5,
        ("age", "1"): 5,
        ("province", "BE-VAN"): 6,
        ("province", "BE-VLI"): 4,
    }
    assert sum(sample for _pop, sample in plan(campaign).values()) == 4


def test_the_same_seed_and_frame_draw_the_same_sample_in_any_insertion_order() -> None:
    first = campaign_make(sample_size=25)
    frame_fill(first, SIZES)
    sample_draw(first, now=NOW)
    order = list(range(sum(SIZES.values())))
    random.Random(3).shuffle(order)
    second = campaign_make(sample_size=25, version=first.version)
    frame_fill(second, SIZES, order=order)
    sample_draw(second, now=NOW)
    assert sampled_keys(first) == sampled_keys(second)
    third = campaign_make(sample_size=25, version=first.version, seed=12346)
    frame_fill(third, SIZES)
    sample_draw(third, now=NOW)
    assert sampled_keys(third) != sampled_keys(first)
    assert plan(third) == plan(first)


def test_the_minimum_design_and_the_census() -> None:
    campaign = campaign_make(design=Design.STRATIFIED_MINIMUM, sample_size=20, min_per_stratum=5)
    frame_fill(campaign, SIZES)
    sample_draw(campaign, now=NOW)
    samples = {key: sample for key, (_pop, sample) in plan(campaign).items()}
    assert sum(samples.values()) == 20
    assert min(samples.values()) == 5
    census = campaign_make(design=Design.CENSUS, sample_size=None, version=campaign.version)
    frame_fill(census, {"BE-VAN": 3, "BE-VLI": 2})
    sample_draw(census, now=NOW)
    assert plan(census) == {"province=BE-VAN": (3, 3), "province=BE-VLI": (2, 2)}


def test_units_without_email_are_counted_as_phone_only() -> None:
    campaign = campaign_make(design=Design.CENSUS, sample_size=None)
    frame_fill(campaign, {"BE-VAN": 3}, email=False)
    result = sample_draw(campaign, now=NOW)
    assert (result.with_email, result.phone_only, result.no_address) == (0, 3, 0)


def test_an_uploaded_frame_cannot_be_drawn_twice_without_uploading_it_again() -> None:
    campaign = campaign_make(sample_size=5)
    frame_fill(campaign, SIZES)
    sample_draw(campaign, now=NOW)
    with pytest.raises(CampaignRefused):
        sample_draw(campaign, now=NOW)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FIELDWORK)
    with pytest.raises(CampaignRefused):
        sample_draw(campaign, now=NOW)


def test_a_sample_larger_than_the_frame_is_refused_and_nothing_is_written() -> None:
    from kglijn.campaigns.sampling.allocation import AllocationError

    campaign = campaign_make(sample_size=500)
    frame_fill(campaign, SIZES)
    with pytest.raises(AllocationError):
        sample_draw(campaign, now=NOW)
    assert not StratumPlan.objects.filter(campaign=campaign).exists()
    assert FrameUnit.objects.filter(campaign=campaign).exclude(email="").count() == 120


# --- the register ----------------------------------------------------------------------------


def _contact(customer: Customer, day: dt.date, channel: str, hour: int = 10) -> None:
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS)
    ContactFactory.create(customer=customer, received_at=at, channel=channel, anonymous=False)


def test_the_register_population_follows_the_criteria() -> None:
    parent = CustomerFactory.create(email="a@example.be", province="BE-VAN")
    phone_only = CustomerFactory.create(email="", phone="0470000000", province="")
    organiser = CustomerFactory.create(
        kind=Customer.Kind.ORGANISER, email="o@example.be", province="BE-VAN"
    )
    no_address = CustomerFactory.create(email="", phone="", province="BE-VAN")
    outside = CustomerFactory.create(email="x@example.be", province="BE-VLI")
    early = CustomerFactory.create(email="e@example.be", province="BE-VAN")
    _contact(parent, dt.date(2023, 1, 31), Channel.PHONE)
    _contact(parent, dt.date(2023, 2, 3), Channel.EMAIL)  # the latest in the period
    _contact(parent, dt.date(2023, 3, 9), Channel.CHAT)  # after the period
    _contact(phone_only, dt.date(2023, 2, 28), Channel.PHONE, hour=23)  # 23:00 Brussels
    _contact(organiser, dt.date(2023, 2, 10), Channel.PHONE)
    _contact(no_address, dt.date(2023, 2, 10), Channel.PHONE)
    _contact(outside, dt.date(2023, 2, 10), Channel.PHONE)
    at = dt.datetime(2023, 1, 31, 23, 30, tzinfo=BRUSSELS)  # the day before, Brussels time
    ContactFactory.create(customer=early, received_at=at, channel=Channel.PHONE, anonymous=False)
    campaign = campaign_make(
        population_kind=PopulationKind.REGISTER,
        population_criteria={
            "kinds": ["parent"],
            "contact_from": "2023-02-01",
            "contact_to": "2023-02-28",
            "provinces": ["BE-VAN", ""],
        },
        strata_variables=["province", "kind", "channel"],
        design=Design.CENSUS,
        sample_size=None,
    )
    sample_draw(campaign, now=NOW)
    units = {unit.external_key: unit for unit in FrameUnit.objects.filter(campaign=campaign)}
    assert set(units) == {f"customer-{parent.pk}", f"customer-{phone_only.pk}"}
    mine = units[f"customer-{parent.pk}"]
    assert mine.customer_id == parent.pk
    assert mine.email == "a@example.be"
    assert mine.language == "nl-be"
    assert mine.strata == {"province": "BE-VAN", "kind": "parent", "channel": "email"}
    assert units[f"customer-{phone_only.pk}"].strata["province"] == ""
    assert units[f"customer-{phone_only.pk}"].stratum == "province= | kind=parent | channel=phone"


def test_a_register_campaign_draws_again_from_the_register() -> None:
    customers = [CustomerFactory.create(email=f"c{i}@example.be") for i in range(6)]
    for customer in customers:
        _contact(customer, dt.date(2023, 2, 10), Channel.PHONE)
    campaign = campaign_make(
        population_kind=PopulationKind.REGISTER,
        population_criteria={"contact_from": "2023-02-01", "contact_to": "2023-02-28"},
        strata_variables=[],
        design=Design.SIMPLE_RANDOM,
        sample_size=3,
    )
    sample_draw(campaign, now=NOW)
    first = sampled_keys(campaign)
    sample_draw(campaign, now=NOW)  # drawn -> drawn: the frame is read again, same seed
    assert sampled_keys(campaign) == first
    assert FrameUnit.objects.filter(campaign=campaign).count() == 6
    assert FrameUnit.objects.filter(campaign=campaign, sampled=True).exclude(email="").count() == 3
