"""Writes on the register of cases: one intake for every kind and source, the handler's steps,
the forward of a K&G-Lijn contact (ADR 0015; docs/opgroeipunt.md "Intake").

Every write is one transaction, validates everything before writing anything (``CaseInvalid``
names each bad field in Dutch) and writes a ``CaseEvent`` per change. An urgent case puts one
mail to its regional team's mailbox in the outbox in the same transaction (purpose
``opgroeipunt_urgent``, ``cases/mail.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact
from kglijn.core.audit import audit_record
from kglijn.core.dates import date_in_bounds
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.mail import URGENT_PURPOSE
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseStatus,
    Location,
    Reporter,
    StaffShortageMeasure,
)
from kglijn.opgroeipunt.sync.outgoing import outgoing_case_created
from kglijn.outbox.services import outbox_enqueue

AUDIT_TYPE = "opgroeipunt_case"
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10_000
MAX_TEXT = 5_000
MAX_LOCATIONS = 20
MAX_EXTERNAL_ID = 64
# Received moments: not before 2000, not more than a day ahead (clock skew of a sender).
FIRST_RECEIVED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=1)


class CaseInvalid(ValueError):
    """The input cannot become (or change) a case: ``errors`` maps each field to a Dutch
    message. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors

    def as_validation_error(self) -> ValidationError:
        return ValidationError(dict(self.errors.items()))


