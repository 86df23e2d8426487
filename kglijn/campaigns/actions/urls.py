"""The actions pages under /onderzoeken/ (included by kglijn/campaigns/urls.py)."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.actions import views

urlpatterns = [
    path("acties/", views.action_list, name="action_list"),
    path("acties/<int:action_id>/", views.action_edit, name="action_edit"),
    path("<int:pk>/acties/", views.campaign_actions, name="campaign_actions"),
    path("<int:pk>/acties/nieuw/", views.action_new, name="action_new"),
]
