"""The contacts API: input serializer -> the desk's services and selectors -> output serializer.

Permissions are the user's own (a token acts as its user): contact_visible_qs decides which
contacts exist for the caller, contact_get_for_user audits every read of personal data and
hides health notes, and the services check what may be changed (docs/api.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kglijn.api.errors import errors_response
from kglijn.api.pagination import MAX_ID, IdCursorPagination
from kglijn.api.serializers import (
    ContactCreateSerializer,
    ContactDetailSerializer,
    ContactFilterSerializer,
    ContactSummarySerializer,
    ContactUpdateSerializer,
    EscalateSerializer,
    ReasonSerializer,
    ReferralSerializer,
)
from kglijn.contacts import services
from kglijn.contacts.models import Contact, Customer, Reason, ReferralOrganisation
from kglijn.contacts.selectors import (
    can_view_health_note,
    contact_get_for_user,
    contact_visible_qs,
    reason_list,
    referral_list,
)
from kglijn.core.business_calendar import BRUSSELS

API_VIA = "api"
PERSONAL = ("customer_kind", "caller_name", "caller_phone", "caller_email", "anonymous")
# Fields of a repeated POST compared with the stored contact: a different value is a 409.
IDEMPOTENCY_FIELDS = ("channel", "direction", "origin", "office", "received_at", "anonymous")


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated ran first
    return user


class ContactPermission(permissions.BasePermission):
    """The desk's permissions: reading contacts, registering, changing."""

    perms = {
        "GET": "contacts.view_contact",
        "POST": "contacts.add_contact",
        "PATCH": "contacts.change_contact",
    }

    def has_permission(self, request: Request, view: APIView) -> bool:
        perm = getattr(view, "required_perm", None) or self.perms.get(request.method or "")
        return bool(request.user and request.user.is_authenticated) and (
            perm is None or request.user.has_perm(perm)
        )


def _contact_id(value: Any) -> int:
    pk = int(value)
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def _detail(request: Request, contact: Contact) -> dict[str, Any]:
    context = {"sees_health_note": can_view_health_note(user=_user(request))}
    return dict(ContactDetailSerializer(contact, context=context).data)


def _read(request: Request, pk: int) -> Contact:
    """One contact for reading through the desk's selector: audited like a view on the desk."""
    return contact_get_for_user(user=_user(request), contact_id=pk, via=API_VIA)


def _customer(data: dict[str, Any]) -> Customer | None:
    """The customer to link, as the desk does: a non-anonymous contact with a kind and a name."""
    if data.get("anonymous", True) or not data.get("customer_kind"):
        return None
    return services.customer_find_or_create(
        kind=data["customer_kind"],
        name=data.get("caller_name", ""),
        email=data.get("caller_email", ""),
        phone=data.get("caller_phone", ""),
        postcode=data.get("postcode", ""),
    )


def _personal(data: dict[str, Any], customer: Customer | None) -> dict[str, Any]:
    if customer is not None:  # the customer record holds name, phone and e-mail
        return {"customer": customer, "caller_name": "", "caller_phone": "", "caller_email": ""}
    return {
        "customer": None,
        "caller_name": data.get("caller_name", ""),
        "caller_phone": data.get("caller_phone", ""),
        "caller_email": data.get("caller_email", ""),
    }


