"""The rollups move from reports to the register (issue 14): state only, tables and rows stay.

The four tables keep their names (`reports_rollup_*`) and their rows; only Django's idea of which
app owns the models changes. reports 0008 removes them from the reports app's state.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_email_answered_index'),
        # The tables exist in their final shape once reports has run its last rollup migration.
        ('reports', '0007_rollup_field_choices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='ContactHourRollup',
            fields=[
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month'), ('y', 'Year')], max_length=1, verbose_name='grain')),
                ('day', models.DateField(verbose_name='day')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('chat', 'Chat')], max_length=10, verbose_name='channel')),
                ('direction', models.CharField(choices=[('in', 'Incoming'), ('out', 'Outgoing')], max_length=3, verbose_name='direction')),
                ('office', models.CharField(choices=[('front', 'Front office'), ('pgjo', 'Back office PGJO'), ('childcare', 'Back office childcare')], max_length=10, verbose_name='office')),
                ('contacts', models.IntegerField(verbose_name='contacts')),
                ('hour', models.PositiveSmallIntegerField(verbose_name='hour')),
                ('pk', models.CompositePrimaryKey('grain', 'day', 'hour', 'channel', 'direction', 'office', blank=True, editable=False, primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'contact rollup per hour',
                'db_table': 'reports_rollup_hour',
            },
        ),
        migrations.CreateModel(
            name='ContactRollup',
            fields=[
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month'), ('y', 'Year')], max_length=1, verbose_name='grain')),
                ('day', models.DateField(verbose_name='day')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('chat', 'Chat')], max_length=10, verbose_name='channel')),
                ('direction', models.CharField(choices=[('in', 'Incoming'), ('out', 'Outgoing')], max_length=3, verbose_name='direction')),
                ('office', models.CharField(choices=[('front', 'Front office'), ('pgjo', 'Back office PGJO'), ('childcare', 'Back office childcare')], max_length=10, verbose_name='office')),
                ('contacts', models.IntegerField(verbose_name='contacts')),
                ('origin', models.CharField(blank=True, choices=[('', '—'), ('mailbox', 'Mailbox'), ('webform', 'Web form')], max_length=10, verbose_name='origin')),
                ('province', models.CharField(blank=True, choices=[('', 'Not registered'), ('BE-VAN', 'Antwerp'), ('BE-VOV', 'East Flanders'), ('BE-VWV', 'West Flanders'), ('BE-VBR', 'Flemish Brabant'), ('BE-VLI', 'Limburg'), ('BE-BRU', 'Brussels'), ('BE-WHT', 'Hainaut'), ('BE-WBR', 'Walloon Brabant'), ('BE-WLG', 'Liège'), ('BE-WLX', 'Luxembourg'), ('BE-WNA', 'Namur')], max_length=6, verbose_name='province')),
                ('topic', models.CharField(blank=True, choices=[('', '—'), ('childcare', 'Childcare'), ('family_support', 'Preventive family support')], max_length=20, verbose_name='topic')),
                ('anonymous', models.BooleanField(verbose_name='anonymous')),
                ('pk', models.CompositePrimaryKey('grain', 'day', 'channel', 'direction', 'origin', 'office', 'province', 'topic', 'anonymous', blank=True, editable=False, primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'contact rollup',
                'db_table': 'reports_rollup_contact',
            },
        ),
        migrations.CreateModel(
            name='ContactReasonRollup',
            fields=[
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month'), ('y', 'Year')], max_length=1, verbose_name='grain')),
                ('day', models.DateField(verbose_name='day')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('chat', 'Chat')], max_length=10, verbose_name='channel')),
                ('direction', models.CharField(choices=[('in', 'Incoming'), ('out', 'Outgoing')], max_length=3, verbose_name='direction')),
                ('office', models.CharField(choices=[('front', 'Front office'), ('pgjo', 'Back office PGJO'), ('childcare', 'Back office childcare')], max_length=10, verbose_name='office')),
                ('contacts', models.IntegerField(verbose_name='contacts')),
                ('province', models.CharField(blank=True, choices=[('', 'Not registered'), ('BE-VAN', 'Antwerp'), ('BE-VOV', 'East Flanders'), ('BE-VWV', 'West Flanders'), ('BE-VBR', 'Flemish Brabant'), ('BE-VLI', 'Limburg'), ('BE-BRU', 'Brussels'), ('BE-WHT', 'Hainaut'), ('BE-WBR', 'Walloon Brabant'), ('BE-WLG', 'Liège'), ('BE-WLX', 'Luxembourg'), ('BE-WNA', 'Namur')], max_length=6, verbose_name='province')),
                ('topic', models.CharField(blank=True, choices=[('', '—'), ('childcare', 'Childcare'), ('family_support', 'Preventive family support')], max_length=20, verbose_name='topic')),
                ('pk', models.CompositePrimaryKey('grain', 'day', 'reason', 'channel', 'direction', 'office', 'province', 'topic', blank=True, editable=False, primary_key=True, serialize=False)),
                ('reason', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.reason')),
            ],
            options={
                'verbose_name': 'contact rollup per reason',
                'db_table': 'reports_rollup_reason',
            },
        ),
        migrations.CreateModel(
            name='ContactReferralRollup',
            fields=[
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month'), ('y', 'Year')], max_length=1, verbose_name='grain')),
                ('day', models.DateField(verbose_name='day')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('chat', 'Chat')], max_length=10, verbose_name='channel')),
                ('direction', models.CharField(choices=[('in', 'Incoming'), ('out', 'Outgoing')], max_length=3, verbose_name='direction')),
                ('office', models.CharField(choices=[('front', 'Front office'), ('pgjo', 'Back office PGJO'), ('childcare', 'Back office childcare')], max_length=10, verbose_name='office')),
                ('contacts', models.IntegerField(verbose_name='contacts')),
                ('province', models.CharField(blank=True, choices=[('', 'Not registered'), ('BE-VAN', 'Antwerp'), ('BE-VOV', 'East Flanders'), ('BE-VWV', 'West Flanders'), ('BE-VBR', 'Flemish Brabant'), ('BE-VLI', 'Limburg'), ('BE-BRU', 'Brussels'), ('BE-WHT', 'Hainaut'), ('BE-WBR', 'Walloon Brabant'), ('BE-WLG', 'Liège'), ('BE-WLX', 'Luxembourg'), ('BE-WNA', 'Namur')], max_length=6, verbose_name='province')),
                ('topic', models.CharField(blank=True, choices=[('', '—'), ('childcare', 'Childcare'), ('family_support', 'Preventive family support')], max_length=20, verbose_name='topic')),
                ('pk', models.CompositePrimaryKey('grain', 'day', 'referral', 'channel', 'direction', 'office', 'province', 'topic', blank=True, editable=False, primary_key=True, serialize=False)),
                ('referral', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.referralorganisation')),
            ],
            options={
                'verbose_name': 'contact rollup per referral',
                'db_table': 'reports_rollup_referral',
            },
        ),
        ]),
    ]
