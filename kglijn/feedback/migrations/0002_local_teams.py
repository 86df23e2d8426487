from django.db import migrations

from kglijn.feedback.local_team_seed import LOCAL_TEAMS


def load(apps, schema_editor):
    LocalTeam = apps.get_model("feedback", "LocalTeam")
    for code, name, province in LOCAL_TEAMS:
        LocalTeam.objects.get_or_create(code=code, defaults={"name": name, "province": province})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
