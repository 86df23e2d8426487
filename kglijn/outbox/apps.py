from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "kglijn.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        checks.register(purposes_check)


def purposes_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A wrong KGLIJN_OUTBOX_PURPOSES stops `kglijn check` (and serve, worker, migrate), not
    the first mail that needs it."""
    from kglijn.outbox.purposes import purposes

    try:
        purposes()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="outbox.E001")]
    return []
