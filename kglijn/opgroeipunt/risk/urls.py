"""The risk analysis and the re-screening list under /opgroeipunt/risico/ (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.risk import views

urlpatterns: list[URLPattern] = [
    path("risico/", views.risk_model_page, name="risk_model"),
    path("risico/hertrainen/", views.risk_retrain, name="risk_retrain"),
    path("risico/herscreening/", views.risk_rescreening_list, name="risk_list"),
    path(
        "risico/herscreening/<str:external_id>/voorstellen/",
        views.risk_rescreen,
        name="risk_rescreen",
    ),
]
