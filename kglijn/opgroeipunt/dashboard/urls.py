"""The team lead's dashboard under /opgroeipunt/."""

from __future__ import annotations

from django.urls import path

from kglijn.opgroeipunt.dashboard import views

urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
