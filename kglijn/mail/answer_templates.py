"""Answer templates for e-mails, in Dutch: the mail goes to the citizen in Dutch whatever the
agent's interface language, so these are content, not interface strings (not in gettext).

A plain list until the knowledge base (issue 6 item 4) keeps templates per topic and reason;
its panel plugs into the composer next to these (docs/mail.md, "Knowledge base").
Placeholders: {naam} (the sender's name), {referentie} (KG-…), {medewerker} (the agent).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from kglijn.contacts.models import Contact


@dataclass(frozen=True)
class AnswerTemplate:
    key: str
    title: str
    text: str


ANSWER_TEMPLATES: tuple[AnswerTemplate, ...] = (
    AnswerTemplate(
        "ontvangst",
        "Ontvangstbevestiging",
        "Bedankt voor je bericht. We hebben je vraag goed ontvangen onder referentie "
        "{referentie}. Je krijgt binnen twee werkdagen een antwoord.",
    ),
    AnswerTemplate(
        "meer-informatie",
        "Vraag om meer informatie",
        "Om je vraag goed te kunnen beantwoorden, hebben we nog wat meer informatie nodig. "
        "Kun je ons laten weten ",
    ),
    AnswerTemplate(
        "groeipakket",
        "Doorverwijzing Groeipakket",
        "Voor vragen over het Groeipakket (de vroegere kinderbijslag) kun je terecht bij je "
        "uitbetaler van het Groeipakket. Meer informatie vind je op www.groeipakket.be.",
    ),
    AnswerTemplate(
        "consultatiebureau",
        "Afspraak in het consultatiebureau",
        "Een afspraak in het consultatiebureau maak je online via www.kindengezin.be of "
        "telefonisch via de Kind en Gezin-Lijn op 078 150 100 (werkdagen van 8 tot 20 uur).",
    ),
    AnswerTemplate(
        "backoffice",
        "Doorgegeven aan een collega",
        "We hebben je vraag doorgegeven aan een collega die er meer over weet. Zij of hij "
        "neemt zo snel mogelijk contact met je op. Je referentie is {referentie}.",
    ),
    AnswerTemplate(
        "nog-vragen",
        "Nog vragen?",
        "Heb je nog vragen? Antwoord gerust op deze mail of bel de Kind en Gezin-Lijn op "
        "078 150 100.",
    ),
)

GREETING = "Beste {naam},\n\n"
SIGNATURE = (
    "Met vriendelijke groeten,\n{medewerker}\nKind en Gezin-Lijn\n078 150 100 · www.kindengezin.be"
)


def _values(*, contact: Contact, user: User) -> dict[str, str]:
    name = contact.caller_name
    if not name and contact.customer_id is not None and contact.customer is not None:
        name = contact.customer.name
    return {
        "naam": name or "heer, mevrouw",
        "referentie": contact.reference,
        "medewerker": user.get_short_name() or user.get_username(),
    }


def answer_templates_for(*, contact: Contact, user: User) -> list[AnswerTemplate]:
    """The templates with this contact's and agent's values filled in."""
    values = _values(contact=contact, user=user)
    return [
        AnswerTemplate(template.key, template.title, template.text.format(**values))
        for template in ANSWER_TEMPLATES
    ]


def answer_start(*, contact: Contact, user: User) -> str:
    """What the composer starts with: a greeting, room for the answer, a signature."""
    values = _values(contact=contact, user=user)
    return GREETING.format(**values) + "\n\n" + SIGNATURE.format(**values)
