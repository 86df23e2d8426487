"""Forms of the four-eyes pages: propose a decision, reject a proposal, find a location."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.core.dates import BoundedDateField
from kglijn.core.provinces import Province
from kglijn.opgroeipunt.models import DecisionKind, EnforcementState, NotAdmissibleReason

MAX_TEXT = 5_000


class ProposalForm(forms.Form):
    """A proposal for one subject; ``kinds`` are the decisions allowed for it now."""

    kind = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why this decision: the colleague who approves it reads this."),
    )
    reason = forms.ChoiceField(
        label=_("Reason not admissible"),
        required=False,
        choices=[("", "—"), *NotAdmissibleReason.choices],
        help_text=_("Only for a complaint that is not admissible."),
    )
    effective_from = BoundedDateField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the day it is approved."),
    )
    effective_until = forms.DateField(
        label=_("Effective until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The end of a suspension, protective measure or priority support."),
    )

    def __init__(
        self, *args: Any, kinds: list[DecisionKind], for_case: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(kind.value, kind.label) for kind in kinds]
        if for_case:
            del self.fields["effective_from"], self.fields["effective_until"]
        else:
            del self.fields["reason"]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {}
        for name in ("reason", "effective_from", "effective_until"):
            if data.get(name):
                payload[name] = data[name]
        return payload


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer sees this reason with the proposal."),
    )


class LocationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, external id, postcode or organiser"), required=False, max_length=200
    )
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=[("", _("All")), *Province.choices]
    )
    state = forms.ChoiceField(
        label=_("Enforcement"), required=False, choices=[("", _("All")), *EnforcementState.choices]
    )
