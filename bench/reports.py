"""Benchmark: generating a month's monthly reports for the whole demo network.

    .venv/bin/python bench/reports.py [--ledger 150000] [--repeat 3] [--keep]
    .venv/bin/python bench/reports.py --profile          # also cProfile the views and the PDF
    .venv/bin/python bench/reports.py --database-url postgres://postgres@127.0.0.1:5432/ipps_bench

Target: generating the month's reports for the whole demo network takes under 5 s.

Sets up a throw-away data dir (tempfile; SQLite unless --database-url, whose database is created
and dropped by the script), migrates and loads the demo as `ipps demo` does — the network
(1 + 17 + 87 units, 3,000 enterprises, logins), its casework (a year of service requests) and
--ledger rows of ledger history — plus the demo's monthly reports of the months before the one
measured (so the plausibility checks have a history). The month measured is last month (M).
Then, in order, it times:

1. `reporting.services.reports_open(month=M)`: one report per reporting unit, with its events
   and the audit record (run once: a second run opens nothing);
2. freezing every report's figures as submission does: `ledger.stats.own_figures` for all the
   reports' units at once, then each centre's consolidation (`selectors.consolidation_of`) and
   one bulk write of the frozen figures. Baseline, in the same run: one `own_figures` call per
   unit — what `selectors.live_figures` (and so `report_submit`) does for each report — with
   the ratio; both must give the same figures;
3. the report view of every unit (`selectors.report_view`: live figures for late rows,
   corrections, history and plausibility flags, consolidation), as the report page shows it;
4. one PDF (`reporting.exports.pdf`, WeasyPrint; first call in the process, then warm) and one
   .xlsx (`reporting.exports.xlsx`) of the municipal centre's report.

Medians of --repeat runs for 2 and 3 (the first run in brackets). The target counts
1 + 2 (all at once) + 3 + 4 (the first, cold PDF and .xlsx calls). Prints the peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import create_database, drop_database  # noqa: E402 - bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0


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


@dataclass
class Timing:
    first: float
    median: float
    result: Any
    runs: int = 1


def measure(fn: Callable[[], Any], repeat: int) -> Timing:
    """Run `fn` `repeat` times; the first (cold) run and the median of all runs, in seconds."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return Timing(first=times[0], median=statistics.median(times), result=result, runs=len(times))


def once(fn: Callable[[], Any]) -> Timing:
    return measure(fn, 1)


