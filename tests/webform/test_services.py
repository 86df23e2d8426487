"""webform_submit: the one write of the web form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kglijn.contacts.models import Contact
from kglijn.contacts.services import reason_save
from kglijn.webform.question_types import QUESTION_TYPES
from kglijn.webform.services import webform_submit

pytestmark = pytest.mark.django_db


def test_every_question_type_names_an_existing_reason() -> None:
    from kglijn.contacts.catalogue_seed import INITIAL_REASONS

    codes = {code for code, _name, _topic in INITIAL_REASONS}
    assert {question.reason_code for question in QUESTION_TYPES} <= codes


def test_unknown_type_and_short_message_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        webform_submit(question_type="weer", message=" kort ")

    assert set(caught.value.message_dict) == {"question_type", "message"}
    assert Contact.objects.count() == 0


def test_a_name_alone_makes_the_contact_personal() -> None:
    contact = webform_submit(
        question_type="andere", message="Een vraag over Kind en Gezin.", name="Jan"
    )

    assert (contact.anonymous, contact.caller_name, contact.caller_email) == (False, "Jan", "")


def test_a_switched_off_reason_does_not_lose_the_message() -> None:
    reason_save(code="vaccination", name="Vaccinatievraag", topic="family_support", active=False)

    contact = webform_submit(question_type="vaccinatie", message="Een vraag over vaccins.")

    assert contact.reasons.count() == 0
    assert contact.topic == "family_support"


def test_an_invalid_email_is_refused_by_the_register() -> None:
    with pytest.raises(ValidationError) as caught:
        webform_submit(question_type="andere", message="Een vraag.", email="niet-geldig")

    assert "caller_email" in caught.value.message_dict
    assert Contact.objects.count() == 0
