"""kglijn.core.public (the one decorator of public pages) and kglijn.core.htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from kglijn.core.htmx import is_htmx, is_htmx_fragment
from kglijn.core.public import public_page


def _language_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(translation.get_language())


def test_a_public_page_is_dutch_and_never_cached() -> None:
    view = public_page(_language_view)
    with translation.override("en"):
        response = view(RequestFactory().get("/contact/", HTTP_ACCEPT_LANGUAGE="en"))
        assert translation.get_language() == "en"  # only the view ran in Dutch

    assert response.content == b"nl-be"
    assert response["Content-Language"] == "nl"
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "X-Robots-Tag" not in response
    assert view.__name__ == "_language_view"


def test_a_public_page_can_ask_not_to_be_indexed() -> None:
    response = public_page(noindex=True)(_language_view)(RequestFactory().get("/tevredenheid/x/"))

    assert response.content == b"nl-be"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def _request(**headers: str) -> HttpRequest:
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    return request


def test_is_htmx_and_a_fragment_request() -> None:
    plain = _request()
    fragment = _request(HTTP_HX_REQUEST="true")
    restore = _request(HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert (is_htmx(plain), is_htmx(fragment), is_htmx(restore)) == (False, True, True)
    assert (is_htmx_fragment(plain), is_htmx_fragment(fragment), is_htmx_fragment(restore)) == (
        False,
        True,
        False,
    )
    assert not is_htmx(RequestFactory().get("/"))  # without the middleware
    assert not is_htmx_fragment(RequestFactory().get("/"))
