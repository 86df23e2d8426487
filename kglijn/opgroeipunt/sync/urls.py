"""The synchronisation's run log under /opgroeipunt/synchronisatie/ (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.sync import views

urlpatterns: list[URLPattern] = [
    path("synchronisatie/", views.sync_runs_page, name="sync_runs"),
    path("synchronisatie/<int:pk>/", views.sync_run_page, name="sync_run"),
    path("synchronisatie/starten/", views.sync_start, name="sync_start"),
    path("synchronisatie/bestand/", views.sync_upload, name="sync_upload"),
]
