"""The desk: my queue and the office queues, or a landing page for roles without a queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kglijn.accounts.selectors import user_queue_offices
from kglijn.contacts.models import Contact, Escalation, Office
from kglijn.contacts.selectors import (
    contact_latest_escalations,
    contact_my_queue,
    contact_office_queue,
)
from kglijn.contacts.views.common import request_user
from kglijn.core import business_calendar
from kglijn.core.htmx import is_htmx

QUEUE_LIMIT = 200


@dataclass(frozen=True)
class QueueTab:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    escalation: Escalation | None
    pickup_at: dt.datetime | None
    office_closed: bool


def _rows(contacts: list[Contact], now: dt.datetime) -> list[QueueRow]:
    latest = contact_latest_escalations(contact_ids=[c.pk for c in contacts])
    open_now: dict[str, bool] = {}
    rows = []
    for contact in contacts:
        escalation = latest.get(contact.pk) if contact.status == "escalated" else None
        pickup_at = None
        closed = False
        if escalation is not None:
            if contact.office not in open_now:
                open_now[contact.office] = business_calendar.is_open(contact.office, now)
            closed = not open_now[contact.office]
            pickup_at = (
                business_calendar.next_opening(contact.office, now)
                if closed
                else escalation.expected_pickup_at
            )
        rows.append(QueueRow(contact, escalation, pickup_at, closed))
    return rows


@require_GET
@login_required
def desk(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    offices = user_queue_offices(user=user)
    if not offices or not user.has_perm("contacts.view_contact"):
        return render(request, "contacts/landing.html", {})

    office_labels = dict(Office.choices)
    tabs = [QueueTab("mine", str(_("My queue")), contact_my_queue(user=user).count())]
    tabs += [
        QueueTab(
            office,
            str(office_labels[office]),
            contact_office_queue(user=user, office=office).count(),
        )
        for office in offices
    ]
    selected = request.GET.get("queue", "mine")
    if selected not in {tab.key for tab in tabs}:
        selected = "mine"
    if selected == "mine":
        qs = contact_my_queue(user=user).order_by("received_at", "id")
    else:
        qs = contact_office_queue(user=user, office=selected)
    contacts = list(qs.prefetch_related("reasons")[:QUEUE_LIMIT])
    context = {
        "tabs": tabs,
        "selected": selected,
        "selected_label": next(tab.label for tab in tabs if tab.key == selected),
        "rows": _rows(contacts, timezone.now()),
        "limit": QUEUE_LIMIT,
    }
    if is_htmx(request):
        return render(request, "contacts/desk.html#queue-panel", context)
    return render(request, "contacts/desk.html", context)
