"""Full-text search of the knowledge base on PostgreSQL and SQLite (migration 0002).

PostgreSQL: `websearch_to_tsquery('dutch', q)` against the GIN-indexed `search_vector`
(Snowball stemming: "inentingen" finds "inenting"; quotes, `or` and `-word` work as on a web
search engine), OR'ed with the words as prefixes when no operator is used (Dutch compounds:
"vaccinatie" finds "vaccinatieschema"), ranked by `ts_rank` with the title weighted far above
the body.
SQLite: FTS5, every word of the query as a prefix ("inent" finds "inentingen"; no stemming),
ranked by bm25 with the title weighted 10 to 1.

On both, an article whose title holds every word of the query comes before one that only has
them in its text, whatever the ranks say: what an agent types is usually the subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

# A word of a query as SQLite sees it: letters and digits (Unicode).
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
# ts_rank weights {D, C, B, A}: the body's contribution (B, at most 0.1 per word) can never
# reach a title word's (A = 1.0).
_PG_WEIGHTS = "{0.0, 0.0, 0.1, 1.0}"


@dataclass(frozen=True)
class SearchFilter:
    statuses: Sequence[str]
    topic: str = ""
    kind: str = ""
    reason_id: int | None = None


def query_words(text: str) -> list[str]:
    """The words of a query, lower case, at most MAX_QUERY_WORDS."""
    return [word.lower() for word in _WORD.findall(text)][:MAX_QUERY_WORDS]


def _filters_sql(alias: str, flt: SearchFilter) -> tuple[str, list[Any]]:
    placeholders = ", ".join(["%s"] * len(flt.statuses))
    clauses = [f"{alias}.status IN ({placeholders})"]
    params: list[Any] = list(flt.statuses)
    if flt.topic:
        clauses.append(f"{alias}.topic = %s")
        params.append(flt.topic)
    if flt.kind:
        clauses.append(f"{alias}.kind = %s")
        params.append(flt.kind)
    if flt.reason_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM knowledge_article_reasons r "  # noqa: S608 - fixed alias
            f"WHERE r.article_id = {alias}.id AND r.reason_id = %s)"
        )
        params.append(flt.reason_id)
    return " AND ".join(clauses), params


_OPERATORS = re.compile(r'"|(^|\s)-\w|\bor\b', re.IGNORECASE)
_PREFIX_WORD = re.compile(r"[^\W_]{3,}")


def _pg_query(text: str) -> tuple[str, list[Any]]:
    """The tsquery: websearch_to_tsquery, OR'ed with every word as a prefix when the query uses
    no operators, so that "vaccinatie" also finds the compound "vaccinatieschema"."""
    words = [word for word in query_words(text) if _PREFIX_WORD.fullmatch(word)]
    if _OPERATORS.search(text) or not words:
        return "websearch_to_tsquery('dutch', %s)", [text]
    prefixes = " & ".join(f"{word}:*" for word in words)
    # The prefixes also unstemmed ('simple'): the Dutch stemmer turns "slaap:*" into "slap:*",
    # which no longer matches the stored lexeme of "slaapplaats" ('slaapplat').
    return (
        "(websearch_to_tsquery('dutch', %s) || to_tsquery('dutch', %s)"
        " || to_tsquery('simple', %s))",
        [text, prefixes, prefixes],
    )


def _postgresql(text: str, flt: SearchFilter, limit: int) -> list[int]:
    where, params = _filters_sql("a", flt)
    query_sql, query_params = _pg_query(text)
    sql = f"""
        SELECT a.id
        FROM knowledge_article a, (SELECT {query_sql} AS q) s
        WHERE a.search_vector @@ s.q AND {where}
        ORDER BY ts_filter(a.search_vector, '{{a}}') @@ s.q DESC,
                 ts_rank('{_PG_WEIGHTS}', a.search_vector, s.q) DESC,
                 a.title, a.id
        LIMIT %s
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*query_params, *params, limit])
        return [row[0] for row in cursor.fetchall()]


def word_stem(word: str) -> str:
    """A crude Dutch plural strip for SQLite's prefix search (no stemmer there):
    "inentingen" -> "inenting*", "consultaties" -> "consultatie*"."""
    if len(word) >= 7 and word.endswith("en"):
        return word[:-2]
    if len(word) >= 6 and word.endswith("s"):
        return word[:-1]
    return word


def _fts5_query(words: list[str], *, column: str = "") -> str:
    terms = " ".join(f'"{word_stem(word)}"*' for word in words)  # \w+ holds no quote
    return f"{column} : ({terms})" if column else terms


def _sqlite(words: list[str], flt: SearchFilter, limit: int) -> list[int]:
    where, params = _filters_sql("a", flt)
    sql = f"""
        SELECT a.id
        FROM knowledge_article_fts f JOIN knowledge_article a ON a.id = f.rowid
        WHERE knowledge_article_fts MATCH %s AND {where}
        ORDER BY a.id IN (SELECT rowid FROM knowledge_article_fts WHERE knowledge_article_fts
                          MATCH %s) DESC,
                 bm25(knowledge_article_fts, 10.0, 1.0), a.title, a.id
        LIMIT %s
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [_fts5_query(words), *params, _fts5_query(words, column="title"), limit]
        )
        return [row[0] for row in cursor.fetchall()]


def search_article_ids(*, text: str, flt: SearchFilter, limit: int) -> list[int]:
    """Ids of the matching articles, best first. Empty when the text holds no word."""
    words = query_words(text)
    if not words or not flt.statuses:
        return []
    if connection.vendor == "postgresql":
        return _postgresql(text, flt, limit)
    return _sqlite(words, flt, limit)


def search_index_article(*, article_id: int, title: str, body: str) -> None:
    """Bring the SQLite FTS5 row of one article up to date (PostgreSQL needs nothing)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_article_fts WHERE rowid = %s", [article_id])
        cursor.execute(
            "INSERT INTO knowledge_article_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [article_id, title, body],
        )


def search_index_rebuild() -> None:
    """Refill the SQLite FTS5 table from the articles (after a bulk load); no-op elsewhere."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_article_fts")
        cursor.execute(
            "INSERT INTO knowledge_article_fts (rowid, title, body) "
            "SELECT id, title, body FROM knowledge_article"
        )
