"""Benchmark: the ledger at volume — bulk import, dashboard figures, size and memory.

    .venv/bin/python bench/ledger.py [--rows 100000] [--samples 30] [--keep]
    .venv/bin/python bench/ledger.py --rows 1000000
    .venv/bin/python bench/ledger.py --database-url postgres://postgres@127.0.0.1:5432/ipps_bench
    .venv/bin/python bench/ledger.py --rows 100000 --profile   # cProfile of the import

Sets up a throw-away data dir (tempfile; SQLite unless --database-url, whose database is created
and dropped by the script), migrates, loads the demo network (1 + 17 + 87 units, 3,000 enterprises;
no casework, no demo ledger) and writes an N-row ledger CSV for it with the demo's mix (queries
answered ≫ enterprises served; policy pushes ~10%, visits ~5%, cases and products ~1%, training
~0.5%; every unit; 1 January of last year to today). Then prints:

1. ingest: the CSV through `ledger_import` (what `ipps ledger import FILE` runs: stream, check
   every row, insert the rows batch by batch — executemany on SQLite, COPY on PostgreSQL — and
   add their sums to the rollup tables at the end, one transaction) against a raw `executemany`
   of the same resolved rows into a copy of the ledger table with the same indexes and
   constraints, started empty like the real one, in one transaction — and the ratio (target
   ≥ 0.5). Both sides include their commit (the import's time always did; the baseline's is
   timed since 2026-11-24, and the ratio to its executemany calls alone is printed too); the
   baseline does not time reading the file. Since 2026-11-25 its rows carry the import's own
   source keys (`ledger.import`, `<file hash prefix>:<line>`; they were `bench`, `<line>`), so
   its unique index is as large as the import's. `--profile` prints the import's cProfile top;
2. for last year, the network (root) and one district: p50/p95 of the stats selectors
   (`ipps.ledger.stats`: totals by kind, totals by month, enterprises served — and the whole
   `kpis` tile set) against a naive GROUP BY over the raw ledger rows for the same figures, in the
   same run, with the ratio (target ≥ 20×); the figures must agree exactly;
3. database size per million ledger rows and the run's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import create_database, drop_database  # noqa: E402 - bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 50_000


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["IPPS_DATA_DIR"] = str(data_dir)
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ipps.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_rows(n: int, today: dt.date):
    """The demo ledger's generator, as rows of the import format (unit codes and USCCs)."""
    from ipps.demo.ledger import plan_ledger
    from ipps.enterprises.models import Enterprise
    from ipps.network.models import ServiceUnit

    codes = dict(ServiceUnit.objects.values_list("id", "code"))
    usccs = dict(Enterprise.objects.values_list("id", "uscc"))

    def rows():
        for unit_id, ent, day, kind, ip_type, stage, channel, qty, _st, _sid in plan_ledger(
            seed=2026, count=n, today=today
        ):
            yield (
                codes[unit_id],
                day.isoformat(),
                kind,
                ip_type,
                stage,
                channel,
                qty,
                usccs[ent] if ent else "",
                "",
            )

    return rows()


def write_csv(path: Path, rows, n: int) -> None:
    """The next `n` of `rows` as an import file."""
    from ipps.ledger.importing import rows_to_csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        rows_to_csv(itertools.islice(rows, n), handle)


def copy_table(connection) -> str:
    """An empty copy of the ledger table with the same indexes and constraints."""
    copy = "bench_ledger_copy"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {copy} (LIKE ledger_servicerecord INCLUDING ALL)")
            return copy
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'ledger_servicerecord' "
            "AND sql IS NOT NULL ORDER BY type DESC"
        )
        for kind, name, sql in cursor.fetchall():
            sql = sql.replace('"ledger_servicerecord"', f'"{copy}"').replace(
                "ledger_servicerecord", copy
            )
            if kind == "index":
                sql = sql.replace(f'"{name}"', f'"{copy}_{name}"', 1)
            cursor.execute(sql)
    return copy


