from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from kglijn.config.home import home
from kglijn.servicelevels.urls import telephony_urlpatterns as service_level_urlpatterns
from kglijn.telephony.urls import urlpatterns as telephony_urlpatterns


class FaviconRedirect(RedirectView):
    """/favicon.ico, which browsers and tools ask for without reading the page: our SVG icon.

    Temporary (302): the static URL carries a content hash in production, which changes.
    """

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("kglijn/favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", include("kglijn.contacts.urls")),
    # The phone channel's pages and, at their old paths and names, the service-level reader's.
    path(
        "telephony/",
        include((service_level_urlpatterns + telephony_urlpatterns, "telephony")),
    ),
    path("reports/satisfaction/", include("kglijn.surveys.analysis.urls")),
    path("reports/", include("kglijn.reports.urls")),
    path("surveys/", include("kglijn.surveys.urls")),
    path("tevredenheid/", include("kglijn.surveys.public_urls")),
    path("feedback/", include("kglijn.feedback.urls")),
    path("mail/", include("kglijn.mail.urls")),
    path("kennisbank/", include("kglijn.knowledge.urls")),
    path("contact/", include("kglijn.webform.urls")),
    path("chat/", include("kglijn.chat.urls")),
    path("opgroeipunt/", include("kglijn.opgroeipunt.urls")),
    path("sturing/", include("kglijn.steering.urls")),
    path("onderzoeken/", include("kglijn.campaigns.urls")),
    path("onderzoek/", include("kglijn.campaigns.public_urls")),
    path("melden/", include("kglijn.opgroeipunt.public_urls")),
    path("kinderopvang/", include("kglijn.opgroeipunt.transparency.public_urls")),
    path("api/v1/telephony/survey/", include("kglijn.surveys.api_urls")),
    path("api/v1/telephony/", include("kglijn.telephony.api_urls")),
    path("api/", include("kglijn.api.urls")),
    path("beheer/", admin.site.urls),
]

# Stand-alone Dutch error pages without settings or database (issue 13).
handler500 = "kglijn.config.errors.server_error"
# JSON under /api/ (issue 15), Django's page elsewhere.
handler404 = "kglijn.api.errors.not_found"
