"""Worker jobs for the kill test in test_sync_out.py: arrange changes in a real database."""

from __future__ import annotations

import datetime as dt

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.opgroeipunt.cases.services import ReporterData, case_create
from kglijn.opgroeipunt.decisions.services import proposal_approve, proposal_create
from kglijn.opgroeipunt.models import OutgoingChange
from tests.opgroeipunt.intake_helpers import make_location


def arrange(*, now: dt.datetime) -> int:
    """Two cases and an enforcement decision on a location: four outgoing changes."""
    roles_sync()
    anna = user_create_with_role(
        username="anna", password="x" * 20, role_slug="childcare_customer_manager"
    )
    bert = user_create_with_role(
        username="bert", password="x" * 20, role_slug="opgroeipunt_team_lead"
    )
    location = make_location("LOC-K1")
    for text in ("Een kind viel van de trap.", "Te weinig begeleiders."):
        case_create(
            kind="complaint",
            source="staff",
            description=text,
            locations=[location],
            reporter=ReporterData(name="Sara Peeters", email="sara@example.be"),
        )
    proposal = proposal_create(
        kind="enforcement_started", location=location, proposed_by=anna, motivation="Verslag."
    )
    proposal_approve(proposal_id=proposal.pk, approver=bert)
    return OutgoingChange.objects.count()
