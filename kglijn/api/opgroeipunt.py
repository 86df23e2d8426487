"""Opgroeipunt's integration API (issue 17): intake of cases, four-eyes proposals, locations.

The views parse and present; the rules are Opgroeipunt's own services (the same the pages call):
`case_create` validates the intake, `proposal_create/approve/reject` hold the four-eyes rule (the
proposer approving gets 403 with the reason, a proposal already decided 409), and the location's
enforcement state is read from its track. A token acts as its user: the user's permissions apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kglijn.api.errors import errors_response
from kglijn.api.pagination import MAX_ID
from kglijn.api.serializers import MomentField, Text
from kglijn.opgroeipunt.cases.services import CaseInvalid, ReporterData, case_create
from kglijn.opgroeipunt.decisions.services import (
    ProposalAlreadyDecided,
    ProposalNotPermitted,
    ProposalRefused,
    proposal_approve,
    proposal_create,
    proposal_reject,
)
from kglijn.opgroeipunt.enforcement.selectors import location_enforcement
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    CaseSource,
    DecisionKind,
    Location,
    Proposal,
    RiskScore,
    StaffShortageMeasure,
)

MAX_LOCATIONS = 50
MAX_EXTERNAL_ID = 64
# Who may send a case through the API: another system (default) or Zorginspectie's.
API_SOURCES = (CaseSource.API, CaseSource.INSPECTION, CaseSource.STAFF)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # the permission class ran first
    return user


def _pk(value: Any) -> int:
    pk = int(value)
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


class Perm(permissions.BasePermission):
    """The view's `required_perm` (Opgroeipunt's own permissions; K&G-Lijn roles lack them)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        perm: str = getattr(view, "required_perm", "")
        return (
            bool(perm)
            and bool(request.user and request.user.is_authenticated)
            and request.user.has_perm(perm)
        )


# --- shapes -------------------------------------------------------------------------------------


class ExternalId(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_EXTERNAL_ID, **kwargs)


class ReporterInput(serializers.Serializer[Any]):
    name = Text(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = Text(max_length=32, required=False, allow_blank=True)
    relation = Text(max_length=100, required=False, allow_blank=True)


class CaseCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    # A declared field named like Field.source: DRF's metaclass takes it out of the class.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[(value, label) for value, label in CaseSource.choices if value in API_SOURCES],
        required=False,
        help_text="api (default), inspection (Zorginspectie) or staff",
    )
    external_id = ExternalId(required=False, help_text="idempotency key of the sending system")
    received_at = MomentField(required=False)
    subject = Text(max_length=200, required=False, allow_blank=True)
    description = Text(max_length=10_000, required=False, allow_blank=True)
    locations = serializers.ListField(
        child=ExternalId(), required=False, max_length=MAX_LOCATIONS, default=list
    )
    urgent = serializers.BooleanField(required=False, help_text="a crisis report of another kind")
    reporter = ReporterInput(required=False, help_text="absent: anonymous")
    measures = serializers.ListField(
        child=serializers.ChoiceField(choices=StaffShortageMeasure.choices),
        required=False,
        max_length=3,
        default=list,
    )
    measures_from = serializers.DateField(required=False)
    measures_until = serializers.DateField(required=False)


class CaseSerializer(serializers.ModelSerializer[Case]):
    reference = serializers.SerializerMethodField()
    locations: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = (
            "id",
            "reference",
            "external_id",
            "kind",
            "source",
            "status",
            "received_at",
            "urgent",
            "urgent_due_at",
            "locations",
        )
        read_only_fields = fields

    def get_reference(self, case: Case) -> str:
        return str(case)


class ProposalCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    location = ExternalId(required=False, help_text="the location's external id")
    case = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    motivation = Text(max_length=5_000)
    payload = serializers.DictField(
        required=False,
        child=Text(max_length=200),
        help_text='e.g. {"reason": "older_than_a_year"}, {"effective_from": "2026-01-05"}',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("location" in attrs) == ("case" in attrs):
            raise serializers.ValidationError(
                {"location": _("Give either a location or a case, not both and not neither.")}
            )
        if len(attrs.get("payload") or {}) > 10:
            raise serializers.ValidationError({"payload": _("At most 10 details.")})
        return attrs


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True
    )
    proposed_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Proposal
        fields = (
            "id",
            "kind",
            "status",
            "case",
            "location",
            "motivation",
            "payload",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
        )
        read_only_fields = fields


class RejectSerializer(serializers.Serializer[Any]):
    reason = Text(max_length=5_000)


