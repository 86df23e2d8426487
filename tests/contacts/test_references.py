"""References of contacts and their reason/referral links hold on both databases.

On PostgreSQL they are checked per statement by the triggers of contacts migration 0004 (ADR
0006), on SQLite by the foreign keys of migration 0001 (checked at commit, hence the explicit
check_constraints below, which is what a commit runs). Either way: a reference to a missing
row is refused, a row that is still referred to cannot be deleted, and Django's own deletion
(which removes the links first) still works.
"""

# ruff: noqa: S608 - the SQL names tables of our own models; values go as parameters
from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from kglijn.contacts.models import Contact, Reason
from tests.contacts.factories import ContactFactory, ReasonFactory, ReferralOrganisationFactory

pytestmark = pytest.mark.django_db


def _table(model: type[Contact] | type[Reason]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _checked(statement: Callable[[], object]) -> None:
    """Run the statement in a transaction and check the constraints a commit checks."""
    with transaction.atomic():
        statement()
        connection.check_constraints()


def _refused(statement: Callable[[], object]) -> None:
    """The statement (or the commit after it) fails with an IntegrityError; nothing stays."""
    with pytest.raises(IntegrityError):
        _checked(statement)


def _link_table(name: str) -> str:
    through = Contact._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
    return connection.ops.quote_name(through._meta.db_table)


def _execute(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_link_to_a_missing_contact_is_refused() -> None:
    reason = ReasonFactory()
    missing = (Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    _refused(
        lambda: _execute(
            f"INSERT INTO {_link_table('reasons')} (contact_id, reason_id) VALUES (%s, %s)",
            [missing, reason.pk],
        )
    )
    assert not Contact.reasons.through.objects.exists()


def test_a_link_to_a_missing_reason_or_referral_is_refused() -> None:
    contact = ContactFactory()
    _refused(
        lambda: _execute(
            f"INSERT INTO {_link_table('reasons')} (contact_id, reason_id) VALUES (%s, %s)",
            [contact.pk, 987654],
        )
    )
    _refused(
        lambda: _execute(
            f"INSERT INTO {_link_table('referrals')} "
            "(contact_id, referralorganisation_id) VALUES (%s, %s)",
            [contact.pk, 987654],
        )
    )
    assert not contact.reasons.exists()
    assert not contact.referrals.exists()


def test_moving_a_link_to_a_missing_contact_is_refused() -> None:
    contact = ContactFactory()
    contact.reasons.add(ReasonFactory())
    _refused(
        lambda: _execute(f"UPDATE {_link_table('reasons')} SET contact_id = contact_id + 1000", [])
    )
    assert contact.reasons.count() == 1


def test_a_contact_with_links_cannot_be_deleted_behind_djangos_back() -> None:
    contact = ContactFactory()
    contact.reasons.add(ReasonFactory())
    contact.referrals.add(ReferralOrganisationFactory())
    _refused(lambda: _execute(f"DELETE FROM {_table(Contact)} WHERE id = %s", [contact.pk]))
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_reason_in_use_cannot_be_deleted_behind_djangos_back() -> None:
    reason = ReasonFactory()
    ContactFactory().reasons.add(reason)
    _refused(lambda: _execute(f"DELETE FROM {_table(Reason)} WHERE id = %s", [reason.pk]))
    assert Reason.objects.filter(pk=reason.pk).exists()


def test_django_deletes_a_contact_with_its_links() -> None:
    contact = ContactFactory()
    contact.reasons.add(ReasonFactory())
    contact.referrals.add(ReferralOrganisationFactory())
    with transaction.atomic():
        contact.delete()
        connection.check_constraints()
    assert not Contact.reasons.through.objects.exists()
    assert not Contact.referrals.through.objects.exists()


def test_a_contact_cannot_name_a_missing_handler_creator_or_customer() -> None:
    contact = ContactFactory()
    for column in ("handler_id", "created_by_id"):
        _refused(
            lambda column=column: _execute(
                f"UPDATE {_table(Contact)} SET {column} = %s WHERE id = %s", [987654, contact.pk]
            )
        )
    contact.anonymous = False
    contact.save(update_fields=["anonymous"])
    _refused(
        lambda: _execute(
            f"UPDATE {_table(Contact)} SET customer_id = %s WHERE id = %s", [987654, contact.pk]
        )
    )
    contact.refresh_from_db()
    assert (contact.handler_id, contact.created_by_id, contact.customer_id) == (None, None, None)


def test_a_handler_cannot_be_deleted_behind_djangos_back(agent: User) -> None:
    ContactFactory(handler=agent)
    table = connection.ops.quote_name(User._meta.db_table)
    _refused(lambda: _execute(f"DELETE FROM {table} WHERE id = %s", [agent.pk]))
    assert User.objects.filter(pk=agent.pk).exists()


def test_null_references_and_existing_ones_are_accepted(agent: User) -> None:
    with transaction.atomic():
        contact = ContactFactory(handler=agent)
        contact.reasons.add(ReasonFactory())
        connection.check_constraints()
    assert Contact.objects.get(pk=contact.pk).handler_id == agent.pk


@pytest.mark.django_db(transaction=True)
def test_emptying_a_referred_table_alone_is_refused_together_it_is_allowed(
    agent: User,
) -> None:
    ContactFactory(handler=agent)
    users = connection.ops.quote_name(User._meta.db_table)
    contacts = _table(Contact)
    # PostgreSQL: TRUNCATE, as the test runner's flush does between transactional tests (every
    # table in one statement). SQLite has no TRUNCATE: DELETE, checked at commit.
    if connection.vendor == "postgresql":
        alone, together = [f"TRUNCATE {users} CASCADE"], [f"TRUNCATE {users}, {contacts} CASCADE"]
    else:
        groups = connection.ops.quote_name(User.groups.through._meta.db_table)
        alone = [f"DELETE FROM {groups}", f"DELETE FROM {users}"]
        together = [f"DELETE FROM {contacts}", *alone]

    def run(statements: list[str]) -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    _refused(lambda: run(alone))
    assert Contact.objects.filter(handler=agent).exists()
    with transaction.atomic():
        run(together)
        connection.check_constraints()
    assert not Contact.objects.exists()
    assert not User.objects.exists()
