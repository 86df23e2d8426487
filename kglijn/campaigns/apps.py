from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Large satisfaction surveys (issue 20, ADR 0018): questionnaires, campaigns with their
    sample, invitations and responses, weighting and analysis, a bureau's results, improvement
    actions."""

    name = "kglijn.campaigns"
    label = "campaigns"
    verbose_name = _("Satisfaction surveys")
