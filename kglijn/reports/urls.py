from django.urls import path

from kglijn.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("yearly.xlsx", views.yearly_download, {"fmt": "xlsx"}, name="yearly_xlsx"),
    path("yearly.csv", views.yearly_download, {"fmt": "csv"}, name="yearly_csv"),
]
