"""`POST /api/v1/telephony/events/` — the telephony platform's signed call events.

A plain Django view on purpose: it is the hottest path of the system (hundreds of events a
second) and needs no content negotiation, sessions or CSRF (the HMAC signature replaces them).
Contract and status codes: docs/telephony.md; why: ADR 0007.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kglijn.telephony.events import (
    SIGNATURE_HEADER,
    EventsInvalid,
    FieldError,
    events_parse,
    signature_valid,
)
from kglijn.telephony.services import EventsUnprocessable, IngestResult, call_events_ingest


def _errors(status: int, errors: list[FieldError], **extra: Any) -> JsonResponse:
    return JsonResponse({**extra, "errors": [error.as_dict() for error in errors]}, status=status)


def _summary(result: IngestResult) -> dict[str, Any]:
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "results": [
            {
                "index": outcome.index,
                "event_id": outcome.event_id,
                "status": "new" if outcome.new else "duplicate",
                "call": "known" if outcome.call_known else "pending",
            }
            for outcome in result.outcomes
        ],
    }


@csrf_exempt  # machine-to-machine; authenticated by the HMAC signature of the body
@require_POST
def telephony_events(request: HttpRequest) -> JsonResponse:
    body = request.body
    if not signature_valid(
        body=body,
        header=request.headers.get(SIGNATURE_HEADER),
        secret=settings.KGLIJN_TELEPHONY_SECRET,
    ):
        response = _errors(
            401,
            [
                FieldError(
                    None,
                    SIGNATURE_HEADER,
                    _("Missing or wrong signature: expected sha256=<hex HMAC-SHA256 of the body>."),
                )
            ],
        )
        response["WWW-Authenticate"] = 'HMAC-SHA256 header="X-KGLijn-Signature"'
        return response
    try:
        events = events_parse(body)
        result = call_events_ingest(events=events)
    except EventsInvalid as exc:
        return _errors(400, exc.errors)
    except EventsUnprocessable as exc:
        return _errors(422, exc.errors)
    summary = _summary(result)
    if result.pending:
        # Kept, but not applied: nothing has started these calls yet (ADR 0007).
        return _errors(
            409,
            [
                FieldError(
                    outcome.index,
                    "call_id",
                    _(
                        "Unknown call “%(call)s”: no offered, queued or outbound_started event "
                        "for it yet. The event is kept and applies as soon as the call's first "
                        "event arrives; redelivering it is safe."
                    )
                    % {"call": outcome.call_id},
                )
                for outcome in result.pending
            ],
            **summary,
        )
    return JsonResponse(summary, status=201 if result.accepted else 200)
