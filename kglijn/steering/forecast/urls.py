"""The forecast pages under /sturing/ (included by kglijn/steering/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.steering.forecast import views

urlpatterns: list[URLPattern] = [
    path("prognose/", views.forecast_page, name="forecast"),
    path("prognose/berekenen/", views.forecast_compute, name="forecast_compute"),
    path("prognose/excel/", views.forecast_download, name="forecast_xlsx"),
]
