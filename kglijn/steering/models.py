"""Steering the outsourced front office (issue 19, ADR 0017).

- The framework contract in versions from a date: prices per handled contact per channel and
  direction, fixed monthly fees, the telecom price per call minute, the service-level targets per
  channel and the malus for missing them. A change is a new version; versions are never edited
  once a month they cover has been stated (docs/steering.md).
- The supplier's invoices, line by line, to be matched with the statement kglijn computes.
- Volume forecasts per channel per half hour, with their back-test beside a seasonal-naive
  baseline.
- The staff planned per office and half hour (an uploaded roster or counts).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kglijn.core.vocabulary import Channel, Direction, Office


def _money(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


def _price(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose_name, max_digits=10, decimal_places=4, **options)


def _pct(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    bounds = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, validators=bounds, **options
    )


class Contract(models.Model):
    """The framework contract with the front office's supplier (one in practice)."""

    name = models.CharField(_("name"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200)
    # The demo's price table is invented (calibrated to the 2023 invoice total); pages say so.
    illustrative = models.BooleanField(_("illustrative price table"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        permissions = [
            ("view_statement", _("Can see the contract's monthly statements")),
            ("manage_contract", _("Can add contract versions")),
            ("check_invoice", _("Can upload and check the supplier's invoices")),
            ("view_forecast", _("Can see the volume forecast")),
            ("run_forecast", _("Can compute a new volume forecast")),
            ("view_staffing", _("Can see the staffing need and the planned staff")),
            ("plan_staff", _("Can upload the planned staff")),
            ("view_reachability", _("Can see the reachability dashboard")),
        ]

    def __str__(self) -> str:
        return self.name


class ContractVersion(models.Model):
    """The contract's terms from `valid_from` until the next version's valid_from."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    telecom_per_minute = _price(_("telecom cost per call minute (€)"))
    phone_target_pct = _pct(_("phone: target share answered in time (%)"), default=Decimal("80"))
    phone_target_seconds = models.PositiveSmallIntegerField(
        _("phone: answered within (seconds)"), default=20
    )
    email_target_pct = _pct(_("e-mail: target share answered in time (%)"), default=Decimal("90"))
    email_target_working_days = models.PositiveSmallIntegerField(
        _("e-mail: answered within (working days)"), default=2
    )
    # The financial consequence of missing a target in a month: this amount per percentage point
    # below the target, per channel, capped per month (over all channels).
    malus_per_point = _money(_("malus per percentage point below target (€)"), default=Decimal("0"))
    malus_cap_per_month = _money(_("malus cap per month (€)"), default=Decimal("0"))
    note = models.TextField(_("reason for this version"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["contract", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "valid_from"], name="steering_version_unique_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} ({self.valid_from:%Y-%m-%d})"


class ContractPrice(models.Model):
    """The price of one handled contact of a channel and direction."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="prices")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    price = _price(_("price per handled contact (€)"))

    class Meta:
        verbose_name = _("contract price")
        verbose_name_plural = _("contract prices")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "channel", "direction"], name="steering_price_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.direction}: {self.price}"


class ContractFee(models.Model):
    """A fixed monthly fee (contact-centre ICT tools, the information service …)."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="fees")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    monthly_amount = _money(_("amount per month (€)"))

    class Meta:
        verbose_name = _("contract fee")
        verbose_name_plural = _("contract fees")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="steering_fee_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.monthly_amount}"


class Invoice(models.Model):
    """One month's invoice of the supplier, as uploaded (CSV/XLSX) by the team lead."""

    month = models.DateField(_("month"))  # the first day of the invoiced month
    reference = models.CharField(_("invoice number"), max_length=100, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-month", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} ({self.month:%Y-%m})"


class InvoiceLine(models.Model):
    """One line of an invoice; `key` names the statement line it is matched with."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    key = models.CharField(_("statement line"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, null=True)
    unit_price = _price(_("unit price (€)"), null=True)
    amount = _money(_("amount (€)"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="steering_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_no}"


class ForecastRun(models.Model):
    """One forecast of one channel's contacts per half hour, with its back-test."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("computed"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history_from = models.DateField(_("history from"))
    history_to = models.DateField(_("history to"))
    forecast_from = models.DateField(_("forecast from"))
    forecast_to = models.DateField(_("forecast to"))
    method = models.CharField(_("method"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # The back-test: the last weeks of the history held out, forecast from the weeks before them
    # by the method and by the seasonal-naive baseline; WAPE = Σ|actual − forecast| ÷ Σ actual.
    backtest_from = models.DateField(_("back-test from"), null=True, blank=True)
    backtest_to = models.DateField(_("back-test to"), null=True, blank=True)
    backtest_wape_pct = models.FloatField(_("back-test WAPE (%)"), null=True, blank=True)
    baseline_wape_pct = models.FloatField(_("seasonal-naive WAPE (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "-created_at"], name="steering_fc_channel")]

    def __str__(self) -> str:
        return f"{self.channel} {self.forecast_from}..{self.forecast_to}"


class ForecastPoint(models.Model):
    """The forecast number of contacts in the half hour starting at `slot_start`."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="points")
    slot_start = models.DateTimeField(_("half hour"))
    contacts = models.FloatField(_("contacts"))
    # The held-out back-test weeks carry the actual and the baseline beside the forecast.
    backtest = models.BooleanField(_("back-test"), default=False)
    actual = models.FloatField(_("actual"), null=True, blank=True)
    baseline = models.FloatField(_("seasonal naive"), null=True, blank=True)

    class Meta:
        verbose_name = _("forecast point")
        verbose_name_plural = _("forecast points")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "backtest", "slot_start"], name="steering_point_unique"
            ),
            models.CheckConstraint(condition=Q(contacts__gte=0), name="steering_point_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.slot_start}: {self.contacts:.1f}"


class StaffPlan(models.Model):
    """An upload of planned staff (a roster or counts per half hour) for one office."""

    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff plan")
        verbose_name_plural = _("staff plans")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.office} {self.date_from}..{self.date_to}"


class PlannedStaff(models.Model):
    """Agents planned in one office in the half hour starting at `slot_start` (the newest plan
    covering a half hour counts)."""

    plan = models.ForeignKey(StaffPlan, on_delete=models.CASCADE, related_name="slots")
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    slot_start = models.DateTimeField(_("half hour"))
    agents = models.DecimalField(_("agents"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("planned staff")
        verbose_name_plural = _("planned staff")
        constraints = [
            models.UniqueConstraint(fields=["plan", "slot_start"], name="steering_planned_unique"),
            models.CheckConstraint(condition=Q(agents__gte=0), name="steering_planned_positive"),
        ]
        indexes = [models.Index(fields=["office", "slot_start"], name="steering_planned_slot")]

    def __str__(self) -> str:
        return f"{self.office} {self.slot_start}: {self.agents}"
