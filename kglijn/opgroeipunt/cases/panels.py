"""The Opgroeipunt panel on a K&G-Lijn contact page (settings.KGLIJN_CONTACT_PANELS).

A user with ``opgroeipunt.forward_contact`` sees the "Forward to Opgroeipunt" form; once
forwarded, the panel shows only the case's reference (K&G-Lijn roles see no case content), and
a user who may see Opgroeipunt's cases gets a link to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from kglijn.contacts.models import Contact
from kglijn.contacts.panels import ContactPanel
from kglijn.opgroeipunt.cases.forms import ForwardForm
from kglijn.opgroeipunt.cases.selectors import can_view_cases
from kglijn.opgroeipunt.cases.services import contact_forwarded_case


def opgroeipunt_panel_context(
    *, user: User, contact: Contact, form: ForwardForm | None = None
) -> dict[str, Any] | None:
    can_forward = user.has_perm("opgroeipunt.forward_contact")
    case = contact_forwarded_case(contact=contact)
    if case is None and not can_forward:
        return None
    return {
        "contact": contact,
        "reference": str(case) if case is not None else "",
        "case_id": case.pk if case is not None and can_view_cases(user=user) else None,
        "form": form or (ForwardForm() if case is None and can_forward else None),
    }


def opgroeipunt_contact_panel(*, user: User, contact: Contact) -> ContactPanel:
    # Included for every contact: the template shows nothing when `opgroeipunt` is None.
    return ContactPanel(
        template="opgroeipunt/cases/_contact_panel.html",
        context={"opgroeipunt": opgroeipunt_panel_context(user=user, contact=contact)},
    )
