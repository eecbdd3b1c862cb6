"""Keeping the rollups equal to the ledger rows: incremental upkeep, rebuild and verification."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum

from ipps.core.prepared import execute_many, fetch_all
from ipps.ledger.models import (
    EnterpriseMonth,
    LedgerMonthly,
    LedgerRollup,
    ServiceRecord,
    SubtreeEnterpriseMonth,
    SubtreeEnterpriseYear,
    SubtreeRollup,
)
from ipps.network.choices import UnitKind
from ipps.network.models import ALLOWED_PARENT_KIND

CELL = ("unit_id", "month", "kind", "ip_type", "chain_stage", "channel")
SUBTREE_CELL = ("root_id", *CELL[1:])


def month_of(date: dt.date) -> dt.date:
    return date.replace(day=1)


def apply(records: Iterable[ServiceRecord]) -> None:
    """Add ledger rows just written to the rollups; called in the same transaction."""
    cells: Counter = Counter()
    cell_rows: Counter = Counter()
    enterprises: Counter = Counter()
    for r in records:
        month = month_of(r.date)
        cell = (r.unit_id, month, r.kind, r.ip_type, r.chain_stage, r.channel)
        cells[cell] += r.quantity
        cell_rows[cell] += 1
        if r.enterprise_id:
            enterprises[(r.unit_id, month, r.kind, r.enterprise_id)] += r.quantity
    _add_by_rows(cells, cell_rows, enterprises)


def _upsert(table: str, key: tuple[str, ...], counters: tuple[str, ...], rows) -> None:
    """Add each row's counters to its cell, creating the cell if needed, in one statement per
    table (INSERT … ON CONFLICT … DO UPDATE: SQLite and PostgreSQL alike, and safe against a
    concurrent writer creating the same cell). Rows go in key order, so two transactions
    touching the same cells lock them in the same order."""
    rows = sorted(rows)
    if rows:
        execute_many(_upsert_sql(table, key, counters), rows)


@functools.cache
def _upsert_sql(table: str, key: tuple[str, ...], counters: tuple[str, ...]) -> str:
    columns = ", ".join((*key, *counters))
    marks = ", ".join(["%s"] * (len(key) + len(counters)))
    sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 - our own names
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sums}"
    )


def _add_by_rows(cells: Counter, cell_rows: Counter, enterprises: Counter) -> None:
    """Add a few rows' sums to every rollup table (the incremental path: any concurrency)."""
    day = connection.ops.adapt_datefield_value
    _upsert(
        "ledger_ledgerrollup",
        CELL,
        ("quantity", "record_count"),
        (
            (unit, day(month), *rest, quantity, cell_rows[(unit, month, *rest)])
            for (unit, month, *rest), quantity in cells.items()
        ),
    )
    monthly: Counter = Counter()
    monthly_rows: Counter = Counter()
    for cell, quantity in cells.items():
        monthly[cell[:3]] += quantity
        monthly_rows[cell[:3]] += cell_rows[cell]
    _upsert(
        "ledger_ledgermonthly",
        ("unit_id", "month", "kind"),
        ("quantity", "record_count"),
        (
            (unit, day(month), kind, quantity, monthly_rows[(unit, month, kind)])
            for (unit, month, kind), quantity in monthly.items()
        ),
    )
    _upsert(
        "ledger_enterprisemonth",
        ("unit_id", "month", "kind", "enterprise_id"),
        ("quantity",),
        (
            (unit, day(month), kind, enterprise, quantity)
            for (unit, month, kind, enterprise), quantity in enterprises.items()
        ),
    )
    roots = ancestry(connection, units={cell[0] for cell in cells})
    subtree_cells: Counter = Counter()
    subtree_rows: Counter = Counter()
    for cell, quantity in cells.items():
        for root in roots.get(cell[0], ()):
            subtree_cells[(root, *cell[1:])] += quantity
            subtree_rows[(root, *cell[1:])] += cell_rows[cell]
    _upsert(
        "ledger_subtreerollup",
        SUBTREE_CELL,
        ("quantity", "record_count"),
        (
            (root, day(month), *rest, quantity, subtree_rows[(root, month, *rest)])
            for (root, month, *rest), quantity in subtree_cells.items()
        ),
    )
    subtree_pairs: Counter = Counter()
    for (unit_id, month, kind, enterprise_id), quantity in enterprises.items():
        for root in roots.get(unit_id, ()):
            subtree_pairs[(root, month, kind, enterprise_id)] += quantity
    _upsert(
        "ledger_subtreeenterprisemonth",
        ("root_id", "month", "kind", "enterprise_id"),
        ("quantity",),
        (
            (root, day(month), kind, enterprise, quantity)
            for (root, month, kind, enterprise), quantity in subtree_pairs.items()
        ),
    )
    subtree_years: Counter = Counter()
    for (unit_id, month, _kind, enterprise_id), quantity in enterprises.items():
        for root in _year_roots_of(unit_id, roots):
            subtree_years[(root, month.year, enterprise_id)] += quantity
    _upsert(
        "ledger_subtreeenterpriseyear",
        ("root_id", "year", "enterprise_id"),
        ("quantity",),
        (
            (root, year, enterprise, quantity)
            for (root, year, enterprise), quantity in subtree_years.items()
        ),
    )


