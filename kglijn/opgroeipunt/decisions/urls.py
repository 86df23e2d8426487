"""Opgroeipunt's decisions pages (mounted under /opgroeipunt/ by kglijn/opgroeipunt/urls.py):
the four-eyes proposals and the locations with their enforcement track."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.decisions import views
from kglijn.opgroeipunt.enforcement import views as location_views

urlpatterns: list[URLPattern] = [
    path("voorstellen/", views.proposals, name="proposals"),
    path("voorstellen/nieuw/", views.proposal_new, name="proposal_new"),
    path("voorstellen/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("locaties/", location_views.locations, name="locations"),
    path("locaties/<str:external_id>/", location_views.location_detail, name="location_detail"),
    path(
        "locaties/<str:external_id>/toewijzen/",
        location_views.location_assign_view,
        name="location_assign",
    ),
]
