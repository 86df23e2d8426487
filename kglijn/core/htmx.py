"""The one place that asks whether a request came from htmx (django-htmx sets request.htmx)."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Sent by htmx (a fragment is enough), history restores included."""
    return bool(getattr(request, "htmx", False))


def is_htmx_fragment(request: HttpRequest) -> bool:
    """Sent by htmx for a fragment: not a history restore, which needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
