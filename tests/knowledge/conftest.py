"""Articles made through the services, as an information manager would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from kglijn.knowledge.models import Article
from kglijn.knowledge.services import article_create


@pytest.fixture
def make_article(information_manager: User) -> Callable[..., Article]:
    def _make(title: str, body: str = "Tekst.", **kwargs: Any) -> Article:
        kwargs.setdefault("status", "published")
        return article_create(by=information_manager, title=title, body=body, **kwargs)

    return _make
