"""The mail thread and reply composer on the contact page (settings.KGLIJN_CONTACT_PANELS)."""

from __future__ import annotations

from django.contrib.auth.models import User

from kglijn.contacts.models import Contact
from kglijn.contacts.panels import ContactPanel
from kglijn.mail.selectors import mail_thread_panel


def mail_contact_panel(*, user: User, contact: Contact) -> ContactPanel:
    # Included for every contact: the template shows nothing when `mail` is None.
    return ContactPanel(
        template="mail/_contact_mail.html",
        context={"mail": mail_thread_panel(user=user, contact=contact)},
    )
