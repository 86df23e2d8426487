"""Opgroeipunt's cases pages (mounted under /opgroeipunt/ by kglijn/opgroeipunt/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.cases import views

urlpatterns: list[URLPattern] = [
    path("meldingen/", views.case_list_page, name="cases"),
    path("meldingen/nieuw/", views.case_new, name="case_new"),
    path("meldingen/<int:pk>/", views.case_detail, name="case_detail"),
    path("meldingen/<int:pk>/opnemen/", views.case_take_view, name="case_take"),
    path("meldingen/<int:pk>/stappen/", views.case_steps_view, name="case_steps"),
    path("doorsturen/<int:contact_id>/", views.forward_contact, name="forward_contact"),
    path("klachtenrapport/", views.complaints_report_page, name="complaints_report"),
    path("klachtenrapport/excel/", views.complaints_report_download, name="complaints_report_xlsx"),
]
