"""The respondent's pages under /onderzoek/ (included by kglijn/campaigns/public_urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kglijn.campaigns.questionnaire import public_views

urlpatterns: list[URLPattern] = [
    path("bedankt/", public_views.thanks, name="thanks"),
    path("<str:token>/", public_views.questionnaire, name="questionnaire"),
    path("<str:token>/afmelden/", public_views.opt_out, name="opt_out"),
]
