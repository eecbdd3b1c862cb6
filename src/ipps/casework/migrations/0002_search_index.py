"""Full-text indexes over the jieba tokens of articles and requests, one per database vendor.

SQLite: an FTS5 table per model, external content (the base table holds the text), kept in sync by
triggers, so that bulk writes (the demo, imports, raw SQL) stay searchable too.
PostgreSQL: a GIN index on to_tsvector('simple', search_tokens), which the queries of
ipps.core.search use verbatim.
"""

from django.db import migrations

TABLES = ("casework_article", "casework_servicerequest")


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    delete_old = f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES('delete', old.id, old.search_tokens);"
    insert_new = f"INSERT INTO {fts}(rowid, search_tokens) VALUES (new.id, new.search_tokens);"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_tokens, content='{table}', content_rowid='id')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_tokens ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES('rebuild')",
    ]


def _sqlite_drop(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _pg_index(table: str) -> str:
    return f"{table}_tokens_gin"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            statements = _sqlite_statements(table)
        elif vendor == "postgresql":
            statements = [
                f"CREATE INDEX IF NOT EXISTS {_pg_index(table)} ON {table} "
                "USING GIN (to_tsvector('simple', search_tokens))"
            ]
        else:  # other databases search without an index (not supported for production)
            statements = []
        for sql in statements:
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            statements = _sqlite_drop(table)
        elif vendor == "postgresql":
            statements = [f"DROP INDEX IF EXISTS {_pg_index(table)}"]
        else:
            statements = []
        for sql in statements:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
