"""The campaigns' staff pages under /onderzoeken/; each package owns its own patterns."""

from __future__ import annotations

from kglijn.campaigns.actions.urls import urlpatterns as actions_urlpatterns
from kglijn.campaigns.analysis.urls import urlpatterns as analysis_urlpatterns
from kglijn.campaigns.bureau.urls import urlpatterns as bureau_urlpatterns
from kglijn.campaigns.monitoring.urls import urlpatterns as monitoring_urlpatterns
from kglijn.campaigns.questionnaire.urls import urlpatterns as questionnaire_urlpatterns
from kglijn.campaigns.sampling.urls import urlpatterns as sampling_urlpatterns

app_name = "campaigns"
urlpatterns = [
    *sampling_urlpatterns,
    *questionnaire_urlpatterns,
    *analysis_urlpatterns,
    *monitoring_urlpatterns,
    *bureau_urlpatterns,
    *actions_urlpatterns,
]