def baseline_insert(
    connection, table: str, path: Path, limit: int | None = None
) -> tuple[float, float, int]:
    """Raw executemany of the import's resolved rows, in one transaction: (seconds of the
    executemany calls alone, seconds of their commit, rows inserted). Reading the file is not
    timed. With `limit`, only the file's first `limit` rows (for runs too large to hold the
    ledger twice on disk)."""
    from django.db import transaction
    from django.utils import timezone

    from ipps.enterprises.models import Enterprise
    from ipps.ledger.importing import SOURCE_TYPE, bulk_cache, file_sha256
    from ipps.network.models import ServiceUnit

    # The same rows as the import writes, source keys included (`ledger.import`, the file's
    # hash prefix and the line number): longer keys make a larger unique index.
    prefix = file_sha256(path)[:16]
    units = {c.upper(): pk for c, pk in ServiceUnit.objects.values_list("code", "id")}
    ents = dict(Enterprise.objects.values_list("uscc", "id"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {table} (unit_id, enterprise_id, date, kind, ip_type, chain_stage, channel, "  # noqa: S608
        "quantity, source_type, source_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
        "%s, %s)"
    )
    seconds = 0.0
    # The same page cache as the import gets (ipps.ledger.importing.bulk_cache).
    cache = bulk_cache()
    cache.__enter__()
    atomic = transaction.atomic()
    atomic.__enter__()
    with connection.cursor() as cursor, path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        chunk = []
        for number, r in enumerate(reader, start=2):
            if limit is not None and number - 2 >= limit:
                break
            chunk.append(
                (
                    units[r[0].upper()],
                    ents[r[7]] if r[7] else None,
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    int(r[6]),
                    SOURCE_TYPE,
                    f"{prefix}:{number}",
                    now,
                )
            )
            if len(chunk) >= CHUNK:
                started = time.perf_counter()
                cursor.executemany(sql, chunk)
                seconds += time.perf_counter() - started
                chunk = []
        started = time.perf_counter()
        if chunk:
            cursor.executemany(sql, chunk)
        seconds += time.perf_counter() - started
    inserted = number - 1 if limit is None or number - 2 < limit else limit
    started = time.perf_counter()
    atomic.__exit__(None, None, None)
    commit = time.perf_counter() - started
    cache.__exit__(None, None, None)
    return seconds, commit, inserted


def timed(fn, samples: int) -> tuple[float, float, object]:
    result = fn()  # warm
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, result


def naive_figures(connection, unit_ids, start: dt.date, end: dt.date) -> dict:
    """The same figures straight from the ledger rows with GROUP BY."""
    month = {
        "postgresql": "date_trunc('month', date)::date",
        "sqlite": "date(date, 'start of month')",
    }[connection.vendor]
    placeholders = ", ".join(["%s"] * len(unit_ids))
    where = f"unit_id IN ({placeholders}) AND date BETWEEN %s AND %s"
    params = [*unit_ids, start, end]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, SUM(quantity) FROM ledger_servicerecord WHERE {where} GROUP BY kind",  # noqa: S608
            params,
        )
        by_kind = {k: int(q) for k, q in cursor.fetchall() if q}
        cursor.execute(
            f"SELECT {month}, SUM(quantity) FROM ledger_servicerecord WHERE {where} GROUP BY 1",  # noqa: S608
            params,
        )
        by_month = {str(m)[:7]: int(q) for m, q in cursor.fetchall() if q}
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT enterprise_id FROM ledger_servicerecord "  # noqa: S608
            f"WHERE enterprise_id IS NOT NULL AND {where} GROUP BY enterprise_id "
            "HAVING SUM(quantity) > 0) t",
            params,
        )
        served = cursor.fetchone()[0]
    return {"by_kind": by_kind, "by_month": by_month, "served": served}


def selector_figures(stats, user, unit, period) -> dict:
    by_kind = {
        r["kind"]: r["quantity"]
        for r in stats.totals(user=user, unit=unit, period=period, group_by=("kind",))
        if r["quantity"]
    }
    by_month = {
        str(r["month"])[:7]: r["quantity"]
        for r in stats.totals(user=user, unit=unit, period=period, group_by=("month",))
        if r["quantity"]
    }
    served = stats.enterprises_served(user=user, unit=unit, period=period)
    return {"by_kind": by_kind, "by_month": by_month, "served": served}


