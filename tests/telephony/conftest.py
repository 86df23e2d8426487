from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from tests.telephony.calls import AGENTS, HANDLERS, NURSES


@pytest.fixture
def call_agents(make_user: Callable[..., User]) -> dict[str, User]:
    """The agents the planned calls name: front-office agents, PGJO nurses, a childcare handler."""
    users = {name: make_user("front_office", name) for name in AGENTS}
    users |= {name: make_user("pgjo_nurse", name) for name in NURSES}
    users |= {name: make_user("childcare_handler", name) for name in HANDLERS}
    return users
