from django.urls import URLPattern, URLResolver, path

from kglijn.surveys import views

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:task_id>/done/", views.follow_up_done, name="follow_up_done"),
    path("wording/", views.wording, name="wording"),
    path("rules/", views.rules, name="rules"),
]