# Bulk upkeep: sums of many rows at once (`ipps ledger import`, the demo's history) ---------------

# PostgreSQL: the sums are staged by COPY in temporary tables and added by the statements below.

_SUM_TABLES = (
    "CREATE TEMP TABLE ipps_sum_cells (unit_id integer, month date, kind varchar(32), "
    "ip_type varchar(32), chain_stage varchar(16), channel varchar(16), quantity bigint, "
    "record_count bigint)",
    "CREATE TEMP TABLE ipps_sum_pairs (unit_id integer, month date, kind varchar(32), "
    "enterprise_id integer, quantity bigint)",
    "CREATE TEMP TABLE ipps_sum_tree (root_id integer, unit_id integer)",
    "CREATE TEMP TABLE ipps_sum_tree_year (root_id integer, unit_id integer)",
)
_YEAR = "CAST(EXTRACT(YEAR FROM p.month) AS integer)"
# Each statement adds the staged sums to one table. The SELECT yields each key once, in the order
# of the table's key.
_ADD_SUMS = (
    "INSERT INTO ledger_ledgerrollup "
    "(unit_id, month, kind, ip_type, chain_stage, channel, quantity, record_count) "
    "SELECT unit_id, month, kind, ip_type, chain_stage, channel, quantity, record_count "
    "FROM ipps_sum_cells WHERE true "
    "ORDER BY unit_id, month, kind, ip_type, chain_stage, channel "
    "ON CONFLICT (unit_id, month, kind, ip_type, chain_stage, channel) DO UPDATE SET "
    "quantity = ledger_ledgerrollup.quantity + excluded.quantity, "
    "record_count = ledger_ledgerrollup.record_count + excluded.record_count",
    "INSERT INTO ledger_ledgermonthly (unit_id, month, kind, quantity, record_count) "
    "SELECT unit_id, month, kind, SUM(quantity), SUM(record_count) FROM ipps_sum_cells "
    "WHERE true GROUP BY unit_id, month, kind ORDER BY unit_id, month, kind "
    "ON CONFLICT (unit_id, month, kind) DO UPDATE SET "
    "quantity = ledger_ledgermonthly.quantity + excluded.quantity, "
    "record_count = ledger_ledgermonthly.record_count + excluded.record_count",
    "INSERT INTO ledger_enterprisemonth (unit_id, month, kind, enterprise_id, quantity) "
    "SELECT unit_id, month, kind, enterprise_id, quantity FROM ipps_sum_pairs WHERE true "
    "ORDER BY unit_id, month, kind, enterprise_id "
    "ON CONFLICT (unit_id, month, kind, enterprise_id) DO UPDATE SET "
    "quantity = ledger_enterprisemonth.quantity + excluded.quantity",
    "INSERT INTO ledger_subtreerollup "
    "(root_id, month, kind, ip_type, chain_stage, channel, quantity, record_count) "
    "SELECT t.root_id, c.month, c.kind, c.ip_type, c.chain_stage, c.channel, SUM(c.quantity), "
    "SUM(c.record_count) FROM ipps_sum_cells c JOIN ipps_sum_tree t ON t.unit_id = c.unit_id "
    "WHERE true GROUP BY t.root_id, c.month, c.kind, c.ip_type, c.chain_stage, c.channel "
    "ORDER BY t.root_id, c.month, c.kind, c.ip_type, c.chain_stage, c.channel "
    "ON CONFLICT (root_id, month, kind, ip_type, chain_stage, channel) DO UPDATE SET "
    "quantity = ledger_subtreerollup.quantity + excluded.quantity, "
    "record_count = ledger_subtreerollup.record_count + excluded.record_count",
    "INSERT INTO ledger_subtreeenterprisemonth (root_id, month, kind, enterprise_id, quantity) "
    "SELECT t.root_id, p.month, p.kind, p.enterprise_id, SUM(p.quantity) "
    "FROM ipps_sum_pairs p JOIN ipps_sum_tree t ON t.unit_id = p.unit_id "
    "WHERE true GROUP BY t.root_id, p.month, p.kind, p.enterprise_id "
    "ORDER BY t.root_id, p.month, p.kind, p.enterprise_id "
    "ON CONFLICT (root_id, month, kind, enterprise_id) DO UPDATE SET "
    "quantity = ledger_subtreeenterprisemonth.quantity + excluded.quantity",
    "INSERT INTO ledger_subtreeenterpriseyear (root_id, year, enterprise_id, quantity) "
    "SELECT t.root_id, {year}, p.enterprise_id, SUM(p.quantity) "
    "FROM ipps_sum_pairs p JOIN ipps_sum_tree_year t ON t.unit_id = p.unit_id "
    "WHERE true GROUP BY t.root_id, {year}, p.enterprise_id "
    "ORDER BY t.root_id, {year}, p.enterprise_id "
    "ON CONFLICT (root_id, year, enterprise_id) DO UPDATE SET "
    "quantity = ledger_subtreeenterpriseyear.quantity + excluded.quantity",
)


