"""What the outbox sends mail for: purposes registered by dotted path in
settings.KGLIJN_OUTBOX_PURPOSES, so the outbox never imports the apps above it (ADR 0013).

A purpose is an object with
- `key`: stored in OutboundMail.purpose (stable: rows in the database carry it);
- `claimed(mail, *, now)`: called inside the claim's transaction, the outbox row locked and
  already marked sending. Build the mail from the purpose's own rows (and mark them as being
  sent), or return `Decline` when it must not go out any more. Raising rolls the whole claim
  back: the mail stays pending, untouched;
- `settled(mail, outcome, *, now)`: called inside the transaction that records how the send
  ended (`outcome.state`: sent, pending again for a retry, failed, unknown fate, cancelled), to
  bring the purpose's own rows in step.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from kglijn.outbox.models import OutboundMail


class Failure(enum.StrEnum):
    """Why a send did not end in "sent"."""

    RECIPIENT = "recipient"  # RCPT refused: certainly not sent
    SENDER = "sender"  # MAIL refused (our own address): certainly not sent
    MESSAGE = "message"  # DATA refused: certainly not sent
    BROKE_OFF = "broke_off"  # the dialogue broke off: perhaps sent
    INTERRUPTED = "interrupted"  # the sending process died: perhaps sent
    DECLINED = "declined"  # the purpose declined it when claimed


@dataclass(frozen=True)
class Decline:
    """`claimed` says this mail must not go out: `failed` True for a problem (state failed),
    False when it is simply no longer wanted (state cancelled)."""

    reason: str
    failed: bool = False


@dataclass(frozen=True)
class Outcome:
    """How a claimed send ended, as the purpose's `settled` sees it."""

    state: str  # an OutboxState value
    failure: Failure | None = None
    code: int = 0  # the SMTP reply code of a refusal
    permanent: bool = False  # refused for good (5xx), not given up after MAX_ATTEMPTS
    error: str = ""  # the text stored on the outbox row


class OutboxPurpose(Protocol):
    key: str

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline: ...

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None: ...


@cache
def purposes() -> dict[str, OutboxPurpose]:
    """The registered purposes by key; a wrong path or a key used twice is a configuration
    error, raised at the first use."""
    found: dict[str, OutboxPurpose] = {}
    for path in settings.KGLIJN_OUTBOX_PURPOSES:
        try:
            purpose = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"KGLIJN_OUTBOX_PURPOSES: cannot import {path!r}: {exc}"
            ) from exc
        key = getattr(purpose, "key", "")
        if not key or not callable(getattr(purpose, "claimed", None)):
            raise ImproperlyConfigured(f"KGLIJN_OUTBOX_PURPOSES: {path!r} is not a purpose")
        if key in found:
            raise ImproperlyConfigured(f"KGLIJN_OUTBOX_PURPOSES: key {key!r} is used twice")
        found[key] = purpose
    return found


def purpose_get(key: str) -> OutboxPurpose:
    try:
        return purposes()[key]
    except KeyError:
        raise ImproperlyConfigured(
            f"KGLIJN_OUTBOX_PURPOSES has no purpose {key!r} (a mail in the outbox needs it)"
        ) from None


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "KGLIJN_OUTBOX_PURPOSES":
        purposes.cache_clear()


setting_changed.connect(_forget)
