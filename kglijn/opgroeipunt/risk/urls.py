"""The risk analysis and the re-screening list under /opgroeipunt/risico/ (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
