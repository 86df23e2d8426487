"""Full-text search (PostgreSQL 'dutch' tsvector, SQLite FTS5): ranking, filters, visibility.

Runs unchanged on both databases (`DATABASE_URL=postgres://… pytest tests/knowledge`).
"""

from __future__ import annotations

import pytest

from kglijn.contacts.models import Reason
from kglijn.knowledge.selectors import SEARCH_LIMIT, article_search
from kglijn.knowledge.services import article_archive

pytestmark = pytest.mark.django_db


def titles(result) -> list[str]:
    return [hit.article.title for hit in result.hits]


def test_a_title_match_comes_before_a_text_match(agent, make_article) -> None:
    make_article("Veilig slapen", "Een slaapzak, een slaapzak en nog eens een slaapzak.")
    make_article("Slaapzak kiezen", "Let op de maat.")
    make_article("Voeding", "Niets hierover.")

    assert titles(article_search(user=agent, text="slaapzak")) == [
        "Slaapzak kiezen",
        "Veilig slapen",
    ]


def test_all_words_must_match(agent, make_article) -> None:
    make_article("Koorts na een vaccinatie", "Geef voldoende te drinken.")
    make_article("Koorts bij baby's", "Bel de huisarts.")

    assert titles(article_search(user=agent, text="koorts vaccinatie")) == [
        "Koorts na een vaccinatie"
    ]


def test_plural_and_compound_words_are_found(agent, make_article) -> None:
    make_article("Een gemiste inenting inhalen", "Maak een nieuwe afspraak.")
    make_article("Schema", "Het vaccinatieschema van de Vlaamse overheid.")

    assert titles(article_search(user=agent, text="inentingen")) == ["Een gemiste inenting inhalen"]
    assert titles(article_search(user=agent, text="vaccinatie")) == ["Schema"]


def test_a_word_finds_the_compounds_it_starts(agent, make_article) -> None:
    # The Dutch stemmer makes "slaap" "slap", which is no prefix of "slaapplaats" ('slaapplat').
    make_article("Slaapplaats in de kinderopvang", "Elke opvang heeft een aparte ruimte.")

    assert titles(article_search(user=agent, text="slaap")) == ["Slaapplaats in de kinderopvang"]


def test_topic_reason_and_kind_filters(agent, make_article) -> None:
    make_article(
        "Opvang zoeken", "Zoek opvang.", topic="childcare", reason_codes=["childcare-addresses"]
    )
    make_article(
        "Antwoord: opvang zoeken",
        "Beste ouder, zoek opvang.",
        topic="childcare",
        kind="template",
        reason_codes=["childcare-addresses"],
    )
    make_article("Opvang en gezondheid", "Ziek in de opvang.", topic="family_support")
    fees = Reason.objects.get(code="childcare-fees")
    addresses = Reason.objects.get(code="childcare-addresses")

    assert sorted(titles(article_search(user=agent, text="opvang", topic="childcare"))) == [
        "Antwoord: opvang zoeken",
        "Opvang zoeken",
    ]
    assert titles(article_search(user=agent, text="opvang", topic="family_support")) == [
        "Opvang en gezondheid"
    ]
    assert titles(article_search(user=agent, text="opvang", kind="template")) == [
        "Antwoord: opvang zoeken"
    ]
    assert titles(article_search(user=agent, text="opvang", reason_id=fees.pk)) == []
    assert titles(article_search(user=agent, text="", reason_id=addresses.pk)) == [
        "Antwoord: opvang zoeken",
        "Opvang zoeken",
    ]


def test_archived_articles_are_never_found(agent, information_manager, make_article) -> None:
    old = make_article("Zaterdagconsult", "Consultatiebureau op zaterdag.")
    article_archive(article=old, by=information_manager)

    for user in (agent, information_manager):
        assert titles(article_search(user=user, text="zaterdagconsult")) == []
        assert titles(article_search(user=user, text="")) == []


def test_drafts_are_for_information_managers_only(
    agent, nurse, team_lead, information_manager, make_article
) -> None:
    make_article("RSV-bescherming (concept)", "Nog af te toetsen.", status="draft")

    for reader in (agent, nurse, team_lead):
        assert titles(article_search(user=reader, text="rsv")) == []
    result = article_search(user=information_manager, text="rsv")
    assert titles(result) == ["RSV-bescherming (concept)"]
    assert result.hits[0].article.status == "draft"


def test_users_without_the_knowledge_base_find_nothing(analyst, make_article) -> None:
    make_article("Groeipakket", "Uitbetalers.")

    assert titles(article_search(user=analyst, text="groeipakket")) == []


def test_answer_templates_carry_their_text_to_insert(agent, make_article) -> None:
    make_article(
        "Antwoord: vaccinatiebewijs", "Beste ouder,\n\nZie **Mijn Burgerprofiel**.", kind="template"
    )
    make_article("Vaccinatiebewijs", "Zie Vaccinnet.")

    hits = {
        hit.article.title: hit for hit in article_search(user=agent, text="vaccinatiebewijs").hits
    }

    assert (
        hits["Antwoord: vaccinatiebewijs"].insert_text == "Beste ouder,\n\nZie Mijn Burgerprofiel."
    )
    assert hits["Vaccinatiebewijs"].insert_text == ""


def test_results_are_limited_and_say_so(agent, make_article) -> None:
    for number in range(SEARCH_LIMIT + 3):
        make_article(f"Flesvoeding {number:02d}", "Bereiden en bewaren.")

    result = article_search(user=agent, text="flesvoeding")

    assert len(result.hits) == SEARCH_LIMIT
    assert result.limited is True
    assert article_search(user=agent, text="flesvoeding", limit=30).limited is False


def test_a_query_without_words_lists_by_title(agent, make_article) -> None:
    make_article("B-artikel", topic="childcare")
    make_article("A-artikel", topic="childcare")
    make_article("C-artikel", topic="family_support")

    assert titles(article_search(user=agent, text=" ?! ", topic="childcare")) == [
        "A-artikel",
        "B-artikel",
    ]


def test_search_sees_the_latest_version(agent, information_manager, make_article) -> None:
    from kglijn.knowledge.services import article_update

    article = make_article("Tandjes", "Poetsen met fluoride.")
    article_update(
        article=article,
        by=information_manager,
        title="Tanden poetsen",
        body="Een kleine zachte tandenborstel.",
        kind="article",
        topic="",
        reason_codes=[],
        status="published",
    )

    assert titles(article_search(user=agent, text="fluoride")) == []
    assert titles(article_search(user=agent, text="tandenborstel")) == ["Tanden poetsen"]
