"""Service-level contracts and agent mappings in the management site (/beheer/).

Calls and their events are not here: they are the platform's record, written only by the
webhook, and the contacts they become are read through the desk. Agent mappings are saved
through kglijn.telephony.services (their calls are re-derived and the change is audited).
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from kglijn.telephony.models import AgentMapping, ServiceLevelContract
from kglijn.telephony.selectors import agent_refs_unmapped
from kglijn.telephony.services import agent_mapping_delete, agent_mapping_save

if TYPE_CHECKING:
    _ContractAdminBase = admin.ModelAdmin[ServiceLevelContract]
    _MappingAdminBase = admin.ModelAdmin[AgentMapping]
else:  # ModelAdmin is generic for the type checker only
    _ContractAdminBase = admin.ModelAdmin
    _MappingAdminBase = admin.ModelAdmin


@admin.register(ServiceLevelContract)
class ServiceLevelContractAdmin(_ContractAdminBase):
    list_display = ("office", "valid_from", "target_pct", "target_seconds", "short_abandon_seconds")
    list_filter = ("office",)
    ordering = ("office", "-valid_from")
    date_hierarchy = "valid_from"


@admin.register(AgentMapping)
class AgentMappingAdmin(_MappingAdminBase):
    """The platform's agent ids -> kglijn users; the change list also shows the ids that map to
    nobody yet, with their number of calls (docs/telephony.md §1)."""

    list_display = ("agent_ref", "user", "created_at")
    search_fields = ("agent_ref", "user__username")
    fields = ("agent_ref", "user")
    change_list_template = "admin/telephony/agentmapping/change_list.html"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # "Map" links of the unmapped list pass ?agent_ref=…
        return {"agent_ref": request.GET.get("agent_ref", "")[:150]}

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "unmapped_agents": agent_refs_unmapped(),
            "unmapped_title": _("Agent ids without a kglijn user"),
        }
        return super().changelist_view(request, extra_context=context)

    def get_readonly_fields(
        self, request: HttpRequest, obj: AgentMapping | None = None
    ) -> tuple[str, ...]:
        return ("agent_ref",) if obj is not None else ()  # another id: a new mapping

    def save_model(self, request: HttpRequest, obj: AgentMapping, form: Any, change: bool) -> None:
        by = request.user if isinstance(request.user, User) else None
        agent_mapping_save(agent_ref=obj.agent_ref, user=obj.user, by=by)
        obj.pk = AgentMapping.objects.get(agent_ref=obj.agent_ref.strip()).pk

    def delete_model(self, request: HttpRequest, obj: AgentMapping) -> None:
        by = request.user if isinstance(request.user, User) else None
        agent_mapping_delete(mapping=obj, by=by)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AgentMapping]) -> None:
        for mapping in list(queryset):
            self.delete_model(request, mapping)
