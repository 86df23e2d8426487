"""Writing the knowledge base: validation, versions on every save, archiving, counting uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kglijn.knowledge.models import Article, ArticleUse, ArticleVersion
from kglijn.knowledge.services import (
    ArticleChanged,
    article_archive,
    article_create,
    article_update,
    article_use_record,
)

pytestmark = pytest.mark.django_db


def _update(article, by, **changes):
    values = {
        "title": article.title,
        "body": article.body,
        "kind": article.kind,
        "topic": article.topic,
        "reason_codes": list(article.reasons.values_list("code", flat=True)),
        "status": article.status,
    }
    values.update(changes)
    return article_update(article=article, by=by, **values)


def test_create_keeps_version_one(information_manager) -> None:
    article = article_create(
        by=information_manager,
        title="  Vaccinatieschema  ",
        body="Op 8 weken.",
        kind="template",
        topic="family_support",
        reason_codes=["vaccination", "advice"],
        status="published",
        note="Eerste versie",
    )

    assert (article.title, article.version, article.status) == ("Vaccinatieschema", 1, "published")
    assert article.published_at is not None
    assert sorted(article.reasons.values_list("code", flat=True)) == ["advice", "vaccination"]
    version = ArticleVersion.objects.get(article=article)
    assert (version.number, version.title, version.body, version.kind, version.topic) == (
        1,
        "Vaccinatieschema",
        "Op 8 weken.",
        "template",
        "family_support",
    )
    assert (version.status, version.reason_codes, version.note) == (
        "published",
        ["advice", "vaccination"],
        "Eerste versie",
    )
    assert version.saved_by == information_manager


def test_create_refuses_bad_input_and_writes_nothing(information_manager) -> None:
    with pytest.raises(ValidationError) as caught:
        article_create(
            by=information_manager,
            title=" ",
            body="",
            kind="poem",
            topic="weather",
            reason_codes=["no-such-reason"],
            status="archived",
        )

    assert set(caught.value.message_dict) == {"title", "body", "kind", "topic", "reasons", "status"}
    assert caught.value.message_dict["title"] == ["Geef het artikel een titel."]
    assert Article.objects.count() == 0
    assert ArticleVersion.objects.count() == 0


@pytest.mark.parametrize("role", ["front_office", "pgjo_nurse", "team_lead", "analyst"])
def test_only_information_managers_write(make_user, role) -> None:
    with pytest.raises(PermissionDenied):
        article_create(by=make_user(role), title="T", body="B")
    assert Article.objects.count() == 0


def test_every_save_is_a_new_version_and_the_old_one_stays(
    information_manager, make_article
) -> None:
    article = make_article("Slapen", "Op de rug.", reason_codes=["advice"])

    article = _update(article, information_manager, body="Op de rug, in een slaapzak.", note="n")
    article = _update(article, information_manager, title="Veilig slapen", reason_codes=[])

    assert article.version == 3
    versions = list(ArticleVersion.objects.filter(article=article).order_by("number"))
    assert [(v.number, v.title, v.body, v.reason_codes) for v in versions] == [
        (1, "Slapen", "Op de rug.", ["advice"]),
        (2, "Slapen", "Op de rug, in een slaapzak.", ["advice"]),
        (3, "Veilig slapen", "Op de rug, in een slaapzak.", []),
    ]
    assert versions[1].note == "n"
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body, stored.version) == (
        "Veilig slapen",
        "Op de rug, in een slaapzak.",
        3,
    )


def test_saving_without_a_change_makes_no_version(information_manager, make_article) -> None:
    article = make_article("Slapen", "Op de rug.")

    saved = _update(article, information_manager, title=" Slapen ")

    assert saved.version == 1
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_a_stale_editor_cannot_overwrite_a_newer_version(information_manager, make_article) -> None:
    article = make_article("Slapen", "Op de rug.")
    _update(article, information_manager, body="Versie van collega.")

    with pytest.raises(ArticleChanged):
        _update(article, information_manager, body="Mijn versie.", expected_version=1)

    stored = Article.objects.get(pk=article.pk)
    assert (stored.body, stored.version) == ("Versie van collega.", 2)
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_publishing_a_draft_sets_first_published_once(information_manager, make_article) -> None:
    article = make_article("Concept", status="draft")
    assert article.published_at is None

    published = _update(article, information_manager, status="published")
    first = published.published_at
    again = _update(published, information_manager, body="Nieuwe tekst.")

    assert first is not None
    assert again.published_at == first


def test_archive_is_a_version_and_is_idempotent(information_manager, make_article) -> None:
    article = make_article("Oud")

    archived = article_archive(article=article, by=information_manager, note="Verouderd")
    again = article_archive(article=archived, by=information_manager)

    assert (archived.status, archived.version) == ("archived", 2)
    assert again.version == 2
    last = ArticleVersion.objects.get(article=article, number=2)
    assert (last.status, last.note) == ("archived", "Verouderd")


def test_a_use_is_counted_for_published_articles_only(agent, make_article) -> None:
    published = make_article("Gepubliceerd", kind="template")
    draft = make_article("Concept", status="draft")

    use = article_use_record(article=published, user=agent, context="mail", action="inserted")
    with pytest.raises(ValidationError):
        article_use_record(article=draft, user=agent, context="desk", action="opened")
    with pytest.raises(ValidationError):
        article_use_record(article=published, user=agent, context="fax", action="opened")

    assert list(ArticleUse.objects.values_list("article__title", "context", "action")) == [
        ("Gepubliceerd", "mail", "inserted")
    ]
    assert use.user == agent
