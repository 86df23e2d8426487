"""The actions pages under /onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
