"""knowledge_demo_load: the demo knowledge base and its use, repeatable."""

from __future__ import annotations

import datetime as dt

import pytest

from kglijn.knowledge.demo import knowledge_demo_load
from kglijn.knowledge.demo_content import demo_articles
from kglijn.knowledge.models import Article, ArticleUse, ArticleVersion
from kglijn.knowledge.selectors import article_search, articles_unused

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 11, 15)


def test_demo_loads_sixty_articles_with_versions_and_uses(make_user, information_manager) -> None:
    agent = make_user("front_office", "agent1")  # a demo agent
    summary = knowledge_demo_load(today=TODAY, seed=3, months=3)

    assert (summary.articles, summary.templates, summary.drafts, summary.archived) == (42, 18, 1, 1)
    assert Article.objects.count() == len(demo_articles()) == 60
    assert ArticleVersion.objects.count() == summary.versions == 60 + 4 + 1
    assert ArticleUse.objects.count() == summary.uses > 0
    assert not ArticleUse.objects.exclude(article__status="published").exists()
    assert ArticleUse.objects.filter(user=agent).exists()
    assert articles_unused(since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).count() > 0
    titles = [hit.article.title for hit in article_search(user=agent, text="attest").hits]
    assert "Attest inkomenstarief aanvragen" in titles


def test_demo_is_repeatable_and_replaces_its_own_articles(
    information_manager, make_article
) -> None:
    own = make_article("Eigen artikel van de informatiebeheerder")
    first = knowledge_demo_load(today=TODAY, seed=3, months=2)

    second = knowledge_demo_load(today=TODAY, seed=3, months=2)

    assert first == second
    assert Article.objects.count() == 61
    assert Article.objects.filter(pk=own.pk).exists()


def test_demo_needs_an_information_manager(db) -> None:
    with pytest.raises(LookupError):
        knowledge_demo_load(today=TODAY)
    assert Article.objects.count() == 0
