"""Bulk ledger import: `ipps ledger import FILE` and the demo's ledger history.

A file is checked row by row while it streams in (csv module or openpyxl read-only), and written in
batches in the same single transaction: the ledger rows by executemany (SQLite) or COPY
(PostgreSQL), while their rollup sums are added up in memory and written once at the end (or every
SUMS_PER_FLUSH keys) by one INSERT … SELECT … ON CONFLICT per rollup table. Any row error rolls
everything back, so a file is imported whole or not at all; the report names every bad row and
column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import operator
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ipps.core.audit import audit_record
from ipps.core.bulk import paused_gc
from ipps.core.choices import AuditAction, ChainStage, Channel, IPType
from ipps.core.errors import ServiceError
from ipps.ledger import rollups
from ipps.ledger.choices import RecordKind

DEFAULT_BATCH = 20_000
SOURCE_TYPE = "ledger.import"
MAX_ERRORS = 200  # listed; all are counted
REQUIRED = ("unit", "date", "kind", "quantity")
OPTIONAL = ("ip_type", "chain_stage", "channel", "enterprise", "source")
# One resolved ledger row, in the column order of INSERT_COLUMNS minus reverses_id/created_at.
Row = tuple[int, int | None, dt.date, str, str, str, str, int, str, str]
INSERT_COLUMNS = (
    "unit_id",
    "enterprise_id",
    "date",
    "kind",
    "ip_type",
    "chain_stage",
    "channel",
    "quantity",
    "source_type",
    "source_id",
    "created_at",
)
ROWS_PER_STATEMENT = 2_000  # 11 params a row stays far under SQLite's 32,766 variables
# Rollup keys held in memory before they are written (~200 bytes each): 1,000,000 rows of the
# demo's mix make ~630,000, so such a file writes its sums once.
SUMS_PER_FLUSH = 1_000_000
# A file larger than this (about 25,000 rows) has every enterprise's USCC read at its start, when
# there are no more than PRELOAD_ENTERPRISES of them (about 150 bytes each in memory).
PRELOAD_FILE_BYTES = 2_000_000
PRELOAD_ENTERPRISES = 500_000


class LedgerImportError(ServiceError):
    """The file as a whole cannot be imported (unreadable, no header, already imported)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class LedgerImportReport:
    file_name: str
    sha256: str
    status: str = "imported"  # imported | rejected | already_imported
    rows: int = 0
    created: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# Writing -------------------------------------------------------------------------------------


def _insert_sql(table: str, columns: tuple[str, ...], rows: int, suffix: str = "") -> str:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - names are ours
        + ", ".join([one] * rows)
        + suffix
    )


