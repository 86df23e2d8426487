"""What waits to go to the dossier system, and what did not get there (issue 18 item 2)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kglijn.opgroeipunt.sync.outgoing import outgoing_requeue, outgoing_status


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.view_syncrun", raise_exception=True)
def outgoing_page(request: HttpRequest) -> HttpResponse:
    """The counts per state and the events with problems; the team lead (``run_sync``) sends a
    failed event again."""
    if request.method == "POST":
        if not request.user.has_perm("opgroeipunt.run_sync"):
            return HttpResponse(status=403)
        try:
            event_id = str(uuid.UUID(request.POST.get("event_id", "")[:36]))
        except ValueError:  # a malformed id: nothing to send again
            done = False
        else:
            done = outgoing_requeue(event_id=event_id, now=timezone.now())
        if done:
            messages.success(request, _("The event will be sent again."))
        else:
            messages.error(request, _("This event cannot be sent again (it is not failed)."))
        return redirect("opgroeipunt:sync_outgoing")
    context = {
        "status": outgoing_status(),
        "can_requeue": request.user.has_perm("opgroeipunt.run_sync"),
    }
    return render(request, "opgroeipunt/sync/outgoing.html", context)
