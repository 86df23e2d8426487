"""One error shape for the whole API, the webhooks' own: {"errors": [{"field", "message"}]}.

`field` names the field as sent (dotted for nested ones, e.g. "reasons.0"), or is null when the
request as a whole is at fault (authentication, permission, not found, ...).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD_KEYS = {"non_field_errors", "detail", "__all__"}


def _flatten(data: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        items: list[dict[str, Any]] = []
        for key, value in data.items():
            name = None if key in NON_FIELD_KEYS else str(key)
            path = ".".join(part for part in (field, name) if part) or None
            items += _flatten(value, path)
        return items
    if isinstance(data, list):
        flat: list[dict[str, Any]] = []
        for position, value in enumerate(data):
            nested = isinstance(value, dict | list) and value
            flat += _flatten(value, f"{field}.{position}" if nested and field else field)
        return flat
    return [{"field": field, "message": str(data)}]


def _from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if key == "__all__" else key): messages
                for key, messages in exc.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response


def errors_response(status: int, field: str | None, message: str) -> Response:
    return Response({"errors": [{"field": field, "message": message}]}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/ (an id that is no number, a path that does not exist),
    Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "message": _("Not found.")}]}, status=404)
    return page_not_found(request, exception or Http404())
