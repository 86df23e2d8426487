"""Every write to the contact register goes through these functions (see conventions.md)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.accounts.selectors import user_home_office
from kglijn.contacts.models import (
    Channel,
    Contact,
    Customer,
    Direction,
    Escalation,
    Office,
    Origin,
    Reason,
    ReferralOrganisation,
    Status,
    Topic,
)
from kglijn.contacts.rollups.services import contact_rollup_state, rollups_apply_change
from kglijn.core import business_calendar
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.provinces import InvalidPostcode, Province, province_for_postcode

AUDIT_TYPE = "contact"


def _choice(errors: dict[str, str], field: str, value: str, choices: Any, *, blank: bool) -> None:
    if value == "" and blank:
        return
    if value not in choices.values:
        errors[field] = _("Unknown value “%(value)s”.") % {"value": value}


def _resolve_codes(
    errors: dict[str, str],
    field: str,
    model: type[Reason] | type[ReferralOrganisation],
    codes: Iterable[str],
) -> list[Any]:
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    found = {obj.code: obj for obj in model.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    inactive = [code for code in wanted if code in found and not found[code].active]
    if unknown:
        errors[field] = _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
    elif inactive:
        errors[field] = _("No longer in use: %(codes)s.") % {"codes": ", ".join(inactive)}
    return [found[code] for code in wanted if code in found]


def _validate_personal_data(
    errors: dict[str, str],
    *,
    anonymous: bool,
    customer: Customer | None,
    caller_name: str,
    caller_phone: str,
    caller_email: str,
) -> None:
    if anonymous:
        filled = {
            "customer": customer is not None,
            "caller_name": bool(caller_name),
            "caller_phone": bool(caller_phone),
            "caller_email": bool(caller_email),
        }
        for field, present in filled.items():
            if present:
                errors[field] = _(
                    "An anonymous contact cannot hold personal data: leave this field empty "
                    "or untick “anonymous”."
                )
        return
    if caller_email:
        try:
            validate_email(caller_email)
        except ValidationError:
            errors["caller_email"] = _("Enter a valid e-mail address.")


def _province_from(errors: dict[str, str], province: str, postcode: str) -> str:
    """The province to store: derived from the postcode when one is given (the postcode itself
    is not stored), else the chosen province. A chosen province that contradicts the postcode
    is an error on "province"."""
    if postcode:
        try:
            derived = province_for_postcode(postcode)
        except InvalidPostcode as exc:
            errors["postcode"] = str(exc)
            return province
        if province and province != derived:
            errors["province"] = _(
                "Postcode %(postcode)s lies in %(derived)s, not in the chosen province."
            ) % {"postcode": postcode, "derived": derived.label}
        return str(derived)
    return province


@transaction.atomic
def contact_register(
    *,
    by: User | None,
    channel: str,
    direction: str = Direction.IN,
    origin: str = "",
    received_at: dt.datetime | None = None,
    office: str | None = None,
    province: str = "",
    postcode: str = "",
    topic: str = "",
    reason_codes: Iterable[str] = (),
    referral_codes: Iterable[str] = (),
    notes: str = "",
    health_note: str = "",
    anonymous: bool = True,
    customer: Customer | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    caller_email: str = "",
    external_id: str | None = None,
) -> Contact:
    """Register one contact; validates everything first and writes nothing on any error.

    An anonymous contact gets no personal data (refused with a message per field); a postcode
    is not stored, only the province derived from it.
    """
    errors: dict[str, str] = {}
    if external_id is not None:
        # "" from a form or import means "none": only real ids are unique.
        external_id = external_id.strip() or None
    if received_at is not None and timezone.is_naive(received_at):
        errors["received_at"] = _("The time of receipt needs a time zone.")
    caller_name, caller_phone, caller_email = (
        caller_name.strip(),
        caller_phone.strip(),
        caller_email.strip(),
    )
    _choice(errors, "channel", channel, Channel, blank=False)
    _choice(errors, "direction", direction, Direction, blank=False)
    _choice(errors, "origin", origin, Origin, blank=True)
    _choice(errors, "topic", topic, Topic, blank=True)
    if province:
        _choice(errors, "province", province, Province, blank=True)
    if origin and channel != Channel.EMAIL:
        errors["origin"] = _("Only an e-mail has an origin (mailbox or web form).")
    if office is None:
        office = user_home_office(user=by) if by is not None else None
        office = office or Office.FRONT
    _choice(errors, "office", office, Office, blank=False)
    province = _province_from(errors, province, postcode.strip())
    reasons = _resolve_codes(errors, "reasons", Reason, reason_codes)
    referrals = _resolve_codes(errors, "referrals", ReferralOrganisation, referral_codes)
    _validate_personal_data(
        errors,
        anonymous=anonymous,
        customer=customer,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
    )
    if health_note and (by is None or not by.has_perm("contacts.change_health_note")):
        errors["health_note"] = _("Only a PGJO nurse can write a health note.")
    if external_id is not None and Contact.objects.filter(external_id=external_id).exists():
        errors["external_id"] = _("A contact with this external id already exists.")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    contact = Contact.objects.create(
        external_id=external_id,
        channel=channel,
        direction=direction,
        origin=origin,
        received_at=received_at or now,
        office=office,
        handler=by,
        status=Status.OPEN,
        province=province,
        topic=topic,
        notes=notes.strip(),
        health_note=health_note.strip(),
        anonymous=anonymous,
        customer=customer,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
        created_by=by,
    )
    contact.reasons.set(reasons)
    contact.referrals.set(referrals)
    rollups_apply_change(
        before=None,
        after=contact_rollup_state(
            contact=contact,
            reason_ids=[reason.pk for reason in reasons],
            referral_ids=[referral.pk for referral in referrals],
        ),
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_TYPE,
        object_id=contact.pk,
        detail={"channel": channel, "office": office, "anonymous": anonymous},
    )
    return contact


_UPDATABLE = {
    "province",
    "topic",
    "notes",
    "health_note",
    "anonymous",
    "customer",
    "caller_name",
    "caller_phone",
    "caller_email",
    "origin",
    "direction",
    "answered_at",
}


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    by: User | None,
    postcode: str = "",
    reason_codes: Iterable[str] | None = None,
    referral_codes: Iterable[str] | None = None,
    **fields: Any,
) -> Contact:
    """Change a contact's wrap-up fields; same validation as registering; audited by field name.

    The audit trail records which fields changed, never their values (they may be personal).
    """
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise TypeError(f"contact_update cannot change {sorted(unknown)}")
    if by is not None and not by.has_perm("contacts.change_contact"):
        raise PermissionDenied(_("You may not change contacts."))
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    errors: dict[str, str] = {}
    if contact.status == Status.CLOSED:
        raise ValidationError(_("This contact is closed; reopen it before changing it."))
    new = {name: fields.get(name, getattr(contact, name)) for name in _UPDATABLE}
    for name in ("caller_name", "caller_phone", "caller_email", "notes", "health_note"):
        new[name] = (new[name] or "").strip()
    _choice(errors, "topic", new["topic"], Topic, blank=True)
    _choice(errors, "origin", new["origin"], Origin, blank=True)
    _choice(errors, "direction", new["direction"], Direction, blank=False)
    if new["province"]:
        _choice(errors, "province", new["province"], Province, blank=True)
    if new["origin"] and contact.channel != Channel.EMAIL:
        errors["origin"] = _("Only an e-mail has an origin (mailbox or web form).")
    # A new postcode replaces the stored province; it only conflicts with a province passed in
    # the same call (else moving house from Antwerp to Ghent could never be registered).
    chosen_province = new["province"] if "province" in fields else ""
    derived = _province_from(errors, chosen_province, postcode.strip())
    if postcode.strip() and "postcode" not in errors:
        new["province"] = derived
    _validate_personal_data(
        errors,
        anonymous=new["anonymous"],
        customer=new["customer"],
        caller_name=new["caller_name"],
        caller_phone=new["caller_phone"],
        caller_email=new["caller_email"],
    )
    if new["health_note"] != contact.health_note and (
        by is None or not by.has_perm("contacts.change_health_note")
    ):
        errors["health_note"] = _("Only a PGJO nurse can write a health note.")
    reasons = (
        _resolve_codes(errors, "reasons", Reason, reason_codes)
        if reason_codes is not None
        else None
    )
    referrals = (
        _resolve_codes(errors, "referrals", ReferralOrganisation, referral_codes)
        if referral_codes is not None
        else None
    )
    if errors:
        raise ValidationError(errors)

    rollup_before = contact_rollup_state(contact=contact)
    changed = [name for name in sorted(_UPDATABLE) if new[name] != getattr(contact, name)]
    for name in changed:
        setattr(contact, name, new[name])
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
    if reasons is not None and {r.pk for r in reasons} != set(
        contact.reasons.values_list("pk", flat=True)
    ):
        contact.reasons.set(reasons)
        changed.append("reasons")
    if referrals is not None and {r.pk for r in referrals} != set(
        contact.referrals.values_list("pk", flat=True)
    ):
        contact.referrals.set(referrals)
        changed.append("referrals")
    if changed:
        if {"reasons", "referrals"} & set(changed) and not set(changed) - {"reasons", "referrals"}:
            # Only the codes changed: updated_at still moves (API sync by updated_since).
            contact.save(update_fields=["updated_at"])
        rollups_apply_change(before=rollup_before, after=contact_rollup_state(contact=contact))
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_TYPE,
            object_id=contact.pk,
            detail={"fields": changed},
        )
    return contact


@transaction.atomic
def contact_escalate(
    *, contact: Contact, to_office: str, reason: str, by: User, now: dt.datetime | None = None
) -> Escalation:
    """Hand a contact to another office's queue, with a written reason.

    Outside the receiving office's opening hours the escalation is accepted and the queue shows
    when it will be picked up (the next opening per the business calendar). `now` (aware)
    defaults to the current time; imports and tests pass the moment of the escalation.
    """
    if not by.has_perm("contacts.escalate_contact"):
        raise PermissionDenied(_("You may not escalate contacts."))
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    errors: dict[str, str] = {}
    if to_office not in Office.values:
        errors["to_office"] = _("Unknown office.")
    elif to_office == contact.office:
        errors["to_office"] = _("The contact is already with this office.")
    elif to_office == Office.FRONT:
        errors["to_office"] = _("Escalation goes from the front office to a back office.")
    if not reason.strip():
        errors["reason"] = _("Write down why the contact is escalated.")
    if contact.status == Status.CLOSED:
        errors["to_office"] = _("A closed contact cannot be escalated.")
    if errors:
        raise ValidationError(errors)
    now = _aware_now(now)
    rollup_before = contact_rollup_state(contact=contact)
    escalation = Escalation.objects.create(
        contact=contact,
        from_office=contact.office,
        to_office=to_office,
        reason=reason.strip(),
        escalated_by=by,
        escalated_at=now,
        expected_pickup_at=business_calendar.next_opening(to_office, now),
    )
    contact.office = to_office
    contact.status = Status.ESCALATED
    contact.handler = None
    contact.save(update_fields=["office", "status", "handler", "updated_at"])
    rollups_apply_change(before=rollup_before, after=contact_rollup_state(contact=contact))
    audit_record(
        actor=by,
        action=AuditEvent.Action.ESCALATE,
        object_type=AUDIT_TYPE,
        object_id=contact.pk,
        detail={"from": escalation.from_office, "to": to_office},
    )
    return escalation


def _aware_now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    return now


def _require_office_access(contact: Contact, by: User) -> None:
    if not by.has_perm(f"contacts.queue_{contact.office}"):
        raise PermissionDenied(_("This contact is with another office."))


@transaction.atomic
def contact_take(*, contact: Contact, by: User) -> Contact:
    """Assign a contact from the office queue to oneself (idempotent for the same user)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _require_office_access(contact, by)
    if contact.status == Status.CLOSED:
        raise ValidationError(_("A closed contact cannot be taken up."))
    if contact.handler_id == by.pk and contact.status == Status.OPEN:
        return contact
    contact.handler = by
    contact.status = Status.OPEN
    contact.save(update_fields=["handler", "status", "updated_at"])
    audit_record(
        actor=by, action=AuditEvent.Action.ASSIGN, object_type=AUDIT_TYPE, object_id=contact.pk
    )
    return contact


