"""Service-level contracts in the management site (/beheer/): the norm per office and date.

Calls and their events are not here: they are the platform's record, written only by the
webhook, and the contacts they become are read through the desk.
"""

from typing import TYPE_CHECKING

from django.contrib import admin

from kglijn.telephony.models import ServiceLevelContract

if TYPE_CHECKING:
    _ContractAdminBase = admin.ModelAdmin[ServiceLevelContract]
else:  # ModelAdmin is generic for the type checker only
    _ContractAdminBase = admin.ModelAdmin


@admin.register(ServiceLevelContract)
class ServiceLevelContractAdmin(_ContractAdminBase):
    list_display = ("office", "valid_from", "target_pct", "target_seconds", "short_abandon_seconds")
    list_filter = ("office",)
    ordering = ("office", "-valid_from")
    date_hierarchy = "valid_from"
