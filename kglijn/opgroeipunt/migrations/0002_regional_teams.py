"""Seed the customer managers' teams: 4 regional teams and 1 central team (002: "de 4 regionale
teams en 1 centraal team KO"). The source does not name the regional teams, so they are numbered;
renaming one later keeps its locations (docs/opgroeipunt.md)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TEAMS = (
    ("Regionaal team 1", False),
    ("Regionaal team 2", False),
    ("Regionaal team 3", False),
    ("Regionaal team 4", False),
    ("Centraal team", True),
)


def seed(apps: Any, schema_editor: Any) -> None:
    team = apps.get_model("opgroeipunt", "RegionalTeam")
    for name, central in TEAMS:
        team.objects.get_or_create(name=name, defaults={"central": central})


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("opgroeipunt", "RegionalTeam").objects.filter(
        name__in=[name for name, _central in TEAMS], locations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("opgroeipunt", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
