"""Bulk ledger import: `ipps ledger import FILE` and the demo's ledger history.

A file is checked row by row while it streams in (csv module or openpyxl read-only), and written in
batches in the same single transaction: raw multi-row INSERTs into the ledger, then one UPSERT per
batch per rollup table. Any row error rolls everything back, so a file is imported whole or not at
all; the report names every bad row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ipps.core.audit import audit_record
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


def _executemany_raw(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """executemany on the driver's own cursor: skips Django's per-call query rewriting."""
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover
        with connection.cursor() as cursor:
            _execute_rows(cursor, table, columns, rows)
        return
    connection.ensure_connection()
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names are ours
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _upsert_supported() -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def _bump_rollups(cursor, cells: Counter, cell_rows: Counter, pairs: Counter) -> None:
    """Add a batch's sums to both rollup tables: one UPSERT statement (per 2,000 cells) each."""
    adapt_date = connection.ops.adapt_datefield_value
    if not _upsert_supported():  # pragma: no cover - other vendors: the row-by-row upkeep
        for (unit_id, month, kind, ip_type, stage, channel), quantity in cells.items():
            key = dict(
                zip(rollups.CELL, (unit_id, month, kind, ip_type, stage, channel), strict=True)
            )
            rollups._bump(
                rollups.LedgerRollup,
                key,
                {
                    "quantity": quantity,
                    "record_count": cell_rows[(unit_id, month, kind, ip_type, stage, channel)],
                },
            )
        monthly_fallback: Counter = Counter()
        monthly_fallback_rows: Counter = Counter()
        for cell, quantity in cells.items():
            monthly_fallback[cell[:3]] += quantity
            monthly_fallback_rows[cell[:3]] += cell_rows[cell]
        for (unit_id, month, kind), quantity in monthly_fallback.items():
            rollups._bump(
                rollups.LedgerMonthly,
                {"unit_id": unit_id, "month": month, "kind": kind},
                {
                    "quantity": quantity,
                    "record_count": monthly_fallback_rows[(unit_id, month, kind)],
                },
            )
        for (unit_id, month, kind, enterprise_id), quantity in pairs.items():
            rollups._bump(
                rollups.EnterpriseMonth,
                {"unit_id": unit_id, "month": month, "kind": kind, "enterprise_id": enterprise_id},
                {"quantity": quantity},
            )
        return
    rollup_rows = [
        (cell[0], adapt_date(cell[1]), *cell[2:], quantity, cell_rows[cell])
        for cell, quantity in cells.items()
    ]
    _execute_rows(
        cursor,
        "ledger_ledgerrollup",
        (*rollups.CELL, "quantity", "record_count"),
        rollup_rows,
        " ON CONFLICT (unit_id, month, kind, ip_type, chain_stage, channel) DO UPDATE SET "
        "quantity = ledger_ledgerrollup.quantity + excluded.quantity, "
        "record_count = ledger_ledgerrollup.record_count + excluded.record_count",
    )
    monthly: Counter = Counter()
    monthly_rows: Counter = Counter()
    for cell, quantity in cells.items():
        monthly[cell[:3]] += quantity
        monthly_rows[cell[:3]] += cell_rows[cell]
    _execute_rows(
        cursor,
        "ledger_ledgermonthly",
        ("unit_id", "month", "kind", "quantity", "record_count"),
        [
            (unit_id, adapt_date(month), kind, quantity, monthly_rows[(unit_id, month, kind)])
            for (unit_id, month, kind), quantity in monthly.items()
        ],
        " ON CONFLICT (unit_id, month, kind) DO UPDATE SET "
        "quantity = ledger_ledgermonthly.quantity + excluded.quantity, "
        "record_count = ledger_ledgermonthly.record_count + excluded.record_count",
    )
    pair_rows = [
        (unit_id, adapt_date(month), kind, enterprise_id, quantity)
        for (unit_id, month, kind, enterprise_id), quantity in pairs.items()
    ]
    _execute_rows(
        cursor,
        "ledger_enterprisemonth",
        ("unit_id", "month", "kind", "enterprise_id", "quantity"),
        pair_rows,
        " ON CONFLICT (unit_id, month, kind, enterprise_id) DO UPDATE SET "
        "quantity = ledger_enterprisemonth.quantity + excluded.quantity",
    )


