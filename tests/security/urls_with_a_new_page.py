"""The project's URLs plus one page that no row of the role × URL matrix mentions."""

from django.http import HttpResponse
from django.urls import path

from kglijn.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("nieuw/", lambda request: HttpResponse("nieuw"), name="kglijn_new_page"),
]
