"""Steering's staff pages under /sturing/; each package owns its own patterns."""

from __future__ import annotations

from kglijn.steering.contract.urls import urlpatterns as contract_urlpatterns
from kglijn.steering.forecast.urls import urlpatterns as forecast_urlpatterns
from kglijn.steering.reachability.urls import urlpatterns as reachability_urlpatterns
from kglijn.steering.staffing.urls import urlpatterns as staffing_urlpatterns

app_name = "steering"
urlpatterns = [
    *contract_urlpatterns,
    *forecast_urlpatterns,
    *staffing_urlpatterns,
    *reachability_urlpatterns,
]
