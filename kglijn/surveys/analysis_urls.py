from django.urls import URLPattern, URLResolver

app_name = "survey_analysis"
urlpatterns: list[URLPattern | URLResolver] = []
