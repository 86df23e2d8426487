"""Opgroeipunt's master data: organisers and childcare locations, kept with their history.

Every change to a location goes through ``services.py``, which writes one ``LocationVersion``
row per real change (docs/opgroeipunt.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import Province


class CareType(models.TextChoices):
    GROUP = "group", _("Group care")
    FAMILY = "family", _("Family care")


class Subsidy(models.TextChoices):
    T0 = "T0", "T0"
    T1 = "T1", "T1"
    T2 = "T2", "T2"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    CLOSED = "closed", _("Closed")


class Organiser(models.Model):
    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")

    def __str__(self) -> str:
        return self.name


class RegionalTeam(models.Model):
    """The customer managers' teams: four regional teams and one central team (seeded)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    central = models.BooleanField(_("central team"), default=False)
    # The team's shared mailbox: urgent cases of the team are announced there (ADR 0015 §6).
    email = models.EmailField(_("team mailbox"), max_length=254, blank=True)

    class Meta:
        ordering = ["central", "name"]
        verbose_name = _("regional team")
        verbose_name_plural = _("regional teams")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    organiser = models.ForeignKey(
        Organiser, on_delete=models.PROTECT, related_name="locations", verbose_name=_("organiser")
    )
    name = models.CharField(_("name"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4)
    province = models.CharField(_("province"), max_length=6, choices=Province.choices)
    care_type = models.CharField(_("care type"), max_length=6, choices=CareType.choices)
    places = models.PositiveIntegerField(_("places"))
    subsidy = models.CharField(_("subsidy level"), max_length=2, choices=Subsidy.choices)
    income_tariff = models.BooleanField(_("income-related tariff"))
    active = models.BooleanField(_("active"), default=True)
    licence_status = models.CharField(
        _("licence status"),
        max_length=9,
        choices=LicenceStatus.choices,
        default=LicenceStatus.ACTIVE,
    )
    regional_team = models.ForeignKey(
        RegionalTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("regional team"),
    )
    spoc = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spoc_locations",
        verbose_name=_("single point of contact"),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(care_type__in=CareType.values), name="opgroeipunt_location_care_type"
            ),
            models.CheckConstraint(
                condition=Q(subsidy__in=Subsidy.values), name="opgroeipunt_location_subsidy"
            ),
            models.CheckConstraint(
                condition=Q(licence_status__in=LicenceStatus.values),
                name="opgroeipunt_location_licence_status",
            ),
            models.CheckConstraint(
                condition=Q(province__in=Province.values), name="opgroeipunt_location_province"
            ),
            models.CheckConstraint(condition=Q(places__gte=0), name="opgroeipunt_location_places"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class LocationVersion(models.Model):
    """One change of a location: its changed fields' old and new values, by whom or what, when.

    ``changes`` is ``{"field": [old, new], ...}`` (values as stored: ids for foreign keys); a
    creation has ``created`` set and ``old`` null. Written only by ``services.py``.
    """

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="versions", verbose_name=_("location")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)  # e.g. "import:file.csv"
    created = models.BooleanField(_("created"), default=False)
    changes = models.JSONField(_("changes"))

    class Meta:
        ordering = ["location", "changed_at", "id"]
        verbose_name = _("location version")
        verbose_name_plural = _("location versions")

    def __str__(self) -> str:
        return f"{self.location_id} {self.changed_at:%Y-%m-%d %H:%M}"


# --- The register of cases (issue 17, ADR 0015) -------------------------------------------------


class CaseKind(models.TextChoices):
    SIGNAL = "signal", _("Signal")
    REPORT = "report", _("Report")
    COMPLAINT = "complaint", _("Complaint")
    FEEDBACK = "feedback", _("Feedback")
    DANGER = "danger", _("Danger situation")
    STAFF_SHORTAGE = "staff_shortage", _("Staff-shortage report")


