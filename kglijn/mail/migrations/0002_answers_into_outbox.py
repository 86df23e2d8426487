"""Answers not yet sent move into the one outbox (ADR 0013), so an upgrade loses nothing:
queued ones wait there for their next attempt; one that was being sent keeps its claim, and the
outbox resolves it like any interrupted send (uncertain, never re-sent by itself)."""

from django.db import migrations
from django.utils import timezone

ANSWER_PURPOSE = "mail_answer"  # kglijn.mail.outbound.ANSWER_PURPOSE at the time of writing


def forwards(apps, schema_editor):
    MailMessage = apps.get_model("mail", "MailMessage")
    OutboundMail = apps.get_model("outbox", "OutboundMail")
    now = timezone.now()
    rows = []
    for message in MailMessage.objects.filter(
        direction="out", delivery_status__in=["queued", "sending"]
    ).iterator():
        sending = message.delivery_status == "sending"
        rows.append(
            OutboundMail(
                purpose=ANSWER_PURPOSE,
                reference=message.pk,
                state="sending" if sending else "pending",
                message_id=message.message_id,
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at or now,
                claimed_at=(message.claimed_at or now) if sending else None,
                claim_token="migrated" if sending else "",
                error=message.delivery_error,
            )
        )
    OutboundMail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def backwards(apps, schema_editor):
    apps.get_model("outbox", "OutboundMail").objects.filter(purpose=ANSWER_PURPOSE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
