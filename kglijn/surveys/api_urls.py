from django.urls import URLPattern, URLResolver

app_name = "surveys_api"
urlpatterns: list[URLPattern | URLResolver] = []
