"""Dutch by default: the language is the one the user chose, never the browser's guess.

Kind en Gezin is a Flemish agency; its staff work in Dutch whatever language their browser is
set to. English is there for whoever chooses it with the NL/EN switch (Django's `set_language`,
which stores the choice in the language cookie), and it stays chosen on the next page and the
next visit. So this replaces Django's LocaleMiddleware, which would follow Accept-Language.

The machine API (`/api/`) keeps ordinary HTTP content negotiation: a platform that sends
`Accept-Language: en` asks for English error messages on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

NEGOTIATED_PREFIXES = ("/api/",)


def chosen_language(request: HttpRequest) -> str:
    """The language of the cookie set by the NL/EN switch if it is one we offer, else Dutch."""
    if request.path_info.startswith(NEGOTIATED_PREFIXES):
        return translation.get_language_from_request(request)
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates `chosen_language` for the request (in LocaleMiddleware's place)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The page depends on the cookie (and on Accept-Language only under /api/).
        patch_vary_headers(response, ("Cookie",))
        if request.path_info.startswith(NEGOTIATED_PREFIXES):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
