"""Mounted at /tevredenheid/: the survey behind the invitation mail (public, no login)."""

from django.urls import URLPattern, URLResolver, path

from kglijn.surveys import public_views

app_name = "survey_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("bedankt/", public_views.thanks, name="thanks"),
    path("<str:token>/", public_views.survey, name="survey"),
    path("<str:token>/afmelden/", public_views.opt_out, name="opt_out"),
]
