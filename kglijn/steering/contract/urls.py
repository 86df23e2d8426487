"""The contract pages under /sturing/ (included by kglijn/steering/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
