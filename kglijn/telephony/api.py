"""`POST /api/v1/telephony/events/` — the telephony platform's signed call events.

`webhook_answer` is the endpoint: bytes and a signature header in, status and JSON out. Two
transports serve it: the Django view below (tests, `runserver`, any WSGI server) and, under
`kglijn serve`, the lean ASGI endpoint of kglijn.telephony.asgi, which skips Django's request
machinery (ADR 0009). Contract and status codes: docs/telephony.md; why: ADR 0007.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kglijn.core.bounded_json import request_body_bounded
from kglijn.telephony.events import (
    MAX_BATCH,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    EventsInvalid,
    FieldError,
    events_parse,
    signature_valid,
)
from kglijn.telephony.services import IngestResult, call_events_ingest


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _errors(status: int, errors: list[FieldError], **extra: Any) -> WebhookAnswer:
    return WebhookAnswer(status, {**extra, "errors": [error.as_dict() for error in errors]})


def _summary(result: IngestResult) -> dict[str, Any]:
    held = {"held": list(result.held)} if result.held else {}
    return {
        **held,
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


def webhook_signed(*, body: bytes, signature: str | None) -> WebhookAnswer | None:
    """None when the body carries a valid signature, else the 401 answer (nothing stored)."""
    if signature_valid(body=body, header=signature, secret=settings.KGLIJN_TELEPHONY_SECRET):
        return None
    answer = _errors(
        401,
        [
            FieldError(
                None,
                SIGNATURE_HEADER,
                _("Missing or wrong signature: expected sha256=<hex HMAC-SHA256 of the body>."),
            )
        ],
    )
    answer.headers["WWW-Authenticate"] = 'HMAC-SHA256 header="X-KGLijn-Signature"'
    return answer


def webhook_answer(*, body: bytes, signature: str | None) -> WebhookAnswer:
    """Check, validate and store a request's events; the answer to send."""
    refused = webhook_signed(body=body, signature=signature)
    if refused is not None:
        return refused
    try:
        events = events_parse(body)
        result = call_events_ingest(events=events)
    except EventsInvalid as exc:
        return _errors(400, exc.errors)
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
    if not result.accepted:
        return WebhookAnswer(200, summary)  # all redeliveries: nothing changed
    # 201: applied in this request; 202: stored, the background applier derives it (ADR 0009)
    # — or, inline, stored but held because applying failed (`held` lists them; issue 13).
    return WebhookAnswer(201 if result.applied else 202, summary)


def body_too_large() -> WebhookAnswer:
    """413: the body exceeds MAX_BODY_BYTES; nothing read further, nothing stored."""
    message = _("The body is larger than %(limit)d bytes; send at most %(batch)d events.")
    return WebhookAnswer(
        413,
        {
            "errors": [
                {
                    "index": None,
                    "field": "body",
                    "message": message % {"limit": MAX_BODY_BYTES, "batch": MAX_BATCH},
                }
            ]
        },
    )


@csrf_exempt  # machine-to-machine; authenticated by the HMAC signature of the body
@require_POST
def telephony_events(request: HttpRequest) -> JsonResponse:
    body = request_body_bounded(request, limit=MAX_BODY_BYTES)
    if body is None:
        answer = body_too_large()
    else:
        answer = webhook_answer(body=body, signature=request.headers.get(SIGNATURE_HEADER))
    response = JsonResponse(answer.payload, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response
