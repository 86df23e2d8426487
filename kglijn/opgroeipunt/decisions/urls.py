"""Opgroeipunt's decisions pages (mounted under /opgroeipunt/ by kglijn/opgroeipunt/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
