"""The service-level pages, served under /telephony/ in the `telephony` URL namespace.

They kept their URLs and names when they moved here (issue 14): config/urls.py joins these
patterns with kglijn.telephony.urls under that namespace.
"""

from django.urls import path

from kglijn.servicelevels import views

telephony_urlpatterns = [
    path("service-levels/", views.service_levels_page, name="service_levels"),
    path(
        "service-levels/serviceniveau.xlsx",
        views.service_levels_download,
        name="service_levels_xlsx",
    ),
    path("wallboard/", views.wallboard, name="wallboard"),
]
