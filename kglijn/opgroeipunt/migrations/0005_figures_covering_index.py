"""A covering index for the figures (bench/opgroeipunt_figures.py, docs/performance.md).

PostgreSQL only: (kind, received_at) INCLUDE (id, admissible) lets the figures count danger
situations and admissible complaints, and find the danger cases whose locations they count, by
index-only scans instead of fetching every case row of the period from the heap (1 M cases: the
case query went from ~70 to ~10 ms). SQLite has no INCLUDE and needs nothing. It is not in the
model's Meta because Django's INCLUDE indexes are PostgreSQL-only and warn on SQLite.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS opgroeipunt_case_figures "
    "ON opgroeipunt_case (kind, received_at) INCLUDE (id, admissible)"
)
DROP = "DROP INDEX IF EXISTS opgroeipunt_case_figures"


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("opgroeipunt", "0004_regionalteam_email")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
