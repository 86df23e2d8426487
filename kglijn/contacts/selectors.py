"""Permission-aware reads of the contact register. Privacy is enforced here, in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404

from kglijn.accounts.selectors import user_queue_offices
from kglijn.contacts.models import (
    Contact,
    Escalation,
    Reason,
    ReferralOrganisation,
    Status,
    parse_reference,
)
from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent

AnyUser = User | AnonymousUser


if TYPE_CHECKING:
    _ContactIterable = ModelIterable[Contact]
else:  # ModelIterable is generic for the type checker only
    _ContactIterable = ModelIterable


class _HealthNoteHiddenIterable(_ContactIterable):
    """Yields contacts whose health note was never loaded and reads as ""."""

    def __iter__(self) -> Iterator[Contact]:
        for contact in super().__iter__():
            contact.health_note = ""  # set, so the deferred field is never fetched later
            yield contact


def contact_visible_qs(*, user: AnyUser) -> QuerySet[Contact]:
    """Contacts this user may open: those of offices whose queue they work, plus their own.

    For readers without contacts.view_health_note the health note is not even selected: every
    contact from this queryset (and from queues and search built on it) has health_note == "".
    """
    if not user.is_authenticated or not user.has_perm("contacts.view_contact"):
        return Contact.objects.none()
    offices = user_queue_offices(user=user)
    qs = Contact.objects.filter(
        Q(office__in=offices) | Q(handler_id=user.pk) | Q(created_by_id=user.pk)
    ).select_related("handler", "customer")
    if not can_view_health_note(user=user):
        qs = qs.defer("health_note")
        qs._iterable_class = _HealthNoteHiddenIterable  # kept by filter()/order_by()/slicing
    return qs


def can_view_health_note(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("contacts.view_health_note")


def contact_get_for_user(*, user: AnyUser, contact_id: int, via: str = "") -> Contact:
    """One contact for reading; 404 when the user may not see it (nothing is logged then).

    Every read of a contact with personal data (customer or caller fields), or of a health note
    the reader can see, writes exactly one 'view' audit event with the reader as actor. Reading
    an anonymous contact without a visible health note writes none, by choice: it holds no
    personal data (the database refuses personal fields on it), so logging it would only bury
    the reads that matter. The health note is blanked on the returned instance for readers
    without contacts.view_health_note; never save that instance. `via` ("api") is written into
    the audit detail when the read did not come from the desk.
    """
    try:
        contact = contact_visible_qs(user=user).get(pk=contact_id)
    except Contact.DoesNotExist as exc:
        raise Http404 from exc
    sees_health = can_view_health_note(user=user)
    if contact.has_personal_data or (sees_health and contact.health_note):
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            object_type="contact",
            object_id=contact.pk,
            detail={"health_note": bool(sees_health and contact.health_note)}
            | ({"via": via} if via else {}),
        )
    if not sees_health:
        contact.health_note = ""
    return contact


def contact_my_queue(*, user: AnyUser) -> QuerySet[Contact]:
    return contact_visible_qs(user=user).filter(handler_id=user.pk).exclude(status=Status.CLOSED)


def contact_office_queue(*, user: AnyUser, office: str) -> QuerySet[Contact]:
    """Open contacts of an office that nobody has taken up yet, oldest first."""
    if office not in user_queue_offices(user=user):
        return Contact.objects.none()
    return (
        contact_visible_qs(user=user)
        .filter(office=office, handler__isnull=True)
        .exclude(status=Status.CLOSED)
        .order_by("received_at", "id")
    )


def contact_search(
    *,
    user: AnyUser,
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 100,
) -> QuerySet[Contact]:
    """Search by reference (KG-…), customer name / e-mail / phone, and a Brussels date range."""
    qs = contact_visible_qs(user=user)
    query = query.strip()
    if query:
        pk = parse_reference(query)
        condition = (
            Q(customer__name__icontains=query)
            | Q(customer__email__iexact=query)
            | Q(customer__phone=query)
            | Q(caller_name__icontains=query)
            | Q(caller_email__iexact=query)
            | Q(caller_phone=query)
            | Q(external_id=query)
        )
        if pk is not None:
            condition |= Q(pk=pk)
        qs = qs.filter(condition)
    if date_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(date_from, dt.time(), BRUSSELS))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), BRUSSELS)
        qs = qs.filter(received_at__lt=end)
    return qs.order_by("-received_at", "-id")[:limit]


def contact_history(*, contact: Contact) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type="contact", object_id=contact.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def contact_escalations(*, contact: Contact) -> QuerySet[Escalation]:
    return contact.escalations.select_related("escalated_by").all()


# --- Desk, catalogue and audit-log reads (added for the agent desk UI) ------------------------


def contact_latest_escalations(*, contact_ids: list[int]) -> dict[int, Escalation]:
    """The most recent escalation of each given contact, by contact id (one query)."""
    latest: dict[int, Escalation] = {}
    for escalation in Escalation.objects.filter(contact_id__in=contact_ids).order_by(
        "escalated_at", "id"
    ):
        latest[escalation.contact_id] = escalation
    return latest


def reason_list(*, active_only: bool = False) -> QuerySet[Reason]:
    qs = Reason.objects.all()
    return qs.filter(active=True) if active_only else qs


def referral_list(*, active_only: bool = False) -> QuerySet[ReferralOrganisation]:
    qs = ReferralOrganisation.objects.all()
    return qs.filter(active=True) if active_only else qs


def audit_event_list(
    *,
    user: AnyUser,
    actor: str = "",
    action: str = "",
    object_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, for users with core.view_audit_log (else none).

    actor matches a username exactly or a first/last name partly.
    """
    if not user.is_authenticated or not user.has_perm("core.view_audit_log"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    actor = actor.strip()
    if actor:
        qs = qs.filter(
            Q(actor__username__iexact=actor)
            | Q(actor__first_name__icontains=actor)
            | Q(actor__last_name__icontains=actor)
        )
    if action:
        qs = qs.filter(action=action)
    if object_id is not None:
        qs = qs.filter(object_type="contact", object_id=object_id)
    return qs