def _stage(connection, table: str, columns: str, rows: Iterable[tuple]) -> None:
    """Fill a temporary table by COPY (PostgreSQL)."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def add_sums(
    connection,
    cells: dict[tuple, list[int]],
    pairs: dict[tuple, int],
    *,
    roots: dict[int, tuple[int, ...]] | None = None,
    submit=None,
) -> None:
    """Add the sums of many new ledger rows to every rollup table, in the caller's transaction.

    `cells` maps (unit_id, month, kind, ip_type, chain_stage, channel) to [quantity, rows];
    `pairs` maps (unit_id, month, kind, enterprise_id) to quantity; months are first days; `roots`
    is `ancestry()` (read here when not given). On SQLite the sums of every table are worked out
    here and written by `sqlite_write`, through `submit(function, *args, **kwargs)` when given (the
    import's writing thread: each table is written while the next one's rows are worked out);
    `cells` and `pairs` are emptied as they are used, so their memory serves the next tables. On
    PostgreSQL they are staged in temporary tables by COPY and added by one INSERT … SELECT … ON
    CONFLICT DO UPDATE per rollup table, the subtree tables through each unit's ancestors.
    Another database goes through the incremental path (`_add_by_rows`).
    """
    if not cells and not pairs:
        return
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover
        _add_by_rows(
            Counter({cell: qn[0] for cell, qn in cells.items()}),
            Counter({cell: qn[1] for cell, qn in cells.items()}),
            Counter(pairs),
        )
        return
    if roots is None:
        roots = ancestry(connection)
    adapt = connection.ops.adapt_datefield_value
    months = {}
    for cell in cells:
        if cell[1] not in months:
            months[cell[1]] = adapt(cell[1])
    for pair in pairs:
        if pair[1] not in months:
            months[pair[1]] = adapt(pair[1])
    if connection.vendor == "sqlite":
        _add_sums_sqlite(connection, cells, pairs, roots, months, submit)
        return
    with connection.cursor() as cursor:
        # Dropped below; a rollback (the import's, or a savepoint's) takes them away too.
        for statement in _SUM_TABLES:
            cursor.execute(statement)
        _stage(
            connection,
            "ipps_sum_cells",
            "unit_id, month, kind, ip_type, chain_stage, channel, quantity, record_count",
            (
                (unit_id, months[month], kind, ip_type, stage, channel, q, n)
                for (unit_id, month, kind, ip_type, stage, channel), (q, n) in cells.items()
            ),
        )
        _stage(
            connection,
            "ipps_sum_pairs",
            "unit_id, month, kind, enterprise_id, quantity",
            (
                (unit_id, months[month], kind, enterprise_id, q)
                for (unit_id, month, kind, enterprise_id), q in pairs.items()
            ),
        )
        _stage(
            connection,
            "ipps_sum_tree",
            "root_id, unit_id",
            ((root, unit) for unit, unit_roots in roots.items() for root in unit_roots),
        )
        _stage(
            connection,
            "ipps_sum_tree_year",
            "root_id, unit_id",
            ((root, unit) for unit, unit_roots in year_roots(roots).items() for root in unit_roots),
        )
        for statement in _ADD_SUMS:
            cursor.execute(statement.format(year=_YEAR), ())
        cursor.execute("DROP TABLE ipps_sum_cells")
        cursor.execute("DROP TABLE ipps_sum_pairs")
        cursor.execute("DROP TABLE ipps_sum_tree")
        cursor.execute("DROP TABLE ipps_sum_tree_year")


def _run_now(function, *args, **kwargs) -> None:
    function(*args, **kwargs)


_COUNTS = ("quantity", "record_count")
_QUANTITY = ("quantity",)


def _rows(sums: dict[tuple, list[int]] | dict[tuple, int]) -> list[tuple]:
    """The sums as rows (key columns, then counters) in key order; `sums` is emptied, so its
    memory goes back before the next table's sums are added up."""
    if sums and isinstance(next(iter(sums.values())), list):
        rows = [(*key, *counters) for key, counters in sums.items()]
    else:
        rows = [(*key, quantity) for key, quantity in sums.items()]
    sums.clear()
    rows.sort()
    return rows


