"""The campaign list, the campaign's page, its set-up, sample and invitations under
/onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.sampling import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("nieuw/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/bewerken/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/populatie/", views.frame_upload, name="frame_upload"),
    path("<int:pk>/populatie.csv", views.frame_download, name="frame_download"),
    path("<int:pk>/trekken/", views.campaign_draw, name="campaign_draw"),
    path("<int:pk>/veldwerk/", views.campaign_fieldwork, name="campaign_fieldwork"),
    path("<int:pk>/afsluiten/", views.campaign_close_view, name="campaign_close"),
    path("<int:pk>/steekproef/", views.campaign_sample, name="campaign_sample"),
    path("<int:pk>/steekproef.xlsx", views.campaign_sample_xlsx, name="campaign_sample_xlsx"),
]
