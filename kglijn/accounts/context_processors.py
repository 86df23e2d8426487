from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kglijn.accounts.selectors import user_roles


def roles(request: HttpRequest) -> dict[str, Any]:
    return {"user_roles": user_roles(user=request.user)}
