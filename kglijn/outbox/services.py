"""The outbox's one claim -> SMTP -> mark cycle (ADR 0013; the guarantees of ADR 0008 §2-3 and
ADR 0010 §5, now in one place).

- A mail is put in the outbox (`outbox_enqueue`) in the same transaction as the purpose's own
  row, so it exists exactly when what it carries does.
- **Claim** (its own transaction): lock the next due pending mail (`SKIP LOCKED`: processes
  share the work), mark it sending with a new claim token, `attempts + 1`, and let its purpose
  build the mail; commit. Only then **send** (outside any transaction), then **mark** the
  outcome (its own transaction, only if the claim is still the one sending it). The SMTP
  connection is opened or checked before every claim: an unreachable server claims nothing.
- **Never sent twice:** only a pending mail can be claimed, once. **An unknown fate is never
  re-sent by itself:** a dialogue that broke off, or a claim older than STALE_CLAIM (its
  process died), becomes `unknown`; only a person sends it again (`outbox_requeue`).
  Definite refusals: 4xx -> pending again after RETRY_AFTER x attempts (at most MAX_ATTEMPTS),
  5xx to the address or the message -> failed; a refused sender (our configuration) is always
  retried. A refused sender or message stops the batch: the next mail would fare the same.
- Sending "now" (after the commit that queued it) goes through the Tasks API
  (`outbox/tasks.py`); the `kglijn worker` job `outbox_send` is the safety net that sends
  whatever is due, whoever queued it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kglijn.core.smtp import smtp_close_quietly, smtp_connection_ready
from kglijn.core.worker import stop_requested
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.purposes import Decline, Failure, Outcome, purpose_get

logger = logging.getLogger("kglijn.outbox")

# A claim older than this belongs to a process that died while sending (a send takes at most a
# few SMTP timeouts, EMAIL_TIMEOUT = 30 s each).
STALE_CLAIM = dt.timedelta(minutes=15)
SEND_BATCH = 50
MAX_ATTEMPTS = 8
RETRY_AFTER = dt.timedelta(minutes=5)  # times the attempts so far
INLINE_TIMEOUT = 10  # seconds: the "send now" attempt someone may be waiting for


class OutboxRefused(Exception):
    """The mail is not in a state that allows this (e.g. sending again a mail that was sent)."""


# --- Queueing -------------------------------------------------------------------------------


def outbox_enqueue(
    *, purpose: str, reference: int, due_at: dt.datetime, send_now: bool = False
) -> OutboundMail:
    """Put one mail in the outbox; call it inside the transaction that writes the purpose's
    row. `send_now`: try it right after the commit (a Tasks API task), not only at the next
    sweep."""
    purpose_get(purpose)  # an unknown purpose fails here, not in the worker later
    mail = OutboundMail.objects.create(purpose=purpose, reference=reference, next_attempt_at=due_at)
    if send_now:
        _send_after_commit(mail.pk)
    return mail


def outbox_enqueue_many(*, purpose: str, items: Iterable[tuple[int, dt.datetime]]) -> int:
    """Put many mails in the outbox for the sweeper; a reference already there is left alone
    (ON CONFLICT DO NOTHING on (purpose, reference)), so reruns are harmless."""
    purpose_get(purpose)
    rows = [
        OutboundMail(purpose=purpose, reference=reference, next_attempt_at=due_at)
        for reference, due_at in items
    ]
    OutboundMail.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def outbox_requeue(
    *, purpose: str, reference: int, now: dt.datetime, send_now: bool = True
) -> OutboundMail:
    """Send again a mail that failed or whose fate is unknown: a person decided so. Raises
    OutboxRefused for a mail that is waiting, being sent or sent."""
    mail = (
        OutboundMail.objects.select_for_update()
        .filter(purpose=purpose, reference=reference)
        .first()
    )
    if mail is None:
        mail = OutboundMail.objects.create(
            purpose=purpose, reference=reference, next_attempt_at=now
        )
    elif mail.state not in (OutboxState.FAILED, OutboxState.UNKNOWN):
        raise OutboxRefused(f"{purpose} {reference} is {mail.state}")
    else:
        mail.state = OutboxState.PENDING
        mail.attempts = 0
        mail.next_attempt_at = now
        mail.claimed_at = None
        mail.claim_token = ""
        mail.error = ""
        mail.save(
            update_fields=[
                "state",
                "attempts",
                "next_attempt_at",
                "claimed_at",
                "claim_token",
                "error",
            ]
        )
    if send_now:
        _send_after_commit(mail.pk)
    return mail


def _send_after_commit(mail_id: int) -> None:
    def enqueue() -> None:
        from kglijn.outbox.tasks import outbox_send_task

        try:
            outbox_send_task.enqueue(mail_id=mail_id)
        except Exception:
            logger.exception("Mail %s: could not start sending it now; the worker will", mail_id)

    transaction.on_commit(enqueue)


# --- The cycle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A claimed mail: `email` to send, or None when its purpose declined it (settled)."""

    mail: OutboundMail
    email: EmailMessage | None


