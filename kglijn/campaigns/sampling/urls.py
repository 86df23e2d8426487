"""The campaign list, the campaign's page, its set-up, sample and invitations under
/onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.sampling import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
]
