"""The rollups now belong to the register (contacts 0006): state only, the tables stay.

Forgets the four rollup models in the reports app's state without touching their tables
(`reports_rollup_*`) or rows; contacts 0006 takes them over under the same table names.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0007_rollup_field_choices'),
        ('contacts', '0006_rollups_from_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.DeleteModel(
            name='ContactHourRollup',
        ),
        migrations.RemoveField(
            model_name='contactreasonrollup',
            name='reason',
        ),
        migrations.RemoveField(
            model_name='contactreferralrollup',
            name='referral',
        ),
        migrations.DeleteModel(
            name='ContactRollup',
        ),
        migrations.DeleteModel(
            name='ContactReasonRollup',
        ),
        migrations.DeleteModel(
            name='ContactReferralRollup',
        ),
        ]),
    ]
