from django.urls import URLPattern, URLResolver, path

from kglijn.surveys.analysis import views as analysis_views

app_name = "survey_analysis"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", analysis_views.satisfaction, name="page"),
    path(
        "satisfaction.xlsx",
        analysis_views.satisfaction_download,
        {"fmt": "xlsx"},
        name="xlsx",
    ),
    path("satisfaction.csv", analysis_views.satisfaction_download, {"fmt": "csv"}, name="csv"),
]
