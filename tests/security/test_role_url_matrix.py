"""Issue 13: the role × URL matrix. Every URL pattern, every role and anonymous, one GET each.

``EXPECTED`` says, for every URL pattern of the project, who may see it. A pattern that is not in
the table fails ``test_every_url_pattern_is_in_the_table``: a new page cannot ship without
saying who may see it.

How to add a row: put the URL name (``namespace:name``; unnamed patterns by their route) in
``EXPECTED`` with an ``Access``: ``Access(STAFF_ROLES - {...})`` for a page of some roles,
``PUBLIC`` for a page parents reach, ``SIGNED`` for a webhook. When the URL has path
parameters, add example kwargs to ``_kwargs`` (an object from the ``world`` fixture, or an id
that does not exist: then who may see it gets 404 instead of 200). Status codes other than the
defaults (200 for who may, 403 for a logged-in role that may not, 302 to the login page for
anonymous) go in ``ok``/``denied``/``anonymous``.

Admin model pages (``admin:<app>_<model>_<view>``) are covered per model in ``ADMIN_MODELS``
(who sees that model in /beheer/); a few representative pages of each are requested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kglijn.contacts.models import Office
from tests.contacts.factories import ContactFactory, ReasonFactory

ROLES = (
    "front_office",
    "pgjo_nurse",
    "childcare_handler",
    "team_lead",
    "information_manager",
    "analyst",
    "administrator",
    "childcare_customer_manager",
    "opgroeipunt_team_lead",
)
ANONYMOUS = "anonymous"
PRINCIPALS = (ANONYMOUS, *ROLES)
STAFF_ROLES = frozenset(ROLES)


@dataclass(frozen=True)
class Access:
    """Who may GET a URL, and what each kind of principal gets."""

    roles: frozenset[str]
    ok: int = 200
    denied: int = 403
    anonymous: int = 302  # to the login page
    public: bool = False  # anonymous gets ``ok`` too
    token: bool = False  # the API: each role sends its own API token, anonymous none
    overrides: dict[str, int] = field(default_factory=dict)  # principal -> status

    def expected(self, principal: str) -> int:
        if principal in self.overrides:
            return self.overrides[principal]
        if principal == ANONYMOUS:
            return self.ok if self.public else self.anonymous
        return self.ok if self.public or principal in self.roles else self.denied


def roles(*names: str, **options: Any) -> Access:
    unknown = set(names) - STAFF_ROLES
    assert not unknown, unknown
    return Access(frozenset(names), **options)


def public(ok: int = 200) -> Access:
    return Access(STAFF_ROLES, ok=ok, public=True)


def signed() -> Access:
    # Webhooks of the telephony platform: POST only, with an HMAC signature; GET → 405.
    return Access(STAFF_ROLES, ok=405, public=True)


def api(*names: str, **options: Any) -> Access:
    # The integration API (issue 15): token authentication only; no token is 401.
    return roles(*names, token=True, anonymous=401, **options)


def staff(ok: int = 200) -> Access:
    # Every logged-in role (e.g. the desk, which shows each role what it may do).
    return Access(STAFF_ROLES, ok=ok)


DESK = ("front_office", "pgjo_nurse", "childcare_handler", "team_lead")
FIGURES = ("team_lead", "information_manager", "analyst")  # reports and service levels
NOBODY: tuple[str, ...] = ()
OPGROEIPUNT = ("childcare_customer_manager", "opgroeipunt_team_lead")
# Reports deny anonymous with 403 (a page that says "please log in"), not a redirect.
REPORT = {"anonymous": 403}

EXPECTED: dict[str, Access] = {
    "home": public(ok=302),  # to the desk (which then asks to log in) or Opgroeipunt's cases
    "favicon": public(ok=302),  # to the SVG icon among the static files
    "login": Access(frozenset(), ok=200, denied=302, anonymous=200),  # logged in: to the desk
    "logout": public(ok=405),  # POST only
    "set_language": public(ok=302),
    # The desk: every role has one; it shows each what its role may do.
    "contacts:desk": staff(),
    "contacts:new": roles(*DESK),
    "contacts:province_lookup": staff(),
    "contacts:search": roles(*DESK),
    # A front-office contact: its queue (front office) and the team lead; others get 404.
    "contacts:detail": roles("front_office", "team_lead", denied=404),
    # Edit: the other desk queues get 404 (the contact is not in their queue), the rest 403.
    "contacts:edit": roles(
        "front_office",
        "team_lead",
        overrides={"pgjo_nurse": 404, "childcare_handler": 404},
    ),
    "contacts:escalate": public(ok=405),  # POST only, checked there (tests/contacts)
    "contacts:take": public(ok=405),
    "contacts:close": public(ok=405),
    "contacts:reopen": public(ok=405),
    "contacts:catalogues": roles("team_lead", "information_manager", "analyst", "administrator"),
    "contacts:catalogue_add": roles("information_manager", "administrator"),
    "contacts:catalogue_edit": roles("information_manager", "administrator"),
    "contacts:catalogue_toggle": public(ok=405),
    "contacts:audit_log": roles("team_lead", "administrator"),
    "telephony:service_levels": roles(*FIGURES, **REPORT),
    "telephony:service_levels_xlsx": roles(*FIGURES, **REPORT),
    "telephony:wallboard": roles("front_office", "team_lead", **REPORT),
    "telephony:my_call": staff(),  # the caller on one's own line
    "telephony:held_events": roles("team_lead"),
    "telephony:held_events_retry": public(ok=405),
    "survey_analysis:page": roles(*FIGURES, **REPORT),
    "survey_analysis:xlsx": roles(*FIGURES, **REPORT),
    "survey_analysis:csv": roles(*FIGURES, **REPORT),
    "reports:overview": roles(*FIGURES, **REPORT),
    "reports:yearly_xlsx": roles(*FIGURES, **REPORT),
    "reports:yearly_csv": roles(*FIGURES, **REPORT),
    "reports:builder": roles(*FIGURES, **REPORT),
    "reports:builder_xlsx": roles(*FIGURES, ok=400, **REPORT),  # no report chosen
    "reports:builder_csv": roles(*FIGURES, ok=400, **REPORT),
    "reports:saved_create": public(ok=405),
    "reports:saved_open": roles(*FIGURES, ok=404, **REPORT),  # MISSING_ID
    "reports:saved_delete": public(ok=405),
    "reports:dashboard": roles(*FIGURES, **REPORT),
    # Opgroeipunt's figures (issue 17 item 7): its own two roles, no K&G-Lijn role.
    "opgroeipunt:figures": roles("childcare_customer_manager", "opgroeipunt_team_lead", **REPORT),
    "opgroeipunt:figures_xlsx": roles(
        "childcare_customer_manager", "opgroeipunt_team_lead", **REPORT
    ),
    "surveys:follow_ups": roles("team_lead"),
    "surveys:follow_up_done": public(ok=405),
    "surveys:wording": roles("information_manager", "administrator"),
    "surveys:rules": roles("team_lead", "administrator"),
    "survey_public:thanks": public(),
    "survey_public:survey": public(ok=404),  # an unknown token
    "survey_public:opt_out": public(ok=404),
    "feedback:mine": staff(),  # one's own feedback
    "feedback:visit_new": roles(*NOBODY),  # local team members only, none of these roles
    "feedback:visit_card": roles(*STAFF_ROLES, ok=404),  # only one's own visit: MISSING_ID
    "feedback:visit_reissue": public(ok=405),
    "feedback:teams": roles("team_lead", "analyst"),
    "opgroeipunt:dashboard": roles("opgroeipunt_team_lead"),
    "feedback:teams_xlsx": roles("team_lead", "analyst"),
    "feedback:team_remarks": roles(*STAFF_ROLES, ok=404),  # MISSING_ID
    "feedback:thanks": public(),
    "feedback:answer": public(ok=404),  # an unknown token
    "mail:reply": public(ok=405),
    "mail:resend": public(ok=405),
    "mail:attachment": roles(*STAFF_ROLES, ok=404),  # MISSING_ID
    "mail:quarantine": roles("team_lead", denied=404),
    "mail:quarantine_raw": roles(*STAFF_ROLES, ok=404),  # MISSING_ID
    "mail:quarantine_handle": public(ok=405),
    "knowledge:index": roles(*DESK, "information_manager"),
    "knowledge:search": roles(*DESK, "information_manager", ok=302),  # no query: the index
    "knowledge:detail": roles(*DESK, "information_manager"),
    "knowledge:open": public(ok=405),
    "knowledge:use": public(ok=405),
    "knowledge:manage_list": roles("information_manager"),
    "knowledge:manage_new": roles("information_manager"),
    "knowledge:manage_edit": roles("information_manager"),
    "knowledge:manage_history": roles("information_manager"),
    "knowledge:manage_archive": public(ok=405),
    "knowledge:usage": roles("information_manager"),
    "webform:form": public(),
    "webform:sent": public(ok=404),  # an unknown token
    "webform:privacy": public(),
    "chat:widget": public(),
    "chat:start": public(ok=405),
    "chat:end": public(ok=405),
    "chat:new": public(ok=405),
    "chat:transcript_download": public(ok=404),  # the parent's own chat only (session)
    "chat:survey": public(ok=405),
    "chat:console": roles("pgjo_nurse", "team_lead"),
    "chat:wrap_up": roles("pgjo_nurse", "team_lead", ok=302),  # GET: back to the console
    "chat:transcript": roles(*STAFF_ROLES, ok=404),  # MISSING_ID
    "chat:transcript_txt": roles(*STAFF_ROLES, ok=404),  # MISSING_ID
    "chat:contact_transcript": roles(*STAFF_ROLES, ok=404),  # the contact has no chat
    "surveys_api:telephony_survey": signed(),
    "telephony_api:events": signed(),
    # The integration API (issue 15, docs/api.md): schema and docs are public; the rest needs
    # a token and gives its user exactly the desk's rights.
    "api:schema": public(),
    "api:docs": public(),
    "api:contacts": api(*DESK),
    # A front-office contact: the other desk queues do not see it (404); roles that read no
    # contacts are refused (403).
    "api:contact": api(
        "front_office", "team_lead", overrides={"pgjo_nurse": 404, "childcare_handler": 404}
    ),
    "api:escalate": api(*DESK, ok=405),  # POST only
    "api:close": api(*DESK, ok=405),
    "api:reopen": api(*DESK, ok=405),
    "api:reasons": api(*STAFF_ROLES),
    "api:referrals": api(*STAFF_ROLES),
    # Opgroeipunt's API (issue 17): POST only for cases and proposals (GET 405 for who may).
    "api:opgroeipunt_cases": api(*OPGROEIPUNT, ok=405),
    "api:opgroeipunt_proposals": api(*OPGROEIPUNT, ok=405),
    "api:opgroeipunt_proposal_approve": api(*OPGROEIPUNT, ok=405),
    "api:opgroeipunt_proposal_reject": api(*OPGROEIPUNT, ok=405),
    "api:opgroeipunt_location": api(*OPGROEIPUNT, ok=404),  # MISSING_ID
    # Opgroeipunt, four eyes and the enforcement track (issue 17): its two roles only.
    "opgroeipunt:proposals": roles(*OPGROEIPUNT),
    "opgroeipunt:proposal_new": roles(*OPGROEIPUNT),  # no subject: a page that says where from
    "opgroeipunt:proposal_detail": roles(*OPGROEIPUNT, ok=404),  # MISSING_ID
    "opgroeipunt:locations": roles(*OPGROEIPUNT),
    "opgroeipunt:location_detail": roles(*OPGROEIPUNT, ok=404),  # MISSING_ID
    "opgroeipunt:location_assign": public(ok=405),  # POST only (the team lead)
    # Opgroeipunt (issue 17): its own roles only; K&G-Lijn roles get 403.
    "opgroeipunt:cases": roles(*OPGROEIPUNT),
    "opgroeipunt:case_new": roles(*OPGROEIPUNT),
    "opgroeipunt:case_detail": roles(*OPGROEIPUNT, ok=404),  # MISSING_ID
    "opgroeipunt:case_take": public(ok=405),  # POST only
    "opgroeipunt:case_steps": public(ok=405),
    "opgroeipunt:forward_contact": public(ok=405),  # POST only, from the contact page's panel
    "opgroeipunt:complaints_report": roles(*OPGROEIPUNT),
    "opgroeipunt:complaints_report_xlsx": roles(*OPGROEIPUNT),
    # Opgroeipunt, synchronisation in (issue 18 item 1): the run log for its two roles; starting
    # a run or uploading a file is a POST of the team lead (opgroeipunt.run_sync).
    "opgroeipunt:sync_runs": roles(*OPGROEIPUNT),
    "opgroeipunt:sync_run": roles(*OPGROEIPUNT, ok=404),  # no run with that id
    "opgroeipunt:sync_start": public(ok=405),  # POST only
    "opgroeipunt:sync_upload": public(ok=405),  # POST only
    # Issue 18 items 3 and 4 (risk analysis, re-screening list): view_risk, both Opgroeipunt
    # roles; retraining (team lead) and proposing are POST only.
    "opgroeipunt:risk_model": roles(*OPGROEIPUNT),
    "opgroeipunt:risk_list": roles(*OPGROEIPUNT),
    "opgroeipunt:risk_retrain": public(ok=405),
    "opgroeipunt:risk_rescreen": public(ok=405),
    "opgroeipunt_public:form": public(),
    "opgroeipunt_public:thanks": public(ok=404),  # an unknown token
    # Issue 18 items 2 and 6 (s18-outtrans): synchronisation out, transparency, openness.
    "opgroeipunt:sync_outgoing": roles(*OPGROEIPUNT),  # view_syncrun; POST (send again) run_sync
    "opgroeipunt:document_requests": roles(*OPGROEIPUNT),
    "opgroeipunt:document_request_new": roles(*OPGROEIPUNT),
    "opgroeipunt:document_request_detail": roles(*OPGROEIPUNT, ok=404),  # MISSING_ID
    # change_location: the team lead records a plan of approach (MISSING_ID: 404)
    "opgroeipunt:plan_of_approach": roles("opgroeipunt_team_lead", ok=404),
    "opgroeipunt_transparency:index": public(),
    "opgroeipunt_transparency:location": public(ok=404),  # MISSING_ID: an unknown location
    # The management site: staff (the administrator role) only; others to its login page.
    "admin:index": roles("administrator", denied=302),
    "admin:login": Access(frozenset({"administrator"}), ok=302, denied=200, anonymous=200),
    "admin:logout": roles("administrator", ok=405, denied=302),
    "admin:password_change": roles("administrator", denied=302),
    "admin:password_change_done": roles("administrator", denied=302),
    "admin:autocomplete": roles("administrator", ok=403, denied=302),  # needs its parameters
    "admin:jsi18n": roles("administrator", denied=302),
    "admin:view_on_site": roles("administrator", ok=404, denied=302),  # MISSING_ID
    "admin:app_list": roles("administrator", denied=302),
    "beheer/(?P<url>.*)$": roles("administrator", ok=404, denied=302),
    # Another administrator's password form: refused (issue 13, test_admin_escalation.py).
    "admin:auth_user_password_change": roles(*NOBODY, denied=302, overrides={"administrator": 403}),
    "admin:auth_user_changelist": roles("administrator", denied=302),
    "admin:auth_user_add": roles("administrator", denied=302),
    "admin:auth_user_change": roles("administrator", denied=302),
    "admin:auth_user_history": roles("administrator", denied=302),
    "admin:auth_user_delete": roles(*NOBODY, denied=302, overrides={"administrator": 403}),
    # Issue 18 item 5 (dashboards): inspections and enforcement, for customer managers and the
    # team lead (opgroeipunt.view_inspectionvisit), with its Excel download.
    "opgroeipunt:dashboard_inspections": roles(*OPGROEIPUNT),
    "opgroeipunt:dashboard_inspections_xlsx": roles(*OPGROEIPUNT),
    # Issue 19 items 1-3 (s19-contract): the contract, the statement and the invoice check for
    # the team lead and the analyst (view_*); a new version, the upload and the contacts behind
    # an invoice line for the team lead only (manage_contract, check_invoice).
    "steering:contract": roles("team_lead", "analyst"),
    "steering:contract_version_new": roles("team_lead"),
    "steering:statement": roles("team_lead", "analyst"),
    "steering:statement_xlsx": roles("team_lead", "analyst", ok=404),  # no contract: 404
    "steering:statement_year": roles("team_lead", "analyst"),
    "steering:statement_year_xlsx": roles("team_lead", "analyst"),
    "steering:invoices": roles("team_lead", "analyst"),
    "steering:invoice_upload": public(ok=405),  # POST only (check_invoice)
    "steering:invoice": roles("team_lead", "analyst", ok=404),  # MISSING_ID
    "steering:invoice_contacts": roles("team_lead", ok=404),  # MISSING_ID
    # Issue 19 item 4 (s19-forecast): the volume forecast, steering.view_forecast (team lead and
    # analyst); a new run is a POST (steering.run_forecast, team lead). The Excel download is
    # 404 while no run exists (the matrix's world has none).
    "steering:forecast": roles("team_lead", "analyst"),
    "steering:forecast_compute": public(ok=405),
    "steering:forecast_xlsx": roles("team_lead", "analyst", ok=404),
    # Issue 19 item 5 (s19-staffing): the staffing page and its Excel (steering.view_staffing:
    # team lead and analyst); the roster upload is a POST of the team lead (steering.plan_staff).
    "steering:staffing": roles("team_lead", "analyst"),
    "steering:staffing_xlsx": roles("team_lead", "analyst"),
    "steering:staffing_roster": public(ok=405),
    # Issue 19 item 6 (s19-demo): the reachability dashboard and its Excel download
    # (steering.view_reachability: team lead and analyst).
    "steering:reachability": roles("team_lead", "analyst"),
    "steering:reachability_xlsx": roles("team_lead", "analyst"),
    # Issue 20 — questionnaire: the builder (campaigns.view_questionnaire to read: team lead,
    # information manager, analyst; manage_questionnaire to change: team lead and information
    # manager), the phone entry (enter_phone_interview), the respondent's pages (a token). The
    # world has no questionnaire or campaign (404); the changes are POST only (405).
    "campaigns:questionnaire_list": roles("team_lead", "information_manager", "analyst"),
    "campaigns:questionnaire_new": roles("team_lead", "information_manager"),
    "campaigns:version_detail": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:version_preview": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:version_new": public(ok=405),
    "campaigns:version_freeze": public(ok=405),
    "campaigns:version_introduction": roles("team_lead", "information_manager", ok=404),
    "campaigns:theme_new": roles("team_lead", "information_manager", ok=404),
    "campaigns:theme_edit": roles("team_lead", "information_manager", ok=404),
    "campaigns:theme_move": public(ok=405),
    "campaigns:theme_delete": public(ok=405),
    "campaigns:item_new": roles("team_lead", "information_manager", ok=404),
    "campaigns:item_edit": roles("team_lead", "information_manager", ok=404),
    "campaigns:item_move": public(ok=405),
    "campaigns:item_delete": public(ok=405),
    "campaigns:phone_list": roles("team_lead", "information_manager", ok=404),
    "campaigns:phone_entry": roles("team_lead", "information_manager", ok=404),
    "campaigns_public:thanks": public(),
    "campaigns_public:questionnaire": public(ok=404),  # an unknown token
    "campaigns_public:opt_out": public(ok=404),  # an unknown token
    # Issue 20 — analysis: a campaign's results and their Excel (campaigns.view_results: team
    # lead, information manager, analyst; no campaign in the world: 404); the weights are a POST.
    "campaigns:results": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:results_weights": public(ok=405),
    "campaigns:results_xlsx": roles("team_lead", "information_manager", "analyst", ok=404),
    # Issue 20 — monitoring: the live response page and its Excel (campaigns.view_campaign), the
    # methodology page and its Excel (campaigns.view_results); no campaign in this world (404).
    "campaigns:response": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:response_xlsx": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:methodology": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:methodology_xlsx": roles("team_lead", "information_manager", "analyst", ok=404),
    # Issue 20 — bureau: loading a bureau's results (campaigns.import_results: team lead and
    # information manager; uploads are POST only) and the improvement actions
    # (view_improvementaction: also the analyst; add/change: team lead, information manager).
    # The world has no campaign and no action: 404 for who may.
    "campaigns:bureau_import": roles("team_lead", "information_manager", ok=404),
    "campaigns:bureau_margins_upload": public(ok=405),
    "campaigns:bureau_respondents_upload": public(ok=405),
    "campaigns:bureau_template": roles("team_lead", "information_manager", ok=404),
    "campaigns:action_list": roles("team_lead", "information_manager", "analyst"),
    "campaigns:action_edit": roles("team_lead", "information_manager", ok=404),
    "campaigns:campaign_actions": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:action_new": roles("team_lead", "information_manager", ok=404),
    # Issue 20 (foundation): the survey campaigns and a campaign's page (campaigns.view_campaign:
    # team lead, information manager, analyst); the matrix's world has no campaign (404).
    "campaigns:campaign_list": roles("team_lead", "information_manager", "analyst"),
    "campaigns:campaign_detail": roles("team_lead", "information_manager", "analyst", ok=404),
    # Issue 20 — sampling: the set-up (campaigns.manage_campaign: team lead and information
    # manager; the draw, fieldwork and close pages are confirmations whose POST acts), the frame
    # download (campaigns.view_frame), the sample table and its Excel (view_campaign).
    "campaigns:campaign_new": roles("team_lead", "information_manager"),
    "campaigns:campaign_edit": roles("team_lead", "information_manager", ok=404),
    "campaigns:frame_upload": roles("team_lead", "information_manager", ok=404),
    "campaigns:frame_download": roles("team_lead", "information_manager", ok=404),
    "campaigns:campaign_draw": roles("team_lead", "information_manager", ok=404),
    "campaigns:campaign_fieldwork": roles("team_lead", "information_manager", ok=404),
    "campaigns:campaign_close": roles("team_lead", "information_manager", ok=404),
    "campaigns:campaign_sample": roles("team_lead", "information_manager", "analyst", ok=404),
    "campaigns:campaign_sample_xlsx": roles("team_lead", "information_manager", "analyst", ok=404),
}
# Models in /beheer/: (may open the list, may open the add form) for the administrator role.
# Every other role is no staff and is sent to the management site's login page.
ADMIN_MODELS: dict[str, tuple[bool, bool]] = {
    "auth.user": (True, True),
    "auth.group": (True, False),
    "core.closingday": (True, True),
    "telephony.servicelevelcontract": (True, True),
    "telephony.agentmapping": (True, True),  # the platform's agent ids (issue 15)
    "surveys.lowscorerule": (True, False),
    "surveys.surveyversion": (True, False),
    "feedback.localteam": (True, True),
    "opgroeipunt.regionalteam": (True, True),  # the team mailboxes (issue 17)
    "axes.accessattempt": (True, False),  # unlocking logins (issue 13)
    "axes.accesslog": (False, False),
    "axes.accessfailurelog": (False, False),
}
_ADMIN_MODEL_URL = re.compile(
    r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z]+)_(?P<view>changelist|add|change|delete|history)$"
)
_ADMIN_OBJECT_ROUTE = re.compile(r"^beheer/(?P<app>[a-z]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def iter_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(key, route) for every URL pattern; key is ``namespace:name`` or the route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from iter_patterns(
                pattern, route, f"{namespace}:{inner}".strip(":") if inner else namespace
            )
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}:{pattern.name}".lstrip(":") if pattern.name else ""
            yield (name or route), route


MISSING_ID = 999_999


@dataclass
class World:
    contact_id: int
    reason_id: int
    article_id: int
    user_id: int


@pytest.fixture
def world(make_user: Any, administrator: User) -> World:
    from kglijn.knowledge.services import article_create

    author = make_user("information_manager", "author")
    article = article_create(by=author, title="Slaap", body="Tekst.", status="published")
    return World(
        contact_id=ContactFactory(office=Office.FRONT).pk,
        reason_id=ReasonFactory().pk,
        article_id=article.pk,
        user_id=administrator.pk,
    )


def _kwargs(key: str, route: str, world: World) -> dict[str, Any]:
    """Example path parameters: real objects where they exist, else an id that does not."""
    by_name: dict[str, Any] = {
        "contact_id": world.contact_id,
        "article_id": world.article_id,
        "kind": "reason",
        "token": "onbekend-token",
        "app_label": "auth",
        "content_type_id": MISSING_ID,
        "pk": world.contact_id if key.startswith("api:") else world.reason_id,
    }
    if key.startswith("admin:auth_user_") or key == "admin:auth_user_password_change":
        by_name["object_id"] = by_name["id"] = world.user_id
    params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    return {name or group: by_name.get(name or group, MISSING_ID) for name, group in params}


def _url(key: str, route: str, world: World) -> str:
    kwargs = _kwargs(key, route, world)
    if ":" in key or key in ("login", "logout", "set_language"):
        return reverse(key, kwargs=kwargs)
    path = "/" + route
    for name, value in kwargs.items():
        path = __import__("re").sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return path


@pytest.fixture
def principals(make_user: Any) -> dict[str, Client]:
    clients = {ANONYMOUS: Client()}
    for role in ROLES:
        client = Client()
        client.force_login(make_user(role, role))
        clients[role] = client
    return clients


def _admin_model(key: str) -> str | None:
    match = _ADMIN_MODEL_URL.match(key) or _ADMIN_OBJECT_ROUTE.match(key)
    return f"{match['app']}.{match['model']}" if match else None


def _cases() -> list[tuple[str, str, Access]]:
    """Every URL pattern with its expected access; admin model pages: list and add only."""
    cases = []
    for key, route in iter_patterns():
        if key in EXPECTED:
            cases.append((key, route, EXPECTED[key]))
            continue
        model = _admin_model(key)
        if model in ADMIN_MODELS and key.endswith(("_changelist", "_add")):
            may_list, may_add = ADMIN_MODELS[model]
            allowed = may_list if key.endswith("_changelist") else may_add
            admin = frozenset({"administrator"}) if allowed else frozenset()
            refused = {} if allowed else {"administrator": 403}  # staff, without the permission
            cases.append((key, route, Access(admin, denied=302, overrides=refused)))
    return cases


def test_every_url_pattern_is_in_the_table() -> None:
    """A page cannot ship without saying who may see it."""
    unlisted = [
        key
        for key, _route in iter_patterns()
        if key not in EXPECTED and _admin_model(key) not in ADMIN_MODELS
    ]
    assert unlisted == [], (
        "URL patterns without a row in EXPECTED (tests/security/test_role_url_matrix.py): "
        f"{unlisted}"
    )


def test_the_table_names_no_url_that_does_not_exist() -> None:
    keys = {key for key, _route in iter_patterns()}
    assert set(EXPECTED) - keys == set()


def test_the_table_catches_a_new_page(settings: Any) -> None:
    # given a URL configuration with one page more than the table knows
    settings.ROOT_URLCONF = "tests.security.urls_with_a_new_page"
    with pytest.raises(AssertionError, match="kglijn_new_page"):
        test_every_url_pattern_is_in_the_table()


@pytest.fixture
def api_tokens(principals: dict[str, Client]) -> dict[str, dict[str, str]]:
    """Per principal, the headers of an API token of the same user (anonymous: none)."""
    from kglijn.api.services import token_create

    headers = {ANONYMOUS: {}}
    for role in ROLES:
        _row, key = token_create(user=User.objects.get(username=role))
        headers[role] = {"HTTP_AUTHORIZATION": f"Token {key}"}
    return headers


@pytest.mark.django_db
def test_role_url_matrix(
    principals: dict[str, Client], api_tokens: dict[str, dict[str, str]], world: World
) -> None:
    wrong = []
    for key, route, access in _cases():
        url = _url(key, route, world)
        for principal in PRINCIPALS:
            if access.token:
                response = Client().get(url, **api_tokens[principal])
            else:
                response = principals[principal].get(url)
            expected = access.expected(principal)
            if response.status_code != expected:
                wrong.append(f"{key} {url} as {principal}: {response.status_code} != {expected}")
            elif (
                expected == 302
                and principal == ANONYMOUS
                and not access.public
                and key != "admin:logout"
            ):
                location = response["Location"]
                assert "/login/" in location, f"{key} as anonymous redirects to {location}"
    assert wrong == [], "\n".join(wrong)
