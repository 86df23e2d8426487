"""Bounded dates for staff filters.

A date filter that accepts any year lets a page compute with 0001-01-01 or 9999-12-31 and fall
over (OverflowError at the midnight after the last day, hours per day for a millennium). Every
staff filter checks its dates here, so the window and the message are the same on every page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_DATE = dt.date(2000, 1, 1)
# Plans and service-level contracts may look a year ahead; nothing further is meaningful.
FUTURE_DAYS = 366


def last_date(*, today: dt.date | None = None) -> dt.date:
    """The last date any staff filter accepts: today plus a year."""
    return (today or timezone.localdate()) + dt.timedelta(days=FUTURE_DAYS)


def date_in_bounds(value: dt.date, *, today: dt.date | None = None) -> bool:
    return FIRST_DATE <= value <= last_date(today=today)


def date_bounds_error(*, today: dt.date | None = None) -> ValidationError:
    """The message for a date outside the window, naming the window."""
    return ValidationError(
        _("Choose a date between %(first)s and %(last)s."),
        code="date_out_of_range",
        params={
            "first": FIRST_DATE.strftime("%d/%m/%Y"),
            "last": last_date(today=today).strftime("%d/%m/%Y"),
        },
    )


def check_date(value: dt.date, *, today: dt.date | None = None) -> None:
    """Raise a ValidationError (with the window in the message) when `value` lies outside it."""
    if not date_in_bounds(value, today=today):
        raise date_bounds_error(today=today)


def check_month(first_day: dt.date, *, today: dt.date | None = None) -> None:
    """Raise a ValidationError when the month starting on `first_day` lies outside the window."""
    last = last_date(today=today)
    if not FIRST_DATE <= first_day <= last:
        raise ValidationError(
            _("Choose a month between %(first)s and %(last)s."),
            code="month_out_of_range",
            params={"first": FIRST_DATE.strftime("%m/%Y"), "last": last.strftime("%m/%Y")},
        )


def span_error(*, date_from: dt.date, date_to: dt.date, max_days: int) -> ValidationError | None:
    """The message when date_from..date_to (inclusive) is reversed or longer than max_days."""
    if date_to < date_from:
        return ValidationError(_("The end date lies before the start date."), code="date_order")
    if (date_to - date_from).days + 1 > max_days:
        return ValidationError(
            _("Choose a period of at most %(days)d days."),
            code="span_too_long",
            params={"days": max_days},
        )
    return None


def parse_bounded_date(
    value: str | None, *, default: dt.date, today: dt.date | None = None
) -> tuple[dt.date, str | None]:
    """An ISO date from a query string, or `default` with the message why it was not used."""
    if not value:
        return default, None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return default, str(
            _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value[:40]}
        )
    if not date_in_bounds(parsed, today=today):
        return default, " ".join(date_bounds_error(today=today).messages)
    return parsed, None


class BoundedDateField(forms.DateField):
    """A DateField that only accepts dates from 2000-01-01 up to today plus a year."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date):
            check_date(value)