def profile(fn: Callable[[], Any], top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def load(args) -> dict[str, Any]:
    """The demo as `ipps demo` loads it, with the reports of the months before the measured one."""
    from django.utils import timezone

    from ipps.demo.ledger import load_ledger
    from ipps.demo.load import load_demo
    from ipps.demo.reports import load_reports
    from ipps.demo.requests import load_casework

    today = timezone.localdate()
    month = last_month(today)
    started = time.perf_counter()
    demo = load_demo(seed=args.seed)
    casework = load_casework(plan=demo.plan, seed=args.seed)
    ledger = load_ledger(seed=args.seed, count=args.ledger, today=today)
    # As if today were the last day before the measured month: its reports are not opened yet.
    history = load_reports(seed=args.seed, today=month - dt.timedelta(days=1))
    return {
        "month": month,
        "seconds": time.perf_counter() - started,
        "units": len(demo.plan.units),
        "enterprises": len(demo.plan.enterprises),
        "requests": casework.created.get("requests", 0),
        "ledger": ledger.created,
        "history": history.submitted,
    }


def freeze_all(reports, period, now) -> dict[int, dict[str, int]]:
    from ipps.ledger.stats import own_figures

    return own_figures(unit_ids=[r.unit_id for r in reports], period=period, now=now)


def freeze_each(reports, now) -> dict[int, dict[str, int]]:
    from ipps.reporting import selectors

    return {r.unit_id: selectors.live_figures(r, now=now) for r in reports}


def consolidate(reports, figures) -> int:
    """Each centre's consolidation of its children's approved reports, as submission freezes it."""
    from ipps.network.choices import UnitKind
    from ipps.reporting import selectors

    count = 0
    for report in reports:
        if report.unit.kind == UnitKind.WORKSTATION:
            continue
        consolidation = selectors.consolidation_of(report, own=figures[report.unit_id])
        report.consolidated = consolidation.as_json()
        count += 1
    return count


def write_frozen(reports, figures, now) -> None:
    from django.db import transaction

    from ipps.reporting.models import MonthlyReport

    for report in reports:
        report.figures = figures[report.unit_id]
        report.frozen_at = now
    with transaction.atomic():
        MonthlyReport.objects.bulk_update(
            reports, ["figures", "consolidated", "frozen_at"], batch_size=500
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=int, default=150_000, help="rows of ledger history")
    parser.add_argument("--repeat", type=int, default=3, help="runs of steps 2 and 3")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile the views and the PDF")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data dir (and database)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ipps-bench-reports-"))
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
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from ipps.network.choices import UnitKind
    from ipps.reporting import exports, selectors, services
    from ipps.reporting.models import MonthlyReport

    call_command("migrate", verbosity=0)
    print(
        f"ipps report benchmark on {connection.vendor}, {os.cpu_count()} CPUs, data dir {data_dir}"
    )
    loaded = load(args)
    month = loaded["month"]
    print(
        f"Demo loaded in {loaded['seconds']:.1f} s: {loaded['units']} units, "
        f"{loaded['enterprises']:,} enterprises, {loaded['requests']:,} service requests, "
        f"{loaded['ledger']:,} ledger rows, {loaded['history']:,} submitted reports of earlier "
        f"months; measured month {month:%Y-%m}; peak memory so far {peak_rss_mb():,.0f} MB"
    )
    before_measuring = peak_rss_mb()

    # 1. Open -----------------------------------------------------------------------------------
    opened = once(lambda: services.reports_open(month=month))
    reports = list(MonthlyReport.objects.filter(month=month).select_related("unit"))
    n = len(reports)
    assert opened.result == n, (opened.result, n)

    # 2. Freeze ---------------------------------------------------------------------------------
    now = timezone.now()
    period = selectors.month_period(month)
    batched = measure(lambda: freeze_all(reports, period, now), args.repeat)
    per_unit = measure(lambda: freeze_each(reports, now), args.repeat)
    assert batched.result == per_unit.result, "own_figures at once and per unit disagree"
    consolidated = measure(lambda: consolidate(reports, batched.result), args.repeat)
    written = once(lambda: write_frozen(reports, batched.result, now))

    # 3. Views ----------------------------------------------------------------------------------
    reports = list(MonthlyReport.objects.filter(month=month).select_related("unit"))
    assert all(r.frozen_at for r in reports)
    views = measure(lambda: [selectors.report_view(r) for r in reports], args.repeat)
    late = sum(v.has_late_rows for v in views.result)
    flagged = sum(bool(v.flags) for v in views.result)

    # 4. Exports --------------------------------------------------------------------------------
    city = next(r for r in reports if r.unit.kind == UnitKind.MUNICIPAL_CENTRE)
    pdf_first = once(lambda: exports.pdf(city))
    pdf_warm = once(lambda: exports.pdf(city))
    xlsx = measure(lambda: exports.xlsx(city), args.repeat)

    # Report ------------------------------------------------------------------------------------
    kinds: dict[str, int] = {}
    for r in reports:
        kinds[r.unit.kind] = kinds.get(r.unit.kind, 0) + 1
    print()
    print(
        f"Times in seconds for the {n} reports of {month:%Y-%m} ("
        + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
        + f"): median of {args.repeat} runs (first run in brackets)"
    )
    print(f"{'':<62}{'seconds':>9}{'(first)':>10}{'ms/report':>11}")

    def line(label: str, timing: Timing, count: int = n) -> None:
        first = f"({timing.first:.3f})" if timing.runs > 1 else ""
        print(f"{label:<62}{timing.median:>9.3f}{first:>10}{timing.median / count * 1000:>11.1f}")

    line("1. reports_open (reports, events, audit)", opened)
    line("2. own_figures for all units at once", batched)
    line("   baseline: own_figures per unit (live_figures per report)", per_unit)
    line(f"   consolidation_of for the {consolidated.result} centres", consolidated)
    line("   bulk write of the frozen figures", written)
    line("3. report_view for every report", views)
    line("4. PDF of the municipal centre's report, first call", pdf_first, 1)
    line("   PDF again (WeasyPrint and fonts warm)", pdf_warm, 1)
    line("   .xlsx of the municipal centre's report", xlsx, 1)
    print(
        f"   ratio baseline / at once: {per_unit.median / batched.median:.1f}× "
        f"({n} calls vs one call for all units); the figures agree exactly"
    )
    print(
        f"   views: {late} with late rows, {flagged} with plausibility flags; PDF "
        f"{len(pdf_first.result) / 1024:,.0f} KB, .xlsx {len(xlsx.result) / 1024:,.0f} KB"
    )
    freeze = batched.median + consolidated.median + written.median
    total = opened.median + freeze + views.median + pdf_first.median + xlsx.first
    baseline_total = total - batched.median + per_unit.median
    print()
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(
        f"target < {TARGET_SECONDS:g} s for the month's reports (1 + 2 + 3 + 4): {total:.3f} s — "
        f"{verdict} (with the per-unit freeze instead: {baseline_total:.3f} s)"
    )
    print(
        f"peak memory of the run (ru_maxrss): {peak_rss_mb():,.0f} MB "
        f"({before_measuring:,.0f} MB before the measured steps)"
    )

    if args.profile:
        print()
        print("cProfile of 3. report_view for every report:")
        print(profile(lambda: [selectors.report_view(r) for r in reports]))
        print("cProfile of 4. the PDF:")
        print(profile(lambda: exports.pdf(city)))


if __name__ == "__main__":
    main()
