"""The questionnaire pages under /onderzoeken/ (included by kglijn/campaigns/urls.py): the
builder under vragenlijsten/ and a campaign's phone entry (tab "phone")."""

from __future__ import annotations

from django.urls import path

from kglijn.campaigns.questionnaire import phone_views, views

urlpatterns = [
    path("vragenlijsten/", views.questionnaire_list, name="questionnaire_list"),
    path("vragenlijsten/nieuw/", views.questionnaire_new, name="questionnaire_new"),
    path("vragenlijsten/versies/<int:pk>/", views.version_detail, name="version_detail"),
    path(
        "vragenlijsten/versies/<int:pk>/voorbeeld/",
        views.version_preview,
        name="version_preview",
    ),
    path("vragenlijsten/versies/<int:pk>/nieuwe-versie/", views.version_new, name="version_new"),
    path(
        "vragenlijsten/versies/<int:pk>/bevriezen/",
        views.version_freeze_view,
        name="version_freeze",
    ),
    path(
        "vragenlijsten/versies/<int:pk>/inleiding/",
        views.version_introduction,
        name="version_introduction",
    ),
    path("vragenlijsten/versies/<int:pk>/thema/", views.theme_new, name="theme_new"),
    path("vragenlijsten/versies/<int:pk>/vraag/", views.item_new, name="item_new"),
    path("vragenlijsten/themas/<int:pk>/", views.theme_edit, name="theme_edit"),
    path("vragenlijsten/themas/<int:pk>/verplaatsen/", views.theme_move_view, name="theme_move"),
    path(
        "vragenlijsten/themas/<int:pk>/verwijderen/",
        views.theme_delete_view,
        name="theme_delete",
    ),
    path("vragenlijsten/vragen/<int:pk>/", views.item_edit, name="item_edit"),
    path("vragenlijsten/vragen/<int:pk>/verplaatsen/", views.item_move_view, name="item_move"),
    path("vragenlijsten/vragen/<int:pk>/verwijderen/", views.item_delete_view, name="item_delete"),
    path("<int:pk>/telefonisch/", phone_views.phone_list, name="phone_list"),
    path("<int:pk>/telefonisch/<int:unit_pk>/", phone_views.phone_entry, name="phone_entry"),
]
