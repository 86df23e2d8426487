"""Fill the new rollup tables from the contacts already in the register (empty: a no-op)."""

from typing import Any

from django.db import migrations


def build(apps: Any, schema_editor: Any) -> None:
    # The rollup code is raw SQL on the contact tables as they are at this point of history;
    # later migrations that change those tables must keep this step working or replace it.
    from kglijn.reports.rollups import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("contacts", "0002_initial_catalogues")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
