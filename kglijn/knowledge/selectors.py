"""Permission-aware reads of the knowledge base.

Agents, nurses and the team lead read published articles (knowledge.view_article); drafts and
archived articles are for information managers (knowledge.change_article) only. Search never
returns an archived article, not even to an information manager: what is archived is out of use.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from kglijn.contacts.models import Reason, Topic
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.periods import add_months, month_start_brussels
from kglijn.knowledge.formatting import excerpt, plain_text
from kglijn.knowledge.models import Article, ArticleKind, ArticleStatus, ArticleUse, ArticleVersion
from kglijn.knowledge.search import SearchFilter, query_words, search_article_ids, word_stem

AnyUser = User | AnonymousUser
SEARCH_LIMIT = 20


def can_read(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("knowledge.view_article")


def can_manage(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("knowledge.change_article")


def _readable_statuses(user: AnyUser, *, for_search: bool) -> tuple[str, ...]:
    if can_manage(user=user):
        if for_search:
            return (ArticleStatus.PUBLISHED, ArticleStatus.DRAFT)
        return tuple(ArticleStatus.values)
    if can_read(user=user):
        return (ArticleStatus.PUBLISHED,)
    return ()


def article_get_for_user(*, user: AnyUser, article_id: int) -> Article:
    """One article to read; 404 when it does not exist or the user may not see it."""
    statuses = _readable_statuses(user, for_search=False)
    try:
        return Article.objects.prefetch_related("reasons").get(pk=article_id, status__in=statuses)
    except Article.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class SearchHit:
    article: Article
    before: str
    match: str
    after: str
    insert_text: str  # answer templates: the text a composer inserts


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    query: str
    limited: bool  # more may match than shown


def article_search(
    *,
    user: AnyUser,
    text: str = "",
    topic: str = "",
    reason_id: int | None = None,
    kind: str = "",
    limit: int = SEARCH_LIMIT,
) -> SearchResult:
    """Published articles matching the text (full-text, best first) and the filters; drafts too
    for information managers, archived never. Without text: the filtered list by title."""
    statuses = _readable_statuses(user, for_search=True)
    topic = topic if topic in Topic.values else ""
    kind = kind if kind in ArticleKind.values else ""
    words = query_words(text)
    if words:
        ids = search_article_ids(
            text=text,
            flt=SearchFilter(statuses=statuses, topic=topic, kind=kind, reason_id=reason_id),
            limit=limit + 1,
        )
        found = Article.objects.in_bulk(ids[:limit])
        articles = [found[pk] for pk in ids[:limit] if pk in found]
        limited = len(ids) > limit
    else:
        qs = Article.objects.filter(status__in=statuses)
        if topic:
            qs = qs.filter(topic=topic)
        if kind:
            qs = qs.filter(kind=kind)
        if reason_id is not None:
            qs = qs.filter(reasons__id=reason_id)
        articles = list(qs.order_by("title", "id")[: limit + 1])
        limited = len(articles) > limit
        articles = articles[:limit]
    hits = []
    for article in articles:
        before, match, after = excerpt(article.body, [word_stem(word) for word in words])
        hits.append(
            SearchHit(
                article=article,
                before=before,
                match=match,
                after=after,
                insert_text=plain_text(article.body)
                if article.kind == ArticleKind.TEMPLATE
                else "",
            )
        )
    return SearchResult(hits=hits, query=text.strip(), limited=limited)


def reasons_for_filter() -> QuerySet[Reason]:
    return Reason.objects.filter(active=True).order_by("sort_order", "name")


# --- management ----------------------------------------------------------------------------


def article_list_for_manager(
    *, status: str = "", kind: str = "", topic: str = "", text: str = ""
) -> QuerySet[Article]:
    qs = Article.objects.select_related("updated_by").annotate(use_count=Count("uses"))
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    if kind in ArticleKind.values:
        qs = qs.filter(kind=kind)
    if topic in Topic.values and topic:
        qs = qs.filter(topic=topic)
    if text.strip():
        qs = qs.filter(title__icontains=text.strip())
    return qs.order_by("title", "id")


def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("saved_by").order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class VersionDiff:
    older: ArticleVersion | None
    newer: ArticleVersion
    changes: dict[str, tuple[str, str]]  # field label key -> (old, new), for short fields
    body: list[DiffLine]


def _body_diff(old: str, new: str) -> list[DiffLine]:
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(code, "same")
        lines.append(DiffLine(kind, text))
    return lines


def version_diff(*, article: Article, number: int) -> VersionDiff:
    """What version `number` changed compared with the version before it."""
    versions = {v.number: v for v in article.versions.filter(number__in=[number - 1, number])}
    if number not in versions:
        raise Http404
    newer = versions[number]
    older = versions.get(number - 1)
    changes: dict[str, tuple[str, str]] = {}
    if older is not None:
        for name in ("title", "kind", "topic", "status"):
            if getattr(older, name) != getattr(newer, name):
                changes[name] = (getattr(older, name), getattr(newer, name))
        if older.reason_codes != newer.reason_codes:
            changes["reasons"] = (", ".join(older.reason_codes), ", ".join(newer.reason_codes))
    return VersionDiff(
        older=older,
        newer=newer,
        changes=changes,
        body=_body_diff(older.body if older else "", newer.body),
    )


# --- use -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRow:
    article_id: int
    title: str
    kind: str
    status: str
    uses: int
    inserted: int


@dataclass(frozen=True)
class MonthUsage:
    month: dt.date
    rows: list[UsageRow]


def article_usage_by_month(
    *, first_month: dt.date, last_month: dt.date, top: int = 10
) -> list[MonthUsage]:
    """The most used articles per Brussels month (newest month first): one grouped query."""
    start = month_start_brussels(first_month)
    end = month_start_brussels(add_months(last_month, 1))
    grouped = (
        ArticleUse.objects.filter(at__gte=start, at__lt=end)
        .annotate(month=TruncMonth("at", tzinfo=BRUSSELS))
        .values("month", "article_id", "article__title", "article__kind", "article__status")
        .annotate(uses=Count("id"), inserted=Count("id", filter=Q(action="inserted")))
        .order_by("-month", "-uses", "article__title")
    )
    by_month: dict[dt.date, list[UsageRow]] = {}
    for row in grouped:
        month = row["month"]
        key = month.date() if isinstance(month, dt.datetime) else month
        rows = by_month.setdefault(key, [])
        if len(rows) < top:
            rows.append(
                UsageRow(
                    article_id=row["article_id"],
                    title=row["article__title"],
                    kind=row["article__kind"],
                    status=row["article__status"],
                    uses=row["uses"],
                    inserted=row["inserted"],
                )
            )
    months = []
    month = add_months(last_month, 0)
    while month >= add_months(first_month, 0):
        months.append(MonthUsage(month=month, rows=by_month.get(month, [])))
        month = add_months(month, -1)
    return months


def articles_unused(*, since: dt.datetime) -> QuerySet[Article]:
    """Published articles nobody used since `since` (with their last use, if any)."""
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .annotate(
            recent=Count("uses", filter=Q(uses__at__gte=since)),
            last_used=Max("uses__at"),
        )
        .filter(recent=0)
        .order_by(F("last_used").asc(nulls_first=True), "title")
    )
