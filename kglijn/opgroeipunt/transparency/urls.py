"""Requests for documents (passive openness) under /opgroeipunt/openbaarheid/ (issue 18), and
recording a location's plan of approach (active transparency)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.transparency import views

urlpatterns: list[URLPattern] = [
    path("openbaarheid/", views.document_request_list, name="document_requests"),
    path("openbaarheid/nieuw/", views.document_request_new, name="document_request_new"),
    path("openbaarheid/<int:pk>/", views.document_request_detail, name="document_request_detail"),
    path(
        "openbaarheid/plan-van-aanpak/<str:external_id>/",
        views.plan_of_approach,
        name="plan_of_approach",
    ),
]
