"""The OpenAPI schema's additions: the token scheme, the one error shape on every operation,
and the two signed telephony webhooks (plain Django views served also by the lean ASGI endpoint
of ADR 0009, so drf-spectacular cannot see them: they are described here, and the schemathesis
test holds the description to what they do)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERRORS_REF = {"$ref": "#/components/schemas/Errors"}
SIGNATURE = "X-KGLijn-Signature"
QUEUES = ["front", "pgjo", "childcare"]
EVENT_TYPES = [
    "offered",
    "queued",
    "answered",
    "transferred",
    "ended",
    "abandoned",
    "outbound_started",
    "outbound_ended",
    "callback_requested",
]


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "kglijn.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`; a token is made with `kglijn token create USERNAME`.",
        }


def _text(max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, **extra}


ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "index": {"type": "integer", "nullable": True},
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
            },
        }
    },
}
TELEPHONY_EVENT = {
    "type": "object",
    "description": "One call event (docs/telephony.md §1). `id`, `at` and `caller` are the "
    "short names of `event_id`, `occurred_at` and `caller_number`; one of each pair is needed.",
    "required": ["type", "call_id"],
    "properties": {
        "event_id": _text(100),
        "id": _text(100),
        "type": {"type": "string", "enum": EVENT_TYPES},
        "call_id": _text(100),
        "occurred_at": {"type": "string", "format": "date-time"},
        "at": {"type": "string", "format": "date-time"},
        "queue": {"type": "string", "enum": QUEUES, "nullable": True},
        "agent": _text(150, nullable=True, description="The platform's agent id"),
        "hold_seconds": {"type": "integer", "minimum": 0, "maximum": 86400, "nullable": True},
        "caller_number": _text(30, nullable=True),
        "caller": _text(30, nullable=True),
    },
}
EVENTS_ACCEPTED = {
    "type": "object",
    "required": ["accepted", "duplicates", "results"],
    "properties": {
        "accepted": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "held": {"type": "array", "items": {"type": "string"}},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer"},
                    "event_id": {"type": "string"},
                    "status": {"type": "string", "enum": ["new", "duplicate"]},
                    "call": {"type": "string", "enum": ["known", "pending"]},
                },
            },
        },
        "errors": ERRORS["properties"]["errors"],  # type: ignore[index]
    },
}
_SCORE = {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True}
IVR_SURVEY = {
    "type": "object",
    "description": "The caller's IVR answers (docs/telephony.md §7). Minimal body: "
    '`{"id", "call_id", "answers"}`; `answered_at` defaults to the time received and '
    "`complete` to whether all 4 criteria are answered.",
    "required": ["call_id", "answers"],
    "properties": {
        "survey_id": _text(100),
        "id": _text(100),
        "call_id": _text(100),
        "answered_at": {"type": "string", "format": "date-time", "nullable": True},
        "complete": {"type": "boolean", "nullable": True},
        "answers": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "waiting_time": _SCORE,
                "courtesy": _SCORE,
                "information": _SCORE,
                "recommendation": {**_SCORE, "minimum": 0, "maximum": 10},
            },
        },
    },
}
SURVEY_STORED = {
    "type": "object",
    "required": ["survey_id", "status", "complete", "follow_up"],
    "properties": {
        "survey_id": {"type": "string"},
        "status": {"type": "string", "enum": ["new", "duplicate"]},
        "complete": {"type": "boolean"},
        "follow_up": {"type": "boolean"},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(ERRORS_REF, description)


def _webhook(
    *, operation_id: str, summary: str, body: dict[str, Any], responses: dict[str, Any]
) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["telephony"],
            "security": [],
            "parameters": [
                {
                    "in": "header",
                    "name": SIGNATURE,
                    "required": True,
                    "description": "`sha256=` and the hex HMAC-SHA256 of the raw body with "
                    "KGLIJN_TELEPHONY_SECRET.",
                    "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"},
                }
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                **responses,
                "400": _error("Malformed body: every problem named by index and field"),
                "401": _error("Missing or wrong signature; nothing stored"),
                "413": _error("Body too large; nothing stored"),
            },
        }
    }


WEBHOOKS = {
    "/api/v1/telephony/events/": _webhook(
        operation_id="telephony_events",
        summary="Call events of the telephony platform (one, or a batch of up to 500)",
        body={
            "oneOf": [
                {"$ref": "#/components/schemas/TelephonyEvent"},
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 500,
                    "items": {"$ref": "#/components/schemas/TelephonyEvent"},
                },
            ]
        },
        responses={
            "200": _json(EVENTS_ACCEPTED, "Every event was a redelivery"),
            "201": _json(EVENTS_ACCEPTED, "Stored and applied"),
            "202": _json(EVENTS_ACCEPTED, "Stored; applied in the background (or held)"),
            "409": _json(EVENTS_ACCEPTED, "Stored; the call has not started yet (pending)"),
        },
    ),
    "/api/v1/telephony/survey/": _webhook(
        operation_id="telephony_survey",
        summary="The caller's IVR answers after a call, written onto the call's contact",
        body={"$ref": "#/components/schemas/IvrSurvey"},
        responses={
            "200": _json(SURVEY_STORED, "A redelivery of a stored survey id: nothing changed"),
            "201": _json(SURVEY_STORED, "Stored on the call's contact"),
            "404": _error("Unknown call id; nothing stored"),
            "409": _error("No contact yet, already answered, or the id was used elsewhere"),
        },
    ),
}
# Every API operation can answer these; documented once here rather than on each view.
COMMON_ERRORS = {
    "400": "Invalid input: every problem named by field",
    "401": "No token, or an unknown or revoked one",
    "403": "The token's user may not do this",
    "404": "Not found, or not visible to the token's user",
    "406": "Only application/json is served",
}


def postprocess(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error shape and the webhooks."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Errors"] = ERRORS
    schemas["TelephonyEvent"] = TELEPHONY_EVENT
    schemas["IvrSurvey"] = IVR_SURVEY
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, _error(description))
            if "requestBody" in operation:
                responses.setdefault("415", _error("Send application/json"))
            if path == "/api/v1/contacts/" and method == "post":
                responses.setdefault(
                    "409", _error("external_id known with other values, or not yours to see")
                )
    result["paths"] = {**result.get("paths", {}), **WEBHOOKS}
    return result
