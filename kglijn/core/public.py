"""The one decorator for public pages (no login): Dutch whatever the browser asks, never cached.

The web contact form, the parent's chat and the survey page are for citizens; they are Dutch
(nl-BE) and hold fresh tokens or personal answers, so no cache may keep them. The survey page,
reached from a mail link, also asks search engines not to index it (`noindex=True`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import overload

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.cache import never_cache

LANGUAGE = "nl-be"

View = Callable[..., HttpResponse]


def _public(view: View, *, noindex: bool) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with translation.override(LANGUAGE):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = "nl"
        if noindex:
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


@overload
def public_page(view: View, *, noindex: bool = ...) -> View: ...
@overload
def public_page(view: None = ..., *, noindex: bool = ...) -> Callable[[View], View]: ...
def public_page(
    view: View | None = None, *, noindex: bool = False
) -> View | Callable[[View], View]:
    """`@public_page` or `@public_page(noindex=True)`."""
    if view is not None:
        return _public(view, noindex=noindex)

    def decorate(inner: View) -> View:
        return _public(inner, noindex=noindex)

    return decorate
