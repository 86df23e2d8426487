"""`kglijn demo`: the loaded register reproduces the source tables, measured with the ORM."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q

from kglijn.accounts.roles import ROLES
from kglijn.contacts.catalogue_seed import INITIAL_REFERRALS
from kglijn.contacts.models import Contact, Customer, Escalation, ReferralOrganisation
from kglijn.contacts.selectors import contact_my_queue, contact_office_queue
from kglijn.contacts.services import contact_register, customer_find_or_create
from kglijn.core.audit import audit_record
from kglijn.core.bulk import BulkWriter, table_spec
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.core.provinces import province_for_postcode
from kglijn.demo.figures import SEED_FIGURES_PATH
from kglijn.demo.generator import CONTACT_CONSTANTS, CONTACT_FIELDS
from kglijn.demo.services import DemoError, demo_load
from kglijn.demo.users import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db
SOURCE = json.loads(SEED_FIGURES_PATH.read_text(encoding="utf-8"))
START_2023 = dt.datetime(2023, 1, 1, tzinfo=BRUSSELS)
END_2023 = dt.datetime(2023, 11, 16, tzinfo=BRUSSELS)  # 2023 = up to and including 15 November


def _snapshot() -> list[tuple[object, ...]]:
    return list(
        Contact.objects.order_by("id").values_list(
            "id",
            "channel",
            "origin",
            "direction",
            "received_at",
            "answered_at",
            "closed_at",
            "office",
            "handler__username",
            "province",
            "topic",
            "anonymous",
            "customer__name",
            "caller_phone",
        )
    )


def test_full_2023_equals_the_source_table_cell_by_cell() -> None:
    # How long the demo takes is measured in bench/demo.py, not asserted here (a loaded CI
    # machine made this test flaky).
    result = demo_load(years=[2023])

    period = Contact.objects.filter(received_at__gte=START_2023, received_at__lt=END_2023)
    incoming = period.filter(direction="in")
    by_channel = dict(incoming.values_list("channel").annotate(n=Count("id")))
    assert by_channel == {"chat": 9694, "phone": 138844, "email": 23893}
    assert incoming.count() == 172431
    assert period.filter(direction="out").count() == 563
    assert Contact.objects.count() == 172431 + 563  # nothing outside the period
    total = 172431
    by_province = dict(incoming.values_list("province").annotate(n=Count("id")))
    for key, by_year in SOURCE["province_share_pct"].items():
        code = "" if key == "unregistered" else key
        assert round(100 * by_province.get(code, 0) / total, 2) == by_year["2023"], code
    by_topic = dict(incoming.exclude(topic="").values_list("topic").annotate(n=Count("id")))
    with_topic = sum(by_topic.values())
    assert round(100 * by_topic["childcare"] / with_topic, 2) == 19.46
    assert round(100 * by_topic["family_support"] / with_topic, 2) == 80.54
    referrals = (
        ReferralOrganisation.objects.filter(contact__in=incoming)
        .annotate(n=Count("contact"))
        .order_by("-n", "code")
    )
    top = list(referrals.values_list("code", "n"))
    assert {code for code, _ in top[:10]} == {code for code, _ in INITIAL_REFERRALS}
    assert top[9][1] > top[10][1]
    assert {code for code, _ in top[10:]} == {
        "caw",
        "huis-van-het-kind",
        "child-focus",
        "awel",
        "ocmw",
    }
    assert result.rows["contacts"] == 172994

    # Anonymous contacts carry no personal data; 25-35 % of the contacts are identified.
    anonymous = Contact.objects.filter(anonymous=True)
    assert not anonymous.filter(
        Q(customer__isnull=False) | ~Q(caller_name="") | ~Q(caller_phone="") | ~Q(caller_email="")
    ).exists()
    identified = Contact.objects.filter(anonymous=False)
    assert 0.25 <= identified.count() / Contact.objects.count() <= 0.35
    assert not identified.filter(customer__isnull=True).exists()
    assert not identified.exclude(customer__province=F("province")).exists()
    assert not Customer.objects.exclude(email__endswith="@kglijn-demo.example").exists()
    for postcode, province in (
        Customer.objects.exclude(postcode="").values_list("postcode", "province").distinct()
    ):
        assert province_for_postcode(postcode) == province

    # Channels, offices, moments.
    assert set(incoming.filter(channel="chat").values_list("office", flat=True)) == {"pgjo"}
    assert set(Contact.objects.values_list("status", flat=True)) == {"closed"}
    assert set(Contact.objects.filter(channel="email").values_list("origin", flat=True)) == {
        "mailbox",
        "webform",
    }
    assert not Contact.objects.exclude(channel="email").exclude(origin="").exists()
    assert not Contact.objects.filter(answered_at__lt=F("received_at")).exists()
    assert not Contact.objects.filter(closed_at__lt=F("answered_at")).exists()
    phones = incoming.filter(channel="phone")
    assert not phones.filter(Q(received_at__hour__lt=8) | Q(received_at__hour__gte=20)).exists()
    assert not phones.filter(received_at__week_day__in=[1, 7]).exists()  # Sunday, Saturday
    assert not phones.filter(received_at__date=dt.date(2023, 5, 1)).exists()  # Labour Day
    chats = incoming.filter(channel="chat")
    assert not chats.filter(Q(received_at__hour__lt=9) | Q(received_at__hour__gte=17)).exists()
    assert incoming.filter(channel="email", received_at__week_day=1).exists()  # any day

    # Handlers belong to the office's role; escalations go front -> back office.
    for office, group in (
        ("front", "Frontoffice-medewerker"),
        ("pgjo", "Verpleegkundige backoffice PGJO"),
        ("childcare", "Dossierbehandelaar backoffice kinderopvang"),
    ):
        handlers = set(
            Contact.objects.filter(office=office).values_list("handler__groups__name", flat=True)
        )
        assert handlers == {group}, office
    escalated = incoming.exclude(channel="chat").exclude(office="front")
    assert Escalation.objects.count() == escalated.count() > 0
    assert set(Escalation.objects.values_list("from_office", "to_office").distinct()) == {
        ("front", "pgjo"),
        ("front", "childcare"),
    }
    assert not Escalation.objects.filter(expected_pickup_at__lt=F("escalated_at")).exists()
    assert set(escalated.values_list("topic", "office").distinct()) == {
        ("family_support", "pgjo"),
        ("childcare", "childcare"),
    }


def test_command_prints_a_demo_login_for_every_role() -> None:
    out = io.StringIO()

    call_command("demo", "--users-only", stdout=out, verbosity=0)

    text = out.getvalue()
    for role in ROLES:
        assert str(role.label) in text, role.slug
    for user in DEMO_USERS:
        assert f"  {user.username} " in text
        account = User.objects.get(username=user.username)
        assert account.check_password(DEMO_PASSWORD)
        assert list(account.groups.values_list("name", flat=True)) == [
            next(role.group_name for role in ROLES if role.slug == user.role_slug)
        ]
    assert "DEMO ONLY" in text
    assert Contact.objects.count() == 0


def test_if_empty_twice_adds_nothing_the_second_time() -> None:
    call_command("demo", "--years", "2023", "--scale", "0.01", "--if-empty", verbosity=0)
    counts = (
        Contact.objects.count(),
        Customer.objects.count(),
        Escalation.objects.count(),
        Contact.reasons.through.objects.count(),
        Contact.referrals.through.objects.count(),
        User.objects.count(),
        ReferralOrganisation.objects.count(),
    )
    out = io.StringIO()

    call_command(
        "demo", "--years", "2023", "--scale", "0.01", "--if-empty", stdout=out, verbosity=0
    )

    assert counts[0] == 1724 + 6 + OPEN_WORK_CONTACTS
    assert (
        Contact.objects.count(),
        Customer.objects.count(),
        Escalation.objects.count(),
        Contact.reasons.through.objects.count(),
        Contact.referrals.through.objects.count(),
        User.objects.count(),
        ReferralOrganisation.objects.count(),
    ) == counts
    assert "none added" in out.getvalue()
    assert "agent1" in out.getvalue()


def test_plain_demo_refuses_a_register_with_contacts_and_changes_nothing() -> None:
    demo_load(years=[2023], scale=0.005)
    before = _snapshot()

    with pytest.raises(CommandError, match="already holds 864 contacts"):
        call_command("demo", "--years", "2023", "--scale", "0.005", verbosity=0)

    assert _snapshot() == before


def test_command_refuses_unknown_years_and_bad_scale() -> None:
    with pytest.raises(CommandError, match="2019-2023"):
        call_command("demo", "--years", "2024", verbosity=0)
    with pytest.raises(CommandError, match="positive"):
        call_command("demo", "--scale", "0", verbosity=0)
    assert Contact.objects.count() == 0


def test_same_seed_same_register_other_seed_other_register() -> None:
    demo_load(years=[2022, 2023], scale=0.01, seed=7)
    first = _snapshot()
    demo_load(years=[2022, 2023], scale=0.01, seed=7, reset=True)
    second = _snapshot()
    demo_load(years=[2022, 2023], scale=0.01, seed=8, reset=True)
    third = _snapshot()

    assert len(first) == 2178 + 10 + 1724 + 6
    assert first == second
    assert first != third
    assert len(third) == len(first)


def test_reset_deletes_contacts_and_demo_customers_only(
    agent: User, information_manager: User
) -> None:
    demo_load(years=[2023], scale=0.005)
    own = customer_find_or_create(kind="parent", name="Echte Klant", email="klant@example.org")
    contact = contact_register(by=agent, channel="phone", topic="family_support")
    audit_record(actor=information_manager, action="change", object_type="reason", object_id=1)
    users = set(User.objects.values_list("username", flat=True))
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert AuditEvent.objects.filter(object_type="contact").count() == 1

    with pytest.raises(DemoError, match="already holds"):
        demo_load(years=[2023], scale=0.005)
    result = demo_load(years=[2023], scale=0.005, reset=True)

    assert result.deleted["contacts"] == 864 + 1
    assert result.deleted["audit events"] == 1
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.objects.count() == 864
    assert Customer.objects.filter(pk=own.pk).exists()
    assert list(AuditEvent.objects.values_list("object_type", flat=True)) == ["reason"]
    assert set(User.objects.values_list("username", flat=True)) == users
    assert ReferralOrganisation.objects.count() == 15


def test_loader_rows_still_meet_the_anonymity_constraint() -> None:
    demo_load(years=[2023], scale=0.002)
    before = Contact.objects.count()
    handler = User.objects.get(username="agent1")
    row = (
        999_999, "phone", "", "in", "2023-03-06 09:00:00", "2023-03-06 09:00:30",
        "2023-03-06 09:05:00", "front", handler.pk, "BE-VAN", "", True, None, "Jan Peeters",
        "", "", handler.pk, "2023-03-06 09:00:00", "2023-03-06 09:05:00",
    )  # fmt: skip
    if connection.vendor == "postgresql":
        row = tuple(f"{v}+00" if isinstance(v, str) and v.startswith("2023-") else v for v in row)
    spec = table_spec(Contact, CONTACT_FIELDS, connection=connection, constants=CONTACT_CONSTANTS)

    with pytest.raises(IntegrityError), transaction.atomic():
        BulkWriter(connection).write(spec, [row])

    assert Contact.objects.count() == before


OPEN_WORK_CONTACTS = 9


def test_open_work_gives_every_desk_role_something_to_do() -> None:
    call_command("demo", "--years", "2023", "--scale", "0.01", verbosity=0)
    nurse1, childcare1, agent1 = (
        User.objects.get(username=name) for name in ("nurse1", "childcare1", "agent1")
    )

    open_work = Contact.objects.filter(external_id__startswith="demo-open-")
    assert open_work.count() == OPEN_WORK_CONTACTS
    assert sorted(c.external_id for c in contact_office_queue(user=nurse1, office="pgjo")) == [
        "demo-open-chat-1",
        "demo-open-pgjo-1",
        "demo-open-pgjo-2",
    ]
    assert [c.external_id for c in contact_my_queue(user=nurse1)] == ["demo-open-pgjo-3"]
    assert [c.external_id for c in contact_office_queue(user=childcare1, office="childcare")] == [
        "demo-open-kov-1"
    ]
    assert sorted(c.external_id for c in contact_my_queue(user=agent1)) == [
        "demo-open-front-1",
        "demo-open-front-2",
    ]
    # Made through the services: audited like an agent's own work.
    escalated = open_work.get(external_id="demo-open-pgjo-1")
    assert list(
        AuditEvent.objects.filter(object_type="contact", object_id=escalated.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "escalate"]

    call_command("demo", "--users-only", verbosity=0)
    assert open_work.count() == OPEN_WORK_CONTACTS
