"""Kind en Gezin says "je" to parents (docs/voice.md): the Dutch questions that still say "u"
become a new wording version instead of an edit of history, so every answer keeps the words it
was given. Only a Dutch text still equal to the first version's is rewritten; a wording an
information manager changed is hers to change again (/surveys/wording/)."""

from django.db import migrations
from django.db.models import Max

# The first version's Dutch (0002) -> the same question with "je" (frozen here on purpose).
JE_TEXT_NL = {
    "Hoe tevreden bent u over de wachttijd?": "Hoe tevreden ben je over de wachttijd?",
    "Hoe tevreden bent u over de beleefdheid van onze medewerker?": (
        "Hoe tevreden ben je over de beleefdheid van onze medewerker?"
    ),
    "Hoe tevreden bent u over de informatie die u kreeg?": (
        "Hoe tevreden ben je over de informatie die je kreeg?"
    ),
    "Hoe waarschijnlijk is het dat u de K&G-Lijn aanbeveelt aan familie of vrienden?": (
        "Hoe waarschijnlijk is het dat je de K&G-Lijn aanbeveelt aan familie of vrienden?"
    ),
}
NOTE = "Aanspreking met je, zoals op alle publieke pagina's"
FIELDS = ("criterion", "text_en", "low_label_nl", "high_label_nl", "low_label_en", "high_label_en")


def forwards(apps, schema_editor):
    SurveyVersion = apps.get_model("surveys", "SurveyVersion")
    SurveyQuestion = apps.get_model("surveys", "SurveyQuestion")
    current = SurveyVersion.objects.order_by("-number").first()
    if current is None:
        return
    questions = list(SurveyQuestion.objects.filter(version=current))
    if not any(question.text_nl in JE_TEXT_NL for question in questions):
        return
    number = SurveyVersion.objects.aggregate(top=Max("number"))["top"] + 1
    version = SurveyVersion.objects.create(number=number, note=NOTE)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            version=version,
            text_nl=JE_TEXT_NL.get(question.text_nl, question.text_nl),
            **{field: getattr(question, field) for field in FIELDS},
        )
        for question in questions
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_invitations_into_outbox")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
