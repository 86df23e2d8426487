"""schemathesis against our own OpenAPI schema, in-process (WSGI): every operation, valid and
invalid input, a real token, signed requests for the webhooks. No server error and no response
outside the schema (issue 15 item 5). A bounded number of examples keeps CI fast."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kglijn.api.services import token_create
from kglijn.config.wsgi import application
from tests.telephony.calls import sign

WEBHOOKS = ("/api/v1/telephony/events/", "/api/v1/telephony/survey/")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
CONFIG = SchemathesisConfig.from_dict(
    {"generation": {"mode": "all", "max-examples": 20, "deterministic": True}}
)


# Loaded from the app itself, as an outside fuzzer would: the served schema, not the file.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)


@pytest.fixture
def _connection_kept() -> Any:
    # Django's test client keeps the test's connection across requests; schemathesis calls the
    # WSGI app directly, whose request signals would close it (CONN_MAX_AGE 0) mid-test.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(make_user: Any, _connection_kept: None) -> str:
    # A team lead: every queue, health notes, escalations — the widest role on the API.
    _row, key = token_create(user=make_user("team_lead", "fuzz-lead"), name="schemathesis")
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_in_the_schema(case: Any, token: str) -> None:
    kwargs: dict[str, Any] = {"headers": {"Authorization": f"Token {token}"}}
    if case.path in WEBHOOKS and case.body is not None and not isinstance(case.body, bytes):
        try:
            body = json.dumps(case.body).encode()
        except (TypeError, ValueError):
            body = b""
        if body:
            # Signed as the platform signs: over the exact bytes sent.
            kwargs["data"] = body
            kwargs["headers"] |= {
                "X-KGLijn-Signature": sign(body),
                "Content-Type": "application/json",
            }
    response = case.call(**kwargs)
    case.validate_response(response, checks=CHECKS)