@transaction.atomic
def contact_close(*, contact: Contact, by: User, now: dt.datetime | None = None) -> Contact:
    """Close a contact; the closer becomes its handler if it had none.

    `now` (aware) defaults to the current time; it becomes closed_at (and answered_at if unset).
    """
    if not by.has_perm("contacts.close_contact"):
        raise PermissionDenied(_("You may not close contacts."))
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _require_office_access(contact, by)
    if contact.status == Status.CLOSED:
        raise ValidationError(_("This contact is already closed."))
    now = _aware_now(now)
    contact.status = Status.CLOSED
    contact.closed_at = now
    if contact.handler_id is None:
        contact.handler = by
    if contact.answered_at is None:
        contact.answered_at = now
    contact.save(update_fields=["status", "closed_at", "handler", "answered_at", "updated_at"])
    audit_record(
        actor=by, action=AuditEvent.Action.CLOSE, object_type=AUDIT_TYPE, object_id=contact.pk
    )
    return contact


@transaction.atomic
def contact_reopen(*, contact: Contact, by: User | None) -> Contact:
    """Reopen a closed contact; by=None is kglijn itself (a citizen's reply to our answer)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if by is not None:
        _require_office_access(contact, by)
    if contact.status != Status.CLOSED:
        raise ValidationError(_("Only a closed contact can be reopened."))
    contact.status = Status.OPEN
    contact.closed_at = None
    contact.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=by, action=AuditEvent.Action.REOPEN, object_type=AUDIT_TYPE, object_id=contact.pk
    )
    return contact


@transaction.atomic
def customer_find_or_create(
    *, kind: str, name: str, email: str = "", phone: str = "", postcode: str = ""
) -> Customer:
    """The customer with this e-mail or phone number, or a new one; validates first."""
    errors: dict[str, str] = {}
    name, email, phone, postcode = (
        name.strip(),
        email.strip().lower(),
        phone.strip(),
        postcode.strip(),
    )
    if kind not in Customer.Kind.values:
        errors["customer_kind"] = _("Choose who is contacting us.")
    if not name:
        errors["caller_name"] = _("A name is needed to register a customer.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["caller_email"] = _("Enter a valid e-mail address.")
    province = ""
    if postcode:
        try:
            province = str(province_for_postcode(postcode))
        except InvalidPostcode as exc:
            errors["postcode"] = str(exc)
    if errors:
        raise ValidationError(errors)
    existing = None
    if email:
        existing = Customer.objects.filter(email=email).first()
    if existing is None and phone:
        existing = Customer.objects.filter(phone=phone).first()
    if existing is not None:
        return existing
    return Customer.objects.create(
        kind=kind, name=name, email=email, phone=phone, postcode=postcode, province=province
    )


_CODE_RE = re.compile(r"[a-z0-9-]+")
_CODE_MAX = 50  # Reason.code / ReferralOrganisation.code max_length
_NAME_MAX = 200


def _catalogue_save(
    model: type[Reason] | type[ReferralOrganisation], *, code: str, **values: Any
) -> Reason | ReferralOrganisation:
    errors: dict[str, str] = {}
    code = code.strip().lower()
    # ASCII only: str.isalnum() would let "é" or "²" into a SlugField.
    if not _CODE_RE.fullmatch(code):
        errors["code"] = _("A code has lowercase letters, digits and hyphens only.")
    elif len(code) > _CODE_MAX:
        errors["code"] = _("A code has at most %(max)d characters.") % {"max": _CODE_MAX}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = _("A name is required.")
    elif len(name) > _NAME_MAX:
        errors["name"] = _("A name has at most %(max)d characters.") % {"max": _NAME_MAX}
    if errors:
        raise ValidationError(errors)
    obj, _created = model.objects.update_or_create(code=code, defaults=values)
    return obj


@transaction.atomic
def reason_save(
    *, code: str, name: str, topic: str = "", active: bool = True, sort_order: int = 100
) -> Reason:
    """Create or change a reason by code. Deactivate instead of delete: history keeps it."""
    if topic and topic not in Topic.values:
        raise ValidationError({"topic": _("Unknown topic.")})
    obj = _catalogue_save(
        Reason, code=code, name=name.strip(), topic=topic, active=active, sort_order=sort_order
    )
    assert isinstance(obj, Reason)
    return obj


@transaction.atomic
def referral_save(*, code: str, name: str, active: bool = True) -> ReferralOrganisation:
    """Create or change a referral organisation by code. Deactivate instead of delete."""
    obj = _catalogue_save(ReferralOrganisation, code=code, name=name.strip(), active=active)
    assert isinstance(obj, ReferralOrganisation)
    return obj