def _execute_rows(cursor, table: str, columns: tuple[str, ...], rows: list[tuple], suffix=""):
    """Multi-row INSERTs: one statement per ROWS_PER_STATEMENT rows (far faster than one each)."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params = [value for row in chunk for value in row]
        cursor.execute(_insert_sql(table, columns, len(chunk), suffix), params)


def _insert_ledger_rows(values: list[tuple]) -> None:
    """The ledger rows in INSERT_COLUMNS order, on PostgreSQL by COPY (SQLite: `_Pipeline`)."""
    if connection.vendor != "postgresql":  # pragma: no cover
        with connection.cursor() as cursor:
            _execute_rows(cursor, "ledger_servicerecord", INSERT_COLUMNS, values)
        return
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(
            f"COPY ledger_servicerecord ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
        ) as copy:
            write_row = copy.write_row
            for row in values:
                write_row(row)
    finally:
        cursor.close()


class _Pipeline:
    """On SQLite, writes one batch while the caller checks the next: a second thread runs the
    writes, one at a time, in submission order, on the same connection and in the same transaction.

    The writes are `rollups.sqlite_write`s: thousands of rows per statement, and Python's sqlite3
    releases the GIL while a statement runs, so the checking goes on on the other core. (With
    executemany, which takes the GIL back after every row, the two threads would take turns.)
    `submit()` waits for the write before it, so at most one is under way; `wait()` returns once
    the last one is done and raises what it raised. Whoever uses the connection otherwise calls
    `wait()` first, so the connection is never used by both threads at once. On PostgreSQL the
    rows go by COPY at once, in the caller's thread.
    """

    def __init__(self):
        self.executor = None
        self.future = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.raw = connection.connection
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="ipps-ledger-write")

    def write(self, values: list[tuple]) -> None:
        if self.executor is None:
            _insert_ledger_rows(values)
        else:
            self.submit(
                rollups.sqlite_write, self.raw, "ledger_servicerecord", INSERT_COLUMNS, values
            )

    def submit(self, function, *args, **kwargs) -> None:
        self.wait()
        if self.executor is None:
            function(*args, **kwargs)
        else:
            self.future = self.executor.submit(function, *args, **kwargs)

    def wait(self) -> None:
        future, self.future = self.future, None
        if future is not None:
            future.result()

    def close(self) -> None:
        """Wait for the write under way, if any, whatever happened; then stop the thread."""
        future, self.future = self.future, None
        if future is not None:
            futures_wait([future])
        if self.executor is not None:
            self.executor.shutdown()


class _Writer:
    """Writes checked rows batch by batch and adds up their rollup sums in memory.

    The sums go to the rollup tables by `flush()`: at the end of a file, or sooner when they hold
    SUMS_PER_FLUSH keys — so each cell is written once per file, not once per batch. Rows and sums
    are written through a `_Pipeline`: call `wait()` before any other use of the connection, and
    `close()` at the end, whatever happened.
    """

    def __init__(self, now: dt.datetime):
        self.created_at = connection.ops.adapt_datetimefield_value(now)
        self.cells: dict[tuple, list[int]] = {}  # (unit, month, kind, ip, stage, channel) → [q, n]
        self.pairs: dict[tuple, int] = {}  # (unit, month, kind, enterprise) → quantity
        self.written = 0
        self.roots = rollups.ancestry(connection)
        self.pipeline = _Pipeline()
        self.wait = self.pipeline.wait
        self.close = self.pipeline.close

    def insert(self, values: list[tuple]) -> None:
        if values:
            self.pipeline.write(values)
            self.written += len(values)
        if len(self.cells) + len(self.pairs) >= SUMS_PER_FLUSH:
            self.flush()

    def flush(self) -> None:
        """Add the sums so far to the rollup tables; returns once they are written."""
        rollups.add_sums(
            connection, self.cells, self.pairs, roots=self.roots, submit=self.pipeline.submit
        )
        self.wait()
        self.cells, self.pairs = {}, {}

    def add_trusted(self, rows: Iterable[Row]) -> list[tuple]:
        """INSERT_COLUMNS tuples for rows already checked by the caller; their sums added up."""
        adapt_date = connection.ops.adapt_datefield_value
        created_at = self.created_at
        cells, pairs = self.cells, self.pairs
        months: dict[dt.date, tuple[dt.date, Any]] = {}
        values = []
        append = values.append
        for unit_id, enterprise_id, date, kind, ip_type, stage, channel, quantity, st, sid in rows:
            cached = months.get(date)
            if cached is None:
                cached = months[date] = (date.replace(day=1), adapt_date(date))
            month, stored = cached
            append(
                (unit_id, enterprise_id, stored, kind, ip_type, stage, channel, quantity, st, sid,
                 created_at)
            )  # fmt: skip
            key = (unit_id, month, kind, ip_type, stage, channel)
            cell = cells.get(key)
            if cell is None:
                cells[key] = [quantity, 1]
            else:
                cell[0] += quantity
                cell[1] += 1
            if enterprise_id is not None:
                pair = (unit_id, month, kind, enterprise_id)
                pairs[pair] = pairs.get(pair, 0) + quantity
        return values


@contextmanager
def bulk_cache():
    """On SQLite, the connection's page cache is IPPS_BULK_CACHE_MB while the block runs, and
    what it was after. A ledger's indexes grow past the everyday cache at tens of millions of rows;
    every insert into an index page not in the cache is then another read, and the import slows
    down file by file. SQLite allocates cache pages only as it fills them and frees them when the
    size shrinks again."""
    if connection.vendor != "sqlite" or settings.IPPS_BULK_CACHE_MB <= 0:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(settings.IPPS_BULK_CACHE_MB) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def write_rows(rows: Iterable[Row], *, batch_size: int = DEFAULT_BATCH) -> int:
    """Write trusted rows in batches, inside one transaction (the caller's or a new one).

    The rows are trusted: the caller checked units, enterprises, choices and source keys.
    """
    with paused_gc(), bulk_cache(), transaction.atomic():
        writer = _Writer(timezone.now())
        try:
            batch: list[Row] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= batch_size:
                    writer.insert(writer.add_trusted(batch))
                    batch = []
            writer.insert(writer.add_trusted(batch))
            writer.flush()
        finally:
            writer.close()
    return writer.written


# Reading -------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        yield from enumerate(csv.reader(handle), start=1)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LedgerImportError(
            "unreadable_file", _("The file is not a readable .xlsx workbook."), field="file"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _choice_index(choices) -> dict[str, str]:
    """Accept the stored value, the English label and the Chinese label, case-insensitively."""
    index = {}
    for value, label in choices.choices:
        index[value] = index[value.lower()] = value
        with translation.override("en"):
            index[str(label).strip().lower()] = value
        with translation.override("zh-hans"):
            index[str(label).strip().lower()] = value
    return index


def _choice(index: dict[str, str], text: str) -> str | None:
    return index.get(text) or index.get(text.lower())


def _spellings(choices) -> list[str]:
    spellings = []
    for value, label in choices.choices:
        spellings += [value, value.upper()]
        for language in ("en", "zh-hans"):
            with translation.override(language):
                text = str(label).strip()
            spellings += [text, text.lower(), text.upper()]
    return spellings


def _exact(lookup, spellings: Iterable[str]) -> dict[str, Any]:
    """{spelling: lookup(spelling)} for the stripped spellings that lookup accepts."""
    return {
        text: value
        for text in spellings
        if text and text == text.strip() and (value := lookup(text)) is not None
    }


def _text(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


# A checked row waiting for its batch's database look-ups: (row number, unit id, USCC or "",
# stored date, month, kind, IP type, chain stage, channel, quantity, source id, external?).
Pending = tuple[int, int, str, Any, dt.date, str, str, str, str, int, str, bool]
SMALL_QUANTITIES = {str(n): n for n in range(1, 101)}


class _Checker:
    """Turns the cells of each row into a checked row, or adds the row's errors to the report.

    `check` is the reference: it takes any cell types (.xlsx) and names every error. `rows` runs
    a fast path before it for the text cells of a .csv — one dictionary look-up per cell as
    written (stored values, labels, unit codes and dates seen before), no objects made per row —
    which accepts only rows that `check` would accept, with the same values; any other row goes
    to `check`.
    """

    def __init__(self, report: LedgerImportReport, source_prefix: str, columns: dict[str, int]):
        from ipps.network.models import ServiceUnit

        self.report = report
        self.source_prefix = source_prefix
        self.units = {
            code.upper(): pk for code, pk in ServiceUnit.objects.values_list("code", "id")
        }
        self.kinds = _choice_index(RecordKind)
        self.ip_types = _choice_index(IPType)
        self.stages = _choice_index(ChainStage)
        self.channels = _choice_index(Channel)
        self.external: set[tuple[str, str]] = set()
        self.dates: dict[str, dt.date] = {}
        # The fast path's tables map a cell, as written, to what `check` makes of it; they hold
        # only stripped spellings (the ones `check` looks up unchanged): stored values and codes,
        # labels in English and Chinese, in their own, lower and upper case.
        self.quick_units = _exact(
            lambda text: self.units.get(text.upper()),
            [s for code in self.units for s in (code, code.lower())],
        )
        self.quick_kinds = _exact(lambda text: _choice(self.kinds, text), _spellings(RecordKind))
        self.quick_optional = [
            {"": "", **_exact(lambda text, index=index: _choice(index, text), _spellings(choices))}
            for index, choices in (
                (self.ip_types, IPType),
                (self.stages, ChainStage),
                (self.channels, Channel),
            )
        ]
        self.adapt_date = connection.ops.adapt_datefield_value
        self.quick_dates: dict[str, tuple[Any, dt.date]] = {}
        self.columns = columns
        self.width = max(columns.values()) + 1

    def _date(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        date = self.dates.get(text)
        if date is None:
            try:
                date = dt.date.fromisoformat(text)
            except ValueError:
                return None
            if len(self.dates) < 10_000:
                self.dates[text] = date
        return date

    def rows(self, reader: Iterable[tuple[int, list[Any]]], *, text: bool) -> Iterator[Pending]:
        """Check the rows after the header; yield the good ones, count all of them."""
        columns = self.columns
        get = operator.itemgetter(
            columns["unit"],
            columns["date"],
            columns["kind"],
            *(columns.get(name, 0) for name in OPTIONAL),
            columns["quantity"],
        )
        has = [name in columns for name in OPTIONAL]
        units = self.quick_units
        kinds = self.quick_kinds
        ip_types, stages, channels = self.quick_optional
        dates = self.quick_dates
        external = self.external
        prefix = self.source_prefix
        width = self.width
        count = 0
        try:
            for number, cells in reader:
                if not any(cells) and all(c in (None, "") for c in cells):
                    continue
                count += 1
                if text and len(cells) >= width:
                    unit, date, kind, ip_type, stage, channel, uscc, source, quantity = get(cells)
                    # Absent optional columns read column 0 (the getter needs an index) and are
                    # blanked. A None below sends the row to `check`, which names its errors.
                    unit = units.get(unit)
                    dated = dates.get(date) or self._quick_date(date)
                    kind = kinds.get(kind)
                    ip_type = ip_types.get(ip_type) if has[0] else ""
                    stage = stages.get(stage) if has[1] else ""
                    channel = channels.get(channel) if has[2] else ""
                    q = SMALL_QUANTITIES.get(quantity)
                    if q is None:
                        try:
                            q = int(quantity)
                        except ValueError:
                            q = 0
                    if (
                        unit is not None
                        and dated is not None
                        and kind is not None
                        and ip_type is not None
                        and stage is not None
                        and channel is not None
                        and q >= 1
                    ):
                        uscc = uscc.strip().upper() if has[3] and uscc else ""
                        if not has[4] or not source or not (source := source.strip()):
                            yield (number, unit, uscc, *dated, kind, ip_type, stage, channel, q,
                                   f"{prefix}:{number}", False)  # fmt: skip
                            continue
                        if len(source) <= 64 and (source, kind) not in external:
                            external.add((source, kind))
                            yield (number, unit, uscc, *dated, kind, ip_type, stage, channel, q,
                                   source, True)  # fmt: skip
                            continue
                width_now = len(cells)
                checked = self.check(
                    number,
                    {n: (cells[i] if i < width_now else None) for n, i in columns.items()},
                )
                if checked is not None:
                    row, uscc, is_external = checked
                    date = row[2]
                    yield (number, row[0], uscc, self.adapt_date(date), date.replace(day=1),
                           *row[3:8], row[9], is_external)  # fmt: skip
        finally:
            self.report.rows += count

    def _quick_date(self, text: str) -> tuple[Any, dt.date] | None:
        date = self._date(text)
        if date is None:
            return None
        dated = (self.adapt_date(date), date.replace(day=1))
        if len(self.quick_dates) < 10_000:
            self.quick_dates[text] = dated
        return dated

    def check(self, number: int, cells: dict[str, Any]) -> tuple | None:
        """(row, uscc or '', external?) when good; None after recording the row's errors."""
        errors = []
        unit_code = _text(cells["unit"])
        unit_id = self.units.get(unit_code.upper())
        if unit_id is None:
            errors.append(
                (
                    "unit",
                    _("There is no service unit with the code “%(code)s”.") % {"code": unit_code},
                )
            )
        date = self._date(cells["date"])
        if date is None:
            errors.append(("date", _("Write the date as YYYY-MM-DD, for example 2026-03-31.")))
        values = []
        for column, index, required in (
            ("kind", self.kinds, True),
            ("ip_type", self.ip_types, False),
            ("chain_stage", self.stages, False),
            ("channel", self.channels, False),
        ):
            text = _text(cells.get(column))
            if not text and not required:
                values.append("")
                continue
            value = index.get(text) or index.get(text.lower())
            if value is None:
                errors.append(
                    (
                        column,
                        _("“%(value)s” is not one of the allowed values: %(allowed)s.")
                        % {"value": text, "allowed": ", ".join(sorted(set(index.values())))},
                    )
                )
            values.append(value or "")
        raw = cells["quantity"]
        quantity = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            quantity = raw
        elif isinstance(raw, float) and raw.is_integer():
            quantity = int(raw)
        else:
            try:
                quantity = int(_text(raw))
            except ValueError:
                quantity = None
        if quantity is None or quantity < 1:
            errors.append(("quantity", _("The quantity must be a whole number of at least 1.")))
        source = _text(cells.get("source"))
        external = bool(source)
        if external:
            if len(source) > 64:
                errors.append(("source", _("The source id is longer than 64 characters.")))
            elif values[0]:
                key = (source, values[0])
                if key in self.external:
                    errors.append(
                        ("source", _("This source id and kind appear twice in the file."))
                    )
                self.external.add(key)
        else:
            source = f"{self.source_prefix}:{number}"
        if errors:
            for column, message in errors:
                self.report.add_error(RowError(number, column, message))
            return None
        uscc = _text(cells.get("enterprise")).upper()
        row = (
            unit_id,
            None,
            date,
            values[0],
            values[1],
            values[2],
            values[3],
            quantity,
            SOURCE_TYPE,
            source,
        )
        return row, uscc, external


class _Resolver:
    """Looks up a batch's enterprises and external source ids in the database, in bulk, and
    turns its good rows into ledger rows for the writer (adding up their rollup sums)."""

    def __init__(self, report: LedgerImportReport, writer: _Writer, *, preload: bool = False):
        from ipps.enterprises.models import Enterprise

        self.report = report
        self.writer = writer
        self.enterprises: dict[str, int] = {}  # USCC → id, for the USCCs of the file seen so far
        # With every USCC at hand, a batch needs no lookup, so it does not wait for the batch
        # being written before it (see _Pipeline): worth one read of them all for a large file,
        # unless the register is very large.
        self.complete = preload and Enterprise.objects.count() <= PRELOAD_ENTERPRISES
        if self.complete:
            self.enterprises.update(Enterprise.objects.values_list("uscc", "id"))

    def resolve(self, pending: list[Pending]) -> list[tuple]:
        from ipps.enterprises.models import Enterprise
        from ipps.ledger.models import ServiceRecord

        ids = self.enterprises
        usccs = []
        if not self.complete:
            usccs = sorted({p[2] for p in pending if p[2] and p[2] not in ids})
        external = sorted({p[10] for p in pending if p[11]})
        if usccs or external:
            self.writer.wait()  # the connection is the writing thread's until its batch is in
        for start in range(0, len(usccs), 5_000):
            ids.update(
                Enterprise.objects.filter(uscc__in=usccs[start : start + 5_000]).values_list(
                    "uscc", "id"
                )
            )
        taken: set[tuple[str, str]] = set()
        for start in range(0, len(external), 5_000):
            taken.update(
                ServiceRecord.objects.filter(
                    source_type=SOURCE_TYPE,
                    source_id__in=external[start : start + 5_000],
                    reverses__isnull=True,
                ).values_list("source_id", "kind")
            )
        report = self.report
        created_at = self.writer.created_at
        cells, pairs = self.writer.cells, self.writer.pairs
        values: list[tuple] = []
        append = values.append
        for (number, unit_id, uscc, stored, month, kind, ip_type, stage, channel, quantity,
             source, is_external) in pending:  # fmt: skip
            enterprise_id = None
            if uscc:
                enterprise_id = ids.get(uscc)
                if enterprise_id is None:
                    report.add_error(
                        RowError(
                            number,
                            "enterprise",
                            _("No enterprise has the Unified Social Credit Code “%(uscc)s”.")
                            % {"uscc": uscc},
                        )
                    )
            if is_external and (source, kind) in taken:
                report.add_error(
                    RowError(number, "source", _("This act of service is already in the ledger."))
                )
            if report.error_count:
                continue  # nothing will be written: go on checking only
            append(
                (unit_id, enterprise_id, stored, kind, ip_type, stage, channel, quantity,
                 SOURCE_TYPE, source, created_at)
            )  # fmt: skip
            key = (unit_id, month, kind, ip_type, stage, channel)
            cell = cells.get(key)
            if cell is None:
                cells[key] = [quantity, 1]
            else:
                cell[0] += quantity
                cell[1] += 1
            if enterprise_id is not None:
                pair = (unit_id, month, kind, enterprise_id)
                pairs[pair] = pairs.get(pair, 0) + quantity
        return values


class _Rollback(Exception):
    pass


def _header(reader: Iterator[tuple[int, list[Any]]]) -> dict[str, int] | None:
    """The column indexes named by the first non-empty row; None for a file without rows."""
    for _number, cells in reader:
        names = [_text(c).lower() for c in cells]
        if not any(names):
            continue
        columns = {n: i for i, n in enumerate(names) if n in REQUIRED + OPTIONAL}
        missing = [n for n in REQUIRED if n not in columns]
        if missing:
            raise LedgerImportError(
                "missing_columns",
                _("The first row must name the columns; missing: %(names)s.")
                % {"names": ", ".join(missing)},
                field="file",
            )
        return columns
    return None


def ledger_import(
    *,
    path: Path | str,
    batch_size: int = DEFAULT_BATCH,
    acting_user=None,
) -> LedgerImportReport:
    """Import a .csv or .xlsx ledger file whole, or nothing of it; a second import is refused."""
    from ipps.core.models import AuditEvent

    started = time.perf_counter()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise LedgerImportError("unsupported_file", _("Import a .csv or .xlsx file."), field="file")
    sha = file_sha256(path)
    report = LedgerImportReport(file_name=path.name, sha256=sha)
    prefix = sha[:16]
    if AuditEvent.objects.filter(object_type=SOURCE_TYPE, object_id=prefix).exists():
        report.status = "already_imported"
        report.seconds = time.perf_counter() - started
        return report
    reader = _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)
    try:
        with paused_gc(), bulk_cache(), transaction.atomic():
            columns = _header(reader)
            if columns is None:
                raise LedgerImportError("empty_file", _("The file holds no rows."), field="file")
            checker = _Checker(report, prefix, columns)
            writer = _Writer(timezone.now())
            try:
                resolver = _Resolver(
                    report, writer, preload=path.stat().st_size > PRELOAD_FILE_BYTES
                )
                pending: list[Pending] = []
                for checked in checker.rows(reader, text=suffix == ".csv"):
                    pending.append(checked)
                    if len(pending) >= batch_size:
                        values = resolver.resolve(pending)
                        if not report.error_count:
                            writer.insert(values)
                        pending = []
                if pending:
                    values = resolver.resolve(pending)
                    if not report.error_count:
                        writer.insert(values)
                writer.wait()
                if report.error_count:
                    raise _Rollback
                writer.flush()
            finally:
                writer.close()
            report.created = writer.written
            audit_record(
                action=AuditAction.IMPORT,
                actor=acting_user,
                actor_name="" if acting_user else "ipps ledger import",
                object_type=SOURCE_TYPE,
                object_id=prefix,
                object_repr=path.name[:255],
                changes={"rows": report.created, "sha256": sha, "file": path.name},
            )
    except _Rollback:
        report.status = "rejected"
        report.created = 0
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LedgerImportError(
            "unreadable_file", _("The file is not readable UTF-8 CSV."), field="file"
        ) from exc
    report.seconds = time.perf_counter() - started
    return report


def rows_to_csv(rows: Iterable[Iterable[Any]], handle: io.TextIOBase) -> None:
    """Write the import format (header + rows) — used by the benchmark and the tests."""
    writer = csv.writer(handle)
    writer.writerow(
        REQUIRED[:3] + ("ip_type", "chain_stage", "channel", "quantity", "enterprise", "source")
    )
    writer.writerows(rows)
