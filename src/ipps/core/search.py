"""Chinese-aware search tokens: jieba words stored beside the text, matched by the database.

SQLite's and PostgreSQL's own tokenizers do not split Chinese into words (and trigram search misses
two-character words such as 专利 or 商标), so the text is segmented here once, on write, and the
query is segmented the same way.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from functools import lru_cache

with warnings.catch_warnings():
    # jieba 0.42 imports pkg_resources, whose deprecation warning would print on every command.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"\w", re.UNICODE)
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 我 我们 公司 请问 怎么 如何 什么 吗 呢 一个 the a an of and or to in for is are how what".split()
)


@lru_cache(maxsize=1)
def _ready() -> bool:
    jieba.initialize()
    return True


def tokens(text: str) -> list[str]:
    """Words of a text: jieba's search-engine cut (long words and their parts), lower case."""
    _ready()
    folded = unicodedata.normalize("NFKC", text or "").lower()
    words = []
    for word in jieba.cut_for_search(folded):
        word = word.strip()
        if word and _WORD.search(word) and word not in STOPWORDS:
            words.append(word)
    return words


def token_text(*parts: str) -> str:
    """The stored form: unique tokens separated by spaces."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in tokens(part):
            seen.setdefault(word, None)
    return " ".join(seen)


# Matching in the database ---------------------------------------------------------------------------
#
# The one place that knows the vendors. SQLite: an FTS5 table `<table>_fts` (external content, kept
# in sync by triggers; see casework migration 0002) ranked by bm25. PostgreSQL: a GIN index on
# to_tsvector('simple', search_tokens) ranked by ts_rank. Both see the same space-separated jieba
# tokens, so both find two-character words such as 专利.

# Tables that have a full-text index over their `search_tokens` column.
INDEXED_TABLES = frozenset({"casework_article", "casework_servicerequest"})


def query_terms(text: str) -> list[str]:
    """The distinct words of a query, in order (at most 32: a pasted essay must not blow up)."""
    seen: dict[str, None] = {}
    for word in tokens(text):
        seen.setdefault(word, None)
    return list(seen)[:32]


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression ORing the terms, each quoted so that no character is syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _candidate_sql(within, connection) -> tuple[str, tuple]:
    sql, params = within.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def rank_ids(table: str, query: str, *, within=None, limit: int | None = 200) -> list[int]:
    """Ids of the rows of `table` whose tokens match any word of `query`, best match first.

    `within` (a queryset of that table's model) restricts the candidates inside the database, so
    that a user's scope is applied before the limit, not after. Queries without a word (empty,
    punctuation only) match nothing.
    """
    from django.db import connections

    if table not in INDEXED_TABLES:
        raise ValueError(f"{table} has no full-text index")
    terms = query_terms(query)
    if not terms:
        return []
    using = within.db if within is not None else "default"
    connection = connections[using]
    params: list = []
    if connection.vendor == "postgresql":
        tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
        vector = "to_tsvector('simple', t.search_tokens)"
        sql = (
            f"SELECT t.id FROM {table} t, (SELECT {tsquery} AS query) q "  # noqa: S608 - fixed names
            f"WHERE {vector} @@ q.query"
        )
        params.extend(terms)
        order = f" ORDER BY ts_rank({vector}, q.query) DESC, t.id DESC"
    elif connection.vendor == "sqlite":
        fts = f"{table}_fts"
        sql = f"SELECT f.rowid FROM {fts} f WHERE {fts} MATCH %s"  # noqa: S608 - fixed names
        params.append(fts5_query(terms))
        order = f" ORDER BY bm25({fts}), f.rowid DESC"
    else:  # pragma: no cover - the product supports these two
        raise NotImplementedError(connection.vendor)
    if within is not None:
        inner, inner_params = _candidate_sql(within, connection)
        column = "t.id" if connection.vendor == "postgresql" else "f.rowid"
        sql += f" AND {column} IN ({inner})"
        params.extend(inner_params)
    sql += order
    if limit is not None:
        sql += " LIMIT %s"
        params.append(int(limit))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def in_rank_order(queryset, ids: list[int]):
    """`queryset` narrowed to `ids` and ordered as they are (best match first)."""
    from django.db.models import Case, IntegerField, Value, When

    if not ids:
        return queryset.none()
    order = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).annotate(search_rank=order).order_by("search_rank")


def ranked(queryset, query: str, *, limit: int | None = 200):
    """The rows of `queryset` that match `query`, best first (scope applied inside the database)."""
    ids = rank_ids(queryset.model._meta.db_table, query, within=queryset, limit=limit)
    return in_rank_order(queryset, ids)


def sqlite_fts_repair(using: str = "default") -> list[str]:
    """Recreate missing FTS5 sync triggers on SQLite and rebuild that index; names what it fixed.

    SQLite's ALTER TABLE emulation (a later migration that changes a searched table) copies the
    table and drops the old one, and its triggers with it; this runs after every migrate.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        for table in sorted(INDEXED_TABLES):
            fts = f"{table}_fts"
            if table not in existing or fts not in existing:
                continue
            if {f"{fts}_ai", f"{fts}_ad", f"{fts}_au"} <= existing:
                continue
            old = f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES('delete', old.id, old.search_tokens);"
            new = f"INSERT INTO {fts}(rowid, search_tokens) VALUES (new.id, new.search_tokens);"  # noqa: S608
            for statement in (
                f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {new} END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {old} END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_tokens ON {table} "
                f"BEGIN {old} {new} END",
                f"INSERT INTO {fts}({fts}) VALUES('rebuild')",
            ):
                cursor.execute(statement)
            repaired.append(table)
    return repaired
