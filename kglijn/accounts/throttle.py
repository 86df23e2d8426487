"""Login throttling with django-axes (issue 13): the glue between axes and kglijn.

Axes counts failed logins per account (username) and per client (IP address, REMOTE_ADDR only:
``kglijn serve`` sets it from X-Forwarded-For only for configured trusted proxies). At
``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` that account, or that client, is
refused — even with the right password — until the cool-off has passed or an administrator
deletes the attempt in /beheer/ (Axes → access attempts).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent

LOCKOUT_OBJECT_TYPE = "login_lockout"


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses logins of a locked account or client; authenticates no one itself.

    Every login over HTTP (the login page, /beheer/'s login) passes the request and is
    throttled. ``authenticate()`` without a request (the test client's ``client.login()``) has
    no client to count and is left to the next backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client address axes counts: REMOTE_ADDR only, never a request header."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The login page again, with the lockout message and status 429 (AXES_LOCKOUT_CALLABLE).

    Axes calls this with (request, response, credentials) or, in its ASGI path, with
    (request, credentials); only the request is used.
    """
    username = request.POST.get("username", "") if request.method == "POST" else ""
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {
        "form": form,
        "next": request.POST.get("next", "") if request.method == "POST" else "",
        "locked_out": True,
        "lockout_minutes": lockout_minutes(),
    }
    return render(request, "registration/login.html", context, status=429)


def lockout_audit(
    sender: Any, *, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> AuditEvent | None:
    """Write a lockout to kglijn's audit log once per lockout (axes' user_locked_out signal).

    Axes sends the signal for every refused attempt during a lockout; one line is enough until
    the cool-off has passed.
    """
    ip_address = kwargs.get("ip_address") or (client_ip(request) if request else None)
    name = (username or "")[:150]
    since = timezone.now() - (settings.AXES_COOLOFF_TIME or dt.timedelta(minutes=15))
    already = AuditEvent.objects.filter(
        object_type=LOCKOUT_OBJECT_TYPE,
        at__gte=since,
        detail__event="locked_out",
        detail__username=name,
        detail__ip_address=ip_address,
    ).exists()
    if already:
        return None
    user = User.objects.filter(username=name).first()
    return audit_record(
        actor=None,
        action=AuditEvent.Action.CHANGE,
        object_type=LOCKOUT_OBJECT_TYPE,
        object_id=user.pk if user else 0,
        detail={"event": "locked_out", "username": name, "ip_address": ip_address},
    )


def lockout_release_audit(*, actor: User, username: str, ip_address: str | None) -> AuditEvent:
    """Write an unlock (an administrator deleted access attempts) to kglijn's audit log."""
    user = User.objects.filter(username=username).first()
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        object_type=LOCKOUT_OBJECT_TYPE,
        object_id=user.pk if user else 0,
        detail={"event": "unlocked", "username": username, "ip_address": ip_address},
    )
