"""Rollup tables keyed by their natural key (grain, day, dimensions…) instead of a surrogate id
plus a unique constraint: one index and one identity value less per rollup row written (ADR
0006). Django cannot change a table's primary key in place, so each table is created anew under
a new name, filled from the old one with one INSERT … SELECT, and the old one dropped.
"""

import django.db.models.deletion
from django.db import migrations, models

import kglijn.core.provinces  # noqa: F401  (choices below are literal copies)

GRAIN = [("d", "Day"), ("m", "Month"), ("y", "Year")]


def _common() -> list[tuple[str, models.Field]]:  # type: ignore[type-arg]
    return [
        ("grain", models.CharField(choices=GRAIN, max_length=1, verbose_name="grain")),
        ("day", models.DateField(verbose_name="day")),
        ("channel", models.CharField(max_length=10, verbose_name="channel")),
        ("direction", models.CharField(max_length=3, verbose_name="direction")),
        ("office", models.CharField(max_length=10, verbose_name="office")),
        ("contacts", models.IntegerField(verbose_name="contacts")),
    ]


def _province() -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(blank=True, max_length=6, verbose_name="province")


def _topic() -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(blank=True, max_length=20, verbose_name="topic")


TABLES = {
    # model: (key columns after grain/day, extra fields, new table, verbose name)
    "ContactRollup": (
        ("channel", "direction", "origin", "office", "province", "topic", "anonymous"),
        lambda: [
            ("origin", models.CharField(blank=True, max_length=10, verbose_name="origin")),
            ("province", _province()),
            ("topic", _topic()),
            ("anonymous", models.BooleanField(verbose_name="anonymous")),
        ],
        "reports_rollup_contact",
        "contact rollup",
    ),
    "ContactHourRollup": (
        ("hour", "channel", "direction", "office"),
        lambda: [("hour", models.PositiveSmallIntegerField(verbose_name="hour"))],
        "reports_rollup_hour",
        "contact rollup per hour",
    ),
    "ContactReasonRollup": (
        ("reason", "channel", "direction", "office", "province", "topic"),
        lambda: [
            (
                "reason",
                models.ForeignKey(
                    db_constraint=False,
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="contacts.reason",
                ),
            ),
            ("province", _province()),
            ("topic", _topic()),
        ],
        "reports_rollup_reason",
        "contact rollup per reason",
    ),
    "ContactReferralRollup": (
        ("referral", "channel", "direction", "office", "province", "topic"),
        lambda: [
            (
                "referral",
                models.ForeignKey(
                    db_constraint=False,
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="contacts.referralorganisation",
                ),
            ),
            ("province", _province()),
            ("topic", _topic()),
        ],
        "reports_rollup_referral",
        "contact rollup per referral",
    ),
}


def _copy(model: str, new_table: str, key: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        old = apps.get_model("reports", f"Old{model}")
        columns = ["grain", "day", *key, "contacts"]
        names = ", ".join(
            schema_editor.quote_name(old._meta.get_field(name).column) for name in columns
        )
        schema_editor.execute(
            f"INSERT INTO {schema_editor.quote_name(new_table)} ({names}) "  # noqa: S608
            f"SELECT {names} FROM {schema_editor.quote_name(old._meta.db_table)}"
        )

    return forwards


operations: list[migrations.operations.base.Operation] = []
for _model, (_key, _extra, _table, _verbose) in TABLES.items():
    operations += [
        migrations.RenameModel(_model, f"Old{_model}"),
        migrations.CreateModel(
            name=_model,
            fields=[
                *_common(),
                *_extra(),
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "grain", "day", *_key, blank=True, editable=False, primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
            options={"verbose_name": _verbose, "db_table": _table},
        ),
        migrations.RunPython(_copy(_model, _table, _key), migrations.RunPython.noop),
        migrations.DeleteModel(f"Old{_model}"),
    ]


def _build_if_missing(apps, schema_editor):  # type: ignore[no-untyped-def]
    # A register that holds contacts but no rollups (it came here from before 0002, whose step
    # is now a no-op) gets them built. This calls today's rollup code: a later migration that
    # changes the rollup tables must keep this step working or replace it, like 0002's.
    contacts = apps.get_model("contacts", "Contact")
    rollup = apps.get_model("reports", "ContactRollup")
    if contacts.objects.exists() and not rollup.objects.exists():
        from kglijn.contacts.rollups.services import rollups_rebuild

        rollups_rebuild()


operations.append(migrations.RunPython(_build_if_missing, migrations.RunPython.noop))


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_reference_checks_per_statement"),
        ("reports", "0005_rollups_reference_no_foreign_key"),
    ]

    operations = operations
