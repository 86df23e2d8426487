"""The respondent's public pages under /onderzoek/ (no login: the mail's link token)."""

from __future__ import annotations

from kglijn.campaigns.questionnaire.public_urls import urlpatterns as questionnaire_urlpatterns

app_name = "campaigns_public"
urlpatterns = [*questionnaire_urlpatterns]
