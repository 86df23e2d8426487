"""kglijn.core.tokens: one helper for the feedback and survey links, same stored hash as before.

The token/hash pairs below were made by the feedback and survey token modules as they were
before the shared helper (secrets.token_urlsafe, SHA-256 hex): links already sent must keep
working, so they must verify the new way.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.core.tokens import FEEDBACK_TOKEN, SURVEY_TOKEN, TokenKind, token_hash
from kglijn.feedback.models import LocalTeam, Visit
from kglijn.feedback.selectors import visit_for_token
from kglijn.feedback.services import local_team_member_add, visit_register
from kglijn.surveys.invitations import invitation_for_token
from kglijn.surveys.models import SurveyInvitation
from tests.surveys.invitation_helpers import answered_moment, email_contact, sent_invitation

OLD_FEEDBACK = (
    "92QiMaWekymiKRppRP4v4Q",
    "d91d66c166f336509a8649e95ac5493d0c5b660565685a8bffa32a363567676e",
)
OLD_SURVEY = (
    "iWdPNi_8rAuILm-xSgCzIydQ4of7eNZFzBamjmXfkoU",
    "dc023eaca09c5fc0d048c1d6b791156672f0ece678054badf73640ff030e51b7",
)


def test_old_tokens_hash_and_verify_the_new_way() -> None:
    for kind, (token, stored) in ((FEEDBACK_TOKEN, OLD_FEEDBACK), (SURVEY_TOKEN, OLD_SURVEY)):
        assert token_hash(token) == stored
        assert kind.well_formed(token)


def test_new_tokens_have_the_lengths_and_entropy_of_their_kind() -> None:
    feedback = FEEDBACK_TOKEN.new()
    survey, hashed = SURVEY_TOKEN.new_with_hash()
    assert len(feedback) == 22  # 16 bytes, typed from a card
    assert len(survey) == 43  # 32 bytes
    assert hashed == hashlib.sha256(survey.encode("ascii")).hexdigest()
    assert FEEDBACK_TOKEN.well_formed(feedback)
    assert SURVEY_TOKEN.well_formed(survey)
    assert len({FEEDBACK_TOKEN.new() for _ in range(100)}) == 100


def test_well_formed_refuses_other_shapes() -> None:
    assert FEEDBACK_TOKEN.well_formed("a-b_c" * 4)
    assert not FEEDBACK_TOKEN.well_formed("x" * 15)
    assert not FEEDBACK_TOKEN.well_formed("x" * 65)
    assert not FEEDBACK_TOKEN.well_formed("AbCdEfGhIjKlMnOp.rStUv")
    assert not FEEDBACK_TOKEN.well_formed("AbCdEfGhIjKlMnOpQrStUv\n")
    assert not SURVEY_TOKEN.well_formed(OLD_FEEDBACK[0])  # 22 characters: not a survey token
    assert not SURVEY_TOKEN.well_formed(OLD_SURVEY[0] + "A")


def test_a_kind_needs_128_bits_and_knows_its_expiry() -> None:
    with pytest.raises(ValueError, match="128 random bits"):
        TokenKind(random_bytes=8, min_length=8, max_length=16, valid_for=dt.timedelta(days=1))
    issued = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    assert FEEDBACK_TOKEN.expires_at(issued) == dt.datetime(2025, 3, 15, 9, tzinfo=dt.UTC)
    assert FEEDBACK_TOKEN.pattern == "[A-Za-z0-9_-]{16,64}"


@pytest.mark.django_db
def test_a_feedback_link_sent_before_still_opens_its_visit(make_user) -> None:
    team = LocalTeam.objects.order_by("pk").first()
    assert team is not None
    employee: User = make_user("front_office", "nurse-at-home")
    local_team_member_add(local_team=team, user=employee, is_lead=False)
    visit, _token = visit_register(
        employee=employee, kind="clinic", local_team=team, visited_on=timezone.localdate()
    )
    Visit.objects.filter(pk=visit.pk).update(token_hash=OLD_FEEDBACK[1])

    assert visit_for_token(token=OLD_FEEDBACK[0]).pk == visit.pk


@pytest.mark.django_db
def test_a_survey_link_sent_before_still_opens_its_invitation(agent: User) -> None:
    invitation, _token = sent_invitation(
        email_contact(handler=agent, answered_at=answered_moment())
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(token_hash=OLD_SURVEY[1])

    found = invitation_for_token(token=OLD_SURVEY[0], now=timezone.now())
    assert found.pk == invitation.pk
