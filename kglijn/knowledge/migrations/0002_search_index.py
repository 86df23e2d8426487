"""Full-text search of the knowledge base, per database (kglijn/knowledge/search.py).

PostgreSQL: a generated tsvector column with the 'dutch' configuration (Snowball stemming,
Dutch stop words), title weighted A and body B, and a GIN index. It is not a Django field: the
database keeps it in step on every insert and update.

SQLite: an FTS5 table (rowid = article id) that the services fill explicitly
(search.search_index_article). Not triggers: SQLite's table rebuild in a later AlterField
migration would silently drop them.

A later migration that alters knowledge_article's title or body on PostgreSQL must drop and
re-create the generated column around that change.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('dutch'::regconfig, coalesce(body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_article_search",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE knowledge_article_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO knowledge_article_fts (rowid, title, body) "
    "SELECT id, title, body FROM knowledge_article",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS knowledge_article_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
