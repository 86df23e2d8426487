"""The roles of the K&G-Lijn as Django groups, each with exactly the permissions its work needs.

Privacy by design: only the PGJO nurse (who writes them) and the team lead (quality follow-up)
may read health notes; the administrator manages users but reads no contact content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    slug: str
    group_name: str  # stored group name, stable (Dutch term of the source documents)
    label: Promise
    office: str | None  # the office whose queue is "my office" for this role
    permissions: tuple[str, ...]  # "app_label.codename"
    # Staff may open the management site (/beheer/); it shows only what the permissions allow.
    staff: bool = False


_CONTACT_WORK = (
    "contacts.view_contact",
    "contacts.add_contact",
    "contacts.change_contact",
    "contacts.close_contact",
    "contacts.view_customer",
    "contacts.add_customer",
    "contacts.change_customer",
    "knowledge.view_article",
)
_CATALOGUES = (
    "contacts.view_reason",
    "contacts.add_reason",
    "contacts.change_reason",
    "contacts.view_referralorganisation",
    "contacts.add_referralorganisation",
    "contacts.change_referralorganisation",
)

FRONT_OFFICE = Role(
    "front_office",
    "Frontoffice-medewerker",
    _("Front-office agent"),
    "front",
    (
        *_CONTACT_WORK,
        "contacts.escalate_contact",
        "contacts.queue_front",
        "telephony.view_wallboard",
        "opgroeipunt.forward_contact",
    ),
)
PGJO_NURSE = Role(
    "pgjo_nurse",
    "Verpleegkundige backoffice PGJO",
    _("Back-office nurse (PGJO)"),
    "pgjo",
    (
        *_CONTACT_WORK,
        "contacts.queue_pgjo",
        "contacts.view_health_note",
        "contacts.change_health_note",
        "chat.handle_chat",
        "chat.view_transcript",
    ),
)
CHILDCARE_HANDLER = Role(
    "childcare_handler",
    "Dossierbehandelaar backoffice kinderopvang",
    _("Back-office childcare handler"),
    "childcare",
    (*_CONTACT_WORK, "contacts.queue_childcare", "opgroeipunt.forward_contact"),
)
# What the team lead and the analyst read of the front office's steering (issue 19, ADR 0017).
_STEERING_READ = (
    "steering.view_contract",
    "steering.view_contractversion",
    "steering.view_statement",
    "steering.view_invoice",
    "steering.view_forecast",
    "steering.view_staffing",
    "steering.view_reachability",
)
# Satisfaction survey campaigns (issue 20, ADR 0018): the analyst reads the weighted results,
# the methodology and the improvement actions; the team lead and the information manager also
# build questionnaires, draw samples, send invitations, enter phone interviews, load a bureau's
# results and follow the actions.
_CAMPAIGN_READ = (
    "campaigns.view_campaign",
    "campaigns.view_questionnaire",
    "campaigns.view_results",
    "campaigns.view_improvementaction",
)
_CAMPAIGN_WORK = (
    *_CAMPAIGN_READ,
    "campaigns.manage_questionnaire",
    "campaigns.manage_campaign",
    "campaigns.view_frame",
    "campaigns.enter_phone_interview",
    "campaigns.import_results",
    "campaigns.add_improvementaction",
    "campaigns.change_improvementaction",
)
TEAM_LEAD = Role(
    "team_lead",
    "Leidinggevende",
    _("Team lead"),
    None,
    (
        *_CONTACT_WORK,
        "contacts.escalate_contact",
        "contacts.queue_front",
        "contacts.queue_pgjo",
        "contacts.queue_childcare",
        "contacts.view_health_note",
        "contacts.view_reason",
        "contacts.view_referralorganisation",
        "core.view_audit_log",
        "contacts.view_reports",
        "telephony.view_wallboard",
        "telephony.view_service_levels",
        "telephony.manage_held_events",
        "feedback.view_team_report",
        "surveys.view_followuptask",
        "surveys.change_followuptask",
        "surveys.view_lowscorerule",
        "surveys.change_lowscorerule",
        "chat.handle_chat",
        "chat.view_transcript",
        "mail.view_quarantine",
        "mail.change_quarantine",
        "opgroeipunt.forward_contact",
        # Steering the front office (issue 19): the contract, the invoice check, forecast,
        # staffing and reachability.
        *_STEERING_READ,
        "steering.manage_contract",
        "steering.check_invoice",
        "steering.run_forecast",
        "steering.plan_staff",
        *_CAMPAIGN_WORK,
    ),
)
INFORMATION_MANAGER = Role(
    "information_manager",
    "Informatiebeheerder",
    _("Information manager"),
    None,
    (
        *_CATALOGUES,
        "knowledge.view_article",
        "knowledge.add_article",
        "knowledge.change_article",
        "knowledge.view_usage",
        "contacts.view_reports",
        "telephony.view_service_levels",
        "surveys.view_surveyversion",
        "surveys.add_surveyversion",
        *_CAMPAIGN_WORK,
    ),
)
ANALYST = Role(
    "analyst",
    "Analist",
    _("Analyst"),
    None,
    (
        "contacts.view_reports",
        "contacts.view_reason",
        "contacts.view_referralorganisation",
        "telephony.view_service_levels",
        "feedback.view_team_report",
        *_STEERING_READ,
        *_CAMPAIGN_READ,
    ),
)
ADMINISTRATOR = Role(
    "administrator",
    "Beheerder",
    _("Administrator"),
    None,
    (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "core.view_closingday",
        "core.add_closingday",
        "core.change_closingday",
        "core.delete_closingday",
        "core.view_audit_log",
        *_CATALOGUES,
        "telephony.view_servicelevelcontract",
        "telephony.add_servicelevelcontract",
        "telephony.change_servicelevelcontract",
        # The platform's agent ids -> users (issue 15): unmapped ids are listed there.
        "telephony.view_agentmapping",
        "telephony.add_agentmapping",
        "telephony.change_agentmapping",
        "telephony.delete_agentmapping",
        "feedback.view_localteam",
        "feedback.add_localteam",
        "feedback.change_localteam",
        "feedback.view_localteammembership",
        "feedback.add_localteammembership",
        "feedback.change_localteammembership",
        "feedback.delete_localteammembership",
        "surveys.view_lowscorerule",
        "surveys.change_lowscorerule",
        "surveys.view_surveyversion",
        # Unlocking a throttled login (issue 13): see and delete failed-login records.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Opgroeipunt's teams and their mailboxes (issue 17); no case content.
        "opgroeipunt.view_regionalteam",
        "opgroeipunt.add_regionalteam",
        "opgroeipunt.change_regionalteam",
    ),
    staff=True,
)

# Opgroeipunt (issue 17): its own roles; no K&G-Lijn role holds any of these permissions.
_OPGROEIPUNT_MASTER_DATA = (
    "opgroeipunt.view_organiser",
    "opgroeipunt.view_regionalteam",
    "opgroeipunt.view_location",
    "opgroeipunt.view_locationversion",
)
# The handling team's work: cases with their reporter data, proposals and the second pair of
# eyes (the service and the database refuse approving one's own proposal), decisions, tracks.
_OPGROEIPUNT_WORK = (
    *_OPGROEIPUNT_MASTER_DATA,
    "opgroeipunt.view_case",
    "opgroeipunt.add_case",
    "opgroeipunt.change_case",
    "opgroeipunt.take_case",
    "opgroeipunt.view_reporter_data",
    "opgroeipunt.view_caseevent",
    "opgroeipunt.view_proposal",
    "opgroeipunt.add_proposal",
    "opgroeipunt.decide_proposal",
    "opgroeipunt.view_decision",
    "opgroeipunt.view_enforcementtrack",
    "opgroeipunt.view_opgroeipunt_figures",
    # Issue 18: inspections, the synchronisation's run log, the risk analysis and the
    # re-screening list, requests for documents (passive openness).
    "opgroeipunt.view_inspectionvisit",
    "opgroeipunt.view_syncrun",
    "opgroeipunt.view_risk",
    "opgroeipunt.view_documentrequest",
    "opgroeipunt.add_documentrequest",
    "opgroeipunt.change_documentrequest",
)
CHILDCARE_CUSTOMER_MANAGER = Role(
    "childcare_customer_manager",
    "Klantenbeheerder kinderopvang",
    _("Customer manager childcare"),
    None,
    _OPGROEIPUNT_WORK,
)
OPGROEIPUNT_TEAM_LEAD = Role(
    "opgroeipunt_team_lead",
    "Teamleider Opgroeipunt",
    _("Opgroeipunt team lead"),
    None,
    (
        *_OPGROEIPUNT_WORK,
        "opgroeipunt.change_location",
        "opgroeipunt.view_opgroeipunt_dashboard",
        "opgroeipunt.run_sync",
        "opgroeipunt.train_risk_model",
    ),
)

ROLES: tuple[Role, ...] = (
    FRONT_OFFICE,
    PGJO_NURSE,
    CHILDCARE_HANDLER,
    TEAM_LEAD,
    INFORMATION_MANAGER,
    ANALYST,
    ADMINISTRATOR,
    CHILDCARE_CUSTOMER_MANAGER,
    OPGROEIPUNT_TEAM_LEAD,
)
ROLES_BY_SLUG = {role.slug: role for role in ROLES}
ROLES_BY_GROUP = {role.group_name: role for role in ROLES}