def dashboard_url(unit) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in ("ledger:dashboard", "stats:dashboard", "dashboard", "ledger:stats"):
        try:
            return reverse(name) + f"?unit={unit.pk}"
        except NoReverseMatch:
            continue
    return None


def database_bytes(connection, data_dir: Path) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in data_dir.glob("ipps.sqlite3*"))


def ledger_bytes(connection) -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('ledger_servicerecord')")
            return cursor.fetchone()[0]
        try:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name = 'ledger_servicerecord' OR name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = 'ledger_servicerecord')"
            )
            return cursor.fetchone()[0]
        except Exception:  # noqa: BLE001 - dbstat is an optional SQLite build feature
            return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=None,
        help="generate and import the ledger in files of N rows, one `ipps ledger import` each "
        "(each its own transaction, as monthly files would come): for runs whose single "
        "transaction's write-ahead log would not fit on disk next to the database",
    )
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=None,
        help="time the raw baseline on the file's first N rows only (default: all of them); "
        "for runs whose ledger cannot be held twice on disk",
    )
    parser.add_argument(
        "--naive-samples",
        type=int,
        default=None,
        help="samples of the naive GROUP BY (default: max(3, samples / 5))",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir (and database)")
    parser.add_argument(
        "--profile", action="store_true", help="run the import under cProfile and print its top"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ipps-bench-ledger-"))
    if args.database_url:
        create_database(args.database_url)
    try:
        setup_django(data_dir, args.database_url)
        run(args, data_dir)
    finally:
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if args.database_url:
                from django.db import connections

                connections.close_all()
                drop_database(args.database_url)


def run(args, data_dir: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from ipps.demo.load import load_demo
    from ipps.ledger import rollups
    from ipps.ledger.importing import ledger_import
    from ipps.network.models import ServiceUnit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_demo(enterprises=3000)
    today = timezone.localdate()
    print(
        f"Database: {connection.vendor}; demo network loaded in {time.perf_counter() - started:.1f} s"
    )
    rows = csv_rows(args.rows, today)
    chunk = min(args.chunk_rows or args.rows, args.rows)
    chunks = -(-args.rows // chunk)
    path = data_dir / "ledger.csv"
    generated = imported = 0.0
    base_rows = base_commit = 0.0
    base_count = 0
    for number in range(chunks):
        size = min(chunk, args.rows - number * chunk)
        started = time.perf_counter()
        write_csv(path, rows, size)
        generated += time.perf_counter() - started
        if number == 0:
            print(
                f"Generated {size:,} ledger rows in {generated:.1f} s "
                f"({path.stat().st_size / 1e6:.1f} MB .csv)"
                + (
                    f"; the ledger comes in {chunks} files of up to {chunk:,} rows, each "
                    "generated, imported and deleted in turn"
                    if chunks > 1
                    else ""
                )
            )

        # 1. Ingest -----------------------------------------------------------------------------
        if args.profile and number == 0:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            report = profiler.runcall(ledger_import, path=path, batch_size=args.batch)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            report = ledger_import(path=path, batch_size=args.batch)
        assert report.status == "imported" and report.created == size, report.errors[:5]
        imported += report.seconds
        if chunks > 1:
            print(
                f"  file {number + 1}/{chunks}: {size:,} rows imported in {report.seconds:.1f} s "
                f"({report.rows_per_second:,.0f} rows/s; {(number + 1) * chunk:,} rows in the ledger)",
                flush=True,
            )
        if number == 0:
            # The baseline: the same (first) file's rows into an empty copy of the table.
            table = copy_table(connection)
            base_rows, base_commit, base_count = baseline_insert(
                connection, table, path, limit=args.baseline_rows
            )
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {table}")
            first_rate = report.rows_per_second
        path.unlink()
    base = base_rows + base_commit
    base_rate = base_count / base
    rate = args.rows / imported
    print()
    print(f"1. Ingest of {args.rows:,} rows")
    print(f"{'':<52}{'seconds':>9}{'rows/s':>11}{'ratio':>8}")
    print(
        f"{'ipps ledger import (check + write + rollups)':<52}{imported:>9.1f}"
        f"{rate:>11,.0f}{rate / base_rate:>8.2f}"
    )
    print(
        f"{'raw executemany + commit, same rows, same indexes':<52}{base:>9.1f}"
        f"{base_rate:>11,.0f}{1:>8.2f}"
    )
    print(
        f"{'  of which the executemany calls alone':<52}{base_rows:>9.1f}"
        f"{base_count / base_rows:>11,.0f}{'':>8}   (import / these: "
        f"{rate / (base_count / base_rows):.2f})"
    )
    if base_count < args.rows:
        print(
            f"   (the baseline timed the first file's first {base_count:,} rows, into an empty "
            f"table; ratios are of rates. The first file's import ran at {first_rate:,.0f} "
            f"rows/s: {first_rate / base_rate:.2f} of the baseline)"
        )
    started = time.perf_counter()
    differences = rollups.verify() if args.rows <= 2_000_000 else None
    if differences is None:
        print("rollups.verify(): skipped above 2,000,000 rows (run `ipps ledger verify`)")
    else:
        print(
            f"rollups.verify(): {len(differences)} differences "
            f"({time.perf_counter() - started:.1f} s)"
        )
        assert not differences

    # 2. Dashboard figures ----------------------------------------------------------------------
    from ipps.ledger import stats

    user = get_user_model().objects.get(username="admin")
    year = today.year - 1
    period = stats.Period.year(year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    root = ServiceUnit.objects.get(kind="municipal_centre", parent=None)
    district = ServiceUnit.objects.get(code="DC-110108")
    print()
    print(f"2. Figures for {year} (samples: {args.samples}; times in ms)")
    print(
        f"{'':<34}{'selector p50':>13}{'p95':>8}{'kpis p50':>10}{'p95':>8}"
        f"{'naive p50':>11}{'p95':>8}{'p95 ratio':>11}"
    )
    for label, unit in (("network (root)", root), ("district (Haidian)", district)):
        ids = sorted(stats.scope_units(user=user, unit=unit))
        s50, s95, got = timed(lambda u=unit: selector_figures(stats, user, u, period), args.samples)
        k50, k95, _k = timed(
            lambda u=unit: stats.kpis(user=user, unit=u, period=period), args.samples
        )
        n_samples = args.naive_samples or max(3, args.samples // 5)
        n50, n95, want = timed(lambda i=ids: naive_figures(connection, i, start, end), n_samples)
        assert got == want, f"selector and rows disagree for {label}: {got} != {want}"
        print(
            f"{label:<34}{s50:>13.1f}{s95:>8.1f}{k50:>10.1f}{k95:>8.1f}{n50:>11.1f}{n95:>8.1f}"
            f"{n95 / s95:>10.0f}×"
        )
    url = dashboard_url(root)
    if url:
        client = Client(HTTP_HOST="127.0.0.1")  # a host the settings allow
        client.force_login(user)
        for label, unit in (("network (root)", root), ("district (Haidian)", district)):
            page = dashboard_url(unit)
            p50, p95, response = timed(lambda p=page: client.get(p), args.samples)
            print(
                f"dashboard page {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"(HTTP {response.status_code}, Django test client)"
            )
    else:
        print("dashboard page: no dashboard page yet")

    # 3. Size and memory ------------------------------------------------------------------------
    total = database_bytes(connection, data_dir)
    ledger = ledger_bytes(connection)
    print()
    print("3. Size and memory")
    print(
        f"database: {total / 1e6:,.0f} MB in all, "
        f"{total / 1e6 / (args.rows / 1e6):,.0f} MB per million ledger rows (with the demo network)"
    )
    if ledger:
        print(
            f"ledger table + its indexes: {ledger / 1e6:,.0f} MB, "
            f"{ledger / 1e6 / (args.rows / 1e6):,.0f} MB per million rows"
        )
    print(f"peak memory of the run (ru_maxrss): {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
