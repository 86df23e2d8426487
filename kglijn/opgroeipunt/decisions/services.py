"""Four eyes: a decision is proposed with its motivation and takes effect only when another
customer manager approves it (ADR 0015, issue 17 item 5).

``proposal_create`` checks that the decision is possible for its subject now (the case's kind
and state, the location's enforcement state against the one transition table);
``proposal_approve`` locks the proposal, refuses the proposer (so does the database: a CHECK
constraint), checks again, writes the ``Decision`` and applies its effect in one transaction;
``proposal_reject`` sends it back to the proposer with the reason. Every step is audit-logged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.enforcement.selectors import location_enforcement
from kglijn.opgroeipunt.enforcement.services import track_apply_decision
from kglijn.opgroeipunt.enforcement.transitions import (
    ENFORCEMENT_KINDS,
    TransitionRefused,
    allowed_kinds,
    next_state,
)
from kglijn.opgroeipunt.models import (
    CASE_DECISION_KINDS,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Decision,
    DecisionKind,
    DecisionSource,
    EnforcementState,
    Location,
    NotAdmissibleReason,
    Proposal,
    ProposalStatus,
    Reporter,
)
from kglijn.opgroeipunt.sync.outgoing import outgoing_decision_made

AUDIT_PROPOSAL = "opgroeipunt_proposal"
AUDIT_DECISION = "opgroeipunt_decision"
MAX_TEXT = 5_000
EARLIEST_DATE = datetime.date(2000, 1, 1)
MAX_DAYS_AHEAD = 366  # a measure may be decided up to a year before it takes effect
MAX_DURATION_DAYS = 5 * 366
# Measures that end: a suspension ends on a date, and so may a protective measure or support.
KINDS_WITH_AN_END = frozenset(
    {DecisionKind.SUSPENSION, DecisionKind.PROTECTIVE_MEASURE, DecisionKind.PRIORITY_SUPPORT}
)
PAYLOAD_KEYS = frozenset({"reason", "effective_from", "effective_until"})
# Decisions on a location outside its enforcement (issue 18): allowed for any active location,
# whatever its enforcement state, and they leave that state alone.
LOCATION_KINDS = frozenset({DecisionKind.RESCREENING})


class ProposalRefused(ValueError):
    """The proposal is not possible (wrong subject, state or input); the message says why."""


class ProposalAlreadyDecided(ValueError):
    """The proposal was approved or rejected already (the API answers 409)."""


class ProposalNotPermitted(PermissionError):
    """The user lacks the permission for this step (the API answers 403)."""


class FourEyesRefused(ProposalNotPermitted):
    """The proposer tries to decide their own proposal, or the decider may not decide."""


# --- What may be proposed for a subject -------------------------------------------------------


def _label(kind: str) -> str:
    return str(DecisionKind(kind).label)


def _case_refusal(kind: DecisionKind, case: Case) -> str | None:
    if kind in (DecisionKind.ADMISSIBLE, DecisionKind.NOT_ADMISSIBLE):
        if case.kind != CaseKind.COMPLAINT:
            return _("Admissibility is decided only on a complaint.")
        if case.admissible is (kind == DecisionKind.ADMISSIBLE):
            return _("The complaint is already %(state)s.") % {
                "state": _("admissible") if case.admissible else _("not admissible")
            }
        if kind == DecisionKind.ADMISSIBLE and not _complainant_known(case):
            return _(
                "A complaint is admissible only with a known complainant: the case has no "
                "reporter with a name and an e-mail address or phone number."
            )
    elif kind == DecisionKind.URGENCY_LOWERED:
        if not case.urgent:
            return _("The case is not urgent.")
    elif kind == DecisionKind.DANGER_CLOSED:
        if case.kind != CaseKind.DANGER:
            return _("Only a danger situation can be closed this way.")
        if case.status == CaseStatus.CLOSED:
            return _("The danger situation is already closed.")
    return None


def _complainant_known(case: Case) -> bool:
    # Whether the row exists and is filled; no reporter data is read (nothing to audit).
    return Reporter.objects.filter(case=case).exclude(name="").exclude(email="", phone="").exists()


def _enforcement_refusal(kind: DecisionKind, location: Location) -> str | None:
    state, _positive = location_enforcement(location)
    try:
        next_state(state, kind)
    except TransitionRefused:
        allowed = ", ".join(_label(step) for step in allowed_kinds(state))
        return _(
            "%(kind)s is not allowed while the location's enforcement is '%(state)s'. "
            "Allowed now: %(allowed)s."
        ) % {"kind": _label(kind), "state": EnforcementState(state).label, "allowed": allowed}
    return None


def subject_refusal(
    *, kind: str, case: Case | None = None, location: Location | None = None
) -> str | None:
    """Why ``kind`` cannot be decided on this subject now, or None when it can."""
    if kind not in DecisionKind.values:
        return _("Unknown kind of decision: %(kind)s.") % {"kind": str(kind)[:40]}
    decision_kind = DecisionKind(kind)
    if decision_kind in CASE_DECISION_KINDS:
        if case is None or location is not None:
            return _("%(kind)s is a decision on a case: choose the case.") % {"kind": _label(kind)}
        return _case_refusal(decision_kind, case)
    if decision_kind in LOCATION_KINDS:
        if location is None or case is not None:
            return _("%(kind)s is a decision on a location: choose the location.") % {
                "kind": _label(kind)
            }
        if not location.active:
            return _("%(kind)s is only possible for an active location.") % {"kind": _label(kind)}
        return None
    if decision_kind not in ENFORCEMENT_KINDS:  # pragma: no cover - every kind is one of both
        return _("Unknown kind of decision: %(kind)s.") % {"kind": kind}
    if location is None or case is not None:
        return _("%(kind)s is a step of a location's enforcement: choose the location.") % {
            "kind": _label(kind)
        }
    return _enforcement_refusal(decision_kind, location)


def kinds_for_subject(
    *, case: Case | None = None, location: Location | None = None
) -> list[tuple[DecisionKind, str | None]]:
    """Every decision kind for this subject with the reason it is refused now (None: allowed)."""
    kinds = CASE_DECISION_KINDS if case is not None else ENFORCEMENT_KINDS
    return [
        (kind, subject_refusal(kind=kind, case=case, location=location))
        for kind in DecisionKind
        if kind in kinds
    ]


# --- Input ----------------------------------------------------------------------------------


def _date(value: Any, *, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()[:20]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ProposalRefused(
            _("%(field)s is not a date (YYYY-MM-DD): '%(value)s'.")
            % {"field": field, "value": text}
        ) from exc


def _clean_payload(kind: DecisionKind, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload as stored: the reason for not admissible, dates as ISO strings."""
    payload = dict(payload or {})
    unknown = sorted(str(key)[:40] for key in set(payload) - PAYLOAD_KEYS)
    if unknown:
        raise ProposalRefused(_("Unknown details: %(keys)s.") % {"keys": ", ".join(unknown)})
    clean: dict[str, Any] = {}
    reason = payload.get("reason") or ""
    if kind == DecisionKind.NOT_ADMISSIBLE:
        if reason not in NotAdmissibleReason.values:
            raise ProposalRefused(
                _("Reason: choose why the complaint is not admissible (%(reasons)s).")
                % {"reasons": ", ".join(str(label) for label in NotAdmissibleReason.labels)}
            )
        clean["reason"] = reason
    elif reason:
        raise ProposalRefused(_("Reason: only a complaint that is not admissible has a reason."))
    today = timezone.localdate()
    start = end = None
    if payload.get("effective_from") not in (None, ""):
        start = _date(payload["effective_from"], field=_("Effective from"))
        latest = today + datetime.timedelta(days=MAX_DAYS_AHEAD)
        if not EARLIEST_DATE <= start <= latest:
            raise ProposalRefused(
                _("Effective from must lie between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.strftime("%d/%m/%Y"), "last": latest.strftime("%d/%m/%Y")}
            )
        clean["effective_from"] = start.isoformat()
    if payload.get("effective_until") not in (None, ""):
        if kind not in KINDS_WITH_AN_END:
            raise ProposalRefused(
                _("Effective until: %(kind)s has no end date.") % {"kind": _label(kind)}
            )
        end = _date(payload["effective_until"], field=_("Effective until"))
        first = start or today
        if end < first:
            raise ProposalRefused(
                _("Effective until must not lie before %(first)s.")
                % {"first": first.strftime("%d/%m/%Y")}
            )
        if end > first + datetime.timedelta(days=MAX_DURATION_DAYS):
            raise ProposalRefused(_("Effective until lies more than five years ahead."))
        clean["effective_until"] = end.isoformat()
    return clean


def _clean_motivation(motivation: str) -> str:
    text = (motivation or "").strip()
    if not text:
        raise ProposalRefused(_("Motivation: say why this decision is proposed."))
    if len(text) > MAX_TEXT:
        raise ProposalRefused(
            _("Motivation is longer than %(limit)d characters.") % {"limit": MAX_TEXT}
        )
    if "\x00" in text:
        raise ProposalRefused(_("Motivation contains a NUL character."))
    return text


# --- Propose, approve, reject -----------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    kind: str,
    motivation: str,
    proposed_by: User,
    case: Case | None = None,
    location: Location | None = None,
    payload: dict[str, Any] | None = None,
) -> Proposal:
    """Propose a decision; it waits for another customer manager. Raises ProposalRefused with
    the reason when the decision is not possible for its subject now, ProposalNotPermitted when
    the user may not propose."""
    if not proposed_by.has_perm("opgroeipunt.add_proposal"):
        raise ProposalNotPermitted(_("You may not propose decisions."))
    refusal = subject_refusal(kind=kind, case=case, location=location)
    if refusal:
        raise ProposalRefused(refusal)
    decision_kind = DecisionKind(kind)
    text = _clean_motivation(motivation)
    details = _clean_payload(decision_kind, payload)
    if location is not None:
        Location.objects.select_for_update().filter(pk=location.pk).first()
    waiting = Proposal.objects.filter(kind=kind, status=ProposalStatus.PROPOSED)
    if (case is not None and waiting.filter(case=case).exists()) or (
        location is not None and waiting.filter(location=location).exists()
    ):
        raise ProposalRefused(
            _("A proposal '%(kind)s' for this subject is already waiting for approval.")
            % {"kind": _label(kind)}
        )
    proposal = Proposal.objects.create(
        kind=decision_kind,
        case=case,
        location=location,
        motivation=text,
        payload=details,
        proposed_by=proposed_by,
    )
    audit_record(
        actor=proposed_by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_PROPOSAL,
        object_id=proposal.pk,
        detail=_audit_detail(proposal),
    )
    return proposal


