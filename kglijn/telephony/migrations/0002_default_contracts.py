"""The default service-level norm per office (80 % within 20 s, short abandons under 5 s) from
2019 on, to be replaced in /beheer/ by the contractual figures (docs/telephony.md)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

OFFICES = ("front", "pgjo", "childcare")


def seed(apps, schema_editor):
    Contract = apps.get_model("telephony", "ServiceLevelContract")
    for office in OFFICES:
        Contract.objects.get_or_create(
            office=office,
            valid_from=dt.date(2019, 1, 1),
            defaults={
                "target_pct": Decimal("80.00"),
                "target_seconds": 20,
                "short_abandon_seconds": 5,
            },
        )


def unseed(apps, schema_editor):
    Contract = apps.get_model("telephony", "ServiceLevelContract")
    Contract.objects.filter(valid_from=dt.date(2019, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("telephony", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
