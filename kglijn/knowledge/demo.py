"""The demo knowledge base (DEMO ONLY; called from `kglijn demo` by the demo's wiring).

About 60 Dutch articles and answer templates (the files in demo_articles/, read by
demo_content.py) written through the services, as the information manager would (so each has
its version 1, and a few get a second version with a change note), and `months` months of uses
by the demo agents and nurses so that the usage page has a story: a few favourites, a long
tail, and published articles nobody used.

Re-running replaces the demo articles (matched by title), with their versions and uses; other
articles are not touched. Deterministic for a given seed and day (the timestamps of the writes
themselves excepted).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kglijn.contacts.models import Reason
from kglijn.core.business_calendar import BRUSSELS, is_working_day
from kglijn.knowledge.demo_content import DemoArticle, demo_articles
from kglijn.knowledge.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleUse,
    UseAction,
    UseContext,
)
from kglijn.knowledge.search import search_index_rebuild
from kglijn.knowledge.services import article_archive, article_create, article_update

DEMO_MANAGER = "infomanager"
MANAGER_GROUP = "Informatiebeheerder"
DEMO_READERS = (
    "agent1",
    "agent2",
    "agent3",
    "agent4",
    "agent5",
    "agent6",
    "nurse1",
    "nurse2",
    "nurse3",
    "nurse4",
    "childcare1",
    "childcare2",
)
USES_PER_WORKING_DAY = 14
# Published demo articles that get no use at all: the "unused" list is never empty.
UNUSED_EVERY = 7
REVISED = {
    "Basisvaccinatieschema: welke vaccins op welke leeftijd": "Schema nagekeken met de artsen.",
    "Attest inkomenstarief aanvragen": "Aanmelden ook met itsme.",
    "Veilig slapen": "Kamertemperatuur toegevoegd.",
    "Antwoord: kinderopvang zoeken": "Verwijzing naar het Loket kinderopvang.",
}


@dataclass(frozen=True)
class KnowledgeDemoSummary:
    articles: int
    templates: int
    drafts: int
    archived: int
    versions: int
    uses: int


def _manager() -> User:
    manager = User.objects.filter(username=DEMO_MANAGER).first()
    if manager is None:
        manager = User.objects.filter(groups__name=MANAGER_GROUP).order_by("pk").first()
    if manager is None:
        raise LookupError(
            "knowledge_demo_load needs an information manager: create the demo users first."
        )
    return manager


def _create(item: DemoArticle, *, manager: User, known_reasons: set[str]) -> Article:
    status = ArticleStatus.DRAFT if item.status == ArticleStatus.DRAFT else ArticleStatus.PUBLISHED
    article = article_create(
        by=manager,
        title=item.title,
        body=item.unwrapped(),
        kind=item.kind,
        topic=item.topic,
        reason_codes=[code for code in item.reasons if code in known_reasons],
        status=status,
    )
    if item.title in REVISED:
        article = article_update(
            article=article,
            by=manager,
            title=item.title,
            body=article.body + "\n\nLaatst nagekeken door de informatiebeheerders.",
            kind=item.kind,
            topic=item.topic,
            reason_codes=[code for code in item.reasons if code in known_reasons],
            status=status,
            note=REVISED[item.title],
        )
    if item.status == ArticleStatus.ARCHIVED:
        article = article_archive(article=article, by=manager, note="Proefproject afgelopen.")
    return article


def _working_moments(rng: random.Random, today: dt.date, months: int) -> list[dt.datetime]:
    first = today - dt.timedelta(days=months * 30)
    moments = []
    day = first
    while day <= today:
        if is_working_day(day):
            for _ in range(rng.randint(USES_PER_WORKING_DAY // 2, USES_PER_WORKING_DAY * 3 // 2)):
                minute = rng.randint(8 * 60, 20 * 60 - 1)
                moments.append(
                    dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=BRUSSELS)
                )
        day += dt.timedelta(days=1)
    return moments


def _uses(
    rng: random.Random, articles: list[Article], today: dt.date, months: int
) -> list[ArticleUse]:
    published = [a for a in articles if a.status == ArticleStatus.PUBLISHED]
    used = [a for index, a in enumerate(published) if index % UNUSED_EVERY != UNUSED_EVERY - 1]
    rng.shuffle(used)
    # A long tail: the i-th article is picked with weight 1 / (i + 1).
    weights = [1 / (rank + 1) for rank in range(len(used))]
    readers = list(User.objects.filter(username__in=DEMO_READERS)) or [_manager()]
    contexts = [UseContext.DESK, UseContext.MAIL, UseContext.CHAT]
    now = timezone.now()
    rows = []
    for moment in _working_moments(rng, today, months):
        if moment > now:
            continue
        article = rng.choices(used, weights=weights)[0]
        context = rng.choices(contexts, weights=[55, 35, 10])[0]
        inserted = article.kind == ArticleKind.TEMPLATE and rng.random() < 0.7
        rows.append(
            ArticleUse(
                article=article,
                user=rng.choice(readers),
                context=context,
                action=UseAction.INSERTED if inserted else UseAction.OPENED,
                at=moment,
            )
        )
    return rows


@transaction.atomic
def knowledge_demo_load(
    *, today: dt.date | None = None, seed: int = 2024, months: int = 6
) -> KnowledgeDemoSummary:
    """The demo articles and templates, and `months` months of their use up to `today`.

    Needs the demo users (an information manager at least). Replaces earlier demo articles.
    """
    today = today or timezone.localdate()
    rng = random.Random(seed)
    manager = _manager()
    Article.objects.filter(title__in=[item.title for item in demo_articles()]).delete()
    search_index_rebuild()
    known_reasons = set(Reason.objects.values_list("code", flat=True))
    articles = [
        _create(item, manager=manager, known_reasons=known_reasons) for item in demo_articles()
    ]
    uses = ArticleUse.objects.bulk_create(_uses(rng, articles, today, months), batch_size=1000)
    return KnowledgeDemoSummary(
        articles=sum(1 for a in articles if a.kind == ArticleKind.ARTICLE),
        templates=sum(1 for a in articles if a.kind == ArticleKind.TEMPLATE),
        drafts=sum(1 for a in articles if a.status == ArticleStatus.DRAFT),
        archived=sum(1 for a in articles if a.status == ArticleStatus.ARCHIVED),
        versions=sum(a.version for a in articles),
        uses=len(uses),
    )