def _add_sums_sqlite(connection, cells, pairs, roots, months, submit) -> None:
    """`add_sums` on SQLite: every table's sums worked out in Python, in key order (so SQLite
    walks its B-trees forward), and added by `sqlite_write`. Empties `cells` and `pairs`."""
    submit = submit or _run_now
    connection.ensure_connection()
    raw = connection.connection
    rows = [
        (unit_id, months[month], kind, ip_type, stage, channel, q, n)
        for (unit_id, month, kind, ip_type, stage, channel), (q, n) in cells.items()
    ]
    cells.clear()
    rows.sort()
    submit(sqlite_write, raw, "ledger_ledgerrollup", CELL + _COUNTS, rows, conflict=CELL)
    monthly: dict[tuple, list[int]] = {}
    subtree: dict[tuple, list[int]] = {}
    for unit_id, month, kind, ip_type, stage, channel, q, n in rows:
        key = (unit_id, month, kind)
        sums = monthly.get(key)
        if sums is None:
            monthly[key] = [q, n]
        else:
            sums[0] += q
            sums[1] += n
        for root in roots.get(unit_id, ()):
            key = (root, month, kind, ip_type, stage, channel)
            sums = subtree.get(key)
            if sums is None:
                subtree[key] = [q, n]
            else:
                sums[0] += q
                sums[1] += n
    del rows
    key = ("unit_id", "month", "kind")
    submit(sqlite_write, raw, "ledger_ledgermonthly", key + _COUNTS, _rows(monthly), conflict=key)
    submit(
        sqlite_write,
        raw,
        "ledger_subtreerollup",
        SUBTREE_CELL + _COUNTS,
        _rows(subtree),
        conflict=SUBTREE_CELL,
    )
    key = ("unit_id", "month", "kind", "enterprise_id")
    rows = [
        (unit_id, months[month], kind, enterprise_id, q)
        for (unit_id, month, kind, enterprise_id), q in pairs.items()
    ]
    pairs.clear()
    rows.sort()
    submit(sqlite_write, raw, "ledger_enterprisemonth", key + _QUANTITY, rows, conflict=key)
    years = {stored: month.year for month, stored in months.items()}
    yearly = year_roots(roots)
    subtree_pairs: dict[tuple, int] = {}
    subtree_years: dict[tuple, int] = {}
    for unit_id, month, kind, enterprise_id, q in rows:
        for root in roots.get(unit_id, ()):
            key = (root, month, kind, enterprise_id)
            subtree_pairs[key] = subtree_pairs.get(key, 0) + q
        for root in yearly.get(unit_id, ()):
            key = (root, years[month], enterprise_id)
            subtree_years[key] = subtree_years.get(key, 0) + q
    del rows
    key = ("root_id", "month", "kind", "enterprise_id")
    submit(
        sqlite_write,
        raw,
        "ledger_subtreeenterprisemonth",
        key + _QUANTITY,
        _rows(subtree_pairs),
        conflict=key,
    )
    key = ("root_id", "year", "enterprise_id")
    submit(
        sqlite_write,
        raw,
        "ledger_subtreeenterpriseyear",
        key + _QUANTITY,
        _rows(subtree_years),
        conflict=key,
    )


