"""Users in the management site (/beheer/): what the administrator role may and may not do.

The rule (issue 13): the administrator manages users and their roles, but can never raise
anyone's rights beyond the roles of ``roles.py``, nor her own:

- she gives a user roles (groups) only from the nine roles of ``roles.py``; ``is_staff`` follows
  from the roles (only the administrator role is staff), never from a tick box;
- she never sees nor posts ``is_superuser``, ``is_staff`` or individual ``user_permissions``:
  the fields are not on the form, so a manipulated POST is ignored, not applied;
- she never changes her own groups nor her own active flag (so she can never gain a role that
  reads contact content: front office, nurse, childcare handler, team lead);
- she cannot change a superuser, and cannot open another user's password form (her own only);
- every role change (roles added or removed, user created with roles, (de)activated) is written
  to kglijn's audit log with who, whom, and before/after.

A superuser (made with ``kglijn createsuperuser`` on the server) keeps Django's full user admin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kglijn.accounts.roles import ROLES
from kglijn.accounts.services import user_access_audit, user_access_snapshot, user_staff_sync
from kglijn.accounts.throttle import lockout_release_audit

if TYPE_CHECKING:
    _UserAdminBase = UserAdmin[User]
else:  # UserAdmin is generic for the type checker only
    _UserAdminBase = UserAdmin

# What an administrator (not a superuser) may edit. Anything else posted is ignored.
_ADMINISTRATOR_FIELDSETS = (
    (None, {"fields": ("username",)}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (_("Role"), {"fields": ("is_active", "groups")}),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)
_ADMINISTRATOR_ADD_FIELDSETS = (
    (
        None,
        {
            "classes": ("wide",),
            "fields": ("username", "usable_password", "password1", "password2", "groups"),
        },
    ),
)


class PasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """Django's, with its warning translated: Django glues it on in English, untranslatable."""

    usable_password_help_text = format_lazy(  # type: ignore[assignment]  # lazy, like Django's
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


def role_groups() -> QuerySet[Group]:
    """The groups an administrator may hand out: the nine roles of roles.py, nothing else."""
    return Group.objects.filter(name__in=[role.group_name for role in ROLES])


class KglijnUserAdmin(_UserAdminBase):
    """Django's user admin, narrowed for the administrator role (rules: module docstring)."""

    list_display = ("username", "first_name", "last_name", "is_active", "is_staff")
    change_password_form = PasswordChangeForm
    list_filter = ("is_active", "groups")

    # -- which fields -------------------------------------------------------------------------
    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return _ADMINISTRATOR_ADD_FIELDSETS if obj is None else _ADMINISTRATOR_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        readonly = ["last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["groups", "is_active"]  # never her own roles
        return readonly

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = role_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- whom ---------------------------------------------------------------------------------
    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if not request.user.is_superuser and str(request.user.pk) != str(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    # -- saving, with the audit trail ---------------------------------------------------------
    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        before = None
        if change and obj.pk:
            before = user_access_snapshot(user=User.objects.get(pk=obj.pk))
        if not request.user.is_superuser:
            obj.is_superuser = False  # never granted here, whatever was posted
            if not change:
                obj.is_staff = False  # follows the roles, set in save_related
        request._kglijn_access_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not request.user.is_superuser:
            if user.pk != request.user.pk:
                extra = user.groups.exclude(pk__in=role_groups())
                if extra.exists():  # only roles, even if a POST named another group
                    user.groups.remove(*extra)
            user_staff_sync(user=user)
        assert isinstance(request.user, User)
        user_access_audit(
            actor=request.user,
            user=user,
            before=getattr(request, "_kglijn_access_before", None),
        )


class KglijnGroupAdmin(GroupAdmin):
    """Roles are read-only here: their permissions come from code (ADR 0003)."""

    def has_change_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return bool(request.user.is_superuser)


class KglijnAccessAttemptAdmin(AccessAttemptAdmin):  # type: ignore[misc]
    """Failed logins; deleting an attempt unlocks that account/client, and is audit-logged."""

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self._audit_unlock(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        self._audit_unlock(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_unlock(request: HttpRequest, attempts: list[AccessAttempt]) -> None:
        assert isinstance(request.user, User)
        for attempt in attempts:
            lockout_release_audit(
                actor=request.user, username=attempt.username or "", ip_address=attempt.ip_address
            )


admin.site.unregister(User)
admin.site.register(User, KglijnUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, KglijnGroupAdmin)
if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, KglijnAccessAttemptAdmin)