def _audit_detail(proposal: Proposal) -> dict[str, Any]:
    detail: dict[str, Any] = {"kind": proposal.kind}
    if proposal.case_id is not None:
        detail["case"] = proposal.case_id
    if proposal.location_id is not None:
        detail["location"] = proposal.location_id
    return detail


def _locked_waiting(proposal_id: int, decider: User, *, approve: bool) -> Proposal:
    """The proposal, locked, still waiting, and ``decider`` someone who may decide it."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ProposalAlreadyDecided(
            _("This proposal was already %(status)s.")
            % {"status": _("approved") if proposal.status == "approved" else _("rejected")}
        )
    if proposal.proposed_by_id == decider.pk:
        raise FourEyesRefused(
            _("You cannot approve your own proposal; another customer manager must.")
            if approve
            else _("You cannot reject your own proposal; another customer manager must.")
        )
    if not decider.has_perm("opgroeipunt.decide_proposal"):
        raise FourEyesRefused(
            _("You may not approve or reject proposals: that takes a customer manager's role.")
        )
    return proposal


@transaction.atomic
def proposal_approve(*, proposal_id: int, approver: User) -> Decision:
    """Approve another's proposal: the decision is written and takes effect at once, in this
    transaction (the case's fields, or the location's enforcement track and licence status).

    Raises ProposalAlreadyDecided, FourEyesRefused (the proposer; a user without the right),
    ProposalRefused (the subject's state moved and the decision is no longer possible).
    """
    proposal = _locked_waiting(proposal_id, approver, approve=True)
    case, location = proposal.case, proposal.location
    if location is not None:  # one approval at a time per location: the state is read next
        location = Location.objects.select_for_update().get(pk=location.pk)
    if case is not None:
        case = Case.objects.select_for_update().get(pk=case.pk)
    refusal = subject_refusal(kind=proposal.kind, case=case, location=location)
    if refusal:
        raise ProposalRefused(refusal)
    now = timezone.now()
    payload = proposal.payload or {}
    decision = Decision.objects.create(
        kind=proposal.kind,
        source=DecisionSource.APPROVED,
        case=case,
        location=location,
        proposal=proposal,
        decided_at=now,
        effective_from=(
            datetime.date.fromisoformat(payload["effective_from"])
            if payload.get("effective_from")
            else timezone.localdate(now)
        ),
        effective_until=(
            datetime.date.fromisoformat(payload["effective_until"])
            if payload.get("effective_until")
            else None
        ),
        motivation=proposal.motivation,
        payload=payload,
        proposed_by_id=proposal.proposed_by_id,
        approved_by=approver,
    )
    outgoing_decision_made(decision=decision)  # to the dossier system, in this transaction
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = approver
    proposal.decided_at = now
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    if case is not None:
        _case_apply(case=case, decision=decision, by=approver)
    elif proposal.kind not in LOCATION_KINDS:  # a re-screening does not touch enforcement
        track_apply_decision(decision=decision, actor=approver)
    audit_record(
        actor=approver,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_PROPOSAL,
        object_id=proposal.pk,
        detail={**_audit_detail(proposal), "status": "approved", "decision": decision.pk},
    )
    audit_record(
        actor=approver,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_DECISION,
        object_id=decision.pk,
        detail={**_audit_detail(proposal), "proposal": proposal.pk},
    )
    return decision


def _case_apply(*, case: Case, decision: Decision, by: User) -> None:
    """The effect of a case decision on the case, with its history row."""
    values: dict[str, Any] = {}
    if decision.kind == DecisionKind.ADMISSIBLE:
        values = {"admissible": True, "admissibility_reason": ""}
    elif decision.kind == DecisionKind.NOT_ADMISSIBLE:
        values = {"admissible": False, "admissibility_reason": decision.payload["reason"]}
    elif decision.kind == DecisionKind.URGENCY_LOWERED:
        values = {"urgent": False}
    elif decision.kind == DecisionKind.DANGER_CLOSED:
        values = {"status": CaseStatus.CLOSED, "closed_at": decision.decided_at}
    changes = {}
    for name, new in values.items():
        old = getattr(case, name)
        if old != new:
            changes[name] = [_json(old), _json(new)]
            setattr(case, name, new)
    if changes:
        case.save(update_fields=list(changes))
    CaseEvent.objects.create(
        case=case,
        by=by,
        what="decision",
        changes={**changes, "decision": [None, decision.pk]},
        note=decision.kind,
    )


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value) if isinstance(value, CaseStatus) else value


@transaction.atomic
def proposal_reject(*, proposal_id: int, rejecter: User, reason: str) -> Proposal:
    """Send another's proposal back to its proposer with the reason; nothing takes effect."""
    text = (reason or "").strip()
    proposal = _locked_waiting(proposal_id, rejecter, approve=False)
    if not text:
        raise ProposalRefused(_("Reason for rejection: say why, the proposer reads it."))
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ProposalRefused(
            _("Reason for rejection: at most %(limit)d characters, no NUL characters.")
            % {"limit": MAX_TEXT}
        )
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = rejecter
    proposal.decided_at = timezone.now()
    proposal.rejection_reason = text
    proposal.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    audit_record(
        actor=rejecter,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_PROPOSAL,
        object_id=proposal.pk,
        detail={**_audit_detail(proposal), "status": "rejected"},
    )
    return proposal
