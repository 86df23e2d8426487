"""Panels other apps contribute to the contact page (the mail thread, the survey answers, …).

The register imports no channel: each panel is a callable named by dotted path in
settings.KGLIJN_CONTACT_PANELS, `panel(*, user, contact) -> ContactPanel`, called for a contact
the user already got through `contact_get_for_user`. The page includes each panel's template in
the settings' order, with the panel's context added to the page's context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from kglijn.contacts.models import Contact


@dataclass(frozen=True)
class ContactPanel:
    """A template included on the contact page and the variables it reads."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelFunction = Callable[..., ContactPanel]


@cache
def _panels(paths: tuple[str, ...]) -> tuple[PanelFunction, ...]:
    functions = []
    for path in paths:
        try:
            function = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"KGLIJN_CONTACT_PANELS: cannot import {path!r}: {exc}"
            ) from exc
        functions.append(function)
    return tuple(functions)


def contact_panels(*, user: User, contact: Contact) -> list[ContactPanel]:
    """The contributed panels of a contact the user may see, in the settings' order."""
    paths = tuple(settings.KGLIJN_CONTACT_PANELS)
    return [panel(user=user, contact=contact) for panel in _panels(paths)]
