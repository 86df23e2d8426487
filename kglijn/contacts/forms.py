"""Forms of the agent desk. They only parse input; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import (
    Channel,
    Customer,
    Direction,
    Office,
    Origin,
    Reason,
    ReferralOrganisation,
    Topic,
)
from kglijn.contacts.selectors import reason_list, referral_list
from kglijn.core.dates import BoundedDateField
from kglijn.core.models import AuditEvent
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED

TOPIC_CHOICES = [("", _("Not known")), *[(c.value, c.label) for c in Topic if c.value]]
BACK_OFFICES = [(Office.PGJO.value, Office.PGJO.label), (Office.CHILDCARE, Office.CHILDCARE.label)]


class ReasonChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Reasons as checkboxes, labelled by name, submitted by code."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def apply_service_errors(
    form: forms.Form, error: ValidationError, *, aliases: dict[str, str]
) -> None:
    """Put a service's ValidationError onto the form: per field where it has one, else on top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, errors in error.message_dict.items():
        name = aliases.get(field, field)
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


class WrapUpFields(forms.Form):
    """The fields shared by registering and editing a contact's wrap-up."""

    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=6,
        required=False,
        help_text=_("Fills in the province; the postcode itself is not stored."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )
    province = forms.ChoiceField(
        label=_("Province"), choices=PROVINCE_CHOICES_WITH_UNREGISTERED, required=False
    )
    topic = forms.ChoiceField(
        label=_("Topic"), choices=TOPIC_CHOICES, required=False, widget=forms.RadioSelect
    )
    reasons = ReasonChoiceField(
        label=_("Contact reasons"),
        queryset=Reason.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referrals = ReasonChoiceField(
        label=_("Referred to"),
        queryset=ReferralOrganisation.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    health_note = forms.CharField(
        label=_("Health note"),
        required=False,
        help_text=_("Only visible to PGJO nurses and the team lead."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous contact"),
        required=False,
        initial=True,
        help_text=_("Untick to record who contacted us."),
    )
    customer_kind = forms.ChoiceField(
        label=_("Who is contacting us"),
        choices=[("", _("Not known")), *Customer.Kind.choices],
        required=False,
    )
    caller_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    caller_phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    # A CharField, not an EmailField: the service validates it and reports in its own words.
    caller_email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )

    PERSONAL_FIELDS = ("customer_kind", "caller_name", "caller_phone", "caller_email")

    def __init__(self, *args: Any, can_write_health_note: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = self.fields["reasons"]
        referrals = self.fields["referrals"]
        assert isinstance(reasons, ReasonChoiceField)
        assert isinstance(referrals, ReasonChoiceField)
        reasons.queryset = reason_list(active_only=True)
        referrals.queryset = referral_list(active_only=True)
        if not can_write_health_note:
            del self.fields["health_note"]
        # Progressive enhancement: with htmx the province follows the postcode while typing;
        # without it the service derives the province from the postcode on submit.
        self.fields["postcode"].widget.attrs.update(
            {
                "hx-get": reverse("contacts:province_lookup"),
                "hx-trigger": "input changed delay:250ms, change",
                "hx-target": "#province-field",
                "hx-swap": "outerHTML",
                "hx-include": "[name=province]",
                "hx-sync": "this:replace",
            }
        )

    def reason_groups(self) -> list[tuple[str, str, list[Any]]]:
        """The reason checkboxes grouped by topic: (topic code, label, subwidgets)."""
        topic_of = {reason.code: reason.topic for reason in reason_list(active_only=True)}
        groups: dict[str, list[Any]] = {}
        for widget in self["reasons"]:
            groups.setdefault(topic_of.get(str(widget.data["value"]), ""), []).append(widget)
        labels = {
            Topic.FAMILY_SUPPORT.value: Topic.FAMILY_SUPPORT.label,
            Topic.CHILDCARE.value: Topic.CHILDCARE.label,
            "": _("General"),
        }
        order = [Topic.FAMILY_SUPPORT.value, Topic.CHILDCARE.value, ""]
        return [(code, str(labels[code]), groups[code]) for code in order if code in groups]

    def personal_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PERSONAL_FIELDS]


class ProvinceForm(forms.Form):
    """Just the province field, re-rendered by the postcode lookup."""

    province = forms.ChoiceField(
        label=_("Province"), choices=PROVINCE_CHOICES_WITH_UNREGISTERED, required=False
    )


class ContactRegisterForm(WrapUpFields):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Channel.choices,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Direction.choices,
        initial=Direction.IN,
        widget=forms.RadioSelect,
    )
    origin = forms.ChoiceField(
        label=_("E-mail origin"),
        choices=[("", _("Not applicable")), *[(o.value, o.label) for o in Origin if o.value]],
        required=False,
        help_text=_("Only for e-mails."),
    )
    office = forms.ChoiceField(label=_("Office"), choices=Office.choices)
    escalate_to = forms.ChoiceField(
        label=_("Then escalate to"),
        choices=[("", _("Do not escalate")), *BACK_OFFICES],
        required=False,
    )
    escalation_reason = forms.CharField(
        label=_("Reason for escalation"),
        required=False,
        # Required when escalating (this field only shows under "register and escalate"); the
        # service checks it, the label carries the marker.
        widget=forms.Textarea(attrs={"rows": 2, "aria-required": "true"}),
    )

    field_order = ["channel", "direction", "origin", "office", "postcode"]

    def __init__(self, *args: Any, can_escalate: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_escalate:
            del self.fields["escalate_to"]
            del self.fields["escalation_reason"]
        self.fields["postcode"].widget.attrs["autofocus"] = True


class ContactUpdateForm(WrapUpFields):
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect
    )

    field_order = ["direction", "postcode"]


class EscalateForm(forms.Form):
    to_office = forms.ChoiceField(label=_("Escalate to"), choices=BACK_OFFICES)
    reason = forms.CharField(
        label=_("Reason for escalation"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, name, e-mail or phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_from = BoundedDateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label=_("Received up to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Lowercase letters, digits and hyphens; used in imports and reports."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=[("", _("General (both topics)")), *TOPIC_CHOICES[1:]],
        required=False,
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ReferralForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Lowercase letters, digits and hyphens; used in imports and reports."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditEvent.Action.choices],
        required=False,
    )
    reference = forms.CharField(
        label=_("Contact reference"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "KG-0000123"}),
    )
