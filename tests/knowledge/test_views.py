"""The knowledge base pages: the embeddable search panel, counting uses, maintenance, usage."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kglijn.contacts.services import contact_register
from kglijn.knowledge.models import Article, ArticleUse, ArticleVersion
from kglijn.knowledge.services import article_update
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def log_in(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


# --- reading --------------------------------------------------------------------------------


def test_the_desk_holds_the_search_panel_for_agents(client, agent) -> None:
    log_in(client, agent)

    page = client.get("/desk/").content.decode()

    assert 'id="kb-desk"' in page
    assert 'hx-get="/kennisbank/zoeken/"' in page
    assert 'name="context" value="desk"' in page
    assert 'href="/kennisbank/"' in page  # the menu entry


def test_roles_without_the_knowledge_base_get_no_panel_and_no_page(client, analyst) -> None:
    log_in(client, analyst)

    assert client.get("/kennisbank/").status_code == 403
    assert client.get("/kennisbank/zoeken/?q=x", **HTMX).status_code == 403


def test_search_returns_the_results_partial(client, agent, make_article) -> None:
    make_article("Veilig slapen", "Op de rug, in een slaapzak.", topic="family_support")
    make_article("Opvang zoeken", "Via Opvang zoeken.", topic="childcare")
    log_in(client, agent)

    response = client.get(
        "/kennisbank/zoeken/",
        {"q": "slaapzak", "context": "mail", "contact": "12", "panel": "kb-reply"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Veilig slapen" in html
    assert "Opvang zoeken" not in html
    assert "<mark>slaapzak</mark>" in html
    assert '"context": "mail"' in html
    assert '"contact": "12"' in html
    assert 'hx-target="#kb-reply-results"' in html
    assert "1 resultaat voor “slaapzak”" in html


def test_search_without_htmx_is_the_full_page(client, agent, make_article) -> None:
    make_article("Veilig slapen", "Op de rug.")
    log_in(client, agent)

    redirect = client.get("/kennisbank/zoeken/?q=slapen")
    page = client.get(redirect["Location"])

    assert redirect.status_code == 302
    assert redirect["Location"] == "/kennisbank/?q=slapen"
    assert page.status_code == 200
    assert 'href="/kennisbank/' in page.content.decode()
    assert "Veilig slapen" in page.content.decode()


def test_insert_button_only_for_answer_templates(client, agent, make_article) -> None:
    make_article("Antwoord: slapen", "Beste ouder,\n**Op de rug.**", kind="template")
    make_article("Slapen", "Op de rug.")
    log_in(client, agent)

    html = client.get("/kennisbank/zoeken/?q=slapen", **HTMX).content.decode()

    assert html.count("data-kb-insert") == 1
    assert 'data-kb-text="Beste ouder,\nOp de rug."' in html


def test_opening_from_the_panel_counts_a_use_with_the_contact(client, agent, make_article) -> None:
    article = make_article("Veilig slapen", "Op de **rug**.")
    contact = contact_register(by=agent, channel="email")
    log_in(client, agent)

    response = client.post(
        f"/kennisbank/{article.pk}/openen/",
        {"context": "mail", "contact": str(contact.pk), "panel": "kb"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "<p>Op de <strong>rug</strong>.</p>" in response.content.decode()
    use = ArticleUse.objects.get()
    assert (use.article, use.user, use.contact, use.context, use.action) == (
        article,
        agent,
        contact,
        "mail",
        "opened",
    )


def test_a_contact_the_user_may_not_see_is_not_linked(client, agent, nurse, make_article) -> None:
    article = make_article("Veilig slapen")
    hidden = contact_register(by=nurse, channel="phone", office="pgjo")
    log_in(client, agent)

    client.post(f"/kennisbank/{article.pk}/gebruik/", {"context": "desk", "contact": hidden.pk})

    use = ArticleUse.objects.get()
    assert (use.contact, use.action) == (None, "inserted")


def test_inserting_counts_a_use(client, agent, make_article) -> None:
    article = make_article("Antwoord: slapen", kind="template")
    log_in(client, agent)

    response = client.post(f"/kennisbank/{article.pk}/gebruik/", {"context": "chat"}, **HTMX)

    assert response.status_code == 204
    assert list(ArticleUse.objects.values_list("context", "action")) == [("chat", "inserted")]


def test_a_bad_use_request_counts_nothing(client, agent, make_article) -> None:
    article = make_article("Antwoord: slapen", kind="template")
    log_in(client, agent)

    assert client.post(f"/kennisbank/{article.pk}/gebruik/", {"context": "fax"}).status_code == 400
    assert client.get(f"/kennisbank/{article.pk}/gebruik/").status_code == 405
    assert ArticleUse.objects.count() == 0


def test_drafts_and_archived_articles_are_hidden_from_agents(
    client, agent, information_manager, make_article
) -> None:
    draft = make_article("Concept", status="draft")
    log_in(client, agent)

    assert client.get(f"/kennisbank/{draft.pk}/").status_code == 404
    assert client.post(f"/kennisbank/{draft.pk}/openen/", {"context": "desk"}).status_code == 404
    client.logout()
    log_in(client, information_manager)
    assert client.get(f"/kennisbank/{draft.pk}/").status_code == 200
    # An information manager reading a draft is not a use.
    assert (
        client.post(f"/kennisbank/{draft.pk}/openen/", {"context": "desk"}, **HTMX).status_code
        == 200
    )
    assert ArticleUse.objects.count() == 0


def test_article_page_renders_escaped_text(client, agent, make_article) -> None:
    article = make_article("Gevaarlijk", "<img src=x onerror=alert(1)> en **vet**")
    log_in(client, agent)

    html = client.get(f"/kennisbank/{article.pk}/").content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; en <strong>vet</strong>" in html


# --- maintenance ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["front_office", "pgjo_nurse", "team_lead", "analyst"])
def test_only_information_managers_maintain(client, make_user, make_article, role) -> None:
    article = make_article("Slapen")
    log_in(client, make_user(role))

    for url in (
        "/kennisbank/beheer/",
        "/kennisbank/beheer/nieuw/",
        f"/kennisbank/beheer/{article.pk}/",
        f"/kennisbank/beheer/{article.pk}/geschiedenis/",
        "/kennisbank/beheer/gebruik/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/kennisbank/beheer/{article.pk}/archiveren/").status_code == 403
    assert Article.objects.get(pk=article.pk).status == "published"


def test_create_an_article(client, information_manager) -> None:
    log_in(client, information_manager)

    response = client.post(
        "/kennisbank/beheer/nieuw/",
        {
            "title": "Vitamine D",
            "kind": "article",
            "topic": "family_support",
            "reasons": ["advice"],
            "body": "Dagelijks tot 6 jaar.",
            "status": "published",
            "note": "Nieuw",
        },
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.title, article.topic, article.status, article.version) == (
        "Vitamine D",
        "family_support",
        "published",
        1,
    )
    assert list(article.reasons.values_list("code", flat=True)) == ["advice"]


def test_a_form_error_is_shown_in_dutch_and_saves_nothing(client, information_manager) -> None:
    log_in(client, information_manager)

    response = client.post(
        "/kennisbank/beheer/nieuw/", {"title": "", "kind": "article", "body": ""}
    )

    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    assert Article.objects.count() == 0


def test_edit_makes_a_new_version_and_history_shows_the_difference(
    client, information_manager, make_article
) -> None:
    article = make_article("Slapen", "Op de rug.\nIn een slaapzak.")
    log_in(client, information_manager)

    response = client.post(
        f"/kennisbank/beheer/{article.pk}/",
        {
            "title": "Veilig slapen",
            "kind": "article",
            "topic": "",
            "body": "Op de rug.\nIn een eigen bed.",
            "status": "published",
            "note": "Bed i.p.v. slaapzak",
            "expected_version": "1",
        },
    )
    history = client.get(f"/kennisbank/beheer/{article.pk}/geschiedenis/").content.decode()
    first = client.get(f"/kennisbank/beheer/{article.pk}/geschiedenis/?versie=1")

    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).version == 2
    assert "Bed i.p.v. slaapzak" in history
    assert re.search(r"kb-diff__line--removed.*?In een slaapzak\.", history, re.S)
    assert re.search(r"kb-diff__line--added.*?In een eigen bed\.", history, re.S)
    assert "<del>Slapen</del> → <ins>Veilig slapen</ins>" in history
    assert first.status_code == 200
    assert client.get(f"/kennisbank/beheer/{article.pk}/geschiedenis/?versie=9").status_code == 404


def test_edit_from_a_stale_page_is_refused(client, information_manager, make_article) -> None:
    article = make_article("Slapen", "Op de rug.")
    article_update(
        article=article,
        by=information_manager,
        title="Slapen",
        body="Door een collega.",
        kind="article",
        topic="",
        reason_codes=[],
        status="published",
    )
    log_in(client, information_manager)

    response = client.post(
        f"/kennisbank/beheer/{article.pk}/",
        {
            "title": "Slapen",
            "kind": "article",
            "body": "Mijn tekst.",
            "status": "published",
            "expected_version": "1",
        },
    )

    assert response.status_code == 200
    assert "intussen" in response.content.decode()
    assert Article.objects.get(pk=article.pk).body == "Door een collega."
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_archive_from_the_list(client, information_manager, make_article) -> None:
    article = make_article("Oud")
    log_in(client, information_manager)

    response = client.post(f"/kennisbank/beheer/{article.pk}/archiveren/")

    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == "archived"


def test_usage_page_shows_most_used_per_month_and_unused(
    client, agent, information_manager, make_article
) -> None:
    popular = make_article("Veel gebruikt", kind="template")
    once = make_article("Eén keer")
    make_article("Nooit gebruikt")
    now = timezone.now()
    last_month = now - dt.timedelta(days=35)
    ArticleUse.objects.bulk_create(
        [ArticleUse(article=popular, user=agent, context="mail", action="inserted", at=now)] * 3
        + [ArticleUse(article=popular, user=agent, context="desk", action="opened", at=now)]
        + [ArticleUse(article=once, user=agent, context="desk", action="opened", at=last_month)]
    )
    log_in(client, information_manager)

    html = client.get("/kennisbank/beheer/gebruik/").content.decode()

    this_month = re.search(
        rf'data-kb-month="{timezone.localdate():%Y-%m}".*?</table>', html, re.S
    ).group(0)
    assert re.search(r"Veel gebruikt</a>.*?<td>4</td><td>3</td>", this_month, re.S)
    assert "Eén keer" not in this_month
    unused = re.search(r"data-kb-unused.*?</table>", html, re.S).group(0)
    assert "Nooit gebruikt" in unused
    assert "nooit" in unused
    assert "Veel gebruikt" not in unused


def test_the_mail_reply_composer_embeds_the_panel_for_its_contact(client, agent) -> None:
    contact = contact_register(
        by=agent,
        channel="email",
        origin="mailbox",
        anonymous=False,
        caller_email="ouder@example.be",
    )
    log_in(client, agent)

    html = client.get(f"/desk/contacts/{contact.pk}/").content.decode()

    composer = html[html.index("data-reply-composer") :]
    assert 'id="kb-reply"' in composer
    assert 'name="context" value="mail"' in composer
    assert f'name="contact" value="{contact.pk}"' in composer
