"""/api/: the OpenAPI schema, its docs, and the v1 endpoints (the webhooks keep their own
URL modules in telephony and surveys)."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from kglijn.api import views

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
]
