"""Opgroeipunt's public intake form under /melden/ (Dutch, accessible, anonymous allowed)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.cases import public_views

app_name = "opgroeipunt_public"
urlpatterns: list[URLPattern] = [
    path("", public_views.public_form, name="form"),
    path("bedankt/<str:token>/", public_views.public_thanks, name="thanks"),
]
