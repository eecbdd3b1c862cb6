"""Helpers shared by the benchmarks: throw-away PostgreSQL databases."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def _admin_url(database_url: str) -> tuple[str, str]:
    """The server's maintenance database URL, and the benchmark database's name."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_database(database_url: str) -> None:
    """(Re)create the empty database that `database_url` names."""
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str) -> None:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
