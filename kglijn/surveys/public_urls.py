from django.urls import URLPattern, URLResolver

app_name = "survey_public"
urlpatterns: list[URLPattern | URLResolver] = []
