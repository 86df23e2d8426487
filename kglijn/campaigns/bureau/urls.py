"""The bureau pages under /onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.bureau import views

urlpatterns = [
    path("<int:pk>/resultaten-laden/", views.bureau_import, name="bureau_import"),
    path(
        "<int:pk>/resultaten-laden/marges/",
        views.bureau_margins_upload,
        name="bureau_margins_upload",
    ),
    path(
        "<int:pk>/resultaten-laden/respondenten/",
        views.bureau_respondents_upload,
        name="bureau_respondents_upload",
    ),
    path(
        "<int:pk>/resultaten-laden/sjabloon.csv",
        views.bureau_template,
        name="bureau_template",
    ),
]
