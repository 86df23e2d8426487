"""Fill the new rollup tables from the contacts already in the register (empty: a no-op)."""

from typing import Any

from django.db import migrations


def build(apps: Any, schema_editor: Any) -> None:
    # Superseded: this called today's rollup code, which writes the tables of migration 0006
    # (natural keys, new names) that do not exist yet at this point of history. 0006 fills its
    # tables from the contacts when they hold contacts but no rollups, which covers a register
    # that reaches this step with contacts.
    return


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("contacts", "0002_initial_catalogues")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
