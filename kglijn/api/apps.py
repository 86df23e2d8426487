from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kglijn.api"
    label = "api"
    verbose_name = _("Integration API")

    def ready(self) -> None:
        # drf-spectacular finds the token scheme through this extension's registration.
        from kglijn.api import schema  # noqa: F401
