"""The respondent's pages under /onderzoek/ (included by kglijn/campaigns/public_urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
