from django.db import migrations

from kglijn.contacts.catalogue_seed import INITIAL_REASONS, INITIAL_REFERRALS


def load(apps, schema_editor):
    Reason = apps.get_model("contacts", "Reason")
    Referral = apps.get_model("contacts", "ReferralOrganisation")
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        Reason.objects.get_or_create(
            code=code, defaults={"name": name, "topic": topic, "sort_order": order * 10}
        )
    for code, name in INITIAL_REFERRALS:
        Referral.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
