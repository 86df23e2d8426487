"""The team lead's page of held call events: events set aside because applying them failed,
with the error, and a button to apply them again once the cause is fixed (issue 13)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kglijn.telephony.selectors import call_events_held
from kglijn.telephony.services import call_events_retry_held

PERMISSION = "telephony.manage_held_events"


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def held_events(request: HttpRequest) -> HttpResponse:
    return render(request, "telephony/held_events.html", {"events": call_events_held()})


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def held_events_retry(request: HttpRequest) -> HttpResponse:
    result = call_events_retry_held()
    if result.held:
        messages.warning(
            request,
            _("%(applied)d event(s) applied; %(held)d still fail and stay held.")
            % {"applied": result.applied, "held": result.held},
        )
    else:
        messages.success(request, _("%(applied)d event(s) applied.") % {"applied": result.applied})
    return redirect("telephony:held_events")
