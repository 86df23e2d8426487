"""Opgroeipunt's figures pages (mounted under /opgroeipunt/ by kglijn/opgroeipunt/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.figures import views

urlpatterns: list[URLPattern] = [
    path("cijfers/", views.figures_page, name="figures"),
    path("cijfers/opgroeipunt-cijfers.xlsx", views.figures_download, name="figures_xlsx"),
]
