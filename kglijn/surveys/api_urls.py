from django.urls import URLPattern, URLResolver, path

from kglijn.surveys.api import telephony_survey

app_name = "surveys_api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", telephony_survey, name="telephony_survey"),
]
