"""/api/: the OpenAPI schema, its docs, and the v1 endpoints (the webhooks keep their own
URL modules in telephony and surveys)."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from kglijn.api import opgroeipunt, views

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: the schema holds no data, and whoever integrates or fuzzes needs it first.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
    path("v1/contacts/", views.ContactListCreate.as_view(), name="contacts"),
    path("v1/contacts/<int:pk>/", views.ContactDetail.as_view(), name="contact"),
    path("v1/contacts/<int:pk>/escalate/", views.ContactEscalate.as_view(), name="escalate"),
    path("v1/contacts/<int:pk>/close/", views.ContactClose.as_view(), name="close"),
    path("v1/contacts/<int:pk>/reopen/", views.ContactReopen.as_view(), name="reopen"),
    path("v1/reasons/", views.ReasonList.as_view(), name="reasons"),
    path("v1/referrals/", views.ReferralList.as_view(), name="referrals"),
    # Opgroeipunt (issue 17): intake, four-eyes proposals, a location's enforcement state.
    path("v1/opgroeipunt/cases/", opgroeipunt.CaseCreate.as_view(), name="opgroeipunt_cases"),
    path(
        "v1/opgroeipunt/proposals/",
        opgroeipunt.ProposalCreate.as_view(),
        name="opgroeipunt_proposals",
    ),
    path(
        "v1/opgroeipunt/proposals/<int:pk>/approve/",
        opgroeipunt.ProposalApprove.as_view(),
        name="opgroeipunt_proposal_approve",
    ),
    path(
        "v1/opgroeipunt/proposals/<int:pk>/reject/",
        opgroeipunt.ProposalReject.as_view(),
        name="opgroeipunt_proposal_reject",
    ),
    path(
        "v1/opgroeipunt/locations/<str:external_id>/",
        opgroeipunt.LocationDetail.as_view(),
        name="opgroeipunt_location",
    ),
]
