"""Four eyes (issue 17 item 5): proposals take effect only when another customer manager
approves them; the proposer is refused by the service and by the database."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.decisions.services import (
    FourEyesRefused,
    ProposalAlreadyDecided,
    ProposalNotPermitted,
    ProposalRefused,
    proposal_approve,
    proposal_create,
    proposal_reject,
)
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    Decision,
    EnforcementTrack,
    Location,
    Organiser,
    Proposal,
    Reporter,
)

pytestmark = pytest.mark.django_db


# --- helpers shared by the enforcement and page tests -------------------------------------------


def make_location(external_id: str = "LOC1", **overrides: Any) -> Location:
    organiser, _created = Organiser.objects.get_or_create(
        external_id="ORG1", defaults={"name": "Vzw Kindjes"}
    )
    values: dict[str, Any] = {
        "external_id": external_id,
        "organiser": organiser,
        "name": f"Het Nestje {external_id}",
        "postcode": "9000",
        "province": "BE-VOV",
        "care_type": "group",
        "places": 18,
        "subsidy": "T2",
        "income_tariff": True,
        **overrides,
    }
    return Location.objects.create(**values)


def make_case(
    kind: str = "complaint", *, reporter: dict[str, str] | None = None, **kw: Any
) -> Case:
    now = timezone.now()
    values: dict[str, Any] = {"kind": kind, "source": "staff", "received_at": now, **kw}
    if values.get("urgent"):
        values.setdefault("urgent_due_at", now + datetime.timedelta(hours=4))
    case = Case.objects.create(**values)
    if reporter is not None:
        Reporter.objects.create(case=case, **reporter)
    return case


@pytest.fixture
def managers(make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user("childcare_customer_manager", "anna"), make_user(
        "childcare_customer_manager", "bert"
    )


KNOWN = {"name": "Sara Peeters", "email": "sara@example.be"}


def propose(user: User, kind: str, **kw: Any) -> Proposal:
    kw.setdefault("motivation", "Zie verslag van het bezoek.")
    return proposal_create(kind=kind, proposed_by=user, **kw)


def step(location: Location, kind: str, by: User, approver: User, **kw: Any) -> Decision:
    """One enforcement step through the four eyes: proposed by ``by``, approved by another."""
    return proposal_approve(
        proposal_id=propose(by, kind, location=location, **kw).pk, approver=approver
    )


# --- the four eyes -----------------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_proposal(managers: tuple[User, User]) -> None:
    anna, _bert = managers
    location = make_location()
    proposal = propose(anna, "enforcement_started", location=location)
    with translation.override("en"), pytest.raises(FourEyesRefused) as refused:
        proposal_approve(proposal_id=proposal.pk, approver=anna)
    assert str(refused.value) == (
        "You cannot approve your own proposal; another customer manager must."
    )
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert not Decision.objects.exists()
    assert not EnforcementTrack.objects.exists()


def test_approved_by_a_second_manager_it_takes_effect(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    proposal = propose(anna, "enforcement_started", location=location)
    decision = proposal_approve(proposal_id=proposal.pk, approver=bert)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, decision.proposal) == ("approved", bert, proposal)
    assert (decision.source, decision.proposed_by, decision.approved_by) == (
        "approved",
        anna,
        bert,
    )
    assert decision.effective_from == timezone.localdate()
    track = EnforcementTrack.objects.get(location=location)
    assert (track.state, track.closed_at, decision.track) == ("improvement_track", None, track)
    audit = AuditEvent.objects.filter(object_type="opgroeipunt_proposal", object_id=proposal.pk)
    assert [(event.actor, event.action, event.detail.get("status")) for event in audit] == [
        (bert, "change", "approved"),
        (anna, "create", None),
    ]
    assert AuditEvent.objects.filter(
        object_type="opgroeipunt_decision", object_id=decision.pk, actor=bert
    ).exists()


def test_a_user_without_the_right_cannot_approve(
    managers: tuple[User, User], make_user: Callable[..., User]
) -> None:
    anna, _bert = managers
    proposal = propose(anna, "enforcement_started", location=make_location())
    agent = make_user("team_lead", "kglijn_lead")
    with pytest.raises(FourEyesRefused):
        proposal_approve(proposal_id=proposal.pk, approver=agent)
    with pytest.raises(ProposalNotPermitted):
        propose(agent, "enforcement_started", location=make_location("LOC2"))


def test_an_already_decided_proposal_cannot_be_decided_again(
    managers: tuple[User, User], make_user: Callable[..., User]
) -> None:
    anna, bert = managers
    carl = make_user("opgroeipunt_team_lead", "carl")
    proposal = propose(anna, "enforcement_started", location=make_location())
    proposal_approve(proposal_id=proposal.pk, approver=bert)
    with pytest.raises(ProposalAlreadyDecided):
        proposal_approve(proposal_id=proposal.pk, approver=carl)
    with pytest.raises(ProposalAlreadyDecided):
        proposal_reject(proposal_id=proposal.pk, rejecter=carl, reason="Toch niet.")
    assert Decision.objects.count() == 1


def test_a_rejection_keeps_the_reason_and_changes_nothing(managers: tuple[User, User]) -> None:
    anna, bert = managers
    case = make_case("danger", urgent=True)
    proposal = propose(anna, "urgency_lowered", case=case)
    with pytest.raises(ProposalRefused):
        proposal_reject(proposal_id=proposal.pk, rejecter=bert, reason="  ")
    with pytest.raises(FourEyesRefused):
        proposal_reject(proposal_id=proposal.pk, rejecter=anna, reason="Ik trek het in.")
    proposal_reject(proposal_id=proposal.pk, rejecter=bert, reason="Eerst het verslag afwachten.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.rejection_reason) == (
        "rejected",
        bert,
        "Eerst het verslag afwachten.",
    )
    case.refresh_from_db()
    assert case.urgent is True
    assert not Decision.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="opgroeipunt_proposal", object_id=proposal.pk, detail__status="rejected"
    ).exists()


@pytest.mark.parametrize("field", ["decided_by", "both"])
def test_the_database_refuses_the_proposer_as_decider(
    managers: tuple[User, User], field: str
) -> None:
    anna, _bert = managers
    proposal = propose(anna, "enforcement_started", location=make_location())
    values: dict[str, Any] = {"decided_by": anna}
    if field == "both":
        values |= {"status": "approved", "decided_at": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(**values)
    proposal.refresh_from_db()
    assert proposal.decided_by is None


def test_the_database_refuses_a_decision_approved_by_its_proposer(
    managers: tuple[User, User],
) -> None:
    anna, bert = managers
    proposal = propose(anna, "enforcement_started", location=make_location())
    decision = proposal_approve(proposal_id=proposal.pk, approver=bert)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(approved_by=anna)


# --- what may be proposed ------------------------------------------------------------------------


def test_admissible_needs_a_known_complainant(managers: tuple[User, User]) -> None:
    anna, bert = managers
    anonymous = make_case("complaint")
    named_only = make_case("complaint", reporter={"name": "Sara"})
    with translation.override("en"):
        for case in (anonymous, named_only):
            with pytest.raises(ProposalRefused, match="known complainant"):
                propose(anna, "admissible", case=case)
    case = make_case("complaint", reporter={"name": "Sara", "phone": "0470123456"})
    decision = proposal_approve(
        proposal_id=propose(anna, "admissible", case=case).pk, approver=bert
    )
    case.refresh_from_db()
    assert (case.admissible, case.admissibility_reason) == (True, "")
    event = CaseEvent.objects.get(case=case, what="decision")
    assert event.changes == {"admissible": [None, True], "decision": [None, decision.pk]}
    assert event.by == bert


def test_not_admissible_needs_a_reason_from_the_list(managers: tuple[User, User]) -> None:
    anna, bert = managers
    case = make_case("complaint")
    for payload in ({}, {"reason": "boring"}):
        with pytest.raises(ProposalRefused):
            propose(anna, "not_admissible", case=case, payload=payload)
    proposal = propose(anna, "not_admissible", case=case, payload={"reason": "older_than_a_year"})
    proposal_approve(proposal_id=proposal.pk, approver=bert)
    case.refresh_from_db()
    assert (case.admissible, case.admissibility_reason) == (False, "older_than_a_year")


@pytest.mark.parametrize(
    ("kind", "case_kwargs"),
    [
        ("admissible", {"kind": "signal", "reporter": KNOWN}),
        ("not_admissible", {"kind": "report"}),
        ("urgency_lowered", {"kind": "danger"}),  # not urgent
        ("danger_closed", {"kind": "signal", "urgent": True}),
        ("danger_closed", {"kind": "danger", "status": "closed"}),
    ],
)
def test_case_decisions_only_where_they_apply(
    managers: tuple[User, User], kind: str, case_kwargs: dict[str, Any]
) -> None:
    anna, _bert = managers
    case = make_case(**case_kwargs)
    payload = {"reason": "no_interest"} if kind == "not_admissible" else None
    with pytest.raises(ProposalRefused):
        propose(anna, kind, case=case, payload=payload)
    assert not Proposal.objects.exists()


def test_lowering_urgency_and_closing_a_danger_situation(managers: tuple[User, User]) -> None:
    anna, bert = managers
    case = make_case("danger", urgent=True)
    proposal_approve(proposal_id=propose(anna, "urgency_lowered", case=case).pk, approver=bert)
    proposal_approve(proposal_id=propose(bert, "danger_closed", case=case).pk, approver=anna)
    case.refresh_from_db()
    assert (case.urgent, case.status) == (False, "closed")
    assert case.closed_at is not None
    assert [event.note for event in CaseEvent.objects.filter(case=case)] == [
        "urgency_lowered",
        "danger_closed",
    ]


def test_the_subject_must_fit_the_kind(managers: tuple[User, User]) -> None:
    anna, _bert = managers
    case, location = make_case("danger", urgent=True), make_location()
    with pytest.raises(ProposalRefused):
        propose(anna, "warning", case=case)
    with pytest.raises(ProposalRefused):
        propose(anna, "urgency_lowered", location=location)
    with pytest.raises(ProposalRefused):
        propose(anna, "warning", location=location, case=case)
    with pytest.raises(ProposalRefused):
        propose(anna, "knighthood", location=location)


@pytest.mark.parametrize(
    "motivation", ["", "   ", "x" * 5001, "nul\x00"], ids=["empty", "blank", "long", "nul"]
)
def test_the_motivation_is_required_and_bounded(
    managers: tuple[User, User], motivation: str
) -> None:
    anna, _bert = managers
    with pytest.raises(ProposalRefused):
        propose(anna, "warning", location=make_location(), motivation=motivation)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"effective_from": "gisteren"},
        {"effective_from": "1999-12-31"},
        {"effective_from": "2999-01-01"},
        {"effective_from": "2024-03-10", "effective_until": "2024-03-01"},
        {"effective_from": "2024-03-10", "effective_until": "2034-03-01"},
        {"colour": "red"},
    ],
)
def test_dates_are_checked(managers: tuple[User, User], payload: dict[str, str]) -> None:
    anna, _bert = managers
    location = make_location()
    step(location, "warning", *managers)
    with pytest.raises(ProposalRefused):
        propose(anna, "suspension", location=location, payload=payload)


def test_an_end_date_only_where_a_measure_ends(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    with pytest.raises(ProposalRefused, match=r"einddatum|no end"):
        propose(anna, "warning", location=location, payload={"effective_until": "2030-01-01"})
    step(location, "warning", anna, bert)
    today = timezone.localdate()
    until = today + datetime.timedelta(days=90)
    proposal = propose(
        anna,
        "suspension",
        location=location,
        payload={"effective_from": today, "effective_until": until.isoformat()},
    )
    assert proposal.payload == {"effective_from": today.isoformat(), "effective_until": str(until)}
    decision = proposal_approve(proposal_id=proposal.pk, approver=bert)
    assert (decision.effective_from, decision.effective_until) == (today, until)


def test_a_second_identical_proposal_waits_for_the_first(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    propose(anna, "warning", location=location)
    with pytest.raises(ProposalRefused):
        propose(bert, "warning", location=location)


def test_the_state_is_checked_again_at_approval(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    first = propose(anna, "enforcement_started", location=location)
    second = propose(anna, "warning", location=location)  # allowed from "none" too
    proposal_approve(proposal_id=second.pk, approver=bert)
    with pytest.raises(ProposalRefused):  # a warning is in force: no improvement track now
        proposal_approve(proposal_id=first.pk, approver=bert)
    first.refresh_from_db()
    assert first.status == "proposed"


# --- concurrency (PostgreSQL: SQLite serialises every write anyway) ------------------------------


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, each in its own thread and connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the outcome is what the test compares
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_make_one_decision(make_user: Callable[..., User]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    anna = make_user("childcare_customer_manager", "anna")
    bert = make_user("childcare_customer_manager", "bert")
    carl = make_user("opgroeipunt_team_lead", "carl")
    location = make_location()
    proposal = propose(anna, "enforcement_started", location=location)
    results = _race(
        lambda: proposal_approve(proposal_id=proposal.pk, approver=bert),
        lambda: proposal_approve(proposal_id=proposal.pk, approver=carl),
    )
    assert sorted(type(result).__name__ for result in results) == [
        "Decision",
        "ProposalAlreadyDecided",
    ]
    assert Decision.objects.count() == 1
    assert EnforcementTrack.objects.filter(location=location).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_steps_from_the_same_state_at_once_one_is_refused(
    make_user: Callable[..., User],
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    anna = make_user("childcare_customer_manager", "anna")
    bert = make_user("childcare_customer_manager", "bert")
    location = make_location()
    for kind in ("warning", "suspension", "evaluation_positive"):
        step(location, kind, anna, bert)
    # Both allowed now, and each closes the track, after which the other is not allowed.
    positive = propose(anna, "evaluation_positive", location=location)
    closed = propose(anna, "enforcement_closed", location=location)
    results = _race(
        lambda: proposal_approve(proposal_id=positive.pk, approver=bert),
        lambda: proposal_approve(proposal_id=closed.pk, approver=bert),
    )
    assert sorted(type(result).__name__ for result in results) == ["Decision", "ProposalRefused"]
    track = EnforcementTrack.objects.get(location=location)
    assert track.closed_at is not None
    assert track.decisions.count() == 4
    assert Decision.objects.filter(location=location, track__isnull=True).count() == 0
