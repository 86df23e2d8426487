"""Forms of the chat: the parent's start form and the nurse's wrap-up (the desk's fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.chat.services import MAX_FIRST_NAME
from kglijn.contacts.forms import WrapUpFields


class ChatStartForm(forms.Form):
    """Both fields optional: a parent may chat fully anonymously."""

    first_name = forms.CharField(
        label=_("Your first name (optional)"),
        max_length=MAX_FIRST_NAME,
        required=False,
        help_text=_("So the nurse can address you. You may leave it empty."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    postcode = forms.CharField(
        label=_("Your postcode (optional)"),
        max_length=6,
        required=False,
        help_text=_("Only to know your province; the postcode itself is not stored."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 6}
        ),
    )


class ChatWrapUpForm(WrapUpFields):
    """The desk's wrap-up fields (province, topic, reasons, referrals, notes, health note,
    anonymity), rendered with contacts/_wrapup_fields.html."""
