"""The main menu: every page of the staff application that has an entry, in its group.

A new app adds its page here: one `MenuEntry` in the group it belongs to (Work, Quality,
Figures, Administration), with the permission its view checks. The context processor below
puts the user's menu on every page (base.html draws it); see docs/architecture.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from kglijn.core.menu import AnyUser, MenuEntry, MenuGroup, menu_for
from kglijn.feedback.selectors import feedback_nav_state
from kglijn.opgroeipunt.decisions.selectors import proposals_waiting_for


def _my_feedback(*, user: AnyUser) -> int | None:
    """Only for employees in a local team; the counter is their unread feedback."""
    state = feedback_nav_state(user=user)
    return state.unread if state.member else None


def _desk(*, user: AnyUser) -> int | None:
    """The K&G-Lijn desk for everyone but the Opgroeipunt roles, who read no contacts (their
    work is under Opgroeipunt; config/home.py sends them there)."""
    if user.has_perm("opgroeipunt.view_case") and not user.has_perm("contacts.view_contact"):
        return None
    return 0


def _proposals_waiting(*, user: AnyUser) -> int | None:
    """The proposals another user made that this user may approve (four eyes): a counter."""
    if not isinstance(user, User) or not user.has_perm("opgroeipunt.decide_proposal"):
        return 0
    return proposals_waiting_for(user=user)


MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        key="work",
        label=_("Work"),
        entries=(
            MenuEntry(label=_("Desk"), url_name="contacts:desk", badge=_desk),
            MenuEntry(
                label=_("New contact"), url_name="contacts:new", perms=("contacts.add_contact",)
            ),
            MenuEntry(
                label=_("Search"), url_name="contacts:search", perms=("contacts.view_contact",)
            ),
            MenuEntry(
                label=_("Chat console"), url_name="chat:console", perms=("chat.handle_chat",)
            ),
            MenuEntry(
                label=_("My feedback"),
                url_name="feedback:mine",
                badge=_my_feedback,
                key="feedback-mine",
            ),
        ),
    ),
    MenuGroup(
        key="quality",
        label=_("Quality"),
        entries=(
            MenuEntry(
                label=_("Knowledge base"),
                url_name="knowledge:index",
                perms=("knowledge.view_article",),
                prefix=True,
            ),
            MenuEntry(
                label=_("Follow-up"),
                url_name="surveys:follow_ups",
                perms=("surveys.view_followuptask",),
            ),
            MenuEntry(
                label=_("Feedback teams"),
                url_name="feedback:teams",
                perms=("feedback.view_team_report",),
            ),
            MenuEntry(
                label=_("Survey questions"),
                url_name="surveys:wording",
                perms=("surveys.view_surveyversion",),
            ),
            MenuEntry(
                label=_("Satisfaction surveys"),
                url_name="campaigns:campaign_list",
                perms=("campaigns.view_campaign",),
            ),
            MenuEntry(
                label=_("Questionnaires"),
                url_name="campaigns:questionnaire_list",
                perms=("campaigns.view_questionnaire",),
                prefix=True,
            ),
            MenuEntry(
                label=_("Improvement actions"),
                url_name="campaigns:action_list",
                perms=("campaigns.view_improvementaction",),
            ),
        ),
    ),
    MenuGroup(
        key="figures",
        label=_("Figures"),
        entries=(
            MenuEntry(
                label=_("Reports"), url_name="reports:overview", perms=("contacts.view_reports",)
            ),
            MenuEntry(
                label=_("Service level"),
                url_name="telephony:service_levels",
                perms=("telephony.view_service_levels",),
            ),
            MenuEntry(
                label=_("Wallboard"),
                url_name="telephony:wallboard",
                perms=("telephony.view_wallboard",),
            ),
        ),
    ),
    MenuGroup(
        key="steering",
        label=_("Steering"),
        entries=(
            MenuEntry(
                label=_("Front-office contract"),
                url_name="steering:contract",
                perms=("steering.view_contract",),
            ),
            MenuEntry(
                label=_("Monthly statement"),
                url_name="steering:statement",
                perms=("steering.view_statement",),
            ),
            MenuEntry(
                label=_("Invoice check"),
                url_name="steering:invoices",
                perms=("steering.view_invoice",),
            ),
            MenuEntry(
                label=_("Volume forecast"),
                url_name="steering:forecast",
                perms=("steering.view_forecast",),
            ),
            MenuEntry(
                label=_("Staffing"),
                url_name="steering:staffing",
                perms=("steering.view_staffing",),
            ),
            MenuEntry(
                label=_("Reachability"),
                url_name="steering:reachability",
                perms=("steering.view_reachability",),
            ),
        ),
    ),
    MenuGroup(
        key="opgroeipunt",
        label=_("Opgroeipunt"),
        entries=(
            MenuEntry(
                label=_("Cases"), url_name="opgroeipunt:cases", perms=("opgroeipunt.view_case",)
            ),
            MenuEntry(
                label=_("New case"),
                url_name="opgroeipunt:case_new",
                perms=("opgroeipunt.add_case",),
            ),
            MenuEntry(
                label=_("Proposals"),
                url_name="opgroeipunt:proposals",
                perms=("opgroeipunt.view_proposal",),
                badge=_proposals_waiting,
                key="opgroeipunt-proposals",
            ),
            MenuEntry(
                label=_("Locations"),
                url_name="opgroeipunt:locations",
                perms=("opgroeipunt.view_location",),
                prefix=True,
            ),
            MenuEntry(
                label=_("Dashboard"),
                url_name="opgroeipunt:dashboard",
                perms=("opgroeipunt.view_opgroeipunt_dashboard",),
            ),
            MenuEntry(
                label=_("Inspections and enforcement"),
                url_name="opgroeipunt:dashboard_inspections",
                perms=("opgroeipunt.view_inspectionvisit",),
            ),
            MenuEntry(
                label=_("Risk analysis"),
                url_name="opgroeipunt:risk_model",
                perms=("opgroeipunt.view_risk",),
            ),
            MenuEntry(
                label=_("Re-screening list"),
                url_name="opgroeipunt:risk_list",
                perms=("opgroeipunt.view_risk",),
            ),
            MenuEntry(
                label=_("Requests for documents"),
                url_name="opgroeipunt:document_requests",
                perms=("opgroeipunt.view_documentrequest",),
                prefix=True,
            ),
            MenuEntry(
                label=_("Synchronisation"),
                url_name="opgroeipunt:sync_runs",
                perms=("opgroeipunt.view_syncrun",),
            ),
            MenuEntry(
                label=_("Outgoing synchronisation"),
                url_name="opgroeipunt:sync_outgoing",
                perms=("opgroeipunt.view_syncrun",),
            ),
            MenuEntry(
                label=_("Opgroeipunt figures"),
                url_name="opgroeipunt:figures",
                perms=("opgroeipunt.view_opgroeipunt_figures",),
            ),
            MenuEntry(
                label=_("Complaints report"),
                url_name="opgroeipunt:complaints_report",
                perms=("opgroeipunt.view_opgroeipunt_figures",),
            ),
        ),
    ),
    MenuGroup(
        key="administration",
        label=_("Administration"),
        entries=(
            MenuEntry(
                label=_("Catalogues"),
                url_name="contacts:catalogues",
                perms=("contacts.view_reason", "contacts.view_referralorganisation"),
            ),
            MenuEntry(
                label=_("Mail quarantine"),
                url_name="mail:quarantine",
                perms=("mail.view_quarantine",),
            ),
            MenuEntry(
                label=_("Audit log"), url_name="contacts:audit_log", perms=("core.view_audit_log",)
            ),
            MenuEntry(label=_("Management"), url_name="admin:index", staff=True),
        ),
    ),
)


def main_menu(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the signed-in user's menu, built on first use (once per response;
    pages without the header pay nothing)."""
    return {
        "main_menu": SimpleLazyObject(
            lambda: menu_for(user=request.user, path=request.path, groups=MENU)
        )
    }
