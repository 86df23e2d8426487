"""The menu's "My feedback" entry with its unread counter (one query per page)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from kglijn.feedback.selectors import NavState, feedback_nav_state

register = template.Library()


@register.simple_tag
def feedback_nav(user: User | AnonymousUser) -> NavState:
    return feedback_nav_state(user=user)
