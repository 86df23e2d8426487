from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("telephony", "0002_default_contracts"),
    ]

    operations = [
        # Events stored before this migration were applied in their own request: True for
        # them, then False as the default for new events.
        migrations.AddField(
            model_name="callevent",
            name="applied",
            field=models.BooleanField(default=True, verbose_name="applied"),
        ),
        migrations.AlterField(
            model_name="callevent",
            name="applied",
            field=models.BooleanField(default=False, verbose_name="applied"),
        ),
        migrations.AddIndex(
            model_name="callevent",
            index=models.Index(
                condition=models.Q(("applied", False)),
                fields=["id"],
                name="telephony_event_unapplied",
            ),
        ),
    ]
