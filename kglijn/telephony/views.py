"""Pages of the phone channel: the desk's call panel.

The service-level page, its Excel and the wallboard are the service-level reader's
(kglijn/servicelevels/views.py), under the same telephony URLs and names.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kglijn.core.business_calendar import BRUSSELS
from kglijn.telephony.selectors import call_current_for_agent


@require_GET
@login_required
def my_call(request: HttpRequest) -> HttpResponse:
    """The desk's call panel (htmx): the call I am on, or my last call still to wrap up."""
    now = timezone.now()
    call = call_current_for_agent(user=request.user, now=now)
    seconds = None
    if call is not None and call.answered_at is not None:
        end = call.ended_at or now
        seconds = max(0, int((end - call.answered_at).total_seconds()))
    context = {
        "call": call,
        "talk_seconds": seconds,
        "answered_local": call.answered_at.astimezone(BRUSSELS)
        if call and call.answered_at
        else None,
    }
    return render(request, "telephony/_desk_call.html", context)
