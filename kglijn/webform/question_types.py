"""The question types of the web contact form: each sets the contact's topic and reason, and
the office that receives it.

Every type goes to the **front office**: all written questions (e-mail and contact forms) are
first-line work that the front office answers or escalates in writing to a back office (000
§1.1: only chats bypass the front office). The office is still part of each type, so a type
that should reach a back office directly is a one-word change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kglijn.core.vocabulary import Office, Topic


@dataclass(frozen=True)
class QuestionType:
    key: str  # submitted value, stable
    label: Promise
    topic: str
    reason_code: str  # a contacts.Reason code (catalogue_seed.INITIAL_REASONS)
    office: str = Office.FRONT


QUESTION_TYPES: tuple[QuestionType, ...] = (
    QuestionType(
        "gezondheid",
        _("My child's health, feeding, sleep or development"),
        Topic.FAMILY_SUPPORT,
        "advice",
    ),
    QuestionType("vaccinatie", _("Vaccinations"), Topic.FAMILY_SUPPORT, "vaccination"),
    QuestionType(
        "consultatiebureau",
        _("An appointment at the consultation clinic"),
        Topic.FAMILY_SUPPORT,
        "cb-appointment",
    ),
    QuestionType(
        "zwanger",
        _("I am pregnant: getting to know Kind en Gezin"),
        Topic.FAMILY_SUPPORT,
        "pregnancy-intro",
    ),
    QuestionType("zorg", _("I am worried about a child"), Topic.FAMILY_SUPPORT, "care-report"),
    QuestionType("opvang-zoeken", _("Finding childcare"), Topic.CHILDCARE, "childcare-addresses"),
    QuestionType(
        "ouderbijdrage",
        _("Parent fee or certificate in childcare"),
        Topic.CHILDCARE,
        "childcare-fees",
    ),
    QuestionType(
        "opvang-starten",
        _("Starting a childcare (licence, qualifications)"),
        Topic.CHILDCARE,
        "childcare-qualification",
    ),
    QuestionType("andere", _("Another question about Kind en Gezin"), "", "general"),
)
QUESTION_TYPES_BY_KEY = {question.key: question for question in QUESTION_TYPES}