class CaseSource(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public form")
    CONTACT = "contact", _("K&G-Lijn contact")
    INSPECTION = "inspection", _("Zorginspectie")
    STAFF = "staff", _("Staff")
    API = "api", _("Integration API")
    IMPORT = "import", _("Import")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")  # received, not yet taken up by a customer manager
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class StaffShortageMeasure(models.TextChoices):
    REDUCED_HOURS = "reduced_hours", _("Reduced opening hours")
    PARTIAL_CLOSURE = "partial_closure", _("Partial closure")
    CLOSING_DAYS = "closing_days", _("Extra closing days")


class Case(models.Model):
    """One signal, report, complaint, feedback, danger situation or staff-shortage report.

    Reporter data lives apart (``Reporter``), readable only by Opgroeipunt's roles and audited.
    Decisions on a case (admissibility, lowering urgency, closing a danger situation) are made
    only through an approved ``Proposal`` (four eyes); every change writes a ``CaseEvent``.
    """

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=14, choices=CaseKind.choices)
    source = models.CharField(_("source"), max_length=11, choices=CaseSource.choices)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=11, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    locations = models.ManyToManyField(
        Location, blank=True, related_name="cases", verbose_name=_("locations")
    )
    regional_team = models.ForeignKey(
        RegionalTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("regional team"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opgroeipunt_cases",
        verbose_name=_("handler"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    # A K&G-Lijn contact this case was forwarded from (both pages link to each other).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opgroeipunt_cases",
        verbose_name=_("K&G-Lijn contact"),
    )
    # Urgent lane: danger situations and crisis reports; due = received + the term in hours.
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_due_at = models.DateTimeField(_("urgent response due"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken up at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Complaints (Bestuursdecreet art. II.74-II.87): set by decisions and the handler's steps.
    admissible = models.BooleanField(_("admissible"), null=True, blank=True)
    admissibility_reason = models.CharField(_("reason not admissible"), max_length=30, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    conciliation = models.TextField(_("conciliatory handling"), max_length=5_000, blank=True)
    handler_not_involved = models.BooleanField(
        _("handler not involved in the facts"), default=False
    )
    ombudsman_informed = models.BooleanField(
        _("complainant told of the Vlaamse Ombudsdienst"), default=False
    )
    # Staff-shortage reports: the organiser's measures and their period.
    measures = models.JSONField(_("measures"), default=list, blank=True)
    measures_from = models.DateField(_("measures from"), null=True, blank=True)
    measures_until = models.DateField(_("measures until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_reporter_data", _("Can see reporter data")),
            ("take_case", _("Can take up and handle cases")),
            ("view_opgroeipunt_dashboard", _("Can see the Opgroeipunt dashboard")),
            ("view_opgroeipunt_figures", _("Can see the Opgroeipunt figures")),
            # K&G-Lijn agents forward a contact into Opgroeipunt without seeing its cases.
            ("forward_contact", _("Can forward a K&G-Lijn contact to Opgroeipunt")),
        ]
        indexes = [
            models.Index(fields=["kind", "received_at"], name="opgroeipunt_case_kind_recv"),
            models.Index(fields=["status", "urgent"], name="opgroeipunt_case_status_urg"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseKind.values), name="opgroeipunt_case_kind"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CaseSource.values), name="opgroeipunt_case_source"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="opgroeipunt_case_status"
            ),
            models.CheckConstraint(
                condition=Q(urgent=False) | Q(urgent_due_at__isnull=False),
                name="opgroeipunt_case_urgent_has_due",
            ),
        ]

    def __str__(self) -> str:
        return f"OP-{self.pk}"


class Reporter(models.Model):
    """Who reported a case: apart from the case, read only through an audited selector."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="reporter", verbose_name=_("case")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    relation = models.CharField(_("relation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self) -> str:
        return f"reporter of {self.case_id}"


class CaseEvent(models.Model):
    """One change in a case's life (append-only): what changed, by whom, when."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    what = models.CharField(_("what"), max_length=40)  # e.g. "created", "taken", "decision"
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), max_length=5_000, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.what}"


# --- Four eyes: proposals and decisions ---------------------------------------------------------


class DecisionKind(models.TextChoices):
    # Decisions on a case.
    ADMISSIBLE = "admissible", _("Complaint admissible")
    NOT_ADMISSIBLE = "not_admissible", _("Complaint not admissible")
    URGENCY_LOWERED = "urgency_lowered", _("Urgency lowered")
    DANGER_CLOSED = "danger_closed", _("Danger situation closed")
    # The enforcement track of a location (the import's kinds, issue 17, plus the live steps).
    ENFORCEMENT_STARTED = "enforcement_started", _("Enforcement started (improvement track)")
    WARNING = "warning", _("Formal warning (aanmaning)")
    INTENTION = "intention", _("Intention with hearing")
    SUSPENSION = "suspension", _("Suspension of the licence")
    REVOCATION = "revocation", _("Revocation of the licence")
    # Issue 18: a location put forward for re-screening by the risk analysis (four eyes too).
    RESCREENING = "rescreening", _("Re-screening of the location")
    INSPECTION_ADVICE_REQUESTED = "inspection_advice_requested", _("Zorginspectie advice requested")
    INSPECTION_ADVICE = "inspection_advice", _("Zorginspectie enforcement advice received")
    PROTECTIVE_MEASURE = "protective_measure", _("Protective measure")
    PRIORITY_SUPPORT = "priority_support", _("Priority support")
    CIVIL_PARTY = "civil_party", _("Civil-party proceedings")
    EVALUATION_POSITIVE = "evaluation_positive", _("Positive evaluation")
    EVALUATION_NEGATIVE = "evaluation_negative", _("Negative evaluation")
    ENFORCEMENT_CLOSED = "enforcement_closed", _("Enforcement closed")


CASE_DECISION_KINDS = frozenset(
    {
        DecisionKind.ADMISSIBLE,
        DecisionKind.NOT_ADMISSIBLE,
        DecisionKind.URGENCY_LOWERED,
        DecisionKind.DANGER_CLOSED,
    }
)


class NotAdmissibleReason(models.TextChoices):
    FACTS_OLDER_THAN_A_YEAR = "older_than_a_year", _("The facts are older than a year")
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded", _("Manifestly unfounded")
    ALREADY_HANDLED = "already_handled", _("Already handled")
    NO_INTEREST = "no_interest", _("The complainant has no interest")
    COMPLAINANT_UNKNOWN = "complainant_unknown", _("The complainant is unknown")
    FACTS_UNKNOWN = "facts_unknown", _("The facts are not known")
    SUBJECT_OF_PROCEEDINGS = "in_proceedings", _("The facts are subject of court proceedings")


class EnforcementState(models.TextChoices):
    NONE = "none", _("No enforcement")
    IMPROVEMENT_TRACK = "improvement_track", _("Improvement track")
    WARNING = "warning", _("Formal warning")
    INTENTION = "intention", _("Intention with hearing")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for a second pair of eyes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Proposal(models.Model):
    """A decision proposed with its motivation; it takes effect only when another user approves.

    The database refuses an approver who is the proposer (CHECK), whatever path writes it.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=DecisionKind.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("case"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("location"),
    )
    motivation = models.TextField(_("motivation"), max_length=5_000)
    # Kind-specific values: {"reason": ...} for not admissible, {"effective_from": "YYYY-MM-DD",
    # "effective_until": ...} for measures.
    payload = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opgroeipunt_proposals",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), max_length=5_000, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        permissions = [("decide_proposal", _("Can approve or reject another's proposal"))]
        indexes = [models.Index(fields=["status", "proposed_at"], name="opgroeipunt_prop_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="opgroeipunt_proposal_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="opgroeipunt_proposal_status"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(location__isnull=False),
                name="opgroeipunt_proposal_subject",
            ),
            # Four eyes, in the database: nobody approves or rejects their own proposal.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="opgroeipunt_proposal_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.PROPOSED)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="opgroeipunt_proposal_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class EnforcementTrack(models.Model):
    """One enforcement track of a location, from its start to its close.

    ``state`` and ``positive_evaluations`` are derived from the track's decisions in date order
    (``enforcement/transitions.py``) and stored for queries; at most one track is open per
    location.
    """

    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="enforcement_tracks",
        verbose_name=_("location"),
    )
    started_at = models.DateTimeField(_("started at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=17,
        choices=EnforcementState.choices,
        default=EnforcementState.IMPROVEMENT_TRACK,
    )
    positive_evaluations = models.PositiveSmallIntegerField(
        _("consecutive positive evaluations"), default=0
    )
    # Orders that broke today's transition table in imported history (kept, never refused).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # 002 "Actieve openbaarheid": published once the organiser has a plan of approach (issue 18).
    plan_of_approach_on = models.DateField(_("plan of approach since"), null=True, blank=True)

    class Meta:
        ordering = ["location", "started_at", "id"]
        verbose_name = _("enforcement track")
        verbose_name_plural = _("enforcement tracks")
        indexes = [
            models.Index(fields=["started_at", "closed_at"], name="opgroeipunt_track_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(closed_at__isnull=True),
                name="opgroeipunt_track_one_open_per_location",
            ),
            models.CheckConstraint(
                condition=Q(state__in=EnforcementState.values), name="opgroeipunt_track_state"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("started_at")),
                name="opgroeipunt_track_closed_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.started_at:%Y-%m-%d}"


class DecisionSource(models.TextChoices):
    APPROVED = "approved", _("Approved proposal")
    IMPORT = "import", _("Import")


class Decision(models.Model):
    """A decision in force (append-only): made by approving a proposal, or imported history.

    A wrong decision is corrected by a new proposal, never by an edit.
    """

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DecisionKind.choices)
    source = models.CharField(_("source"), max_length=8, choices=DecisionSource.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("case"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("location"),
    )
    track = models.ForeignKey(
        EnforcementTrack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("enforcement track"),
    )
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("proposal"),
    )
    decided_at = models.DateTimeField(_("decided at"))
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    motivation = models.TextField(_("motivation"), max_length=5_000, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["kind", "decided_at"], name="opgroeipunt_dec_kind_at"),
            models.Index(fields=["location", "decided_at"], name="opgroeipunt_dec_loc_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="opgroeipunt_decision_kind"
            ),
            models.CheckConstraint(
                condition=Q(source__in=DecisionSource.values), name="opgroeipunt_decision_source"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(location__isnull=False),
                name="opgroeipunt_decision_subject",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(proposed_by__isnull=True)
                | ~Q(approved_by=models.F("proposed_by")),
                name="opgroeipunt_decision_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(source=DecisionSource.IMPORT)
                | (Q(proposal__isnull=False) & Q(approved_by__isnull=False)),
                name="opgroeipunt_decision_approved_has_proposal",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="opgroeipunt_decision_effective_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_at:%Y-%m-%d}"


# --- Issue 18: synchronisation, inspections, risk analysis, transparency (ADR 0016) ------------


class InspectionType(models.TextChoices):
    """Why Zorginspectie visits (002, "Soort inspectiebezoek"); a visit has one or more."""

    REGULAR = "regular", _("Regular inspection")
    COMPLAINT = "complaint", _("Complaint")
    DANGER_SITUATION = "danger_situation", _("Danger situation")
    FOLLOW_UP = "follow_up_risk_enforcement", _("Follow-up of risk or enforcement")
    DOSSIER_REVIEW = "dossier_review", _("Dossier review")
    ADVICE_ENFORCEMENT = "advice_enforcement", _("Enforcement advice")


class FindingSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class InspectionVisit(models.Model):
    """One visit of Zorginspectie to a location, as the inspection system sends it.

    ``types`` is a list of ``InspectionType`` values (at least one); ``findings`` a list of
    ``{"theme": str, "severity": FindingSeverity, "text": str}``. Written only by the sync
    (``sync/``), which keeps every change in ``InspectionVisitVersion``; never deleted, a visit
    the source withdraws becomes inactive. The report is public once ``report_published_on`` is
    set (active transparency).
    """

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name=_("location"),
    )
    visited_on = models.DateField(_("visited on"))
    types = models.JSONField(_("types of visit"))
    findings = models.JSONField(_("findings"), default=list, blank=True)
    report_reference = models.CharField(_("report reference"), max_length=64, blank=True)
    report_url = models.URLField(_("report address"), max_length=500, blank=True)
    report_published_on = models.DateField(_("report published on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["location", "visited_on", "id"]
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        indexes = [
            models.Index(fields=["visited_on"], name="opgroeipunt_visit_on"),
            models.Index(fields=["location", "visited_on"], name="opgroeipunt_visit_loc_on"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.visited_on:%Y-%m-%d}"


class InspectionVisitVersion(models.Model):
    """One change of an inspection visit (like ``LocationVersion``): ``{"field": [old, new]}``."""

    visit = models.ForeignKey(
        InspectionVisit, on_delete=models.CASCADE, related_name="versions", verbose_name=_("visit")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created = models.BooleanField(_("created"), default=False)
    changes = models.JSONField(_("changes"))

    class Meta:
        ordering = ["visit", "changed_at", "id"]
        verbose_name = _("inspection visit version")
        verbose_name_plural = _("inspection visit versions")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.changed_at:%Y-%m-%d %H:%M}"


class SyncSource(models.TextChoices):
    DOSSIER = "dossier", _("Childcare dossier system")
    INSPECTION = "inspection", _("Inspection system (Zorginspectie)")


class SyncTransport(models.TextChoices):
    FILE = "file", _("File drop")
    PULL = "pull", _("HTTPS pull")


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, nothing applied")


class SyncRun(models.Model):
    """One synchronisation run in: what it read, what it did, and why a row was rejected.

    ``rejections`` is a list of ``{"line": int, "id": str, "reason": str}``. A failed run applied
    nothing (all-or-nothing); ``error`` says why (the source down after the retries, a bad row
    without ``skip_bad_rows``, ...).
    """

    source = models.CharField(_("source"), max_length=10, choices=SyncSource.choices)
    transport = models.CharField(_("transport"), max_length=4, choices=SyncTransport.choices)
    origin = models.CharField(_("file or address"), max_length=500)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    cursor_before = models.CharField(_("cursor before"), max_length=100, blank=True)
    cursor_after = models.CharField(_("cursor after"), max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    deactivated = models.PositiveIntegerField(_("deactivated"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejections = models.JSONField(_("rejected rows"), default=list, blank=True)
    error = models.TextField(_("problem"), max_length=5_000, blank=True)
    # What the transport did, for the run log: a list of ``{"page": int, "attempt": int,
    # "outcome": "ok" | problem, "records": int}`` (an HTTPS pull's requests; bounded).
    log = models.JSONField(_("transport log"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("synchronisation run")
        verbose_name_plural = _("synchronisation runs")
        permissions = [("run_sync", _("Can start a synchronisation run"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=SyncSource.values), name="opgroeipunt_syncrun_source"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SyncRunStatus.values), name="opgroeipunt_syncrun_status"
            ),
            # Two processes starting a run of the same source at once: the second one's insert
            # fails (sync/services.py turns that into "another run is in progress").
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(status="running"),
                name="opgroeipunt_syncrun_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class SyncCursor(models.Model):
    """Where the HTTPS pull of a source stands: the ``since`` of its next run.

    Moved only in the transaction that applies a run, so a crash leaves it where it was.
    """

    source = models.CharField(_("source"), max_length=10, choices=SyncSource.choices, unique=True)
    value = models.CharField(_("cursor"), max_length=100)
    run = models.ForeignKey(
        SyncRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("run")
    )

    class Meta:
        verbose_name = _("synchronisation cursor")
        verbose_name_plural = _("synchronisation cursors")

    def __str__(self) -> str:
        return f"{self.source} {self.value}"


class RiskBand(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskModel(models.Model):
    """One training run of the risk model: its periods, its metrics, the fitted model itself.

    ``metrics`` holds the back-test on the held-out later period (AUC, precision of the top 5 %,
    Brier score, calibration) for the model and for the baseline; ``artefact`` the fitted
    pipeline (joblib bytes, written and read only by ``risk/``). The active one scores.
    """

    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trained by"),
    )
    label = models.CharField(_("label"), max_length=200)
    train_until = models.DateField(_("training cut-off"))
    test_until = models.DateField(_("back-test cut-off"))
    n_train = models.PositiveIntegerField(_("training examples"), default=0)
    n_test = models.PositiveIntegerField(_("back-test examples"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict)
    feature_names = models.JSONField(_("features"), default=list)
    artefact = models.BinaryField(_("fitted model"))
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("risk model")
        verbose_name_plural = _("risk models")
        permissions = [
            ("view_risk", _("Can see the risk analysis and the re-screening list")),
            ("train_risk_model", _("Can retrain the risk model")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="opgroeipunt_riskmodel_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.trained_at:%Y-%m-%d %H:%M}"


class RiskScore(models.Model):
    """A location's current risk: probability, band, rank and the explanation of its score.

    ``factors`` is a list of ``{"feature": str, "label": str, "value": number, "weight": float}``,
    the largest contributions first (labels in Dutch via gettext at display time).
    """

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="risk", verbose_name=_("location")
    )
    model = models.ForeignKey(
        RiskModel, on_delete=models.PROTECT, related_name="scores", verbose_name=_("model")
    )
    computed_at = models.DateTimeField(_("computed at"))
    probability = models.FloatField(_("probability"))
    band = models.CharField(_("risk band"), max_length=6, choices=RiskBand.choices)
    rank = models.PositiveIntegerField(_("rank"))
    factors = models.JSONField(_("factors"), default=list)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        indexes = [models.Index(fields=["band", "rank"], name="opgroeipunt_risk_band_rank")]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="opgroeipunt_risk_probability",
            ),
            models.CheckConstraint(
                condition=Q(band__in=RiskBand.values), name="opgroeipunt_risk_band"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.probability:.3f}"


class DocumentRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REFUSED = "refused", _("Refused")


class DocumentRequest(models.Model):
    """A request for documents (passive openness, 002: "aanvragen verslagen ... passieve
    openbaarheid", processing term 3 days). The requester's details are personal data."""

    received_at = models.DateTimeField(_("received at"))
    requester_name = models.CharField(_("requester"), max_length=200)
    requester_email = models.EmailField(_("requester's e-mail address"), max_length=254)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document_requests",
        verbose_name=_("location"),
    )
    subject = models.TextField(_("what is asked"), max_length=5_000)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=DocumentRequestStatus.choices,
        default=DocumentRequestStatus.RECEIVED,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    answer = models.TextField(_("answer"), max_length=5_000, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentRequestStatus.values),
                name="opgroeipunt_docrequest_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.get_status_display()}"


# --- Issue 18 item 2: synchronisation out (docs/opgroeipunt-sync-out.md) ------------------------


class OutgoingState(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    SENDING = "sending", _("Being delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered (gave up)")


class OutgoingChange(models.Model):
    """One change to tell the dossier system (a new case, a decision, an enforcement track's
    new state), written in the transaction that makes the change: exactly one row per change.

    ``event_id`` is the receiver's deduplication key and never changes; ``payload`` is the
    event's data (no personal data, no case texts). Each transport keeps its own delivery
    state: the signed webhook (``webhook_*``, claim -> POST -> mark like the mail outbox, a stale
    claim re-sent with the same id and body) and the file drop (``file_*``: the batch file the
    event is written to, once).
    """

    event_id = models.UUIDField(_("event id"), unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"))
    webhook_state = models.CharField(
        _("webhook"), max_length=9, choices=OutgoingState.choices, default=OutgoingState.PENDING
    )
    webhook_attempts = models.PositiveSmallIntegerField(_("webhook attempts"), default=0)
    webhook_next_at = models.DateTimeField(_("next webhook attempt"))
    webhook_claimed_at = models.DateTimeField(_("webhook sending since"), null=True, blank=True)
    webhook_claim = models.CharField(_("webhook claim"), max_length=32, blank=True)
    webhook_delivered_at = models.DateTimeField(_("webhook delivered at"), null=True, blank=True)
    webhook_error = models.CharField(_("webhook problem"), max_length=300, blank=True)
    file_batch = models.CharField(_("batch file"), max_length=100, blank=True)
    file_delivered_at = models.DateTimeField(_("written to the drop at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outgoing change")
        verbose_name_plural = _("outgoing changes")
        indexes = [
            models.Index(
                fields=["webhook_state", "webhook_next_at"],
                condition=Q(webhook_state__in=["pending", "sending"]),
                name="opgroeipunt_out_webhook_due",
            ),
            models.Index(
                fields=["id"],
                condition=Q(file_delivered_at__isnull=True),
                name="opgroeipunt_out_file_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(webhook_state__in=OutgoingState.values),
                name="opgroeipunt_out_webhook_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
