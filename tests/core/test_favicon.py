"""The site's icon: linked from every base template, and /favicon.ico answers instead of 404."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

ICON_URL = "/static/kglijn/favicon.svg"


def test_favicon_ico_redirects_to_the_svg_icon() -> None:
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == ICON_URL


def test_the_icon_is_a_static_file_and_an_svg() -> None:
    path = finders.find("kglijn/favicon.svg")

    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/login/", "/contact/", "/chat/", "/feedback/bedankt/", "/tevredenheid/bedankt/"]
)
def test_staff_and_public_pages_link_the_icon(url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 200
    assert f'<link rel="icon" href="{ICON_URL}" type="image/svg+xml">' in response.text
