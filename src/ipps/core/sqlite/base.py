"""SQLite with a queue for writers: Django's backend, plus a file lock around write transactions.

SQLite lets one writer in at a time. A writer that finds the database locked waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10, 15 … ms between tries: with a few processes writing
short transactions (the web server's workers, the task consumer), most of the time is spent asleep
while the lock is free. Here every transaction (`BEGIN IMMEDIATE`) first takes an exclusive
`flock` on a file next to the database, polled every fraction of a millisecond, and lets it go
at commit or rollback; the next writer starts at once. SQLite's own locking still decides: the
file lock only orders the writers that use this backend. Statements outside a transaction
(autocommit) do not take it. If the file lock cannot be had within the busy timeout, the
transaction goes ahead without it and SQLite's busy handling answers as before — so a writer
waiting on itself in another connection errs after the timeout instead of hanging.

Checkpoints (copying the write-ahead log back into the database) run on a thread of their own.
SQLite's automatic checkpoint runs inside the commit that fills the log past
`wal_autocheckpoint` pages, and syncs the disk twice: 5–15 ms here, every twenty or so
request-sized transactions, during which every other writer waited in the queue — and, run
after the commit instead, the request that happened to trigger it still waited for the disk.
Here, after every `CHECKPOINT_EVERY` commits of a connection, a thread of the process (one per
database file, with its own connection) runs a PASSIVE checkpoint while the request goes on; a
PASSIVE checkpoint never blocks a writer and copies what it can (readers still using old pages
keep them). The settings raise `wal_autocheckpoint` so that SQLite's own only acts as a backstop,
for a transaction that writes thousands of pages.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import logging
import os
import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base

from ipps.core import utc

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2048)
def qmark(query: str) -> str:
    """A statement with Django's `%s` placeholders in SQLite's `?` style."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_adapted: set[type] = set()
_NULL = {}.get  # None for any value, called without a Python frame


def register_adapters() -> None:
    """Tell the driver how to bind None, booleans and the values of our choices (`TextChoices`,
    `IntegerChoices`) without asking them.

    The driver (Python 3.11) binds an `int`, `float` or `str` as it is; any other value — None,
    `True`, `RequestStatus.NEW` (a `str` subclass) — is first looked up among the registered
    adapters, then asked for `__adapt__` and `__conform__`, and each miss raises and clears an
    `AttributeError` in C: 1.4% of the instructions of a create and a resolve over the API,
    which bind about fifty such values. An adapter found at once binds the same value (None as NULL,
    `True` as 1, a choice as its plain `str` or `int`). Choices classes defined after the first
    connection opens are added when the next one opens; until then they take the slow way, with
    the same result.
    """
    from django.db.models import Choices

    if bool not in _adapted:
        sqlite3.register_adapter(bool, int)
        sqlite3.register_adapter(type(None), _NULL)
        _adapted.update((bool, type(None)))
    pending = list(Choices.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls in _adapted or not cls.__members__:
            continue
        if issubclass(cls, str):
            sqlite3.register_adapter(cls, str.__str__)
        elif issubclass(cls, int):
            sqlite3.register_adapter(cls, int.__index__)
        _adapted.add(cls)


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, remembering each statement's conversion from `%s` to `?` placeholders:
    the regular expression ran over every statement's whole text, which for a 30-column INSERT
    cost more than SQLite took to run it. Statements repeat (their values are parameters)."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)


class Checkpointer:
    """A thread that checkpoints one database file when asked; one per process and file."""

    _running: dict[tuple[int, str], Checkpointer] = {}
    _lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self.wanted = threading.Event()
        self.done = threading.Event()  # set after each checkpoint (for tests)
        self.thread = threading.Thread(
            target=self._run, name=f"sqlite-checkpoint {path}", daemon=True
        )
        self.thread.start()

    @classmethod
    def for_path(cls, path: str) -> Checkpointer:
        key = (os.getpid(), path)  # a forked worker starts its own thread
        found = cls._running.get(key)
        if found is None:
            with cls._lock:
                found = cls._running.get(key)
                if found is None:
                    found = cls._running[key] = cls(path)
        return found

    def request(self) -> None:
        self.wanted.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:
                # Only postponed: the commits before it are in the log, and the next request or
                # SQLite's own checkpoint copies them.
                logger.warning("SQLite checkpoint postponed: %s", exc)
            self.done.set()


class DatabaseOperations(base.DatabaseOperations):
    def convert_datetimefield_value(self, value, expression, connection):
        """Django's conversion of a stored time, shorter for what Django stores with `USE_TZ` (UTC
        without an offset): the time as the driver parsed it ("datetime" columns), or its text
        ("2026-10-01 01:30:15.123456", from an expression), is made aware in UTC without
        `replace`, which cost several times the parse. Anything else is left to Django."""
        if self.connection.timezone is dt.UTC:
            if type(value) is dt.datetime:
                if value.tzinfo is None:
                    return utc.aware(value)
            elif type(value) is str and len(value) in (19, 26) and value[10] == " ":
                try:
                    return dt.datetime.fromisoformat(value + "+00:00")
                except ValueError:
                    pass  # not a time after all: Django's parser decides
        return super().convert_datetimefield_value(value, expression, connection)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    # The first tries come quickly (a short transaction is about to end); then every 0.5 ms: a
    # writer that sleeps past the lock's release leaves the database idle while others queue
    # (2 ms steps cost about a tenth of the throughput of create+resolve over HTTP).
    _POLL = (0.00002, 0.00005, 0.0001, 0.0002)
    _POLL_MAX = 0.0005
    # Commits of one connection between its checkpoints: a request's transaction writes 20–60
    # pages, so the log stays near the 1,000 pages SQLite's automatic checkpoint allows.
    CHECKPOINT_EVERY = 16

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_locked = False
        self._commits = 0

    def get_new_connection(self, conn_params):
        register_adapters()
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db():
            return None
        return name + "-writer.lock"

    def _acquire_writer_lock(self) -> None:
        if self._writer_locked:
            return
        if self._writer_fd is None:
            path = self._writer_lock_path()
            if path is None:
                return
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # leave it to SQLite's busy timeout
                time.sleep(self._POLL[tries] if tries < len(self._POLL) else self._POLL_MAX)
                tries += 1
                continue
            self._writer_locked = True
            return

    def _release_writer_lock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._acquire_writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self):
        wrote = self._writer_locked
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()
            if wrote:
                self._commits += 1
                if self._commits >= self.CHECKPOINT_EVERY:
                    self.checkpoint()

    def checkpoint(self) -> None:
        """Have the log copied into the database, on the process's checkpoint thread."""
        self._commits = 0  # only connections to a file commit under the lock and count
        Checkpointer.for_path(str(self.settings_dict["NAME"])).request()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
