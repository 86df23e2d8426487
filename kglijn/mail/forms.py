"""Forms of the e-mail panel. They only parse input; the rules live in outbound.py/services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.mail.outbound import MAX_BODY_CHARS


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Text of the answer"),
        max_length=MAX_BODY_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-reply-body": "", "spellcheck": "true"}),
        help_text=_("The sender's message is quoted below your answer automatically."),
    )
    close = forms.BooleanField(
        label=_("Close the contact after sending"),
        required=False,
        initial=True,
    )


class QuarantineResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done with it"),
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
    )