class EnforcementSerializer(serializers.Serializer[Any]):
    state = serializers.CharField()
    positive_evaluations = serializers.IntegerField()


class RiskFactorSerializer(serializers.Serializer[Any]):
    feature = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    weight = serializers.FloatField()


class RiskSerializer(serializers.Serializer[Any]):
    probability = serializers.FloatField()
    band = serializers.CharField()
    rank = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    factors = RiskFactorSerializer(many=True)


class LocationSerializer(serializers.ModelSerializer[Location]):
    organiser_external_id = serializers.CharField(source="organiser.external_id")
    organiser_name = serializers.CharField(source="organiser.name")
    regional_team: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    enforcement = serializers.SerializerMethodField()
    # Issue 18: the location's current risk score, only for a token whose user may see the risk
    # analysis (opgroeipunt.view_risk); null otherwise or before the first scoring.
    risk = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = (
            "external_id",
            "organiser_external_id",
            "organiser_name",
            "name",
            "postcode",
            "province",
            "care_type",
            "places",
            "subsidy",
            "income_tariff",
            "active",
            "licence_status",
            "regional_team",
            "enforcement",
            "risk",
        )
        read_only_fields = fields

    @extend_schema_field(EnforcementSerializer)
    def get_enforcement(self, location: Location) -> dict[str, Any]:
        state, positive = location_enforcement(location)
        return {"state": str(state), "positive_evaluations": positive}

    @extend_schema_field(RiskSerializer(allow_null=True))
    def get_risk(self, location: Location) -> dict[str, Any] | None:
        request = self.context.get("request")
        if request is None or not request.user.has_perm("opgroeipunt.view_risk"):
            return None
        score = RiskScore.objects.filter(location=location).first()
        if score is None:
            return None
        return {
            "probability": round(score.probability, 4),
            "band": score.band,
            "rank": score.rank,
            "computed_at": score.computed_at,
            "factors": [
                {
                    "feature": str(factor.get("feature", "")),
                    "label": str(factor.get("label", "")),
                    "weight": float(factor.get("weight", 0)),
                }
                for factor in score.factors
            ],
        }


# --- views --------------------------------------------------------------------------------------


def _locations(external_ids: list[str]) -> list[Location] | Response:
    wanted = list(dict.fromkeys(external_ids))
    found = {loc.external_id: loc for loc in Location.objects.filter(external_id__in=wanted)}
    missing = [external_id for external_id in wanted if external_id not in found]
    if missing:
        return errors_response(
            400,
            "locations",
            _("Unknown location(s): %(ids)s") % {"ids": ", ".join(missing[:10])},
        )
    return [found[external_id] for external_id in wanted]


class CaseCreate(APIView):
    permission_classes = [Perm]
    required_perm = "opgroeipunt.add_case"

    @extend_schema(
        tags=["opgroeipunt"],
        operation_id="opgroeipunt_cases_create",
        summary="Register a signal, report, complaint, feedback, danger situation or staff-"
        "shortage report (a danger situation is urgent at once); idempotent on external_id",
        request=CaseCreateSerializer,
        responses={
            201: CaseSerializer,
            200: OpenApiResponse(CaseSerializer, description="external_id known: the same case"),
        },
    )
    def post(self, request: Request) -> Response:
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        external_id = data.get("external_id") or None
        if external_id is not None:
            existing = Case.objects.filter(external_id=external_id).first()
            if existing is not None:
                return self._repeated(existing, data)
        locations = _locations(data.get("locations", []))
        if isinstance(locations, Response):
            return locations
        reporter = data.get("reporter")
        try:
            with transaction.atomic():
                case = case_create(
                    kind=data["kind"],
                    source=data.get("source", CaseSource.API),
                    received_at=data.get("received_at"),
                    subject=data.get("subject", ""),
                    description=data.get("description", ""),
                    locations=locations,
                    reporter=ReporterData(**reporter) if reporter else None,
                    created_by=_user(request),
                    urgent=data.get("urgent"),
                    measures=data.get("measures", []),
                    measures_from=data.get("measures_from"),
                    measures_until=data.get("measures_until"),
                    external_id=external_id,
                )
        except CaseInvalid as exc:
            return _invalid(exc)
        except IntegrityError:
            existing = Case.objects.filter(external_id=external_id).first()
            if external_id is None or existing is None:
                raise
            return self._repeated(existing, data)
        return Response(CaseSerializer(case).data, status=201)

    def _repeated(self, existing: Case, data: dict[str, Any]) -> Response:
        if existing.kind != data["kind"]:
            return errors_response(
                409,
                "external_id",
                _("A case with external id “%(id)s” already exists with another kind.")
                % {"id": existing.external_id},
            )
        return Response(CaseSerializer(existing).data, status=200)


