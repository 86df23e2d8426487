from django.urls import path

from kglijn.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("yearly.xlsx", views.yearly_download, {"fmt": "xlsx"}, name="yearly_xlsx"),
    path("yearly.csv", views.yearly_download, {"fmt": "csv"}, name="yearly_csv"),
]

# The report builder, saved reports and the dashboard (builder/views.py).
from kglijn.reports.builder import views as builder_views  # noqa: E402

urlpatterns += [
    path("builder/", builder_views.builder, name="builder"),
    path(
        "builder/report.xlsx", builder_views.builder_download, {"fmt": "xlsx"}, name="builder_xlsx"
    ),
    path("builder/report.csv", builder_views.builder_download, {"fmt": "csv"}, name="builder_csv"),
    path("builder/saved/", builder_views.saved_create, name="saved_create"),
    path("builder/saved/<int:report_id>/", builder_views.saved_open, name="saved_open"),
    path("builder/saved/<int:report_id>/delete/", builder_views.saved_delete, name="saved_delete"),
    path("dashboard/", builder_views.dashboard, name="dashboard"),
]
