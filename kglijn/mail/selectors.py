"""Reads of the e-mail channel, permission-aware; the reads of personal data are audited.

The thread is shown on a contact the reader already opened through
contacts.selectors.contact_get_for_user, which checked visibility and audited that read (a
mailbox contact always holds personal data, so it always writes one): the thread adds no second
event. Downloading an attachment and reading quarantined mail are separate reads and each
write their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Contact, Status
from kglijn.contacts.selectors import contact_visible_qs
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.mail.answer_templates import AnswerTemplate, answer_start, answer_templates_for
from kglijn.mail.forms import ReplyForm
from kglijn.mail.models import MailAttachment, MailMessage, Quarantine
from kglijn.mail.outbound import may_answer, reply_recipient, reply_subject

AnyUser = User | AnonymousUser

# The knowledge base's search panel for the composer, when that app provides it (issue 6
# item 4): rendered next to the answer templates with `contact` in its context. Anything in it
# with a data-reply-insert="text" attribute inserts that text at the cursor (mail/composer.js).
KNOWLEDGE_PANEL_TEMPLATE = "knowledge/_reply_snippets.html"


@dataclass(frozen=True)
class MailPanel:
    messages: list[MailMessage]
    can_reply: bool
    blocked: str  # why there is no composer ("" when there is one)
    recipient: str
    subject: str
    templates: list[AnswerTemplate]
    knowledge_panel: str | None
    form: ReplyForm | None


def _optional_template(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def mail_thread(*, contact: Contact) -> list[MailMessage]:
    """The contact's e-mails, oldest first, with their attachments (two queries)."""
    return list(
        MailMessage.objects.filter(contact=contact)
        .select_related("sent_by")
        .prefetch_related(Prefetch("attachments", queryset=MailAttachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def mail_thread_panel(
    *, user: User, contact: Contact, form: ReplyForm | None = None
) -> MailPanel | None:
    """The e-mail panel of a contact the caller got through contact_get_for_user; None for a
    contact that is not an e-mail and has no mail."""
    messages = mail_thread(contact=contact)
    if contact.channel != Channel.EMAIL and not messages:
        return None
    recipient = "" if contact.anonymous else reply_recipient(contact)
    blocked = ""
    if not may_answer(user=user, contact=contact):
        blocked = _("Only the office that has this contact can answer it.")
    elif contact.status == Status.CLOSED:
        blocked = _("This contact is closed; reopen it to answer.")
    elif not recipient:
        blocked = _("There is no valid e-mail address to answer to.")
    can_reply = not blocked
    if can_reply and form is None:
        form = ReplyForm(initial={"body": answer_start(contact=contact, user=user), "close": True})
    return MailPanel(
        messages=messages,
        can_reply=can_reply,
        blocked=blocked,
        recipient=recipient,
        subject=reply_subject(contact) if can_reply else "",
        templates=answer_templates_for(contact=contact, user=user) if can_reply else [],
        knowledge_panel=_optional_template(KNOWLEDGE_PANEL_TEMPLATE) if can_reply else None,
        form=form if can_reply else None,
    )


def mail_message_for_user(*, user: AnyUser, message_id: int) -> MailMessage:
    """A message of a contact this user may open (404 otherwise); no audit (for actions)."""
    visible = contact_visible_qs(user=user).values("pk")
    try:
        return MailMessage.objects.select_related("contact").get(
            pk=message_id, contact_id__in=visible
        )
    except MailMessage.DoesNotExist as exc:
        raise Http404 from exc


def mail_attachment_for_user(*, user: AnyUser, attachment_id: int) -> MailAttachment:
    """A stored attachment of a contact this user may open (404 otherwise, nothing logged);
    the read is audited on the contact."""
    visible = contact_visible_qs(user=user).values("pk")
    try:
        attachment = MailAttachment.objects.select_related("message").get(
            pk=attachment_id, refused=False, message__contact_id__in=visible
        )
    except MailAttachment.DoesNotExist as exc:
        raise Http404 from exc
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="contact",
        object_id=attachment.message.contact_id,
        detail={"attachment": attachment.pk},
    )
    return attachment


def can_view_quarantine(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("mail.view_quarantine")


def quarantine_list(*, user: AnyUser, resolved: bool = False) -> QuerySet[Quarantine]:
    """Quarantined mail, newest first, without the raw bytes; none without the permission.

    The list shows subjects and senders (personal data): one audit event per listing.
    """
    if not can_view_quarantine(user=user):
        return Quarantine.objects.none()
    qs = (
        Quarantine.objects.filter(resolved_at__isnull=not resolved)
        .defer("raw")
        .select_related("resolved_by")
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="mail_quarantine",
        object_id=0,
        detail={"list": "resolved" if resolved else "open"},
    )
    return qs


def quarantine_raw_for_user(*, user: AnyUser, quarantine_id: int) -> Quarantine:
    """One quarantined mail with its bytes, for download; audited."""
    if not can_view_quarantine(user=user):
        raise Http404
    try:
        quarantine = Quarantine.objects.get(pk=quarantine_id)
    except Quarantine.DoesNotExist as exc:
        raise Http404 from exc
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="mail_quarantine",
        object_id=quarantine.pk,
        detail={"raw": True},
    )
    return quarantine
