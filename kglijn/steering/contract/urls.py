"""The contract pages under /sturing/ (included by kglijn/steering/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.steering.contract import views

urlpatterns: list[URLPattern] = [
    path("contract/", views.contract_page, name="contract"),
    path("contract/nieuwe-versie/", views.contract_version_new, name="contract_version_new"),
    path("afrekening/", views.statement_page, name="statement"),
    path("afrekening/excel/", views.statement_xlsx_download, name="statement_xlsx"),
    path("afrekening/jaar/", views.statement_year_page, name="statement_year"),
    path("afrekening/jaar/excel/", views.statement_year_xlsx_download, name="statement_year_xlsx"),
    path("facturen/", views.invoice_list, name="invoices"),
    path("facturen/opladen/", views.invoice_upload, name="invoice_upload"),
    path("facturen/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path(
        "facturen/<int:invoice_id>/contacten/<slug:key>/",
        views.invoice_contacts,
        name="invoice_contacts",
    ),
]
