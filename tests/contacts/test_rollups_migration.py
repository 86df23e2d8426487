"""The rollups moved from reports to the register with their tables and rows (issue 14).

An existing database migrated across the move keeps every rollup row, under the same tables, and
the rollup code reads them through the contacts app's models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kglijn.contacts.rollups.models import (
    ContactHourRollup,
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
)

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2023, 3, 6)


def _move() -> tuple[str, str]:
    """The contacts migration that takes the rollups over (found by name: it may be renumbered)."""
    loader = MigrationExecutor(connection).loader
    names = [key for key in loader.disk_migrations if key[0] == "contacts"]
    (key,) = [key for key in names if key[1].endswith("_rollups_from_reports")]
    return key


@pytest.fixture
def before_the_move() -> Iterator[MigrationExecutor]:
    """The database as it was before the move: rollups still in reports' state."""
    executor = MigrationExecutor(connection)
    move = _move()
    parents = executor.loader.graph.node_map[move].parents
    targets = [parent.key for parent in parents]
    assert ("reports", "0007_rollup_field_choices") in targets
    executor.migrate(targets)
    yield MigrationExecutor(connection)
    # Leave the schema complete for the next test.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_migrating_across_the_move_keeps_every_rollup_row(
    before_the_move: MigrationExecutor,
) -> None:
    executor = before_the_move
    old_apps = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    assert old_apps.get_model("reports", "ContactRollup")._meta.db_table == "reports_rollup_contact"
    # (An earlier transactional test may have flushed the seeded catalogues.)
    reason, _ = old_apps.get_model("contacts", "Reason").objects.get_or_create(
        code="vaccination", defaults={"name": "Vaccination"}
    )
    referral, _ = old_apps.get_model("contacts", "ReferralOrganisation").objects.get_or_create(
        code="groeipakket", defaults={"name": "Groeipakket"}
    )
    common = {"grain": "d", "day": DAY, "channel": "phone", "direction": "in", "office": "front"}
    old_apps.get_model("reports", "ContactRollup").objects.create(
        **common, origin="", province="BE-VAN", topic="childcare", anonymous=False, contacts=7
    )
    old_apps.get_model("reports", "ContactHourRollup").objects.create(**common, hour=9, contacts=5)
    old_apps.get_model("reports", "ContactReasonRollup").objects.create(
        **common, reason_id=reason.id, province="BE-VAN", topic="childcare", contacts=3
    )
    old_apps.get_model("reports", "ContactReferralRollup").objects.create(
        **common, referral_id=referral.id, province="", topic="", contacts=2
    )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ContactRollup._meta.app_label == "contacts"
    tables = {
        model._meta.db_table
        for model in (ContactRollup, ContactHourRollup, ContactReasonRollup, ContactReferralRollup)
    }
    assert tables == {
        "reports_rollup_contact",
        "reports_rollup_hour",
        "reports_rollup_reason",
        "reports_rollup_referral",
    }
    assert list(ContactRollup.objects.values_list("day", "province", "topic", "contacts")) == [
        (DAY, "BE-VAN", "childcare", 7)
    ]
    assert list(ContactHourRollup.objects.values_list("hour", "contacts")) == [(9, 5)]
    assert list(ContactReasonRollup.objects.values_list("reason_id", "contacts")) == [
        (reason.id, 3)
    ]
    assert list(ContactReferralRollup.objects.values_list("referral_id", "contacts")) == [
        (referral.id, 2)
    ]
