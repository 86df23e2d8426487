"""A purpose for the outbox's own tests: notes kept in memory, so the tests see exactly what
the outbox asked of its purpose (KGLIJN_OUTBOX_PURPOSES names it in tests/outbox)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.mail import EmailMessage

from kglijn.outbox.models import OutboundMail
from kglijn.outbox.purposes import Decline, Outcome


@dataclass
class NotePurpose:
    key: str = "test_note"
    decline: set[int] = field(default_factory=set)
    explode: set[int] = field(default_factory=set)
    claims: list[int] = field(default_factory=list)
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)

    def reset(self) -> None:
        self.decline.clear()
        self.explode.clear()
        self.claims.clear()
        self.outcomes.clear()

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        if mail.reference in self.explode:
            raise RuntimeError(f"note {mail.reference} cannot be built")
        if mail.reference in self.decline:
            return Decline("not wanted any more")
        self.claims.append(mail.reference)
        return EmailMessage(
            subject=f"Note {mail.reference}",
            body=f"Note number {mail.reference}.",
            from_email="kglijn@example.be",
            to=[f"note{mail.reference}@example.be"],
            headers={"Message-ID": f"<note.{mail.reference}@example.be>"},
        )

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        self.outcomes.append((mail.reference, outcome))


NOTE = NotePurpose()
OTHER = NotePurpose(key="test_other")
