"""E-mail survey invitations (issue 5 item 3, ADR 0008, ADR 0013).

48 hours after an e-mail contact is answered by an employee, one invitation goes to the sender:
- `scheduling`: which contacts are due; `invitations_schedule` (a `kglijn worker` job) creates
  their invitations and puts them in the outbox; eligibility is decided when sending;
- `rendering`: the mail (Dutch, text and HTML) with its links;
- `sending`: the invitations' outbox purpose: claimed -> token + mail, settled -> status. The
  outbox (kglijn/outbox) sends: never twice, an unknown fate never re-sent by itself;
- `answering`: the link's token, the answers, the opt-out.
"""

from kglijn.surveys.invitations.answering import (
    InvitationRefused,
    Refusal,
    invitation_answer,
    invitation_for_token,
    invitation_opt_out,
)
from kglijn.surveys.invitations.rendering import (
    MAIL_LANGUAGE,
    invitation_message,
    optout_link,
    survey_link,
)
from kglijn.surveys.invitations.scheduling import (
    CATCH_UP,
    SEND_AFTER,
    SKIP_LABELS,
    Skip,
    address_hash,
    invitation_address,
    invitation_opted_out,
    invitations_due,
    invitations_schedule,
)
from kglijn.surveys.invitations.sending import TOKEN_VALID, invitations_send

__all__ = [
    "CATCH_UP",
    "MAIL_LANGUAGE",
    "SEND_AFTER",
    "SKIP_LABELS",
    "TOKEN_VALID",
    "InvitationRefused",
    "Refusal",
    "Skip",
    "address_hash",
    "invitation_address",
    "invitation_answer",
    "invitation_for_token",
    "invitation_message",
    "invitation_opt_out",
    "invitation_opted_out",
    "invitations_due",
    "invitations_schedule",
    "invitations_send",
    "optout_link",
    "survey_link",
]
