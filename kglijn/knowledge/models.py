"""The knowledge base (kennisbank): articles and answer templates, their versions and their use.

Search is a database feature, not a model field: on PostgreSQL a generated `search_vector`
column ('dutch' configuration, title weighted A, body B) with a GIN index; on SQLite an FTS5
table kept in step by the services (migration 0002, kglijn/knowledge/search.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Contact, Reason, Topic


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    TEMPLATE = "template", _("Answer template")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class UseContext(models.TextChoices):
    """Where an article was used: the desk (on a call), a mail reply, a chat, the kb itself."""

    DESK = "desk", _("Desk")
    MAIL = "mail", _("E-mail reply")
    CHAT = "chat", _("Chat")
    KNOWLEDGE = "knowledge", _("Knowledge base")


class UseAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    INSERTED = "inserted", _("Inserted")


class Article(models.Model):
    """An article or answer template; its body is plain text with simple Markdown-like marks."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.ARTICLE
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    reasons = models.ManyToManyField(Reason, verbose_name=_("contact reasons"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"))
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        permissions = [("view_usage", "Can see which knowledge articles are used")]
        indexes = [models.Index(fields=["status", "topic"], name="article_status_topic")]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One saved state of an article: who saved what, when. Append-only; number 1 = created."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    reason_codes = models.JSONField(_("contact reasons"), default=list)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved"))

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleUse(models.Model):
    """One use of an article while helping someone: a row per use, so "most used" is a query."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    context = models.CharField(_("used in"), max_length=10, choices=UseContext.choices)
    action = models.CharField(_("action"), max_length=10, choices=UseAction.choices)
    at = models.DateTimeField(_("used at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        indexes = [
            models.Index(fields=["at"], name="article_use_at"),
            models.Index(fields=["article", "at"], name="article_use_article_at"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.action} {self.at:%Y-%m-%d}"
