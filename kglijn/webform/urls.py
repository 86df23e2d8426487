from django.urls import URLPattern, URLResolver, path

from kglijn.webform import views

app_name = "webform"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.contact_form, name="form"),
    path("verzonden/<str:token>/", views.sent, name="sent"),
    path("privacy/", views.privacy, name="privacy"),
]
