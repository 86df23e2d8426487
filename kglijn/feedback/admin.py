"""Local teams and who works in them, in the management site (/beheer/).

Visits and feedback are deliberately not here: remarks are read by the employee concerned and
the team's lead only, through kglijn.feedback.selectors, which audit-logs the lead's reads.
"""

from typing import TYPE_CHECKING

from django.contrib import admin

from kglijn.feedback.models import LocalTeam, LocalTeamMembership

if TYPE_CHECKING:
    _LocalTeamAdminBase = admin.ModelAdmin[LocalTeam]
    _MembershipInlineBase = admin.TabularInline[LocalTeamMembership, LocalTeam]
else:  # generic for the type checker only
    _LocalTeamAdminBase = admin.ModelAdmin
    _MembershipInlineBase = admin.TabularInline


class MembershipInline(_MembershipInlineBase):
    model = LocalTeamMembership
    raw_id_fields = ("user",)
    extra = 1


@admin.register(LocalTeam)
class LocalTeamAdmin(_LocalTeamAdminBase):
    list_display = ("name", "province", "active")
    list_filter = ("province", "active")
    search_fields = ("name", "code")
    ordering = ("province", "name")
    inlines = (MembershipInline,)
