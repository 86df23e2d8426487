from django.urls import path

from kglijn.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
]
