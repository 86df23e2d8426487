"""The regional teams' shared mailboxes (urgent cases are announced there, ADR 0015 §6), seeded
for the five teams of 0002; a mailbox an administrator changed is left alone."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

MAILBOXES = {
    "Regionaal team 1": "opgroeipunt.regio1@opgroeien.be",
    "Regionaal team 2": "opgroeipunt.regio2@opgroeien.be",
    "Regionaal team 3": "opgroeipunt.regio3@opgroeien.be",
    "Regionaal team 4": "opgroeipunt.regio4@opgroeien.be",
    "Centraal team": "opgroeipunt.centraal@opgroeien.be",
}


def seed(apps: Any, schema_editor: Any) -> None:
    team = apps.get_model("opgroeipunt", "RegionalTeam")
    for name, email in MAILBOXES.items():
        team.objects.filter(name=name, email="").update(email=email)


class Migration(migrations.Migration):
    dependencies = [("opgroeipunt", "0003_cases_decisions_tracks")]

    operations = [
        migrations.AddField(
            model_name="regionalteam",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="team mailbox"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
