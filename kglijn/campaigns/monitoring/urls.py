"""The live monitoring and methodology pages under /onderzoeken/ (kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
