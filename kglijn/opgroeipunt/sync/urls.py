"""The synchronisation's run log under /opgroeipunt/synchronisatie/ (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
