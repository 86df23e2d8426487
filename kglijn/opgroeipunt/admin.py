"""The customer managers' teams in the management site (/beheer/): names and the team mailbox
the urgent lane mails (issue 17). Cases, reporters and decisions are deliberately not here:
they are read through Opgroeipunt's own pages, which check the roles and audit reads, and a
decision is changed only by a new proposal (four eyes)."""

from typing import TYPE_CHECKING

from django.contrib import admin

from kglijn.opgroeipunt.models import RegionalTeam

if TYPE_CHECKING:
    _RegionalTeamAdminBase = admin.ModelAdmin[RegionalTeam]
else:  # generic for the type checker only
    _RegionalTeamAdminBase = admin.ModelAdmin


@admin.register(RegionalTeam)
class RegionalTeamAdmin(_RegionalTeamAdminBase):
    list_display = ("name", "email", "central")
    fields = ("name", "email", "central")
    ordering = ("central", "name")

    def has_delete_permission(self, request: object, obj: RegionalTeam | None = None) -> bool:
        return False  # locations and cases keep their team; rename instead