class PurposeFailed(Exception):
    """A purpose raised while building a claimed mail: the claim was rolled back."""

    def __init__(self, purpose: str) -> None:
        super().__init__(purpose)
        self.purpose = purpose


def outbox_claim(
    *,
    now: dt.datetime,
    pk: int | None = None,
    purposes: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> Claim | None:
    """Claim the next due pending mail (or this one) in its own transaction; None when none
    is due. A purpose that raises rolls the claim back (PurposeFailed, from its error)."""
    with transaction.atomic():
        due = OutboundMail.objects.select_for_update(skip_locked=True).filter(
            state=OutboxState.PENDING, next_attempt_at__lte=now
        )
        if pk is not None:
            due = due.filter(pk=pk)
        if purposes is not None:
            due = due.filter(purpose__in=purposes)
        if exclude:
            due = due.exclude(purpose__in=exclude)
        mail = due.order_by("next_attempt_at", "id").first()
        if mail is None:
            return None
        purpose = purpose_get(mail.purpose)
        token = secrets.token_hex(16)
        # Conditional, like a compare-and-set: even a database that ignores the row lock
        # (SQLite) lets only one claim through.
        claimed = OutboundMail.objects.filter(pk=mail.pk, state=OutboxState.PENDING).update(
            state=OutboxState.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
        if not claimed:
            return None
        mail.refresh_from_db()
        try:
            built = purpose.claimed(mail, now=now)
        except Exception as exc:
            raise PurposeFailed(mail.purpose) from exc
        if isinstance(built, Decline):
            mail.state = OutboxState.FAILED if built.failed else OutboxState.CANCELLED
            mail.attempts -= 1  # nothing was attempted
            mail.error = built.reason[:300]
            mail.save(update_fields=["state", "attempts", "error"])
            logger.info("Mail %s (%s) not sent: %s", mail.pk, mail.purpose, built.reason)
            purpose.settled(
                mail,
                Outcome(state=mail.state, failure=Failure.DECLINED, error=mail.error),
                now=now,
            )
            return Claim(mail=mail, email=None)
        mail.message_id = str(built.extra_headers.get("Message-ID", ""))[:255]
        mail.save(update_fields=["message_id"])
    return Claim(mail=mail, email=built)


def _settle(mail: OutboundMail, outcome: Outcome, *, now: dt.datetime, **fields: object) -> None:
    """Record how a claimed send ended and let its purpose follow (one transaction)."""
    with transaction.atomic():
        updated = OutboundMail.objects.filter(
            pk=mail.pk, state=OutboxState.SENDING, claim_token=mail.claim_token
        ).update(state=outcome.state, error=outcome.error[:300], **fields)
        if not updated:
            logger.warning("Mail %s was no longer being sent when it finished", mail.pk)
            return
        mail.refresh_from_db()
        purpose_get(mail.purpose).settled(mail, outcome, now=now)


def _not_sent(
    mail: OutboundMail, *, now: dt.datetime, failure: Failure, code: int, permanent: bool
) -> None:
    """The mail server certainly did not take it: try again later, or give up (failed)."""
    error = f"{failure.value} refused ({code})"
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        outcome = Outcome(
            state=OutboxState.FAILED, failure=failure, code=code, permanent=permanent, error=error
        )
        _settle(mail, outcome, now=now)
        return
    _settle(
        mail,
        Outcome(state=OutboxState.PENDING, failure=failure, code=code, error=error),
        now=now,
        claimed_at=None,
        claim_token="",
        next_attempt_at=now + RETRY_AFTER * mail.attempts,
    )


def _smtp_code(exc: smtplib.SMTPException) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return max((code for code, _message in exc.recipients.values()), default=550)
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return 0


def outbox_deliver(connection: BaseEmailBackend, claim: Claim, *, now: dt.datetime) -> bool:
    """Hand one claimed mail to the mail server and record what happened; False when the
    batch should stop."""
    mail, email = claim.mail, claim.email
    if email is None:
        return True
    try:
        connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        code = _smtp_code(exc)
        logger.warning("Mail %s (%s): address refused (%s)", mail.pk, mail.purpose, code)
        _not_sent(mail, now=now, failure=Failure.RECIPIENT, code=code, permanent=code >= 500)
        return True
    except smtplib.SMTPSenderRefused as exc:
        # Our own address refused: configuration, not this mail. Retry; stop the batch.
        logger.error("Sender refused by the mail server (%s): check the From addresses", exc)
        _not_sent(mail, now=now, failure=Failure.SENDER, code=_smtp_code(exc), permanent=False)
        return False
    except smtplib.SMTPDataError as exc:
        code = _smtp_code(exc)
        logger.warning("Mail %s (%s): message refused (%s)", mail.pk, mail.purpose, code)
        _not_sent(mail, now=now, failure=Failure.MESSAGE, code=code, permanent=code >= 500)
        return False
    except (smtplib.SMTPException, OSError) as exc:
        # Broken off mid-dialogue: the server may have taken it. Never send it twice by itself.
        logger.warning(
            "Mail %s (%s): sending %s broke off (%s); not sent again by itself",
            mail.pk,
            mail.purpose,
            mail.message_id,
            exc,
        )
        error = f"broke off: {exc}"
        outcome = Outcome(state=OutboxState.UNKNOWN, failure=Failure.BROKE_OFF, error=error)
        _settle(mail, outcome, now=now)
        return False
    _settle(mail, Outcome(state=OutboxState.SENT), now=now, sent_at=now)
    logger.info("Mail %s (%s) sent as %s", mail.pk, mail.purpose, mail.message_id)
    return True


def outbox_send_now(*, mail_id: int) -> None:
    """One attempt at one mail, right after the commit that queued it (the Tasks API task).
    Never raises: what it does not finish, the worker's sweep does."""
    try:
        now = timezone.now()
        connection = get_connection(fail_silently=False, timeout=INLINE_TIMEOUT)
        try:
            if not smtp_connection_ready(connection, waiting="mails"):
                return
            claim = outbox_claim(now=now, pk=mail_id)
            if claim is not None:
                outbox_deliver(connection, claim, now=now)
        finally:
            smtp_close_quietly(connection)
    except Exception:
        logger.exception("Mail %s: the immediate attempt failed; the worker retries", mail_id)


def outbox_resolve_stale(*, now: dt.datetime, purposes: Collection[str] | None = None) -> int:
    """Claims of a process that died while sending: unknown fate, never sent again by itself."""
    stale = OutboundMail.objects.filter(state=OutboxState.SENDING, claimed_at__lt=now - STALE_CLAIM)
    if purposes is not None:
        stale = stale.filter(purpose__in=purposes)
    count = 0
    for mail in stale:
        logger.warning(
            "Mail %s (%s): the sender stopped while sending %s; not sent again by itself "
            "(look it up in the mail server's log)",
            mail.pk,
            mail.purpose,
            mail.message_id,
        )
        outcome = Outcome(
            state=OutboxState.UNKNOWN,
            failure=Failure.INTERRUPTED,
            error="interrupted while sending",
        )
        _settle(mail, outcome, now=now)
        count += 1
    return count


def outbox_send(*, now: dt.datetime, purposes: Collection[str] | None = None) -> int:
    """The `kglijn worker` job (the sweeper): resolve stale claims, then send up to
    SEND_BATCH due mails over one connection. Returns how many mails changed state.

    A purpose that fails to build its mail (e.g. missing configuration) is skipped for the
    rest of the batch so the others still go out; the job then fails with its error."""
    work = outbox_resolve_stale(now=now, purposes=purposes)
    due = OutboundMail.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
    if purposes is not None:
        due = due.filter(purpose__in=purposes)
    if not due.exists():
        return work
    broken: dict[str, PurposeFailed] = {}
    connection = get_connection(fail_silently=False)
    try:
        for _i in range(SEND_BATCH):
            if stop_requested() or not smtp_connection_ready(connection, waiting="mails"):
                break
            try:
                claim = outbox_claim(now=now, purposes=purposes, exclude=broken.keys())
            except PurposeFailed as exc:
                logger.exception("Mails for %s cannot be built", exc.purpose)
                broken[exc.purpose] = exc
                continue
            if claim is None:
                break
            work += 1
            if not outbox_deliver(connection, claim, now=now):
                break
    finally:
        smtp_close_quietly(connection)
    if broken:
        first = next(iter(broken.values()))
        raise first.__cause__ or first
    return work
