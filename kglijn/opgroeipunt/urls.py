"""Opgroeipunt's staff pages under /opgroeipunt/; each package owns its own patterns."""

from __future__ import annotations

from kglijn.opgroeipunt.cases.urls import urlpatterns as case_urlpatterns
from kglijn.opgroeipunt.dashboard.urls import urlpatterns as dashboard_urlpatterns
from kglijn.opgroeipunt.decisions.urls import urlpatterns as decision_urlpatterns
from kglijn.opgroeipunt.figures.urls import urlpatterns as figure_urlpatterns
from kglijn.opgroeipunt.risk.urls import urlpatterns as risk_urlpatterns
from kglijn.opgroeipunt.sync.outgoing_urls import urlpatterns as sync_outgoing_urlpatterns
from kglijn.opgroeipunt.sync.urls import urlpatterns as sync_urlpatterns
from kglijn.opgroeipunt.transparency.urls import urlpatterns as transparency_urlpatterns

app_name = "opgroeipunt"
urlpatterns = [
    *case_urlpatterns,
    *decision_urlpatterns,
    *figure_urlpatterns,
    *dashboard_urlpatterns,
    *sync_urlpatterns,
    *sync_outgoing_urlpatterns,
    *risk_urlpatterns,
    *transparency_urlpatterns,
]
