from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from kglijn.telephony.services import call_events_apply_pending
from tests.telephony.calls import AGENTS, HANDLERS, NURSES


@pytest.fixture
def call_agents(make_user: Callable[..., User]) -> dict[str, User]:
    """The agents the planned calls name: front-office agents, PGJO nurses, a childcare handler."""
    users = {name: make_user("front_office", name) for name in AGENTS}
    users |= {name: make_user("pgjo_nurse", name) for name in NURSES}
    users |= {name: make_user("childcare_handler", name) for name in HANDLERS}
    return users


@pytest.fixture(params=["inline", "background"])
def apply_mode(request: pytest.FixtureRequest, settings: Any) -> str:
    """Both ways the webhook applies events (ADR 0009): inline in the request, or stored and
    acknowledged (202) with the applier deriving calls later — `settle` plays the applier."""
    settings.KGLIJN_TELEPHONY_APPLY = request.param
    return str(request.param)


def settle() -> int:
    """Apply every stored, unapplied event (what the background applier does); how many."""
    total = 0
    while done := call_events_apply_pending(limit=97):  # odd size: batches cut calls apart
        total += done
    return total
