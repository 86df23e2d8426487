"""Writes of the enforcement track: an approved enforcement decision moves its location's track;
a customer manager records the organiser's plan of approach (issue 18).

``track_apply_decision`` is called only by ``decisions.services.proposal_approve`` inside its
transaction (the decision and its effect are one write), with the location row locked. Every
change of a track's state (opened, moved, closed, plan of approach) records one outgoing event
for the dossier system in the same transaction (``sync/outgoing.py``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.enforcement.transitions import TRANSITIONS, derive, licence_for
from kglijn.opgroeipunt.models import (
    Decision,
    DecisionKind,
    DecisionSource,
    EnforcementState,
    EnforcementTrack,
    LicenceStatus,
    Location,
    LocationVersion,
)
from kglijn.opgroeipunt.sync.outgoing import outgoing_track_changed

# The decisions that open a track when the location has none.
OPENS_A_TRACK = frozenset(kind for (state, kind) in TRANSITIONS if state == EnforcementState.NONE)


@transaction.atomic
def track_apply_decision(*, decision: Decision, actor: User | None) -> EnforcementTrack | None:
    """Attach ``decision`` to its location's open track (opening one when it starts one) and
    store the track's state as ``derive`` makes it from all its decisions in date order.

    Two consecutive positive evaluations close the track (``closed_at``); the location's licence
    status follows the state, its change written as a ``LocationVersion`` (source
    ``decision:<id>``). A decision that needs no track (advice while there is none) changes
    nothing. Raises ``TransitionRefused`` when the track's decisions do not follow the table.
    """
    assert decision.location_id is not None, "an enforcement decision is about a location"
    location = Location.objects.select_for_update().get(pk=decision.location_id)
    track = (
        EnforcementTrack.objects.select_for_update()
        .filter(location=location, closed_at__isnull=True)
        .first()
    )
    previous: str | None = None
    if track is None:
        if decision.kind not in OPENS_A_TRACK:
            return None
        track = EnforcementTrack.objects.create(location=location, started_at=decision.decided_at)
    else:
        previous = track.state
    was_closed = track.closed_at is not None
    decision.track = track
    decision.save(update_fields=["track"])
    decisions = list(track.decisions.order_by("decided_at", "id").values_list("kind", "source"))
    # A track with imported history may break today's table (kept as warnings, ADR 0015);
    # a track of live decisions only is held to it strictly.
    imported = any(source == DecisionSource.IMPORT for _kind, source in decisions)
    derived = derive((DecisionKind(kind) for kind, _source in decisions), strict=not imported)
    track.state = derived.state
    track.positive_evaluations = derived.positive_evaluations
    fields = ["state", "positive_evaluations"]
    if derived.closed:
        track.closed_at = decision.decided_at
        fields.append("closed_at")
    if imported and derived.warnings != track.warnings:
        track.warnings = derived.warnings
        fields.append("warnings")
    track.save(update_fields=fields)
    _licence_follow(location=location, licence=licence_for(derived), decision=decision, by=actor)
    if previous != track.state or was_closed != (track.closed_at is not None):
        track.location = location
        outgoing_track_changed(
            track=track, previous_state=previous, cause=f"decision:{decision.pk}"
        )
    return track


def _licence_follow(
    *, location: Location, licence: LicenceStatus, decision: Decision, by: User | None
) -> None:
    """Set the licence status the track gives, with its history row; a closed location stays
    closed (its licence ended for another reason than enforcement)."""
    old = location.licence_status
    if old == licence or old == LicenceStatus.CLOSED:
        return
    location.licence_status = licence
    location.save(update_fields=["licence_status"])
    LocationVersion.objects.create(
        location=location,
        changed_by=by,
        source=f"decision:{decision.pk}",
        changes={"licence_status": [old, str(licence)]},
    )


class PlanRefused(Exception):
    """The plan of approach cannot be recorded (no open track, a date out of bounds)."""


@transaction.atomic
def track_plan_record(*, location: Location, on: dt.date, actor: User) -> EnforcementTrack:
    """Record that the organiser has a plan of approach (002 "Actieve openbaarheid") on the
    location's open track, audit-logged and sent to the dossier system in this transaction.
    Raises PlanRefused when the location has no open track or the date is not plausible."""
    track = (
        EnforcementTrack.objects.select_for_update()
        .select_related("location")
        .filter(location=location, closed_at__isnull=True)
        .first()
    )
    if track is None:
        raise PlanRefused(_("This location has no open enforcement track."))
    today = timezone.localdate()
    if on > today or on < timezone.localdate(track.started_at):
        raise PlanRefused(
            _("Date of the plan of approach: between the start of the track and today.")
        )
    if track.plan_of_approach_on == on:
        return track
    old = track.plan_of_approach_on
    track.plan_of_approach_on = on
    track.save(update_fields=["plan_of_approach_on"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        object_type="opgroeipunt_enforcement_track",
        object_id=track.pk,
        detail={
            "location": location.external_id,
            "plan_of_approach_on": [_iso(old), on.isoformat()],
        },
    )
    outgoing_track_changed(track=track, previous_state=track.state, cause="plan_of_approach")
    return track


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