@dataclass(frozen=True)
class ReporterData:
    """Who reports, as given; all empty is the same as anonymous (no Reporter row)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    relation: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            value.strip() for value in (self.name, self.email, self.phone, self.relation)
        )


# --- Validation helpers ------------------------------------------------------------------


def _text(
    value: Any, *, field: str, limit: int, errors: dict[str, str], required: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    if "\x00" in value:
        errors[field] = _("The text contains a NUL character.")
        return ""
    text = value.strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(limit)d characters (now %(count)d).") % {
            "limit": limit,
            "count": len(text),
        }
    return text


def _moment(
    value: Any, *, field: str, errors: dict[str, str], now: dt.datetime, not_before: Any = None
) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        errors[field] = _("Enter a date and time.")
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors[field] = _("Enter a date and time with a time zone.")
        return None
    if not FIRST_RECEIVED <= value <= now + FUTURE_SLACK:
        errors[field] = _("Choose a moment between 01/01/2000 and tomorrow.")
        return None
    # Compared by the minute: forms give minutes, the receipt has seconds.
    if isinstance(not_before, dt.datetime) and value < not_before.replace(second=0, microsecond=0):
        errors[field] = _("This moment lies before the case was received.")
        return None
    return value


def _user(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def location_match(query: str, *, limit: int = 10) -> list[Location]:
    """Locations matching a search text: the exact external id, else name words and/or a
    4-digit postcode (all must match). At most ``limit``; empty for an empty query."""
    text = " ".join(query.replace("\x00", "").split())[:200]
    if not text:
        return []
    exact = list(Location.objects.filter(external_id=text)[:1])
    if exact:
        return exact
    qs = Location.objects.select_related("regional_team")
    for word in text.split():
        if len(word) == 4 and word.isascii() and word.isdigit():
            qs = qs.filter(postcode=word)
        else:
            qs = qs.filter(Q(name__icontains=word) | Q(external_id__iexact=word))
    return list(qs.order_by("name", "id")[:limit])


def _locations(values: Iterable[Location | str | int], errors: dict[str, str]) -> list[Location]:
    wanted = list(values)
    if len(wanted) > MAX_LOCATIONS:
        errors["locations"] = _("At most %(limit)d locations.") % {"limit": MAX_LOCATIONS}
        return []
    found: list[Location] = []
    unknown: list[str] = []
    for value in wanted:
        location: Location | None
        if isinstance(value, Location):
            location = value
        elif isinstance(value, str) and "\x00" not in value and len(value) <= MAX_EXTERNAL_ID:
            location = Location.objects.filter(external_id=value.strip()).first()
        elif isinstance(value, int) and not isinstance(value, bool):
            location = Location.objects.filter(pk=value).first()
        else:
            location = None
        if location is None:
            unknown.append(str(value)[:MAX_EXTERNAL_ID].replace("\x00", ""))
        elif location.pk not in {known.pk for known in found}:
            found.append(location)
    if unknown:
        errors["locations"] = _("Unknown location(s): %(ids)s.") % {"ids": ", ".join(unknown)}
    return found


def _reporter(data: ReporterData | None, errors: dict[str, str]) -> ReporterData | None:
    if data is None or data.empty:
        return None
    name = _text(data.name, field="reporter_name", limit=200, errors=errors)
    email = _text(data.email, field="reporter_email", limit=254, errors=errors)
    phone = _text(data.phone, field="reporter_phone", limit=32, errors=errors)
    relation = _text(data.relation, field="reporter_relation", limit=100, errors=errors)
    if email and "reporter_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["reporter_email"] = _(
                "Enter a valid e-mail address, for example naam@voorbeeld.be."
            )
    if phone and "reporter_phone" not in errors:
        allowed = set("0123456789+ ./()-")
        if not set(phone) <= allowed or sum(ch.isdigit() for ch in phone) < 6:
            errors["reporter_phone"] = _("Enter a phone number, for example 09 123 45 67.")
    return ReporterData(name=name, email=email, phone=phone, relation=relation)


def _measures(
    kind: str,
    measures: Sequence[str],
    measures_from: Any,
    measures_until: Any,
    errors: dict[str, str],
) -> list[str]:
    chosen = list(measures)
    if kind != CaseKind.STAFF_SHORTAGE:
        if chosen or measures_from is not None or measures_until is not None:
            errors["measures"] = _("Measures belong only to a staff-shortage report.")
        return []
    bad = [str(value)[:30] for value in chosen if value not in StaffShortageMeasure.values]
    if bad:
        errors["measures"] = _("Unknown measure(s): %(values)s.") % {"values": ", ".join(bad)}
    elif not chosen:
        errors["measures"] = _("Choose at least one measure.")
    for field, value in (("measures_from", measures_from), ("measures_until", measures_until)):
        if value is None:
            if field == "measures_from":
                errors[field] = _("Enter the date the measures start.")
        elif not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[field] = _("Enter a date.")
        elif not date_in_bounds(value):
            errors[field] = _("Choose a date between 01/01/2000 and a year from today.")
    if (
        "measures_from" not in errors
        and "measures_until" not in errors
        and isinstance(measures_from, dt.date)
        and isinstance(measures_until, dt.date)
        and measures_until < measures_from
    ):
        errors["measures_until"] = _("The end date lies before the start date.")
    return list(dict.fromkeys(chosen))


def _event(
    case: Case,
    *,
    what: str,
    by: User | None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, what=what, by=by, changes=changes or {}, note=note[:MAX_TEXT]
    )


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _urgent_mail(case: Case) -> None:
    outbox_enqueue(purpose=URGENT_PURPOSE, reference=case.pk, due_at=timezone.now(), send_now=True)


# --- Intake -----------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    kind: str,
    source: str,
    received_at: dt.datetime | None = None,
    subject: str = "",
    description: str = "",
    locations: Iterable[Location | str | int] = (),
    reporter: ReporterData | None = None,
    created_by: User | AnonymousUser | None = None,
    contact: Contact | None = None,
    urgent: bool | None = None,
    measures: Sequence[str] = (),
    measures_from: dt.date | None = None,
    measures_until: dt.date | None = None,
    external_id: str | None = None,
) -> Case:
    """Register one case of any kind from any source; raises CaseInvalid (nothing written).

    A danger situation is urgent (``urgent=True`` makes any other kind a crisis report): its
    response is due ``KGLIJN_OPGROEIPUNT_URGENT_HOURS`` hours after the receipt, and one mail
    to the regional team (the first location's team; the central team without one) goes into
    the outbox. ``locations``: Location objects, external ids or ids. An anonymous case (no or
    empty ``reporter``) has no Reporter row.
    """
    now = timezone.now()
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Choose the kind of case.")
    if source not in CaseSource.values:
        errors["source"] = _("Choose where the case comes from.")
    received = now if received_at is None else received_at
    received_ok = _moment(received, field="received_at", errors=errors, now=now)
    subject_text = _text(subject, field="subject", limit=MAX_SUBJECT, errors=errors)
    description_text = _text(description, field="description", limit=MAX_DESCRIPTION, errors=errors)
    found = _locations(locations, errors)
    reporter_data = _reporter(reporter, errors)
    chosen_measures = _measures(kind, measures, measures_from, measures_until, errors)
    if urgent is not None and not isinstance(urgent, bool):
        errors["urgent"] = _("Choose yes or no.")
    is_urgent = kind == CaseKind.DANGER if urgent is None else bool(urgent)
    if kind == CaseKind.DANGER and not is_urgent and source != CaseSource.IMPORT:
        errors["urgent"] = _(
            "A danger situation is always urgent at intake; lowering the urgency is a decision "
            "(four eyes)."
        )
    ext_id: str | None = None
    if external_id is not None:
        ext_id = _text(external_id, field="external_id", limit=MAX_EXTERNAL_ID, errors=errors)
        if (
            ext_id
            and "external_id" not in errors
            and Case.objects.filter(external_id=ext_id).exists()
        ):
            errors["external_id"] = _("A case with this external id already exists.")
        ext_id = ext_id or None
    if not subject_text and not description_text and not found and "description" not in errors:
        errors["description"] = _("Describe what happened, or link a location.")
    if errors:
        raise CaseInvalid(errors)
    assert received_ok is not None
    team = next((location.regional_team for location in found if location.regional_team), None)
    case = Case.objects.create(
        external_id=ext_id,
        kind=kind,
        source=source,
        received_at=received_ok,
        subject=subject_text,
        description=description_text,
        regional_team=team,
        created_by=_user(created_by),
        contact=contact,
        urgent=is_urgent,
        urgent_due_at=(
            received_ok + dt.timedelta(hours=settings.KGLIJN_OPGROEIPUNT_URGENT_HOURS)
            if is_urgent
            else None
        ),
        measures=chosen_measures,
        measures_from=measures_from if kind == CaseKind.STAFF_SHORTAGE else None,
        measures_until=measures_until if kind == CaseKind.STAFF_SHORTAGE else None,
    )
    if found:
        case.locations.set(found)
    if reporter_data is not None:
        Reporter.objects.create(
            case=case,
            name=reporter_data.name,
            email=reporter_data.email,
            phone=reporter_data.phone,
            relation=reporter_data.relation,
        )
    _event(
        case,
        what="created",
        by=_user(created_by),
        changes={
            "kind": kind,
            "source": source,
            "urgent": is_urgent,
            "locations": [location.external_id for location in found],
            "reporter": reporter_data is not None,
            "contact": contact.pk if contact is not None else None,
        },
    )
    audit_record(
        actor=created_by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_TYPE,
        object_id=case.pk,
        detail={"kind": kind, "source": source, "urgent": is_urgent},
    )
    outgoing_case_created(case=case)  # to the dossier system, in this transaction
    if is_urgent and source != CaseSource.IMPORT:
        _urgent_mail(case)
    return case


# --- The handler's steps ----------------------------------------------------------------


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _require(user: User, permission: str) -> None:
    if not user.is_authenticated or not user.has_perm(permission):
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def case_take(*, case: Case, user: User) -> Case:
    """Take up a case (or take it over): status in progress, the user as handler. The first
    take-up sets ``taken_at`` (it ends the urgent term)."""
    _require(user, "opgroeipunt.take_case")
    locked = _locked(case)
    if locked.status == CaseStatus.CLOSED:
        raise CaseInvalid({"status": _("This case is closed.")})
    if locked.handler_id == user.pk and locked.status == CaseStatus.IN_PROGRESS:
        return locked
    changes: dict[str, Any] = {
        "handler": [locked.handler_id, user.pk],
        "status": [locked.status, CaseStatus.IN_PROGRESS],
    }
    fields = ["handler", "status"]
    locked.handler = user
    locked.status = CaseStatus.IN_PROGRESS
    if locked.taken_at is None:
        locked.taken_at = timezone.now()
        changes["taken_at"] = [None, locked.taken_at.isoformat()]
        fields.append("taken_at")
    locked.save(update_fields=fields)
    _event(locked, what="taken", by=user, changes=changes)
    return locked


COMPLAINT_ONLY = ("conciliation", "handler_not_involved", "ombudsman_informed")


@transaction.atomic
def case_update(
    *,
    case: Case,
    user: User,
    acknowledged_at: dt.datetime | None = None,
    answered_at: dt.datetime | None = None,
    conciliation: str | None = None,
    handler_not_involved: bool | None = None,
    ombudsman_informed: bool | None = None,
    close: bool = False,
    note: str = "",
) -> Case:
    """Record the handler's steps on a case taken up; None leaves a field as it is. Each
    changed field writes one CaseEvent (old -> new); raises CaseInvalid, nothing written.

    A danger situation is not closed here: that is a decision (four eyes, ``danger_closed``).
    """
    _require(user, "opgroeipunt.take_case")
    locked = _locked(case)
    now = timezone.now()
    errors: dict[str, str] = {}
    if locked.status == CaseStatus.CLOSED:
        raise CaseInvalid({"status": _("This case is closed.")})
    if locked.status == CaseStatus.NEW:
        raise CaseInvalid({"status": _("Take up the case first.")})
    note_text = _text(note, field="note", limit=MAX_TEXT, errors=errors)
    wanted: dict[str, Any] = {}
    for field, value in (("acknowledged_at", acknowledged_at), ("answered_at", answered_at)):
        if value is not None:
            moment = _moment(
                value, field=field, errors=errors, now=now, not_before=locked.received_at
            )
            if moment is not None and moment > now:
                errors[field] = _("This moment lies in the future.")
            elif moment is not None:
                wanted[field] = moment
    if conciliation is not None:
        text = _text(conciliation, field="conciliation", limit=MAX_TEXT, errors=errors)
        if "conciliation" not in errors:
            wanted["conciliation"] = text
    for field, flag in (
        ("handler_not_involved", handler_not_involved),
        ("ombudsman_informed", ombudsman_informed),
    ):
        if flag is not None:
            if not isinstance(flag, bool):
                errors[field] = _("Choose yes or no.")
            else:
                wanted[field] = flag
    if locked.kind != CaseKind.COMPLAINT:
        for field in COMPLAINT_ONLY:
            if field in wanted and wanted[field] != getattr(locked, field):
                errors[field] = _("This step belongs to a complaint.")
    if close and locked.kind == CaseKind.DANGER:
        errors["close"] = _("A danger situation is closed by a decision: propose it (four eyes).")
    if errors:
        raise CaseInvalid(errors)
    fields: list[str] = []
    for field, value in wanted.items():
        old = getattr(locked, field)
        if old == value:
            continue
        setattr(locked, field, value)
        fields.append(field)
        _event(
            locked,
            what=field,
            by=user,
            changes={field: [_json(old), _json(value)]},
            note=note_text,
        )
    if close:
        fields += ["status", "closed_at"]
        _event(
            locked,
            what="closed",
            by=user,
            changes={"status": [locked.status, CaseStatus.CLOSED]},
            note=note_text,
        )
        locked.status = CaseStatus.CLOSED
        locked.closed_at = now
    if fields:
        locked.save(update_fields=fields)
    elif note_text:
        _event(locked, what="note", by=user, note=note_text)
    return locked


# --- From a K&G-Lijn contact ------------------------------------------------------------


def contact_forwarded_case(*, contact: Contact) -> Case | None:
    return Case.objects.filter(contact=contact).order_by("id").first()


@transaction.atomic
def case_from_contact(
    *,
    contact: Contact,
    user: User,
    kind: str,
    locations: Iterable[Location | str | int],
    description: str,
    with_reporter: bool = False,
) -> Case:
    """Forward a K&G-Lijn contact into Opgroeipunt (source contact, ``Case.contact`` set).

    Once per contact (a second forward is refused with the first case's reference). The
    caller's details go along only when ``with_reporter`` (a complaint needs a known
    complainant); the contact's notes never do.
    """
    _require(user, "opgroeipunt.forward_contact")
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    earlier = contact_forwarded_case(contact=locked)
    if earlier is not None:
        raise CaseInvalid(
            {"contact": _("Already forwarded to Opgroeipunt as %(ref)s.") % {"ref": earlier}}
        )
    reporter = None
    if with_reporter and not locked.anonymous:
        customer = locked.customer
        reporter = ReporterData(
            name=(customer.name if customer else locked.caller_name)[:200],
            email=(customer.email if customer else locked.caller_email) or "",
            phone=((customer.phone if customer else locked.caller_phone) or "")[:32],
        )
    case = case_create(
        kind=kind,
        source=CaseSource.CONTACT,
        description=description,
        locations=locations,
        reporter=reporter,
        created_by=user,
        contact=locked,
    )
    # On the contact's own trail: it went to Opgroeipunt, with or without the caller's details.
    audit_record(
        actor=user,
        action=AuditEvent.Action.ESCALATE,
        object_type="contact",
        object_id=locked.pk,
        detail={"opgroeipunt": str(case), "caller_details": reporter is not None},
    )
    return case
