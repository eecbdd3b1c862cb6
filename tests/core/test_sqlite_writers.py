"""The SQLite backend's queue for writers: a transaction waits for the one before it to end."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError

from ipps.core.sqlite.base import Checkpointer, DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writers' queue belongs to the SQLite backend"
)


def begin(db):
    """What `transaction.atomic` does on entering its outermost block."""
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def wrapper(path, alias, timeout=5):
    settings = dict(connection.settings_dict)
    settings["NAME"] = str(path)
    settings["OPTIONS"] = {**settings.get("OPTIONS", {}), "timeout": timeout}
    settings["OPTIONS"]["init_command"] = (
        f"PRAGMA journal_mode=WAL;PRAGMA busy_timeout={timeout * 1000:.0f}"
    )
    return DatabaseWrapper(settings, alias=alias)


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    """These tests open their own connections to a file of their own, not the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.sqlite3"
    first = wrapper(path, "first")
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    first.close()
    return path


def test_a_second_writer_starts_when_the_first_commits(database):
    first = wrapper(database, "first")
    order = []
    begin(first)  # BEGIN IMMEDIATE, holding the writers' lock
    with first.cursor() as cursor:
        cursor.execute("UPDATE counter SET n = n + 1")

    def other():
        second = wrapper(database, "second")
        begin(second)
        order.append("second began")
        with second.cursor() as cursor:
            cursor.execute("UPDATE counter SET n = n + 1")
        second.commit()
        second.set_autocommit(True)
        second.close()

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.2)
    assert order == []  # still waiting for the first writer
    order.append("first committed")
    first.commit()
    first.set_autocommit(True)
    thread.join(5)
    assert order == ["first committed", "second began"]
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (2,)
    first.close()
    assert (database.parent / "writers.sqlite3-writer.lock").exists()


def test_a_rollback_lets_the_next_writer_in(database):
    first, second = wrapper(database, "first"), wrapper(database, "second", timeout=1)
    begin(first)
    first.rollback()
    first.set_autocommit(True)
    begin(second)  # would wait a second and fail if the lock were still held
    with second.cursor() as cursor:
        cursor.execute("UPDATE counter SET n = n + 1")
    second.commit()
    second.set_autocommit(True)
    first.close()
    second.close()


def test_a_writer_that_cannot_get_in_errs_after_the_timeout_instead_of_hanging(database):
    first, second = wrapper(database, "first"), wrapper(database, "second", timeout=0.3)
    begin(first)
    with first.cursor() as cursor:
        cursor.execute("UPDATE counter SET n = n + 1")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        begin(second)
    assert time.monotonic() - started < 5
    first.rollback()
    first.set_autocommit(True)
    first.close()
    second.close()


def test_writers_queue_on_the_file_next_to_the_database(database):
    """The order comes from the lock file, not only from SQLite's own lock (which would let a
    writer in while the file is locked by someone holding no transaction)."""
    import fcntl

    holder = open(f"{database}-writer.lock", "a+")  # noqa: SIM115 - released below
    fcntl.flock(holder, fcntl.LOCK_EX)
    began = threading.Event()

    def other():
        second = wrapper(database, "second")
        begin(second)
        began.set()
        second.rollback()
        second.set_autocommit(True)
        second.close()

    thread = threading.Thread(target=other)
    thread.start()
    assert not began.wait(0.3)
    fcntl.flock(holder, fcntl.LOCK_UN)
    holder.close()
    assert began.wait(5)
    thread.join(5)


def test_placeholders_are_converted_as_django_converts_them(database):
    """The cursor remembers each statement's `?` form: literal `%%`, repeated `%s` statements and
    named parameters still mean what they mean to Django."""
    db = wrapper(database, "first")
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE word (w text)")
        cursor.executemany("INSERT INTO word VALUES (%s)", [["专利"], ["商标"], ["50%"]])
        for _ in range(2):  # the second time from the remembered conversion
            cursor.execute("SELECT w FROM word WHERE w LIKE %s || '%%' ORDER BY w", ["50"])
            assert cursor.fetchall() == [("50%",)]
        cursor.execute("SELECT w FROM word WHERE w = %(w)s", {"w": "商标"})
        assert cursor.fetchall() == [("商标",)]
    db.close()


def test_the_log_is_copied_into_the_database_on_a_thread_of_its_own(database):
    """Every CHECKPOINT_EVERY commits the rows are copied from the write-ahead log into the
    database file, by the process's checkpoint thread: the writer neither runs nor waits for it."""
    import sqlite3

    db = wrapper(database, "first")
    db.ensure_connection()
    statements = []
    db.connection.set_trace_callback(statements.append)
    checkpointer = Checkpointer.for_path(str(database))

    def rows_in_the_database_file():
        # immutable=1: the file as it is, without the write-ahead log
        with sqlite3.connect(f"file:{database}?immutable=1", uri=True) as raw:
            return raw.execute("SELECT n FROM counter").fetchone()[0]

    for n in range(1, DatabaseWrapper.CHECKPOINT_EVERY + 1):
        begin(db)
        with db.cursor() as cursor:
            cursor.execute("UPDATE counter SET n = %s", [n])
        db.commit()
        db.set_autocommit(True)
        if n == DatabaseWrapper.CHECKPOINT_EVERY - 1:
            assert rows_in_the_database_file() == 0  # still only in the log
            assert not checkpointer.done.is_set()
    assert checkpointer.done.wait(5)
    assert rows_in_the_database_file() == DatabaseWrapper.CHECKPOINT_EVERY
    assert not [s for s in statements if "checkpoint" in s.lower()]
    db.close()
