"""The staffing pages under /sturing/ (included by kglijn/steering/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.steering.staffing import views

urlpatterns: list[URLPattern] = [
    path("personeel/", views.staffing_page, name="staffing"),
    path("personeel/excel/", views.staffing_download, name="staffing_xlsx"),
    path("personeel/rooster/", views.staffing_roster, name="staffing_roster"),
]