def write_batch(
    rows: list[Row], *, now: dt.datetime | None = None, touched: set[dt.date] | None = None
) -> int:
    """Insert resolved ledger rows and add them to the rollups; the caller holds the transaction.

    The rows are trusted: the caller checked units, enterprises, choices and source keys. The
    subtree tables are refreshed for the months written — at once, or, when the caller passes
    `touched`, by the caller after its last batch (once for a whole import).
    """
    if not rows:
        return 0
    adapt_date = connection.ops.adapt_datefield_value
    created_at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    cells: Counter = Counter()
    cell_rows: Counter = Counter()
    pairs: Counter = Counter()
    values = []
    months: dict[dt.date, tuple[dt.date, Any]] = {}
    for unit_id, enterprise_id, date, kind, ip_type, stage, channel, quantity, st, sid in rows:
        cached = months.get(date)
        if cached is None:
            cached = months[date] = (date.replace(day=1), adapt_date(date))
        month, stored_date = cached
        cell = (unit_id, month, kind, ip_type, stage, channel)
        cells[cell] += quantity
        cell_rows[cell] += 1
        if enterprise_id is not None:
            pairs[(unit_id, month, kind, enterprise_id)] += quantity
        values.append(
            (
                unit_id,
                enterprise_id,
                stored_date,
                kind,
                ip_type,
                stage,
                channel,
                quantity,
                st,
                sid,
                created_at,
            )
        )
    _executemany_raw("ledger_servicerecord", INSERT_COLUMNS, values)
    with connection.cursor() as cursor:
        _bump_rollups(cursor, cells, cell_rows, pairs)
    written_months = {month for month, _stored in months.values()}
    if touched is None:
        rollups.refresh_subtrees(connection, written_months)
    else:
        touched |= written_months
    return len(rows)


def write_rows(rows: Iterable[Row], *, batch_size: int = DEFAULT_BATCH) -> int:
    """Write trusted rows in batches, inside one transaction (the caller's or a new one)."""
    now = timezone.now()
    written = 0
    batch: list[Row] = []
    touched: set[dt.date] = set()
    with transaction.atomic():
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                written += write_batch(batch, now=now, touched=touched)
                batch = []
        written += write_batch(batch, now=now, touched=touched)
        rollups.refresh_subtrees(connection, touched)
    return written


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


def _text(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


class _Checker:
    """Turns the cells of one row into a resolved ledger row, or adds errors to the report."""

    def __init__(self, report: LedgerImportReport, source_prefix: str):
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

    def check(self, number: int, cells: dict[str, Any]) -> tuple | None:
        """(row, uscc or '') when good; None after recording the row's errors."""
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


def _resolve_batch(
    pending: list[tuple[int, tuple, str, bool]], report: LedgerImportReport
) -> list[Row]:
    """Look up the batch's enterprises and external source ids in the database, in bulk."""
    from ipps.enterprises.models import Enterprise
    from ipps.ledger.models import ServiceRecord

    usccs = sorted({uscc for _n, _row, uscc, _e in pending if uscc})
    ids: dict[str, int] = {}
    for start in range(0, len(usccs), 5_000):
        ids.update(
            Enterprise.objects.filter(uscc__in=usccs[start : start + 5_000]).values_list(
                "uscc", "id"
            )
        )
    external = sorted({row[9] for _n, row, _u, is_external in pending if is_external})
    taken: set[tuple[str, str]] = set()
    for start in range(0, len(external), 5_000):
        taken.update(
            ServiceRecord.objects.filter(
                source_type=SOURCE_TYPE,
                source_id__in=external[start : start + 5_000],
                reverses__isnull=True,
            ).values_list("source_id", "kind")
        )
    rows: list[Row] = []
    for number, row, uscc, _external in pending:
        bad = False
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
                bad = True
        if taken and (row[9], row[3]) in taken:
            report.add_error(
                RowError(number, "source", _("This act of service is already in the ledger."))
            )
            bad = True
        if not bad:
            rows.append((row[0], enterprise_id, *row[2:]))
    return rows


class _Rollback(Exception):
    pass


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
    checker = None
    now = timezone.now()
    touched: set[dt.date] = set()
    try:
        with transaction.atomic():
            columns: dict[str, int] = {}
            pending: list[tuple[int, tuple, str, bool]] = []
            for number, cells in reader:
                if not columns:
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
                    checker = _Checker(report, prefix)
                    continue
                if not any(c not in (None, "") for c in cells):
                    continue
                report.rows += 1
                width = len(cells)
                values = {n: (cells[i] if i < width else None) for n, i in columns.items()}
                checked = checker.check(number, values)
                if checked is not None:
                    pending.append((number, *checked))
                if len(pending) >= batch_size:
                    rows = _resolve_batch(pending, report)
                    if not report.error_count:
                        report.created += write_batch(rows, now=now, touched=touched)
                    pending = []
            if pending:
                rows = _resolve_batch(pending, report)
                if not report.error_count:
                    report.created += write_batch(rows, now=now, touched=touched)
            if not columns:
                raise LedgerImportError("empty_file", _("The file holds no rows."), field="file")
            if report.error_count:
                raise _Rollback
            rollups.refresh_subtrees(connection, touched)
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
