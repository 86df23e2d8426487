from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:desk", permanent=False)),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", include("kglijn.contacts.urls")),
    path("reports/", include("kglijn.reports.urls")),
    path("telephony/", include("kglijn.telephony.urls")),
    path("api/v1/telephony/", include("kglijn.telephony.api_urls")),
    path("beheer/", admin.site.urls),
]
