"""The team lead's dashboard under /opgroeipunt/, and the inspections and enforcement one."""

from __future__ import annotations

from django.urls import path

from kglijn.opgroeipunt.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/inspecties/", views.inspections, name="dashboard_inspections"),
    path(
        "dashboard/inspecties/opgroeipunt-inspecties.xlsx",
        views.inspections_download,
        name="dashboard_inspections_xlsx",
    ),
]