# Rows per INSERT on SQLite: far fewer steps than executemany's one per row, and past a few
# thousand rows a statement gains nothing more (measured at 500, 1,000, 2,000 and 2,978).
SQLITE_ROWS_PER_STATEMENT = 2_000


def sqlite_write(raw, table: str, columns: tuple[str, ...], rows: list[tuple], *, conflict=()):
    """Insert `rows` (tuples in `columns` order) through `raw`, a sqlite3 connection, with as many
    rows per statement as SQLite's limit on variables allows (up to SQLITE_ROWS_PER_STATEMENT).

    With `conflict` (the table's key columns), the other columns of a row whose key is already
    there are added to that row's (INSERT … ON CONFLICT DO UPDATE). Python's sqlite3 releases the
    GIL while each statement runs, so a thread writing this way leaves the other core to the
    thread that called it (see `ipps.ledger.importing._Pipeline`)."""
    if not rows:
        return
    width = len(columns)
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    per_statement = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - our own names
    one = "(" + ", ".join(["?"] * width) + ")"
    tail = ""
    if conflict:
        sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns if c not in conflict)
        tail = f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {sums}"
    full = head + ", ".join([one] * per_statement) + tail
    cursor = raw.cursor()
    try:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                full if len(chunk) == per_statement else head + ", ".join([one] * len(chunk)) + tail
            )
            cursor.execute(sql, [value for row in chunk for value in row])
    finally:
        cursor.close()


# Kinds of unit that can have no sub-units (no kind may sit under them). Their subtree is the unit
# alone, which the per-unit tables already hold: the monthly subtree tables keep no rows for them,
# and the statistics read the per-unit tables instead (`has_subtree_rows`). Most units are
# workstations, so this leaves out about a third of the subtree rows and of the work of keeping
# them. The yearly table (`SubtreeEnterpriseYear`) is the exception: it has no per-unit twin, and a
# year of a busy workstation's enterprises is a few hundred rows there against tens of thousands
# of enterprise-months, so it keeps rows for every unit (`year_roots`).
LEAF_KINDS = frozenset(UnitKind) - {k for k in ALLOWED_PARENT_KIND.values() if k}


def has_subtree_rows(kind: str) -> bool:
    """Whether the monthly subtree tables hold rows for a unit of this kind (see LEAF_KINDS);
    the yearly one holds rows for every unit."""
    return kind not in LEAF_KINDS


def ancestry(connection, units: Iterable[int] | None = None) -> dict[int, tuple[int, ...]]:
    """Each unit's id → the units whose subtree rows count it: the unit and its ancestors, less
    units of the kinds that keep no subtree rows (read afresh: the tree may change). With `units`,
    for those units only, reading just their chains up the tree."""
    if units is not None:
        return _ancestry_of(sorted(units))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, parent_id, kind FROM network_serviceunit")
        rows = cursor.fetchall()
    parents = {unit: parent for unit, parent, _kind in rows}
    leaves = {unit for unit, _parent, kind in rows if kind in LEAF_KINDS}
    result = {}
    for unit in parents:
        chain, node = [unit], parents[unit]
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        result[unit] = tuple(u for u in chain if u not in leaves)
    return result


def _ancestry_of(units: list[int]) -> dict[int, tuple[int, ...]]:
    if not units:
        return {}
    marks = ", ".join(["%s"] * len(units))
    # depth bounds the walk should the tree ever hold a cycle (the model's rules forbid one)
    rows = fetch_all(
        "WITH RECURSIVE up(unit_id, id, parent_id, kind, depth) AS ("  # noqa: S608 - only marks
        f"SELECT id, id, parent_id, kind, 0 FROM network_serviceunit WHERE id IN ({marks}) "
        "UNION ALL SELECT up.unit_id, u.id, u.parent_id, u.kind, up.depth + 1 "
        "FROM network_serviceunit u JOIN up ON u.id = up.parent_id WHERE up.depth < 64) "
        "SELECT unit_id, id, kind FROM up ORDER BY unit_id, depth",
        units,
    )
    chains: dict[int, list[int]] = {}
    for unit, node, kind in rows:
        chain = chains.setdefault(unit, [])
        if kind not in LEAF_KINDS and node not in chain:
            chain.append(node)
    return {unit: tuple(chain) for unit, chain in chains.items()}


