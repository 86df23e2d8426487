from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpgroeipuntConfig(AppConfig):
    name = "kglijn.opgroeipunt"
    label = "opgroeipunt"
    verbose_name = _("Opgroeipunt")
