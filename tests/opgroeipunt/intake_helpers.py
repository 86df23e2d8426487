"""Helpers for the intake tests: locations in a regional team, a cache of one's own."""

from __future__ import annotations

from kglijn.opgroeipunt.models import Location, Organiser, RegionalTeam


def make_location(
    external_id: str = "L1",
    *,
    name: str = "Het Nestje",
    postcode: str = "9000",
    team: str | None = "Regionaal team 1",
) -> Location:
    organiser, _created = Organiser.objects.get_or_create(
        external_id="O1", defaults={"name": "Vzw Kindjes"}
    )
    return Location.objects.create(
        external_id=external_id,
        organiser=organiser,
        name=name,
        postcode=postcode,
        province="BE-VOV",
        care_type="group",
        places=18,
        subsidy="T2",
        income_tariff=True,
        # get_or_create: a browser test's flush (TransactionTestCase) removes the seeded teams.
        regional_team=RegionalTeam.objects.get_or_create(name=team)[0] if team else None,
    )
