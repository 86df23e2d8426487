"""Error pages that never show settings or paths, and never need the database (issue 13)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when the database could not be reached, else 500; both in Dutch.

    The exception is only known where Django handles it in the same thread (WSGI, the test
    client); elsewhere (ASGI) the plain 500 page is shown, with the same advice.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        template, status = "503.html", 503
    else:
        template, status = "500.html", 500
    response = HttpResponse(loader.get_template(template).render(), status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response
