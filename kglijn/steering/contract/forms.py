"""Forms of the contract pages: a new contract version (with its fees) and the invoice upload."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kglijn.core.dates import check_month
from kglijn.core.vocabulary import Channel, Direction
from kglijn.steering.contract.statement import CONTACT_LINES

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> dt.date:
    """'YYYY-MM' → its first day; ValidationError in Dutch (with the window) otherwise."""
    match = MONTH.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a month (use YYYY-MM).") % {"value": (value or "")[:20]}
        )
    year, number = int(match[1]), int(match[2])
    if not 1 <= number <= 12:
        raise ValidationError(
            _("“%(value)s” is not a month (use YYYY-MM).") % {"value": (value or "")[:20]}
        )
    first = dt.date(year, number, 1) if year >= 1 else dt.date.min
    check_month(first)
    return first


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return parse_month(text)


def _money_field(label: Any, *, places: int = 2, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_digits=12 if places == 2 else 10,
        decimal_places=places,
        required=required,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def price_field_name(channel: str, direction: str) -> str:
    return f"price_{channel}_{direction}"


PRICE_LABELS = {
    (Channel.PHONE, Direction.IN): gettext_lazy("Price per handled call, incoming (€)"),
    (Channel.PHONE, Direction.OUT): gettext_lazy("Price per call made, outgoing (€)"),
    (Channel.EMAIL, Direction.IN): gettext_lazy("Price per handled e-mail, incoming (€)"),
    (Channel.EMAIL, Direction.OUT): gettext_lazy("Price per e-mail sent, outgoing (€)"),
}


class ContractVersionForm(forms.Form):
    contract_name = forms.CharField(
        label=gettext_lazy("Name of the contract"), max_length=200, required=False
    )
    supplier = forms.CharField(label=gettext_lazy("Supplier"), max_length=200, required=False)
    illustrative = forms.BooleanField(
        label=gettext_lazy("Illustrative price table (not the real prices)"), required=False
    )
    valid_from = MonthField(label=gettext_lazy("Valid from (month)"))
    telecom_per_minute = _money_field(gettext_lazy("Telecom cost per call minute (€)"), places=4)
    phone_target_pct = forms.DecimalField(
        label=gettext_lazy("Phone: target share answered in time (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
    )
    phone_target_seconds = forms.IntegerField(
        label=gettext_lazy("Phone: answered within (seconds)"), min_value=1, max_value=3600
    )
    email_target_pct = forms.DecimalField(
        label=gettext_lazy("E-mail: target share answered in time (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
    )
    email_target_working_days = forms.IntegerField(
        label=gettext_lazy("E-mail: answered within (working days)"), min_value=0, max_value=60
    )
    malus_per_point = _money_field(gettext_lazy("Malus per percentage point below target (€)"))
    malus_cap_per_month = _money_field(gettext_lazy("Malus cap per month (€)"))
    note = forms.CharField(
        label=gettext_lazy("Reason for this version"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, first_contract: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel, direction in CONTACT_LINES:
            self.fields[price_field_name(channel, direction)] = _money_field(
                PRICE_LABELS[(Channel(channel), Direction(direction))], places=4
            )
        if first_contract:
            self.fields["contract_name"].required = True
        else:
            for name in ("contract_name", "supplier", "illustrative"):
                del self.fields[name]

    def price_fields(self) -> list[Any]:
        return [self[price_field_name(c, d)] for c, d in CONTACT_LINES]

    def prices(self) -> dict[tuple[str, str], Decimal]:
        return {
            (channel, direction): self.cleaned_data[price_field_name(channel, direction)]
            for channel, direction in CONTACT_LINES
        }


class FeeForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=50, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    monthly_amount = _money_field(gettext_lazy("Amount per month (€)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [data.get("code"), data.get("name"), data.get("monthly_amount")]
        if any(value not in (None, "") for value in filled) and not all(
            value not in (None, "") for value in filled
        ):
            raise ValidationError(_("Fill in the code, the name and the amount, or none of them."))
        return data


FeeFormSet = forms.formset_factory(FeeForm, extra=2, max_num=20, absolute_max=20)


class InvoiceUploadForm(forms.Form):
    month = MonthField(label=gettext_lazy("Invoiced month"))
    reference = forms.CharField(label=gettext_lazy("Invoice number"), max_length=100)
    file = forms.FileField(
        label=gettext_lazy("Invoice lines (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
