from django.db import migrations

from kglijn.surveys.wording import DEFAULT_LOW_SCORE_RULES
from kglijn.surveys.wording import FIRST_WORDING as DEFAULT_WORDING

FIELDS = ("text_nl", "text_en", "low_label_nl", "high_label_nl", "low_label_en", "high_label_en")


def load(apps, schema_editor):
    SurveyVersion = apps.get_model("surveys", "SurveyVersion")
    SurveyQuestion = apps.get_model("surveys", "SurveyQuestion")
    LowScoreRule = apps.get_model("surveys", "LowScoreRule")
    version, created = SurveyVersion.objects.get_or_create(
        number=1, defaults={"note": "Eerste versie"}
    )
    if created:
        for criterion, texts in DEFAULT_WORDING.items():
            SurveyQuestion.objects.create(
                version=version, criterion=criterion, **dict(zip(FIELDS, texts, strict=True))
            )
    for criterion, (threshold, active) in DEFAULT_LOW_SCORE_RULES.items():
        LowScoreRule.objects.get_or_create(
            criterion=criterion, defaults={"threshold": threshold, "active": active}
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
