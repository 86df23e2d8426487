"""The wallboard's TV mode (?tv=1, issue 16): no site header, menu or footer; the tiles, polling
and a full-screen button remain."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.telephony.test_views import WALLBOARD, _now_events

pytestmark = pytest.mark.django_db


def _page(client, team_lead, agent, query: str = "") -> str:
    _now_events(client, "tv", waiting=2, answered_by="agent")
    assert client.login(username=team_lead.username, password=PASSWORD)
    response = client.get(WALLBOARD + query)
    assert response.status_code == 200
    return response.content.decode()


def test_tv_mode_shows_the_tiles_without_header_menu_or_footer(client, team_lead, agent) -> None:
    html = _page(client, team_lead, agent, "?tv=1")

    assert '<body class="tv"' in html
    assert 'class="site-header"' not in html
    assert 'class="main-nav"' not in html
    assert 'class="site-footer"' not in html
    # every office's tile with its figures, and the waiting calls counted
    assert len(re.findall(r'<li class="wallboard__office[^"]*" data-office="', html)) == 3
    assert re.search(r'data-office="front".*?data-figure="waiting">2<', html, re.S)
    # polling goes on, for the TV mode's board
    assert 'hx-get="/telephony/wallboard/?tv=1"' in html
    assert 'hx-trigger="every 3s"' in html
    # the full-screen button (shown by wallboard.js where the Fullscreen API exists), a way back
    assert "data-fullscreen" in html
    assert "telephony/wallboard.js" in html
    assert 'href="/telephony/wallboard/" data-leave-tv' in html


def test_the_normal_wallboard_keeps_its_header_and_offers_tv_mode(client, team_lead, agent) -> None:
    html = _page(client, team_lead, agent)

    assert 'class="main-nav"' in html
    assert 'class="site-footer"' in html
    assert "<body hx-headers" in html
    assert 'href="/telephony/wallboard/?tv=1" data-tv-mode' in html
    assert 'hx-get="/telephony/wallboard/"' in html
    assert "data-fullscreen" not in html


def test_the_tv_modes_polled_board_is_the_fragment_alone(client, team_lead, agent) -> None:
    _page(client, team_lead, agent)

    fragment = client.get(WALLBOARD + "?tv=1", HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="wallboard"')
    assert 'hx-get="/telephony/wallboard/?tv=1"' in fragment
