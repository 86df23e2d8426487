"""Permission-aware reads of the contact register. Privacy is enforced here, in one place."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from kglijn.accounts.selectors import user_queue_offices
from kglijn.contacts.models import Contact, Escalation, Status, parse_reference
from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent

AnyUser = User | AnonymousUser


def contact_visible_qs(*, user: AnyUser) -> QuerySet[Contact]:
    """Contacts this user may open: those of offices whose queue they work, plus their own."""
    if not user.is_authenticated or not user.has_perm("contacts.view_contact"):
        return Contact.objects.none()
    offices = user_queue_offices(user=user)
    return Contact.objects.filter(
        Q(office__in=offices) | Q(handler_id=user.pk) | Q(created_by_id=user.pk)
    ).select_related("handler", "customer")


def can_view_health_note(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("contacts.view_health_note")


def contact_get_for_user(*, user: AnyUser, contact_id: int) -> Contact:
    """One contact for reading; 404 when the user may not see it.

    Every read of a contact with personal data (or a health note the reader can see) is
    written to the audit log. The health note is blanked for readers without the right.
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
            detail={"health_note": bool(sees_health and contact.health_note)},
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
