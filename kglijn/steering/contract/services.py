"""Writing the contract: a new version (never an edit of an old one), audit-logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.dates import check_month
from kglijn.core.models import AuditEvent
from kglijn.core.vocabulary import Channel, Direction
from kglijn.steering.contract.statement import CONTACT_LINES
from kglijn.steering.models import Contract, ContractFee, ContractPrice, ContractVersion

MAX_FEES = 20
MAX_AMOUNT = Decimal("9999999999.99")
MAX_PRICE = Decimal("999999.9999")


@dataclass(frozen=True)
class FeeInput:
    code: str
    name: str
    monthly_amount: Decimal


def contract_current() -> Contract | None:
    return Contract.objects.order_by("-pk").first()


def version_current(*, today: dt.date | None = None) -> ContractVersion | None:
    """The version valid today, or else the newest one (a contract that starts later)."""
    contract = contract_current()
    if contract is None:
        return None
    versions = contract.versions.prefetch_related("prices", "fees")
    if today is None:
        today = timezone.localdate()
    valid = versions.filter(valid_from__lte=today).order_by("-valid_from").first()
    return valid or versions.order_by("-valid_from").first()


def _check_amount(
    errors: dict[str, list[str]], field: str, value: Decimal, maximum: Decimal
) -> None:
    if not value.is_finite() or value < 0:
        errors.setdefault(field, []).append(_("Enter an amount of 0 or more."))
    elif value > maximum:
        errors.setdefault(field, []).append(_("This amount is too large."))


def contract_version_create(
    *,
    by: User | AnonymousUser | None,
    valid_from: dt.date,
    telecom_per_minute: Decimal,
    prices: Mapping[tuple[str, str], Decimal],
    fees: Iterable[FeeInput] = (),
    phone_target_pct: Decimal = Decimal("80"),
    phone_target_seconds: int = 20,
    email_target_pct: Decimal = Decimal("90"),
    email_target_working_days: int = 2,
    malus_per_point: Decimal = Decimal("0"),
    malus_cap_per_month: Decimal = Decimal("0"),
    note: str = "",
    contract: Contract | None = None,
    contract_name: str = "",
    supplier: str = "",
    illustrative: bool = False,
    today: dt.date | None = None,
) -> ContractVersion:
    """A new version of the contract from `valid_from` (the first day of a month). Without a
    contract (none given, none existing) the contract is created from name/supplier/illustrative.
    Raises ValidationError (a dict by field) and writes nothing on any error."""
    errors: dict[str, list[str]] = {}
    if valid_from.day != 1:
        errors.setdefault("valid_from", []).append(_("Choose the first day of a month."))
    try:
        check_month(valid_from, today=today)
    except ValidationError as exc:
        errors.setdefault("valid_from", []).extend(exc.messages)
    contract = contract or contract_current()
    if contract is None and not contract_name.strip():
        errors.setdefault("contract_name", []).append(_("Give the contract a name."))
    if contract is not None and contract.versions.filter(valid_from=valid_from).exists():
        errors.setdefault("valid_from", []).append(
            _("A version from this date already exists; choose another month.")
        )
    _check_amount(errors, "telecom_per_minute", telecom_per_minute, MAX_PRICE)
    for channel, direction in CONTACT_LINES:
        value = prices.get((channel, direction))
        field = f"price_{channel}_{direction}"
        if value is None:
            errors.setdefault(field, []).append(_("This field is required."))
        else:
            _check_amount(errors, field, value, MAX_PRICE)
    for field, pct in (
        ("phone_target_pct", phone_target_pct),
        ("email_target_pct", email_target_pct),
    ):
        if not pct.is_finite() or not Decimal("0") <= pct <= Decimal("100"):
            errors.setdefault(field, []).append(_("Enter a percentage from 0 to 100."))
    if not 1 <= phone_target_seconds <= 3600:
        errors.setdefault("phone_target_seconds", []).append(_("Enter 1 to 3600 seconds."))
    if not 0 <= email_target_working_days <= 60:
        errors.setdefault("email_target_working_days", []).append(_("Enter 0 to 60 working days."))
    _check_amount(errors, "malus_per_point", malus_per_point, MAX_AMOUNT)
    _check_amount(errors, "malus_cap_per_month", malus_cap_per_month, MAX_AMOUNT)
    fee_list = list(fees)
    if len(fee_list) > MAX_FEES:
        errors.setdefault("fees", []).append(_("At most %(n)d fees.") % {"n": MAX_FEES})
    codes: set[str] = set()
    for number, fee in enumerate(fee_list, start=1):
        if fee.code in codes:
            errors.setdefault("fees", []).append(
                _("Fee %(n)d: the code %(code)s appears twice.") % {"n": number, "code": fee.code}
            )
        codes.add(fee.code)
        if not fee.code or not fee.name.strip():
            errors.setdefault("fees", []).append(
                _("Fee %(n)d: give a code and a name.") % {"n": number}
            )
        if not fee.monthly_amount.is_finite() or not 0 <= fee.monthly_amount <= MAX_AMOUNT:
            errors.setdefault("fees", []).append(
                _("Fee %(n)d: enter an amount of 0 or more.") % {"n": number}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if contract is None:
            contract = Contract.objects.create(
                name=contract_name.strip(), supplier=supplier.strip(), illustrative=illustrative
            )
        user = by if isinstance(by, User) else None
        version = ContractVersion.objects.create(
            contract=contract,
            valid_from=valid_from,
            telecom_per_minute=telecom_per_minute,
            phone_target_pct=phone_target_pct,
            phone_target_seconds=phone_target_seconds,
            email_target_pct=email_target_pct,
            email_target_working_days=email_target_working_days,
            malus_per_point=malus_per_point,
            malus_cap_per_month=malus_cap_per_month,
            note=note.strip(),
            created_by=user,
        )
        ContractPrice.objects.bulk_create(
            ContractPrice(version=version, channel=channel, direction=direction, price=price)
            for (channel, direction), price in prices.items()
            if channel in Channel.values and direction in Direction.values
        )
        ContractFee.objects.bulk_create(
            ContractFee(
                version=version,
                code=fee.code,
                name=fee.name.strip(),
                monthly_amount=fee.monthly_amount,
            )
            for fee in fee_list
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            object_type="steering.contractversion",
            object_id=version.pk,
            detail={
                "event": "contract_version_create",
                "contract": contract.pk,
                "valid_from": valid_from.isoformat(),
                "telecom_per_minute": str(telecom_per_minute),
                "prices": {f"{c}/{d}": str(p) for (c, d), p in prices.items()},
                "fees": {fee.code: str(fee.monthly_amount) for fee in fee_list},
                "phone_target": f"{phone_target_pct}/{phone_target_seconds}",
                "email_target": f"{email_target_pct}/{email_target_working_days}",
                "malus_per_point": str(malus_per_point),
                "malus_cap_per_month": str(malus_cap_per_month),
            },
        )
    return version
