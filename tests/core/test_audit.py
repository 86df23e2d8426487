"""The audit trail: append-only events with the actor, never the values of personal fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User

from kglijn.core.audit import audit_record, audit_trail
from kglijn.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_record_appends_one_event(make_user: Callable[..., User]) -> None:
    # given a user and an empty trail
    user = make_user("front_office", "agent")
    assert AuditEvent.objects.count() == 0
    # when recording
    event = audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        object_type="contact",
        object_id=42,
        detail={"channel": "phone"},
    )
    # then exactly this event exists
    assert AuditEvent.objects.count() == 1
    stored = AuditEvent.objects.get()
    assert stored.pk == event.pk
    assert stored.actor == user
    assert stored.action == "create"
    assert stored.object_type == "contact"
    assert stored.object_id == 42
    assert stored.detail == {"channel": "phone"}
    assert stored.at is not None


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_audit_record_without_a_logged_in_actor_stores_none(actor: AnonymousUser | None) -> None:
    event = audit_record(actor=actor, action="view", object_type="contact", object_id=1)
    event.refresh_from_db()
    assert event.actor is None
    assert event.detail == {}


def test_audit_record_never_touches_existing_events(make_user: Callable[..., User]) -> None:
    user = make_user("front_office", "agent")
    first = audit_record(actor=user, action="create", object_type="contact", object_id=1)
    audit_record(actor=user, action="change", object_type="contact", object_id=1)
    first_again = AuditEvent.objects.get(pk=first.pk)
    assert (first_again.action, first_again.at, first_again.detail) == ("create", first.at, {})
    assert AuditEvent.objects.count() == 2


def test_audit_trail_is_per_record_and_loads_actor(
    make_user: Callable[..., User], django_assert_num_queries: Callable[..., Any]
) -> None:
    user = make_user("front_office", "agent")
    audit_record(actor=user, action="create", object_type="contact", object_id=1)
    audit_record(actor=user, action="view", object_type="contact", object_id=1)
    audit_record(actor=user, action="create", object_type="contact", object_id=2)
    audit_record(actor=user, action="create", object_type="customer", object_id=1)
    with django_assert_num_queries(1):
        trail = list(audit_trail(object_type="contact", object_id=1))
        assert [event.actor.username for event in trail if event.actor] == ["agent", "agent"]
    # newest first (model ordering)
    assert [event.action for event in trail] == ["view", "create"]


def test_deleting_the_actor_keeps_the_event(make_user: Callable[..., User]) -> None:
    user = make_user("front_office", "agent")
    event = audit_record(actor=user, action="create", object_type="contact", object_id=1)
    user.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.action == "create"


def test_str(make_user: Callable[..., User]) -> None:
    event = audit_record(actor=None, action="close", object_type="contact", object_id=7)
    assert str(event).endswith(" close contact#7")
