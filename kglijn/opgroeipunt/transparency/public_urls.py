"""Active transparency: a public page per childcare location under /kinderopvang/ (issue 18).

No personal data and nothing about reporters: the location, its published inspection reports
and, once decided, its enforcement status and whether a plan of approach exists.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.transparency import public_views

app_name = "opgroeipunt_transparency"
urlpatterns: list[URLPattern] = [
    path("", public_views.public_index, name="index"),
    path("<str:external_id>/", public_views.public_location_page, name="location"),
]
