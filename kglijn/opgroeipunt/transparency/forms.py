"""Forms of active transparency (the public search) and passive openness (staff)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kglijn.core.dates import BoundedDateField
from kglijn.core.provinces import Province
from kglijn.opgroeipunt.models import DocumentRequestStatus
from kglijn.opgroeipunt.transparency.services import MAX_NAME, MAX_TEXT


class PublicSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name of the location or organiser, or postcode"), required=False, max_length=100
    )
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=[("", _("All")), *Province.choices]
    )


class RequestFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All requests")),
            ("open", pgettext_lazy("openness", "Open")),
            ("late", pgettext_lazy("openness", "Late")),
        ],
    )


class DocumentRequestForm(forms.Form):
    requester_name = forms.CharField(
        label=pgettext_lazy("openness", "Requester"), max_length=MAX_NAME
    )
    requester_email = forms.EmailField(label=_("Requester's e-mail address"), max_length=254)
    location = forms.CharField(
        label=_("Location (external id)"),
        required=False,
        max_length=64,
        help_text=_("Leave empty when the request is not about one location."),
    )
    subject = forms.CharField(
        label=pgettext_lazy("openness", "What is asked"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    received_on = BoundedDateField(
        label=pgettext_lazy("openness", "Received on"),
        required=False,
        help_text=_("Empty: today. The term of 3 working days counts from this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DocumentRequestHandleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (DocumentRequestStatus.GRANTED.value, DocumentRequestStatus.GRANTED.label),
            (
                DocumentRequestStatus.PARTLY_GRANTED.value,
                DocumentRequestStatus.PARTLY_GRANTED.label,
            ),
            (DocumentRequestStatus.REFUSED.value, DocumentRequestStatus.REFUSED.label),
        ],
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the requester receives, or why (part of) it is refused."),
    )


class PlanOfApproachForm(forms.Form):
    on = BoundedDateField(
        label=_("Plan of approach received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
