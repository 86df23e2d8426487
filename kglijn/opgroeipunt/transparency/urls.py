"""Requests for documents (passive openness) under /opgroeipunt/openbaarheid/ (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
