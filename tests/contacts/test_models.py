"""Contact model: references, personal-data flag and the database's own guarantees."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kglijn.contacts.models import (
    PERSONAL_DATA_FIELDS,
    Contact,
    Customer,
    Reason,
    ReferralOrganisation,
    format_reference,
    parse_reference,
)
from tests.contacts.factories import (
    DEFAULT_RECEIVED_AT,
    ContactFactory,
    CustomerFactory,
    EscalationFactory,
    ReasonFactory,
    ReferralOrganisationFactory,
)


@pytest.mark.parametrize(
    ("pk", "expected"),
    [(1, "KG-0000001"), (12, "KG-0000012"), (1234567, "KG-1234567"), (12345678, "KG-12345678")],
)
def test_format_reference(pk: int, expected: str) -> None:
    assert format_reference(pk) == expected


def test_format_reference_of_an_unsaved_contact_is_empty() -> None:
    assert format_reference(None) == ""
    assert Contact().reference == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KG-0000012", 12),
        ("kg-0000012", 12),
        ("KG0000012", 12),
        ("kg12", 12),
        ("12", 12),
        (" KG-12 ", 12),
        ("0000012", 12),
        ("KG-", None),
        ("", None),
        ("KG-12a", None),
        ("Peeters", None),
        ("-12", 12),
    ],
)
def test_parse_reference(text: str, expected: int | None) -> None:
    assert parse_reference(text) == expected


def test_personal_data_fields() -> None:
    assert PERSONAL_DATA_FIELDS == ("customer", "caller_name", "caller_phone", "caller_email")


@pytest.mark.django_db
def test_reference_and_str_follow_the_primary_key() -> None:
    contact = ContactFactory.create()
    assert contact.reference == f"KG-{contact.pk:07d}"
    assert str(contact) == contact.reference


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, False),
        ({"caller_name": "An"}, True),
        ({"caller_phone": "0470"}, True),
        ({"caller_email": "a@example.be"}, True),
    ],
)
def test_has_personal_data(values: dict[str, str], expected: bool) -> None:
    contact = ContactFactory.create(anonymous=not expected, **values)
    assert contact.has_personal_data is expected


@pytest.mark.django_db
def test_has_personal_data_with_a_customer() -> None:
    assert ContactFactory.create(identified=True).has_personal_data is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    ["caller_name", "caller_phone", "caller_email", "customer"],
)
def test_database_refuses_personal_data_on_an_anonymous_contact(field: str) -> None:
    # given an anonymous contact row with one personal field, written around the services
    value: object = CustomerFactory.create() if field == "customer" else "x@example.be"
    before = Contact.objects.count()
    # when inserted, then the check constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(
            channel="phone", received_at=DEFAULT_RECEIVED_AT, anonymous=True, **{field: value}
        )
    assert Contact.objects.count() == before


@pytest.mark.django_db
def test_database_refuses_making_a_contact_with_a_caller_anonymous() -> None:
    contact = ContactFactory.create(with_caller=True)
    contact.anonymous = True
    with pytest.raises(IntegrityError), transaction.atomic():
        contact.save(update_fields=["anonymous"])
    contact.refresh_from_db()
    assert contact.anonymous is False


@pytest.mark.django_db
def test_database_refuses_an_origin_on_a_non_email_contact() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(channel="phone", origin="webform", received_at=DEFAULT_RECEIVED_AT)
    assert Contact.objects.count() == 0
    ContactFactory.create(channel="email", origin="webform")
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_external_id_is_unique_but_many_contacts_have_none() -> None:
    ContactFactory.create(external_id=None)
    ContactFactory.create(external_id=None)
    ContactFactory.create(external_id="call-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory.create(external_id="call-1")
    assert Contact.objects.count() == 3


@pytest.mark.django_db
def test_a_customer_with_contacts_cannot_be_deleted() -> None:
    from django.db.models import ProtectedError

    contact = ContactFactory.create(identified=True)
    assert contact.customer is not None
    with pytest.raises(ProtectedError):
        contact.customer.delete()
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_escalations_go_with_their_contact() -> None:
    escalation = EscalationFactory.create()
    assert str(escalation) == f"{escalation.contact.reference} front->pgjo"
    escalation.contact.delete()
    assert not type(escalation).objects.exists()


@pytest.mark.django_db
def test_initial_catalogues_are_loaded_by_migration() -> None:
    assert Reason.objects.filter(active=True).count() == 10
    assert ReferralOrganisation.objects.filter(active=True).count() == 10
    assert Reason.objects.get(code="vaccination").topic == "family_support"
    assert Reason.objects.get(code="childcare-fees").topic == "childcare"


@pytest.mark.django_db
def test_contact_factory_sets_reasons_and_referrals() -> None:
    reason = ReasonFactory.create()
    referral = ReferralOrganisationFactory.create()
    contact = ContactFactory.create(reasons=[reason], referrals=[referral])
    assert list(contact.reasons.all()) == [reason]
    assert list(contact.referrals.all()) == [referral]
    assert ContactFactory.create().reasons.count() == 0
