"""The reachability pages under /sturing/ (included by kglijn/steering/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.steering.reachability import views

urlpatterns: list[URLPattern] = [
    path("bereikbaarheid/", views.reachability_page, name="reachability"),
    path(
        "bereikbaarheid/bereikbaarheid.xlsx",
        views.reachability_download,
        name="reachability_xlsx",
    ),
]
