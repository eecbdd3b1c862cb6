"""Values the SQLite driver would have to ask how to bind are bound by adapters found at once."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection, models

from ipps.casework.choices import RequestStatus
from ipps.core.sqlite.base import register_adapters
from ipps.ledger.choices import RecordKind

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the adapters belong to the SQLite backend"
)


def bound(*values):
    """Each value as SQLite stored it: (value, its SQL type)."""
    marks = ", ".join("%s, typeof(%s)" for _ in values)
    params = [v for value in values for v in (value, value)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {marks}", params)  # noqa: S608 - placeholders only
        row = cursor.fetchone()
    return list(zip(row[::2], row[1::2], strict=True))


def test_none_booleans_and_choices_bind_as_their_plain_values(db):
    assert bound(None, True, False, RequestStatus.NEW, RecordKind.QUERY_ANSWERED) == [
        (None, "null"),
        (1, "integer"),
        (0, "integer"),
        ("new", "text"),
        ("query_answered", "text"),
    ]


def test_the_driver_finds_an_adapter_for_them_without_asking_the_value(db):
    """Without a registered adapter the driver binds the same values, but only after two failed
    attribute lookups in C for each (`__adapt__`, `__conform__`): the cost these adapters save."""
    connection.ensure_connection()
    for kind in (type(None), bool, RequestStatus, RecordKind):
        assert (kind, sqlite3.PrepareProtocol) in sqlite3.adapters, kind


def test_choices_defined_later_are_added_and_bind_the_same(db):
    class Colour(models.TextChoices):
        RED = "red", "Red"

    class Size(models.IntegerChoices):
        SMALL = 1, "Small"

    assert (Colour, sqlite3.PrepareProtocol) not in sqlite3.adapters
    register_adapters()  # what opening the next connection does
    assert (Colour, sqlite3.PrepareProtocol) in sqlite3.adapters
    assert bound(Colour.RED, Size.SMALL) == [("red", "text"), (1, "integer")]
    assert type(sqlite3.adapters[(Size, sqlite3.PrepareProtocol)](Size.SMALL)) is int
    assert type(sqlite3.adapters[(Colour, sqlite3.PrepareProtocol)](Colour.RED)) is str
