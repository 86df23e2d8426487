"""The management site (/beheer/) for administrators: users, roles and closing days.

Contacts are deliberately not registered here: every read of a contact goes through the desk's
selectors, which enforce privacy and write the audit log.
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from kglijn.core.models import ClosingDay

admin.site.site_header = _("Kind en Gezin-Lijn — management")
admin.site.site_title = _("Kind en Gezin-Lijn management")
admin.site.index_title = _("Users, roles and closing days")

# django-tasks-db registers its stored tasks (ADR 0013); they are the worker's bookkeeping,
# not something administrators manage (the outbox's state is on the answers and invitations).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


if TYPE_CHECKING:
    _ClosingDayAdminBase = admin.ModelAdmin[ClosingDay]
else:  # ModelAdmin is generic for the type checker only
    _ClosingDayAdminBase = admin.ModelAdmin


@admin.register(ClosingDay)
class ClosingDayAdmin(_ClosingDayAdminBase):
    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
