from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    """Steering the outsourced front office (issue 19, ADR 0017): the framework contract and its
    monthly statement, the invoice check, the volume forecast, staffing and reachability."""

    name = "kglijn.steering"
    label = "steering"
    verbose_name = _("Steering the front office")