class ContactListCreate(GenericAPIView[Contact]):
    permission_classes = [ContactPermission]
    pagination_class = IdCursorPagination
    serializer_class = ContactSummarySerializer

    def get_queryset(self) -> QuerySet[Contact]:
        return contact_visible_qs(user=_user(self.request)).prefetch_related("reasons", "referrals")

    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_list",
        summary="Contacts the token's user may see (no personal data), oldest id first",
        parameters=[ContactFilterSerializer],
        responses={200: ContactSummarySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict: from a QueryDict, DRF would read "?channel=" as absent, not as a bad value.
        filters = ContactFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        qs = self.get_queryset()
        data = filters.validated_data
        for name in ("external_id", "channel", "office", "status"):
            if name in data:
                qs = qs.filter(**{name: data[name]})
        if "received_from" in data:
            qs = qs.filter(
                received_at__gte=dt.datetime.combine(data["received_from"], dt.time(), BRUSSELS)
            )
        if "received_to" in data:
            end = data["received_to"] + dt.timedelta(days=1)
            qs = qs.filter(received_at__lt=dt.datetime.combine(end, dt.time(), BRUSSELS))
        if "updated_since" in data:
            qs = qs.filter(updated_at__gte=data["updated_since"])
        page = self.paginate_queryset(qs)
        assert page is not None
        return self.get_paginated_response(ContactSummarySerializer(page, many=True).data)

    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_create",
        summary="Register a contact through the desk's service; idempotent on external_id",
        request=ContactCreateSerializer,
        responses={
            201: ContactDetailSerializer,
            200: OpenApiResponse(
                ContactDetailSerializer, description="external_id known: the same contact"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = ContactCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        external_id = (data.get("external_id") or "").strip() or None
        if external_id is not None:
            repeated = self._repeated(request, external_id, data)
            if repeated is not None:
                return repeated
        user = _user(request)
        try:
            with transaction.atomic():
                customer = _customer(data)
                contact = services.contact_register(
                    by=user,
                    channel=data["channel"],
                    direction=data.get("direction", "in"),
                    origin=data.get("origin", ""),
                    received_at=data.get("received_at"),
                    office=data.get("office"),
                    province=data.get("province", ""),
                    postcode=data.get("postcode", ""),
                    topic=data.get("topic", ""),
                    reason_codes=data.get("reasons", ()),
                    referral_codes=data.get("referrals", ()),
                    notes=data.get("notes", ""),
                    health_note=data.get("health_note", ""),
                    anonymous=data.get("anonymous", True),
                    external_id=external_id,
                    **_personal(data, customer),
                )
        except (DjangoValidationError, IntegrityError) as exc:
            # Another request registered the same external id a moment ago.
            if external_id is not None:
                repeated = self._repeated(request, external_id, data)
                if repeated is not None:
                    return repeated
            raise exc
        # The writer's own data: echoed without a read audit (the creation is audited).
        created = contact_visible_qs(user=user).filter(pk=contact.pk).first() or contact
        return Response(_detail(request, created), status=201)

    def _repeated(
        self, request: Request, external_id: str, data: dict[str, Any]
    ) -> Response | None:
        existing = Contact.objects.filter(external_id=external_id).first()
        if existing is None:
            return None
        differing = [
            name
            for name in IDEMPOTENCY_FIELDS
            if name in data and data[name] is not None and getattr(existing, name) != data[name]
        ]
        visible = contact_visible_qs(user=_user(request)).filter(pk=existing.pk).exists()
        if differing or not visible:
            message = _("A contact with external id “%(id)s” already exists") % {"id": external_id}
            if differing:
                message += " " + _("with other values for: %(fields)s.") % {
                    "fields": ", ".join(differing)
                }
            else:
                message += " " + _("that you may not see.")
            return errors_response(409, "external_id", message)
        return Response(_detail(request, _read(request, existing.pk)), status=200)


class ContactDetail(APIView):
    permission_classes = [ContactPermission]

    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_retrieve",
        summary="One contact with its personal data and satisfaction (the read is audited)",
        responses={200: ContactDetailSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, _read(request, _contact_id(pk))))

    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_partial_update",
        summary="Change the fields the desk may change (the desk's contact_update)",
        request=ContactUpdateSerializer,
        responses={200: ContactDetailSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = _user(request)
        contact = _read(request, _contact_id(pk))  # as the desk's edit page: an audited read
        body = ContactUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        fields = {
            name: data[name]
            for name in ("direction", "province", "topic", "notes", "health_note")
            if name in data
        }
        with transaction.atomic():
            if set(PERSONAL) & set(data):
                current = {
                    "anonymous": contact.anonymous,
                    "customer_kind": contact.customer.kind if contact.customer else "",
                    "caller_name": contact.customer.name
                    if contact.customer
                    else contact.caller_name,
                    "caller_phone": (
                        contact.customer.phone if contact.customer else contact.caller_phone
                    ),
                    "caller_email": (
                        contact.customer.email if contact.customer else contact.caller_email
                    ),
                    "postcode": data.get("postcode", ""),
                }
                merged = current | {name: data[name] for name in PERSONAL if name in data}
                fields["anonymous"] = merged["anonymous"]
                fields |= _personal(merged, _customer(merged))
            services.contact_update(
                contact=contact,
                by=user,
                postcode=data.get("postcode", ""),
                reason_codes=data.get("reasons"),
                referral_codes=data.get("referrals"),
                **fields,
            )
        updated = contact_visible_qs(user=user).get(pk=contact.pk)
        return Response(_detail(request, updated))


class _ContactAction(APIView):
    """An action of the desk on one contact, through its service (which checks and audits)."""

    permission_classes = [ContactPermission]
    required_perm = "contacts.view_contact"

    def _contact(self, request: Request, pk: int) -> Contact:
        # No read audit: the action itself is audited by its service; the answer holds no
        # personal data.
        contact = contact_visible_qs(user=_user(request)).filter(pk=_contact_id(pk)).first()
        if contact is None:
            raise Http404
        return contact

    def _answer(self, request: Request, pk: int) -> Response:
        contact = contact_visible_qs(user=_user(request)).get(pk=pk)
        return Response(ContactSummarySerializer(contact).data)


class ContactEscalate(_ContactAction):
    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_escalate",
        summary="Escalate to a back office (the desk's contact_escalate)",
        request=EscalateSerializer,
        responses={200: ContactSummarySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        contact = self._contact(request, pk)
        body = EscalateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.contact_escalate(
            contact=contact,
            to_office=body.validated_data["to_office"],
            reason=body.validated_data["reason"],
            by=_user(request),
        )
        # The contact moved to the back office: the caller may no longer see it.
        visible = contact_visible_qs(user=_user(request)).filter(pk=contact.pk).first()
        return Response(ContactSummarySerializer(visible or contact).data)


class ContactClose(_ContactAction):
    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_close",
        summary="Close (the desk's contact_close)",
        request=None,
        responses={200: ContactSummarySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        contact = self._contact(request, pk)
        services.contact_close(contact=contact, by=_user(request))
        return self._answer(request, contact.pk)


class ContactReopen(_ContactAction):
    @extend_schema(
        tags=["contacts"],
        operation_id="contacts_reopen",
        summary="Reopen a closed contact (the desk's contact_reopen)",
        request=None,
        responses={200: ContactSummarySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        contact = self._contact(request, pk)
        services.contact_reopen(contact=contact, by=_user(request))
        return self._answer(request, contact.pk)


@extend_schema(tags=["catalogues"])
class ReasonList(ListAPIView[Reason]):
    """The contact reasons with their codes (for `reasons` in POST/PATCH)."""

    serializer_class = ReasonSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Reason]:
        return reason_list()


@extend_schema(tags=["catalogues"])
class ReferralList(ListAPIView[ReferralOrganisation]):
    """The referral organisations with their codes (for `referrals` in POST/PATCH)."""

    serializer_class = ReferralSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ReferralOrganisation]:
        return referral_list()
