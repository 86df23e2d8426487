"""The committed OpenAPI schema is the generated one (`make schema` rewrites it), and the
schema and the docs are served by the app itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_the_committed_schema_is_the_generated_one(tmp_path) -> None:
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/api/openapi.yaml is out of date: run `make schema` and commit it"
    )


def test_every_endpoint_is_in_the_schema() -> None:
    paths = yaml.safe_load(COMMITTED.read_text())["paths"]

    assert set(paths) == {
        "/api/v1/contacts/",
        "/api/v1/contacts/{id}/",
        "/api/v1/contacts/{id}/escalate/",
        "/api/v1/contacts/{id}/close/",
        "/api/v1/contacts/{id}/reopen/",
        "/api/v1/reasons/",
        "/api/v1/referrals/",
        "/api/v1/telephony/events/",
        "/api/v1/telephony/survey/",
        "/api/v1/opgroeipunt/cases/",
        "/api/v1/opgroeipunt/proposals/",
        "/api/v1/opgroeipunt/proposals/{id}/approve/",
        "/api/v1/opgroeipunt/proposals/{id}/reject/",
        "/api/v1/opgroeipunt/locations/{external_id}/",
    }


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_any_cdn() -> None:
    client = Client()

    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200
