"""Input and output shapes of the API. They only parse and present; the rules live in the
contacts services and selectors (the desk's own), never here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kglijn.contacts.models import (
    Channel,
    Contact,
    Customer,
    Direction,
    Office,
    Origin,
    Reason,
    ReferralOrganisation,
    Status,
    Topic,
)
from kglijn.core.bounded_json import moment_parse
from kglijn.core.dates import check_date
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED
from kglijn.surveys.models import SurveyResponse

MAX_TEXT = 10_000
MAX_CODES = 50


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentField(serializers.Field):  # type: ignore[type-arg]
    """An ISO 8601 time with a UTC offset, from 2000-01-01 to one day from now (the webhooks'
    window: core.bounded_json)."""

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str) or len(data) > 40:
            raise serializers.ValidationError(_("Expected an ISO 8601 date-time string."))
        moment = moment_parse(data)
        if isinstance(moment, str):
            raise serializers.ValidationError(moment)
        return moment

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class Text(serializers.CharField):
    """A string and only a string: DRF's CharField would take 0 as "0" (JSON types are the
    contract the schema publishes)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Expected a string."))
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """true or false only (DRF's BooleanField would also take "yes", 1, "on")."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError(_("Expected true or false."))
        return data


class BoundedDateField(serializers.DateField):
    """A Brussels calendar date from 2000-01-01 to a year from now (core.dates)."""

    def to_internal_value(self, value: Any) -> dt.date:
        date = super().to_internal_value(value)
        try:
            check_date(date)
        except Exception as exc:  # django ValidationError: its messages name the window
            raise serializers.ValidationError(list(getattr(exc, "messages", [str(exc)]))) from exc
        return date


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[value for value in choices.values if value], **kwargs)


class ContactFilterSerializer(serializers.Serializer[Any]):
    """The list's query parameters; a bad value is a 400 naming the parameter."""

    external_id = Text(required=False, max_length=100)
    channel = _choice(Channel, required=False)
    office = _choice(Office, required=False)
    status = _choice(Status, required=False)
    received_from = BoundedDateField(
        required=False, help_text="Received on or after this Brussels date (YYYY-MM-DD)."
    )
    received_to = BoundedDateField(
        required=False, help_text="Received on or before this Brussels date (YYYY-MM-DD)."
    )
    updated_since = MomentField(
        required=False,
        help_text="Changed at or after this time (ISO 8601 with offset): for synchronisation.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and end < start:
            raise serializers.ValidationError({"received_to": [_("Lies before received_from.")]})
        return attrs


class SatisfactionSerializer(serializers.ModelSerializer[SurveyResponse]):
    """The contact's survey answers: the criteria as in the IVR's body, channel and time."""

    class Meta:
        model = SurveyResponse
        fields = [
            "waiting_time",
            "courtesy",
            "information",
            "recommendation",
            "complete",
            "channel",
            "source",
            "answered_at",
        ]
        read_only_fields = fields


class ContactSummarySerializer(serializers.ModelSerializer[Contact]):
    """A contact without personal data (lists, action results)."""

    reference = serializers.CharField(read_only=True)
    handler: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reasons: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    referrals: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "reference",
            "external_id",
            "channel",
            "origin",
            "direction",
            "office",
            "status",
            "handler",
            "received_at",
            "answered_at",
            "closed_at",
            "updated_at",
            "province",
            "topic",
            "reasons",
            "referrals",
            "anonymous",
        ]
        read_only_fields = fields


class ContactDetailSerializer(ContactSummarySerializer):
    """One contact with its personal data: only ever built from contact_get_for_user (which
    audits the read) or from the writer's own request. `health_note` is null for readers who
    may not see health notes."""

    health_note = serializers.SerializerMethodField()
    customer_kind = serializers.SerializerMethodField()
    caller_name = serializers.SerializerMethodField()
    caller_phone = serializers.SerializerMethodField()
    caller_email = serializers.SerializerMethodField()
    satisfaction = serializers.SerializerMethodField()

    class Meta(ContactSummarySerializer.Meta):
        fields = [
            *ContactSummarySerializer.Meta.fields,
            "notes",
            "health_note",
            "customer_kind",
            "caller_name",
            "caller_phone",
            "caller_email",
            "satisfaction",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_health_note(self, contact: Contact) -> str | None:
        return contact.health_note if self.context.get("sees_health_note") else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_customer_kind(self, contact: Contact) -> str | None:
        return contact.customer.kind if contact.customer else None

    @extend_schema_field(serializers.CharField())
    def get_caller_name(self, contact: Contact) -> str:
        return contact.customer.name if contact.customer else contact.caller_name

    @extend_schema_field(serializers.CharField())
    def get_caller_phone(self, contact: Contact) -> str:
        return contact.customer.phone if contact.customer else contact.caller_phone

    @extend_schema_field(serializers.CharField())
    def get_caller_email(self, contact: Contact) -> str:
        return contact.customer.email if contact.customer else contact.caller_email

    @extend_schema_field(SatisfactionSerializer(allow_null=True))
    def get_satisfaction(self, contact: Contact) -> dict[str, Any] | None:
        response = SurveyResponse.objects.filter(contact=contact).first()
        return SatisfactionSerializer(response).data if response is not None else None


def _codes() -> serializers.ListField:
    return serializers.ListField(child=Text(max_length=50), max_length=MAX_CODES, required=False)


class _WrapUpInput(serializers.Serializer[Any]):
    """The fields the desk's wrap-up form has (register and edit)."""

    province = serializers.ChoiceField(
        choices=[code for code, _label in PROVINCE_CHOICES_WITH_UNREGISTERED],
        required=False,
        allow_blank=True,
    )
    postcode = Text(
        required=False, allow_blank=True, max_length=6, help_text="Sets the province; not stored."
    )
    topic = serializers.ChoiceField(choices=Topic.values, required=False, allow_blank=True)
    reasons = _codes()
    referrals = _codes()
    notes = Text(required=False, allow_blank=True, max_length=MAX_TEXT)
    health_note = Text(required=False, allow_blank=True, max_length=MAX_TEXT)
    anonymous = Flag(required=False)
    customer_kind = serializers.ChoiceField(
        choices=Customer.Kind.values,
        required=False,
        allow_blank=True,
        help_text="With a name (and e-mail or phone): link a customer record, as the desk does.",
    )
    caller_name = Text(required=False, allow_blank=True, max_length=200)
    caller_phone = Text(required=False, allow_blank=True, max_length=30)
    caller_email = Text(required=False, allow_blank=True, max_length=254)


class ContactCreateSerializer(_WrapUpInput):
    external_id = Text(
        required=False,
        allow_null=True,
        max_length=100,
        help_text="The sender's id: posting it again returns the same contact (200).",
    )
    channel = _choice(Channel)
    direction = _choice(Direction, required=False)
    origin = serializers.ChoiceField(choices=Origin.values, required=False, allow_blank=True)
    received_at = MomentField(required=False)
    office = _choice(Office, required=False)


class ContactUpdateSerializer(_WrapUpInput):
    direction = _choice(Direction, required=False)


class EscalateSerializer(serializers.Serializer[Any]):
    to_office = serializers.ChoiceField(choices=[Office.PGJO.value, Office.CHILDCARE.value])
    reason = Text(max_length=MAX_TEXT)


class ReasonSerializer(serializers.ModelSerializer[Reason]):
    class Meta:
        model = Reason
        fields = ["code", "name", "topic", "active"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer[ReferralOrganisation]):
    class Meta:
        model = ReferralOrganisation
        fields = ["code", "name", "active"]
        read_only_fields = fields
