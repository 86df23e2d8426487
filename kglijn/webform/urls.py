from django.urls import URLPattern, URLResolver

app_name = "webform"
urlpatterns: list[URLPattern | URLResolver] = []
