from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Topic
from kglijn.core.provinces import UNREGISTERED, Province, province_label
from kglijn.reports.selectors import yearly_figures


def _parse_date(value: str | None, default: dt.date) -> tuple[dt.date, str | None]:
    if not value:
        return default, None
    try:
        return dt.date.fromisoformat(value), None
    except ValueError:
        return default, _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value}


@permission_required("contacts.view_reports", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    """Contacts per year and channel, outgoing, province and topic shares (000 §2–3)."""
    today = timezone.localdate()
    date_from, error_from = _parse_date(request.GET.get("from"), dt.date(today.year - 4, 1, 1))
    date_to, error_to = _parse_date(request.GET.get("to"), today)
    errors = [error for error in (error_from, error_to) if error]
    if date_to < date_from:
        errors.append(_("The end date lies before the start date."))
        date_from, date_to = date_to, date_from
    if (date_to.year - date_from.year) > 20:
        errors.append(_("Choose a period of at most 20 years."))
        date_from = dt.date(date_to.year - 20, 1, 1)
    years = yearly_figures(date_from=date_from, date_to=date_to)
    province_rows = [
        (province_label(code), [year.province_share_pct[code] for year in years])
        for code in [UNREGISTERED, *Province.values]
    ]
    return render(
        request,
        "reports/overview.html",
        {
            "years": years,
            "date_from": date_from,
            "date_to": date_to,
            "errors": errors,
            "channels": Channel.choices,
            "channel_rows": [
                (label, [year.incoming[value] for year in years])
                for value, label in Channel.choices
            ],
            "province_rows": province_rows,
            "topic_rows": [
                (label, [year.topic_share_pct[value] for year in years])
                for value, label in Topic.choices
                if value
            ],
        },
    )
