"""Saved report-builder definitions: the services (writes) and selectors (reads) of
reports.models.SavedReport.

Saved reports are shared among everyone who may view reports (they hold only a definition,
no personal data); only the owner may replace or delete one.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from kglijn.reports.builder.definition import InvalidReport, ReportDefinition
from kglijn.reports.models import NAME_MAX_LENGTH, SavedReport

VIEW_PERMISSION = "contacts.view_reports"


# --- services ------------------------------------------------------------------------------------


@transaction.atomic
def report_save(*, owner: User, name: str, definition: ReportDefinition) -> SavedReport:
    """Save a definition under a name; the owner's report of that name is replaced.

    Refuses (ValidationError per field, nothing written) an empty name or a definition that
    cannot run, and users who may not view reports.
    """
    if not owner.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(_("You may not save reports."))
    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the report a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]
    definition_errors = definition.errors()
    if definition_errors:
        errors.update(InvalidReport(definition_errors).errors)
    if errors:
        raise ValidationError(errors)
    report, _created = SavedReport.objects.select_for_update().update_or_create(
        owner=owner, name=name, defaults={"definition": definition.to_json()}
    )
    return report


@transaction.atomic
def report_delete(*, report: SavedReport, by: User) -> None:
    """Delete a saved report; only its owner may (PermissionDenied otherwise, nothing deleted)."""
    if report.owner_id != by.pk:
        raise PermissionDenied(_("You can only delete your own reports."))
    SavedReport.objects.filter(pk=report.pk, owner=by).delete()


# --- selectors -----------------------------------------------------------------------------------


def saved_report_list(*, user: User | AnonymousUser) -> QuerySet[SavedReport]:
    """The saved reports a user may open: all of them for report viewers (own first), else none."""
    if not user.has_perm(VIEW_PERMISSION):
        return SavedReport.objects.none()
    return (
        SavedReport.objects.select_related("owner")
        .annotate(
            mine=Case(
                When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("mine", "name", "id")
    )


def saved_report_get(*, user: User | AnonymousUser, report_id: int) -> SavedReport:
    """One saved report the user may open; SavedReport.DoesNotExist otherwise."""
    return saved_report_list(user=user).get(pk=report_id)
