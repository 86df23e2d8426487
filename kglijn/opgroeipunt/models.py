"""Opgroeipunt's master data: organisers and childcare locations, kept with their history.

Every change to a location goes through ``services.py``, which writes one ``LocationVersion``
row per real change (docs/opgroeipunt.md).
"""

from __future__ import annotations

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