def year_roots(roots: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """`ancestry()` for the yearly table, which keeps rows for every unit: each unit, then its
    ancestors that keep subtree rows. (A unit of a leaf kind is missing from its own roots.)"""
    return {unit: _year_roots_of(unit, roots) for unit in roots}


def _year_roots_of(unit: int, roots: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    unit_roots = roots.get(unit, ())
    return unit_roots if unit_roots[:1] == (unit,) else (unit, *unit_roots)


def refresh_subtrees(connection, months: Iterable[dt.date] | None = None) -> None:
    """Recompute the subtree tables from the per-unit rollups (for `months`, or all of them):
    after bulk writes, a rebuild or a change of the tree. Raw SQL, so migrations can use it."""
    roots = ancestry(connection)
    pairs = [(root, unit) for unit, unit_roots in roots.items() for root in unit_roots]
    year_pairs = [(r, unit) for unit, unit_roots in year_roots(roots).items() for r in unit_roots]
    if not pairs:  # no units (every tree's root keeps subtree rows)
        return
    # Unit ids are integers from the database: safe to write into the statement.
    closure, year_closure = (
        "WITH closure(root_id, unit_id) AS (VALUES {})".format(
            ", ".join(f"({int(root)}, {int(unit)})" for root, unit in each)
        )
        for each in (pairs, year_pairs)
    )
    where, params = "", []
    if months is not None:
        months = sorted(set(months))
        if not months:
            return
        params = [connection.ops.adapt_datefield_value(m) for m in months]
        where = " WHERE month IN ({})".format(", ".join(["%s"] * len(months)))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM ledger_subtreerollup{where}", params)  # noqa: S608
        cursor.execute(f"DELETE FROM ledger_subtreeenterprisemonth{where}", params)  # noqa: S608
        cursor.execute(
            f"{closure} INSERT INTO ledger_subtreerollup "  # noqa: S608 - our tables, integer ids
            "(root_id, month, kind, ip_type, chain_stage, channel, quantity, record_count) "
            "SELECT c.root_id, r.month, r.kind, r.ip_type, r.chain_stage, r.channel, "
            "SUM(r.quantity), SUM(r.record_count) FROM ledger_ledgerrollup r "
            f"JOIN closure c ON c.unit_id = r.unit_id{where.replace('month', 'r.month')} "
            "GROUP BY c.root_id, r.month, r.kind, r.ip_type, r.chain_stage, r.channel",
            params,
        )
        cursor.execute(
            f"{closure} INSERT INTO ledger_subtreeenterprisemonth "  # noqa: S608
            "(root_id, month, kind, enterprise_id, quantity) "
            "SELECT c.root_id, e.month, e.kind, e.enterprise_id, SUM(e.quantity) "
            "FROM ledger_enterprisemonth e "
            f"JOIN closure c ON c.unit_id = e.unit_id{where.replace('month', 'e.month')} "
            "GROUP BY c.root_id, e.month, e.kind, e.enterprise_id",
            params,
        )
        # Years: recomputed whole for every year a refreshed month falls in, from the per-unit
        # table (the yearly one has rows for every unit).
        year_of = {
            "postgresql": "CAST(EXTRACT(YEAR FROM e.month) AS integer)",
            "sqlite": "CAST(strftime('%%Y', e.month) AS integer)",
        }[connection.vendor]
        year_where, year_params = "", []
        if months is not None:
            years = sorted({m.year for m in months})
            year_params = years
            year_where = " WHERE {} IN ({})".format("{}", ", ".join(["%s"] * len(years)))
        cursor.execute(
            "DELETE FROM ledger_subtreeenterpriseyear"  # noqa: S608 - our tables
            + year_where.format("year"),
            year_params,
        )
        cursor.execute(
            f"{year_closure} INSERT INTO ledger_subtreeenterpriseyear "  # noqa: S608
            "(root_id, year, enterprise_id, quantity) "
            f"SELECT c.root_id, {year_of}, e.enterprise_id, SUM(e.quantity) "
            "FROM ledger_enterprisemonth e JOIN closure c ON c.unit_id = e.unit_id"
            + year_where.format(year_of)
            + f" GROUP BY c.root_id, {year_of}, e.enterprise_id",
            year_params,
        )


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recompute every rollup table from the ledger rows, in one transaction."""
    LedgerRollup.objects.all().delete()
    LedgerMonthly.objects.all().delete()
    EnterpriseMonth.objects.all().delete()
    return fill_from_rows(connection)


def fill_from_rows(connection) -> tuple[int, int]:
    """INSERT … SELECT … GROUP BY into the (empty) rollup tables; used by rebuild and migrations."""
    vendor_month = {
        "postgresql": "date_trunc('month', date)::date",
        "sqlite": "date(date, 'start of month')",
    }
    month = vendor_month[connection.vendor]
    rollup, entmonth, ledger = (
        "ledger_ledgerrollup",
        "ledger_enterprisemonth",
        "ledger_servicerecord",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {rollup} (unit_id, month, kind, ip_type, chain_stage, channel, quantity, record_count) "  # noqa: S608 - table names are ours
            f"SELECT unit_id, {month}, kind, ip_type, chain_stage, channel, SUM(quantity), COUNT(*) "
            f"FROM {ledger} GROUP BY unit_id, {month}, kind, ip_type, chain_stage, channel"
        )
        cells = cursor.rowcount
        cursor.execute(
            "INSERT INTO ledger_ledgermonthly (unit_id, month, kind, quantity, record_count) "
            "SELECT unit_id, month, kind, SUM(quantity), SUM(record_count) FROM ledger_ledgerrollup "
            "GROUP BY unit_id, month, kind"
        )
        cursor.execute(
            f"INSERT INTO {entmonth} (unit_id, month, kind, enterprise_id, quantity) "  # noqa: S608
            f"SELECT unit_id, {month}, kind, enterprise_id, SUM(quantity) FROM {ledger} "
            f"WHERE enterprise_id IS NOT NULL GROUP BY unit_id, {month}, kind, enterprise_id"
        )
        pairs = cursor.rowcount
    refresh_subtrees(connection)
    return cells, pairs


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    rollup: tuple
    rows: tuple

    def __str__(self) -> str:
        names = {
            "rollup": CELL,
            "monthly": CELL[:3],
            "enterprise_month": ("unit_id", "month", "kind", "enterprise_id"),
            "subtree_rollup": SUBTREE_CELL,
            "subtree_enterprise_month": ("root_id", "month", "kind", "enterprise_id"),
            "subtree_enterprise_year": ("root_id", "year", "enterprise_id"),
        }[self.table]
        key = ", ".join(
            f"{name.removesuffix('_id')} {value:%Y-%m}"
            if isinstance(value, dt.date)
            else f"{name.removesuffix('_id')} {value or '-'}"
            for name, value in zip(names, self.key, strict=True)
        )
        return f"{self.table} [{key}]: rollup says {self.rollup}, the rows say {self.rows}"


def verify(*, limit: int = 50) -> list[Difference]:
    """Compare the rollups with the rows; the differences, at most `limit` of them."""
    from django.db.models.functions import TruncMonth

    differences: list[Difference] = []
    from_rows = defaultdict(lambda: (0, 0))
    for row in (
        ServiceRecord.objects.annotate(m=TruncMonth("date"))
        .values("unit_id", "m", "kind", "ip_type", "chain_stage", "channel")
        .annotate(q=Sum("quantity"), n=Count("id"))
        .order_by()
    ):
        month = row["m"] if isinstance(row["m"], dt.date) else row["m"]
        month = month.date() if isinstance(month, dt.datetime) else month
        key = (
            row["unit_id"],
            month,
            row["kind"],
            row["ip_type"],
            row["chain_stage"],
            row["channel"],
        )
        from_rows[key] = (row["q"], row["n"])
    stored = {
        (r.unit_id, r.month, r.kind, r.ip_type, r.chain_stage, r.channel): (
            r.quantity,
            r.record_count,
        )
        for r in LedgerRollup.objects.all()
    }
    for key in sorted(set(from_rows) | set(stored), key=str):
        have, want = stored.get(key, (0, 0)), from_rows.get(key, (0, 0))
        if have != want:
            differences.append(Difference("rollup", key, have, want))
            if len(differences) >= limit:
                return differences
    monthly_rows: dict = defaultdict(lambda: (0, 0))
    for key, (quantity, count) in from_rows.items():
        q0, n0 = monthly_rows[key[:3]]
        monthly_rows[key[:3]] = (q0 + quantity, n0 + count)
    stored_monthly = {
        (m.unit_id, m.month, m.kind): (m.quantity, m.record_count)
        for m in LedgerMonthly.objects.all()
    }
    for key in sorted(set(monthly_rows) | set(stored_monthly), key=str):
        have, want = stored_monthly.get(key, (0, 0)), monthly_rows.get(key, (0, 0))
        if have != want:
            differences.append(Difference("monthly", key, have, want))
            if len(differences) >= limit:
                return differences
    pairs = defaultdict(int)
    for row in (
        ServiceRecord.objects.filter(enterprise__isnull=False)
        .annotate(m=TruncMonth("date"))
        .values("unit_id", "m", "kind", "enterprise_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        month = row["m"].date() if isinstance(row["m"], dt.datetime) else row["m"]
        pairs[(row["unit_id"], month, row["kind"], row["enterprise_id"])] = row["q"]
    stored_pairs = {
        (e.unit_id, e.month, e.kind, e.enterprise_id): e.quantity
        for e in EnterpriseMonth.objects.all()
    }
    for key in sorted(set(pairs) | set(stored_pairs), key=str):
        have, want = stored_pairs.get(key, 0), pairs.get(key, 0)
        if have != want:
            differences.append(Difference("enterprise_month", key, (have,), (want,)))
            if len(differences) >= limit:
                return differences
    # The subtree tables: the rows' sums over each unit's subtree.
    roots = ancestry(connection)
    subtree_rows: dict = defaultdict(lambda: (0, 0))
    for key, (quantity, count) in from_rows.items():
        for root in roots.get(key[0], ()):
            q0, n0 = subtree_rows[(root, *key[1:])]
            subtree_rows[(root, *key[1:])] = (q0 + quantity, n0 + count)
    stored_subtree = {
        (r.root_id, r.month, r.kind, r.ip_type, r.chain_stage, r.channel): (
            r.quantity,
            r.record_count,
        )
        for r in SubtreeRollup.objects.all()
    }
    for key in sorted(set(subtree_rows) | set(stored_subtree), key=str):
        have, want = stored_subtree.get(key, (0, 0)), subtree_rows.get(key, (0, 0))
        if have != want:
            differences.append(Difference("subtree_rollup", key, have, want))
            if len(differences) >= limit:
                return differences
    subtree_pairs: dict = defaultdict(int)
    for (unit_id, month, kind, enterprise_id), quantity in pairs.items():
        for root in roots.get(unit_id, ()):
            subtree_pairs[(root, month, kind, enterprise_id)] += quantity
    stored_subtree_pairs = {
        (e.root_id, e.month, e.kind, e.enterprise_id): e.quantity
        for e in SubtreeEnterpriseMonth.objects.all()
    }
    for key in sorted(set(subtree_pairs) | set(stored_subtree_pairs), key=str):
        have, want = stored_subtree_pairs.get(key, 0), subtree_pairs.get(key, 0)
        if have != want:
            differences.append(Difference("subtree_enterprise_month", key, (have,), (want,)))
            if len(differences) >= limit:
                return differences
    subtree_years: dict = defaultdict(int)
    yearly = year_roots(roots)
    for (unit_id, month, _kind, enterprise_id), quantity in pairs.items():
        for root in yearly.get(unit_id, ()):
            subtree_years[(root, month.year, enterprise_id)] += quantity
    stored_years = {
        (e.root_id, e.year, e.enterprise_id): e.quantity
        for e in SubtreeEnterpriseYear.objects.all()
    }
    for key in sorted(set(subtree_years) | set(stored_years), key=str):
        have, want = stored_years.get(key, 0), subtree_years.get(key, 0)
        if have != want:
            differences.append(Difference("subtree_enterprise_year", key, (have,), (want,)))
            if len(differences) >= limit:
                break
    return differences
