"""Where "/" and a fresh login lead: the work of the user's own side of the house.

K&G-Lijn roles land on the desk; the Opgroeipunt roles (who read no contacts) on Opgroeipunt's
cases. config may import every app; the apps themselves do not know about each other.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse


def home_url(request: HttpRequest) -> str:
    user = request.user
    if (
        user.is_authenticated
        and not user.has_perm("contacts.view_contact")
        and user.has_perm("opgroeipunt.view_case")
    ):
        return reverse("opgroeipunt:cases")
    return reverse("contacts:desk")


def home(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(home_url(request))
