"""The live monitoring and methodology pages under /onderzoeken/ (kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.campaigns.monitoring import views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/respons/", views.response_page, name="response"),
    path("<int:pk>/respons.xlsx", views.response_download, name="response_xlsx"),
    path("<int:pk>/methodologie/", views.methodology_page, name="methodology"),
    path("<int:pk>/methodologie.xlsx", views.methodology_download, name="methodology_xlsx"),
]
