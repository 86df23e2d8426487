"""Every write to the knowledge base: articles (versioned) and their use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact, Reason, Topic
from kglijn.knowledge.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleUse,
    ArticleVersion,
    UseAction,
    UseContext,
)
from kglijn.knowledge.search import search_index_article

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_NOTE = 300
# What an information manager may set in the edit form; archiving has its own action.
EDITABLE_STATUSES = (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED)


def _require_manager(by: User) -> None:
    if not by.has_perm("knowledge.change_article"):
        raise PermissionDenied(_("Only an information manager can change the knowledge base."))


def _validate(
    *, title: str, body: str, kind: str, topic: str, status: str, note: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the article a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(max)d characters.") % {"max": MAX_TITLE}
    if not body:
        errors["body"] = _("Write the text of the article.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("At most %(max)d characters.") % {"max": MAX_BODY}
    if kind not in ArticleKind.values:
        errors["kind"] = _("Unknown value “%(value)s”.") % {"value": kind}
    if topic and topic not in Topic.values:
        errors["topic"] = _("Unknown value “%(value)s”.") % {"value": topic}
    if status not in EDITABLE_STATUSES:
        errors["status"] = _("Unknown value “%(value)s”.") % {"value": status}
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(max)d characters.") % {"max": MAX_NOTE}
    return errors


def _resolve_reasons(errors: dict[str, str], codes: Iterable[str]) -> list[Reason]:
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    found = {reason.code: reason for reason in Reason.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        errors["reasons"] = _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
    return [found[code] for code in wanted if code in found]


def _snapshot(article: Article, *, by: User | None, note: str, at: dt.datetime) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        kind=article.kind,
        topic=article.topic,
        status=article.status,
        reason_codes=sorted(article.reasons.values_list("code", flat=True)),
        note=note,
        saved_by=by,
        saved_at=at,
    )


@transaction.atomic
def article_create(
    *,
    by: User,
    title: str,
    body: str,
    kind: str = ArticleKind.ARTICLE,
    topic: str = "",
    reason_codes: Iterable[str] = (),
    status: str = ArticleStatus.DRAFT,
    note: str = "",
) -> Article:
    """A new article with its version 1; validates everything first, writes nothing on error."""
    _require_manager(by)
    title, body, note = title.strip(), body.strip(), note.strip()
    errors = _validate(title=title, body=body, kind=kind, topic=topic, status=status, note=note)
    reasons = _resolve_reasons(errors, reason_codes)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    article = Article.objects.create(
        title=title,
        body=body,
        kind=kind,
        topic=topic,
        status=status,
        version=1,
        created_by=by,
        updated_by=by,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    article.reasons.set(reasons)
    _snapshot(article, by=by, note=note, at=now)
    search_index_article(article_id=article.pk, title=title, body=body)
    return article


class ArticleChanged(ValidationError):
    """Someone else saved the article since the editor opened it."""


def _locked(article: Article, expected_version: int | None) -> Article:
    current = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and current.version != expected_version:
        raise ArticleChanged(
            _(
                "Someone else saved this article in the meantime (now version %(version)d). "
                "Reload the page and make your change again."
            )
            % {"version": current.version}
        )
    return current


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User,
    title: str,
    body: str,
    kind: str,
    topic: str,
    reason_codes: Iterable[str],
    status: str,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Save a change as a new version; every earlier version stays (ArticleVersion).

    Nothing is written when nothing changed. `expected_version` (the version the editor
    started from) refuses to overwrite someone else's change.
    """
    _require_manager(by)
    title, body, note = title.strip(), body.strip(), note.strip()
    errors = _validate(title=title, body=body, kind=kind, topic=topic, status=status, note=note)
    reasons = _resolve_reasons(errors, reason_codes)
    if errors:
        raise ValidationError(errors)
    current = _locked(article, expected_version)
    new_codes = sorted(reason.code for reason in reasons)
    old_codes = sorted(current.reasons.values_list("code", flat=True))
    changed = [
        name
        for name, old, new in (
            ("title", current.title, title),
            ("body", current.body, body),
            ("kind", current.kind, kind),
            ("topic", current.topic, topic),
            ("status", current.status, status),
            ("reasons", old_codes, new_codes),
        )
        if old != new
    ]
    if not changed:
        return current
    now = timezone.now()
    current.title, current.body, current.kind, current.topic = title, body, kind, topic
    current.status = status
    current.version += 1
    current.updated_by, current.updated_at = by, now
    if status == ArticleStatus.PUBLISHED and current.published_at is None:
        current.published_at = now
    current.save(
        update_fields=[
            "title",
            "body",
            "kind",
            "topic",
            "status",
            "version",
            "updated_by",
            "updated_at",
            "published_at",
        ]
    )
    current.reasons.set(reasons)
    _snapshot(current, by=by, note=note, at=now)
    if "title" in changed or "body" in changed:
        search_index_article(article_id=current.pk, title=title, body=body)
    return current


@transaction.atomic
def article_archive(*, article: Article, by: User, note: str = "") -> Article:
    """Take an article out of use (never deleted: its versions and uses stay); a new version."""
    _require_manager(by)
    current = _locked(article, None)
    if current.status == ArticleStatus.ARCHIVED:
        return current
    now = timezone.now()
    current.status = ArticleStatus.ARCHIVED
    current.version += 1
    current.updated_by, current.updated_at = by, now
    current.save(update_fields=["status", "version", "updated_by", "updated_at"])
    _snapshot(current, by=by, note=note.strip()[:MAX_NOTE], at=now)
    return current


def article_use_record(
    *,
    article: Article,
    user: User | None,
    context: str,
    action: str,
    contact: Contact | None = None,
    at: dt.datetime | None = None,
) -> ArticleUse:
    """Count one use of a published article (opened or inserted while helping someone)."""
    errors: dict[str, str] = {}
    if context not in UseContext.values:
        errors["context"] = _("Unknown value “%(value)s”.") % {"value": context}
    if action not in UseAction.values:
        errors["action"] = _("Unknown value “%(value)s”.") % {"value": action}
    if article.status != ArticleStatus.PUBLISHED:
        errors["article"] = _("Only a published article can be used.")
    if errors:
        raise ValidationError(errors)
    return ArticleUse.objects.create(
        article=article,
        user=user,
        contact=contact,
        context=context,
        action=action,
        at=at or timezone.now(),
    )
