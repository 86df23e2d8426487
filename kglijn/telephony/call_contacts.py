"""The contact of each call: created, kept up to date and escalated from the call's facts.

Written the way the register's services write (ADR 0007 §4): the database's constraints,
`rollups_apply_change` in the same transaction (ADR 0005) and an audit record per change, with
`source: telephony`. Called only by kglijn.telephony.services, under the call's row lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Contact, Escalation, Status
from kglijn.contacts.rollups.services import contact_rollup_state, rollups_apply_change
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.telephony.models import Call
from kglijn.telephony.state import ContactFacts, Leg

AUDIT_TYPE = "contact"
AUDIT_SOURCE = {"source": "telephony"}
# Contact fields the reports roll up: changing one needs the rollup delta (ADR 0005).
_ROLLED_UP = {"direction", "office", "received_at"}
# pg_advisory_xact_lock key of telephony's rollup writes (any constant unique to this use).
ROLLUP_LOCK_KEY = 0x4B474C54  # "KGLT"
# What telephony sets on a contact; the desk owns every other field.
_CONTACT_FIELDS = (
    "direction",
    "office",
    "received_at",
    "answered_at",
    "handler_id",
    "status",
    "closed_at",
)


def serialise_rollup_writes() -> None:
    """Take the telephony rollup lock (PostgreSQL, until commit) before a rollup write.

    One request may create several contacts; each moves a handful of shared rollup rows
    (day, month, year per office). Two such requests locking those rows in different orders
    would deadlock, so telephony requests take turns from their first rollup write to their
    commit — which the shared rows would impose anyway. Re-entrant within a transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])


def contacts_for_calls(wanted: Mapping[int, tuple[str, ContactFacts]]) -> dict[int, int]:
    """The contact of each call (call pk -> (call id, facts)); call pk -> contact pk.

    New contacts are anonymous phone contacts with the call id as external id and the
    telephony facts, inserted in one statement for the whole request, each then added to the
    rollups and audit-logged as created. A contact that already holds the call id as external
    id (imported before the events came) is linked and brought up to date instead.

    Not contact_register: for a machine writer of hundreds of contacts a second, whose values
    are valid by construction (no codes, no personal data), its per-contact look-ups (codes,
    external id), empty many-to-many writes and savepoint were 64 % of the ingestion time.
    """
    if not wanted:
        return {}
    result: dict[int, int] = {}
    by_call_id = {call_id: (call_pk, facts) for call_pk, (call_id, facts) in wanted.items()}
    for contact in Contact.objects.filter(external_id__in=list(by_call_id)):
        call_pk, facts = by_call_id.pop(contact.external_id or "")
        Call.objects.filter(contact_id=contact.pk).exclude(pk=call_pk).update(contact=None)
        result[call_pk] = contact.pk
        changes = _differences(contact, facts)
        if changes:
            contact_apply(contact_id=contact.pk, changes=changes)
    if not by_call_id:
        return result
    new = [
        Contact(
            external_id=call_id,
            channel=Channel.PHONE,
            anonymous=True,
            **{name: getattr(facts, name) for name in _CONTACT_FIELDS},
        )
        for call_id, (_call_pk, facts) in by_call_id.items()
    ]
    serialise_rollup_writes()
    created = Contact.objects.bulk_create(new)
    for contact, (call_pk, _facts) in zip(created, by_call_id.values(), strict=True):
        result[call_pk] = contact.pk
        rollups_apply_change(
            before=None, after=contact_rollup_state(contact=contact, reason_ids=(), referral_ids=())
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            object_type=AUDIT_TYPE,
            object_id=contact.pk,
            detail={"channel": Channel.PHONE, "office": contact.office, "anonymous": True}
            | AUDIT_SOURCE,
        )
    return result


def _differences(contact: Contact, facts: ContactFacts) -> dict[str, Any]:
    """The telephony facts that differ from the row; a closed contact stays closed."""
    changes = {
        name: getattr(facts, name)
        for name in _CONTACT_FIELDS
        if getattr(contact, name) != getattr(facts, name)
    }
    if contact.status == Status.CLOSED:
        changes.pop("status", None)
        changes.pop("closed_at", None)
    return changes


def contact_sync(*, contact_id: int, facts: ContactFacts, old_facts: ContactFacts | None) -> None:
    """Bring an existing contact's telephony facts up to date, changing only what the events
    changed (old_facts -> facts), so the desk's own changes (take-up, escalation, closing) are
    never undone. Without old facts the row itself is compared."""
    if old_facts is not None:
        changes = {
            name: getattr(facts, name)
            for name in _CONTACT_FIELDS
            if getattr(old_facts, name) != getattr(facts, name)
        }
    else:
        changes = _differences(Contact.objects.get(pk=contact_id), facts)
    if changes:
        contact_apply(contact_id=contact_id, changes=changes)


def contact_apply(*, contact_id: int, changes: dict[str, Any]) -> None:
    """Write the changes (rollups moved when a rolled-up field changes) and audit them."""
    if _ROLLED_UP & set(changes):
        serialise_rollup_writes()
        # Lock the contact: its rollup state must not change under us (the desk may be
        # saving its wrap-up right now).
        locked = Contact.objects.select_for_update().get(pk=contact_id)
        rollup_before = contact_rollup_state(contact=locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
        rollups_apply_change(before=rollup_before, after=contact_rollup_state(contact=locked))
    else:
        Contact.objects.filter(pk=contact_id).update(**changes, updated_at=timezone.now())
    audit_record(
        actor=None,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=contact_id,
        detail={"fields": sorted(name.removesuffix("_id") for name in changes)} | AUDIT_SOURCE,
    )


def escalations_record(*, contact_id: int, transfers: list[tuple[Leg, Leg]]) -> None:
    """A transfer to another office is the phone form of an escalation: write it down as one
    (the office itself moved with the contact's telephony facts)."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Call transferred by the telephony platform.")
    agent_ids = {previous.agent_id for previous, _leg in transfers if previous.agent_id}
    users = {user.pk: user for user in User.objects.filter(pk__in=agent_ids)}
    for previous, leg in transfers:
        by = users.get(previous.agent_id) if previous.agent_id else None
        Escalation.objects.create(
            contact_id=contact_id,
            from_office=previous.office,
            to_office=leg.office,
            reason=reason,
            escalated_by=by,
            escalated_at=leg.offered_at,
            expected_pickup_at=leg.offered_at,  # the caller waits in the queue right now
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.ESCALATE,
            object_type=AUDIT_TYPE,
            object_id=contact_id,
            detail={"from": previous.office, "to": leg.office} | AUDIT_SOURCE,
        )
