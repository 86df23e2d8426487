"""Invitations not yet sent move into the one outbox (ADR 0013), so an upgrade loses nothing:
scheduled ones are due in the outbox at their due time; one that was being sent keeps its claim,
and the outbox resolves it like any interrupted send (skipped "interrupted", never re-sent)."""

from django.db import migrations

INVITATION_PURPOSE = "survey_invitation"  # scheduling.INVITATION_PURPOSE at the time of writing


def forwards(apps, schema_editor):
    SurveyInvitation = apps.get_model("surveys", "SurveyInvitation")
    OutboundMail = apps.get_model("outbox", "OutboundMail")
    rows = []
    for invitation in SurveyInvitation.objects.filter(
        status__in=["scheduled", "sending"]
    ).iterator():
        sending = invitation.status == "sending"
        rows.append(
            OutboundMail(
                purpose=INVITATION_PURPOSE,
                reference=invitation.pk,
                state="sending" if sending else "pending",
                message_id=invitation.message_id,
                attempts=invitation.attempts,
                next_attempt_at=invitation.due_at,
                claimed_at=(invitation.claimed_at or invitation.due_at) if sending else None,
                claim_token="migrated" if sending else "",
            )
        )
    OutboundMail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def backwards(apps, schema_editor):
    apps.get_model("outbox", "OutboundMail").objects.filter(purpose=INVITATION_PURPOSE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_opt_out_and_sent_index"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
