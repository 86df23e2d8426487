"""The contract pages: the contract and its versions, the monthly and yearly statement (+ Excel),
the invoices and their check against the statement (docs/steering-contract.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.core.excel import csv_response, xlsx_response
from kglijn.core.periods import add_months
from kglijn.steering.contract.exports import kind_labels, statement_xlsx, year_xlsx
from kglijn.steering.contract.forms import (
    PRICE_LABELS,
    ContractVersionForm,
    FeeFormSet,
    InvoiceUploadForm,
    parse_month,
    price_field_name,
)
from kglijn.steering.contract.invoices import (
    MAX_BYTES,
    InvoiceRejected,
    contacts_behind_line_csv,
    invoice_check,
    invoice_import,
)
from kglijn.steering.contract.services import (
    FeeInput,
    contract_current,
    contract_version_create,
    version_current,
)
from kglijn.steering.contract.statement import (
    CONTACT_LINES,
    NoContract,
    Statement,
    YearStatement,
    statement_month,
    statement_year,
)
from kglijn.steering.models import Invoice

MIN_YEAR = 2000


def _default_month() -> dt.date:
    return add_months(timezone.localdate().replace(day=1), -1)


def _statement_context(statement: Statement) -> dict[str, Any]:
    labels = kind_labels()
    kinds = [kind for kind in labels if any(line.kind == kind for line in statement.lines)]
    chart = {
        "kind": "bar",
        "horizontal": True,
        "labels": [line.label for line in statement.lines],
        "datasets": [
            {"label": _("Amount (€)"), "data": [float(line.amount) for line in statement.lines]}
        ],
        "xTitle": _("Amount (€)"),
        "decimals": 2,
    }
    return {
        "statement": statement,
        "kinds": [(labels[kind], statement.kind_total(kind)) for kind in kinds],
        "charts": {"chart-statement": chart},
    }


# --- the contract ------------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("steering.view_contract", raise_exception=True)
def contract_page(request: HttpRequest) -> HttpResponse:
    contract = contract_current()
    versions = (
        list(contract.versions.select_related("created_by").prefetch_related("prices", "fees"))
        if contract
        else []
    )
    current = version_current()
    prices: list[tuple[str, str, Decimal]] = []
    if current is not None:
        by_pair = {(p.channel, p.direction): p.price for p in current.prices.all()}
        prices = [
            (str(PRICE_LABELS[(c, d)]), f"{c}/{d}", by_pair.get((c, d), Decimal("0")))  # type: ignore[index]
            for c, d in CONTACT_LINES
        ]
    return render(
        request,
        "steering/contract/contract.html",
        {
            "contract": contract,
            "current": current,
            "prices": prices,
            "versions": list(reversed(versions)),
            "can_manage": request.user.has_perm("steering.manage_contract"),
        },
    )


def _initial(current: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    next_month = add_months(timezone.localdate().replace(day=1), 1)
    if current is None:
        return {
            "valid_from": f"{next_month:%Y-%m}",
            "phone_target_pct": Decimal("80"),
            "phone_target_seconds": 20,
            "email_target_pct": Decimal("90"),
            "email_target_working_days": 2,
            "malus_per_point": Decimal("0"),
            "malus_cap_per_month": Decimal("0"),
        }, []
    initial: dict[str, Any] = {
        "valid_from": f"{max(next_month, add_months(current.valid_from, 1)):%Y-%m}",
        "telecom_per_minute": current.telecom_per_minute,
        "phone_target_pct": current.phone_target_pct,
        "phone_target_seconds": current.phone_target_seconds,
        "email_target_pct": current.email_target_pct,
        "email_target_working_days": current.email_target_working_days,
        "malus_per_point": current.malus_per_point,
        "malus_cap_per_month": current.malus_cap_per_month,
    }
    for price in current.prices.all():
        initial[price_field_name(price.channel, price.direction)] = price.price
    fees = [
        {"code": fee.code, "name": fee.name, "monthly_amount": fee.monthly_amount}
        for fee in current.fees.order_by("code")
    ]
    return initial, fees


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("steering.manage_contract", raise_exception=True)
def contract_version_new(request: HttpRequest) -> HttpResponse:
    contract = contract_current()
    current = version_current()
    first = contract is None
    if request.method == "POST":
        form = ContractVersionForm(request.POST, first_contract=first)
        fees = FeeFormSet(request.POST, prefix="fees")
        if form.is_valid() and fees.is_valid():
            data = form.cleaned_data
            fee_inputs = [
                FeeInput(f["code"], f["name"], f["monthly_amount"])
                for f in fees.cleaned_data
                if f and f.get("code")
            ]
            try:
                version = contract_version_create(
                    by=request.user,
                    valid_from=data["valid_from"],
                    telecom_per_minute=data["telecom_per_minute"],
                    prices=form.prices(),
                    fees=fee_inputs,
                    phone_target_pct=data["phone_target_pct"],
                    phone_target_seconds=data["phone_target_seconds"],
                    email_target_pct=data["email_target_pct"],
                    email_target_working_days=data["email_target_working_days"],
                    malus_per_point=data["malus_per_point"],
                    malus_cap_per_month=data["malus_cap_per_month"],
                    note=data["note"],
                    contract=contract,
                    contract_name=data.get("contract_name", ""),
                    supplier=data.get("supplier", ""),
                    illustrative=bool(data.get("illustrative")),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = field if field in form.fields else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                messages.success(
                    request,
                    _("Version from %(day)s saved.")
                    % {"day": version.valid_from.strftime("%d/%m/%Y")},
                )
                return redirect("steering:contract")
    else:
        initial, fee_initial = _initial(current)
        form = ContractVersionForm(initial=initial, first_contract=first)
        fees = FeeFormSet(initial=fee_initial, prefix="fees")
    return render(
        request,
        "steering/contract/version_form.html",
        {"form": form, "fees": fees, "contract": contract, "current": current, "first": first},
    )


# --- the statement -----------------------------------------------------------------------------


def _month_from(request: HttpRequest) -> tuple[dt.date, str]:
    value = request.GET.get("maand")
    if not value:
        return _default_month(), ""
    try:
        return parse_month(value), ""
    except ValidationError as exc:
        return _default_month(), " ".join(exc.messages)


@require_GET
@login_required
@permission_required("steering.view_statement", raise_exception=True)
def statement_page(request: HttpRequest) -> HttpResponse:
    month, error = _month_from(request)
    context: dict[str, Any] = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "error": error,
        "previous": f"{add_months(month, -1):%Y-%m}",
        "next": f"{add_months(month, 1):%Y-%m}",
    }
    if not error:
        try:
            context.update(_statement_context(statement_month(month)))
        except NoContract as exc:
            context["no_contract"] = str(exc)
    return render(
        request, "steering/contract/statement.html", context, status=400 if error else 200
    )


@require_GET
@login_required
@permission_required("steering.view_statement", raise_exception=True)
def statement_xlsx_download(request: HttpRequest) -> HttpResponse:
    month, error = _month_from(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    try:
        statement = statement_month(month)
    except NoContract as exc:
        raise Http404(str(exc)) from exc
    return xlsx_response(statement_xlsx(statement), filename=f"afrekening-{month:%Y-%m}.xlsx")


def _year_from(request: HttpRequest) -> tuple[int, str]:
    today = timezone.localdate()
    value = (request.GET.get("jaar") or "").strip()
    if not value:
        return today.year - (1 if today.month == 1 else 0), ""
    if not value.isdigit() or not MIN_YEAR <= int(value) <= today.year + 1:
        return today.year, _("Choose a year from %(first)d to %(last)d.") % {
            "first": MIN_YEAR,
            "last": today.year + 1,
        }
    return int(value), ""


def _year_chart(result: YearStatement) -> dict[str, Any]:
    labels = kind_labels()
    return {
        "kind": "bar",
        "stacked": True,
        "labels": [date_format(s.month, "M Y") for s in result.months],
        "datasets": [
            {"label": label, "data": [float(s.kind_total(kind)) for s in result.months]}
            for kind, label in labels.items()
        ],
        "yTitle": _("Amount (€)"),
        "decimals": 2,
    }


@require_GET
@login_required
@permission_required("steering.view_statement", raise_exception=True)
def statement_year_page(request: HttpRequest) -> HttpResponse:
    year, error = _year_from(request)
    context: dict[str, Any] = {"year": year, "error": error}
    if not error:
        result = statement_year(year)
        labels = kind_labels()
        context.update(
            result=result,
            kind_labels=list(labels.values()),
            rows=[(s, [s.kind_total(kind) for kind in labels]) for s in result.months],
            kind_totals=[result.kind_total(kind) for kind in labels],
            charts={"chart-year": _year_chart(result)},
        )
    return render(
        request, "steering/contract/statement_year.html", context, status=400 if error else 200
    )


@require_GET
@login_required
@permission_required("steering.view_statement", raise_exception=True)
def statement_year_xlsx_download(request: HttpRequest) -> HttpResponse:
    year, error = _year_from(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_response(year_xlsx(statement_year(year)), filename=f"afrekening-{year}.xlsx")


# --- invoices ----------------------------------------------------------------------------------


def _invoices_page(
    request: HttpRequest, form: InvoiceUploadForm, errors: list[str]
) -> HttpResponse:
    invoices = Invoice.objects.select_related("uploaded_by").all()[:200]
    return render(
        request,
        "steering/contract/invoices.html",
        {
            "invoices": invoices,
            "form": form,
            "errors": errors,
            "can_upload": request.user.has_perm("steering.check_invoice"),
            "max_kb": MAX_BYTES // 1000,
        },
        status=400 if errors or form.errors else 200,
    )


@require_GET
@login_required
@permission_required("steering.view_invoice", raise_exception=True)
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _invoices_page(
        request, InvoiceUploadForm(initial={"month": f"{_default_month():%Y-%m}"}), []
    )


@require_POST
@login_required
@permission_required("steering.check_invoice", raise_exception=True)
def invoice_upload(request: HttpRequest) -> HttpResponse:
    form = InvoiceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invoices_page(request, form, [])
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        return _invoices_page(
            request, form, [_("The file is larger than %(n)d kB.") % {"n": MAX_BYTES // 1000}]
        )
    try:
        invoice = invoice_import(
            by=request.user,
            month=form.cleaned_data["month"],
            reference=form.cleaned_data["reference"],
            file_name=upload.name or "",
            content=upload.read(MAX_BYTES + 1),
        )
    except InvoiceRejected as exc:
        return _invoices_page(request, form, exc.errors)
    messages.success(request, _("Invoice %(ref)s imported.") % {"ref": invoice.reference})
    return redirect("steering:invoice", invoice_id=invoice.pk)


@require_GET
@login_required
@permission_required("steering.view_invoice", raise_exception=True)
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("uploaded_by"), pk=invoice_id)
    check = invoice_check(invoice)
    return render(
        request,
        "steering/contract/invoice.html",
        {
            "invoice": invoice,
            "check": check,
            "can_download": request.user.has_perm("steering.check_invoice"),
            "statement_url": f"{reverse('steering:statement')}?maand={invoice.month:%Y-%m}",
        },
    )


@require_GET
@login_required
@permission_required("steering.check_invoice", raise_exception=True)
def invoice_contacts(request: HttpRequest, invoice_id: int, key: str) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=invoice_id)
    content = contacts_behind_line_csv(invoice=invoice, key=key, by=request.user)
    if content is None:
        raise Http404
    return csv_response(content, filename=f"contacten-{invoice.month:%Y-%m}-{key}.csv")
