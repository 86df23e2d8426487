"""The analysis pages under /onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.analysis import views

urlpatterns = [
    path("<int:pk>/resultaten/", views.results_page, name="results"),
    path("<int:pk>/resultaten/gewichten/", views.results_weights, name="results_weights"),
    path("<int:pk>/resultaten.xlsx", views.results_download, name="results_xlsx"),
]
