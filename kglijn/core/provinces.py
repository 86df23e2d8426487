"""Belgian provinces (ISO 3166-2) and the postcode -> province rule.

Postcode ranges follow bpost's allocation (docs/domain.md). The empty code means "not registered".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

UNREGISTERED = ""


class Province(models.TextChoices):
    # Order = the order of the parliamentary tables (000 §2).
    ANTWERPEN = "BE-VAN", _("Antwerp")
    OOST_VLAANDEREN = "BE-VOV", _("East Flanders")
    WEST_VLAANDEREN = "BE-VWV", _("West Flanders")
    VLAAMS_BRABANT = "BE-VBR", _("Flemish Brabant")
    LIMBURG = "BE-VLI", _("Limburg")
    BRUSSEL = "BE-BRU", _("Brussels")
    HENEGOUWEN = "BE-WHT", _("Hainaut")
    WAALS_BRABANT = "BE-WBR", _("Walloon Brabant")
    LUIK = "BE-WLG", _("Liège")
    LUXEMBURG = "BE-WLX", _("Luxembourg")
    NAMEN = "BE-WNA", _("Namur")


PROVINCE_CHOICES_WITH_UNREGISTERED = [(UNREGISTERED, _("Not registered")), *Province.choices]

# (first, last, province) - inclusive ranges.
_POSTCODE_RANGES: tuple[tuple[int, int, Province], ...] = (
    (1000, 1299, Province.BRUSSEL),
    (1300, 1499, Province.WAALS_BRABANT),
    (1500, 1999, Province.VLAAMS_BRABANT),
    (2000, 2999, Province.ANTWERPEN),
    (3000, 3499, Province.VLAAMS_BRABANT),
    (3500, 3999, Province.LIMBURG),
    (4000, 4999, Province.LUIK),
    (5000, 5999, Province.NAMEN),
    (6000, 6599, Province.HENEGOUWEN),
    (6600, 6999, Province.LUXEMBURG),
    (7000, 7999, Province.HENEGOUWEN),
    (8000, 8999, Province.WEST_VLAANDEREN),
    (9000, 9999, Province.OOST_VLAANDEREN),
)


class InvalidPostcode(ValueError):
    """Raised for anything that is not a four-digit Belgian postcode (1000-9999)."""


def province_for_postcode(postcode: str | int) -> Province:
    """The province of a Belgian postcode; raises InvalidPostcode with a translated message."""
    text = str(postcode).strip()
    if text.upper().startswith("B-"):
        text = text[2:]
    # isascii(): str.isdigit() also accepts "²" and Arabic-Indic digits, which int() rejects or
    # silently converts; a postcode typed on the desk is plain ASCII.
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise InvalidPostcode(_("A Belgian postcode has 4 digits."))
    number = int(text)
    for first, last, province in _POSTCODE_RANGES:
        if first <= number <= last:
            return province
    raise InvalidPostcode(_("Not a valid Belgian postcode (1000 to 9999)."))


def province_label(code: str) -> str:
    """The translated name of a province code; "Not registered" for the empty code."""
    if code == UNREGISTERED:
        return str(_("Not registered"))
    return str(Province(code).label)
