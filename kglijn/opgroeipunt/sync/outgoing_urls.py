"""The outgoing synchronisation's status under /opgroeipunt/synchronisatie/uitgaand/."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.opgroeipunt.sync import outgoing_views

urlpatterns: list[URLPattern] = [
    path("synchronisatie/uitgaand/", outgoing_views.outgoing_page, name="sync_outgoing"),
]
