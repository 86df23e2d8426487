"""Opgroeipunt's public intake form under /melden/ (Dutch, accessible, anonymous allowed)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "opgroeipunt_public"
urlpatterns: list[URLPattern] = []