def _invalid(exc: CaseInvalid) -> Response:
    """The intake's field errors ({field: message}) in the API's one error shape, 400."""
    errors: dict[str, Any] = getattr(exc, "errors", None) or {"": str(exc)}
    items = [{"field": field or None, "message": str(message)} for field, message in errors.items()]
    return Response({"errors": items}, status=400)


class ProposalCreate(APIView):
    permission_classes = [Perm]
    required_perm = "opgroeipunt.add_proposal"

    @extend_schema(
        tags=["opgroeipunt"],
        operation_id="opgroeipunt_proposals_create",
        summary="Propose a decision on a location (enforcement) or a case; it takes effect only "
        "when another customer manager approves it",
        request=ProposalCreateSerializer,
        responses={201: ProposalSerializer},
    )
    def post(self, request: Request) -> Response:
        body = ProposalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = location = None
        if "location" in data:
            location = Location.objects.filter(external_id=data["location"]).first()
            if location is None:
                return errors_response(404, "location", _("No location with this external id."))
        else:
            case = Case.objects.filter(pk=data["case"]).first()
            if case is None:
                return errors_response(404, "case", _("No case with this id."))
        try:
            proposal = proposal_create(
                kind=data["kind"],
                motivation=data["motivation"],
                proposed_by=_user(request),
                case=case,
                location=location,
                payload=dict(data.get("payload") or {}),
            )
        except ProposalNotPermitted as exc:
            return errors_response(403, None, str(exc))
        except ProposalRefused as exc:
            return errors_response(400, "kind", str(exc))
        return Response(ProposalSerializer(proposal).data, status=201)


def _proposal_decided(pk: int, decide: Callable[[int], object]) -> Response:
    """Run one four-eyes service on a proposal and answer in the API's shape: the proposer or a
    user without the right 403, already decided 409, a subject that moved on 409."""
    proposal_id = _pk(pk)
    if not Proposal.objects.filter(pk=proposal_id).exists():
        raise Http404
    try:
        decide(proposal_id)
    except ProposalNotPermitted as exc:
        return errors_response(403, None, str(exc))
    except ProposalAlreadyDecided as exc:
        return errors_response(409, None, str(exc))
    except ProposalRefused as exc:
        # The subject moved on since the proposal (e.g. the track's state changed).
        return errors_response(409, "kind", str(exc))
    return Response(ProposalSerializer(Proposal.objects.get(pk=proposal_id)).data)


class ProposalApprove(APIView):
    permission_classes = [Perm]
    required_perm = "opgroeipunt.view_proposal"

    @extend_schema(
        tags=["opgroeipunt"],
        operation_id="opgroeipunt_proposals_approve",
        summary="Approve another's proposal: the decision takes effect (the proposer gets 403, "
        "a proposal already decided 409)",
        request=None,
        responses={200: ProposalSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        return _proposal_decided(
            pk, lambda proposal_id: proposal_approve(proposal_id=proposal_id, approver=user)
        )


class ProposalReject(APIView):
    permission_classes = [Perm]
    required_perm = "opgroeipunt.view_proposal"

    @extend_schema(
        tags=["opgroeipunt"],
        operation_id="opgroeipunt_proposals_reject",
        summary="Reject another's proposal with a reason: it goes back to the proposer",
        request=RejectSerializer,
        responses={200: ProposalSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user, reason = _user(request), body.validated_data["reason"]
        return _proposal_decided(
            pk,
            lambda proposal_id: proposal_reject(
                proposal_id=proposal_id, rejecter=user, reason=reason
            ),
        )


class LocationDetail(APIView):
    permission_classes = [Perm]
    required_perm = "opgroeipunt.view_location"

    @extend_schema(
        tags=["opgroeipunt"],
        operation_id="opgroeipunt_locations_retrieve",
        summary="A childcare location with its licence status and enforcement state",
        responses={200: LocationSerializer},
    )
    def get(self, request: Request, external_id: str) -> Response:
        if len(external_id) > MAX_EXTERNAL_ID or "\x00" in external_id:
            raise Http404
        location = (
            Location.objects.select_related("organiser", "regional_team")
            .filter(external_id=external_id)
            .first()
        )
        if location is None:
            raise Http404
        return Response(LocationSerializer(location, context={"request": request}).data)
