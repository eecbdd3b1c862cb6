"""Benchmark: importing N enterprises from .xlsx and .csv through the engine of `ipps import`.

    .venv/bin/python bench/import_enterprises.py [--rows 100000] [--tracemalloc] [--keep]

Sets up a throw-away data dir (tempfile; SQLite, DATABASE_URL unset), migrates, creates a small
network (1 municipal centre, 1 district centre, 4 workstations) and a superuser, writes an N-row
workbook and CSV with valid USCCs, and imports each file through `enterprises_import` (what the CLI,
the API and the web page call) in a fresh child process, so that each peak memory figure
(ru_maxrss) is that import's own. Between imports the table is emptied, so both create N rows.

Baseline, measured in the same run: a raw `executemany` INSERT of the same N rows into the same
table in one transaction. The ratio says what streaming the file, checking every row (codes, dates,
choices, scope, duplicates, model validation) and writing through the ORM cost on top of it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WORKSTATIONS = ["WS-110108-001", "WS-110108-002", "WS-110108-003", "WS-110108-004"]
HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所属区",
    "所在园区",
    "负责工作站",
    "行业",
    "发展阶段",
    "企业规模",
    "资质/企业称号",
    "成立日期",
    "地址",
    "联系人",
    "联系电话",
    "联系邮箱",
    "重点企业年度",
]
STAGES = [("初创期", "startup"), ("成长期", "growth"), ("成熟期", "mature")]
SIZES = [("微型", "micro"), ("小型", "small"), ("中型", "medium"), ("大型", "large")]


def uscc(i: int) -> str:
    from stdnum.cn import uscc as stdnum_uscc

    digits = []
    for _ in range(9):
        i, r = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[r])
    body = "91110108" + "".join(reversed(digits))
    return body + stdnum_uscc.calc_check_digit(body)


def source_rows(n: int):
    """(cells as in the file, values as stored) for row i."""
    for i in range(n):
        stage = STAGES[i % 3]
        size = SIZES[i % 4]
        founded = datetime.date(2000 + i % 25, 1 + i % 12, 1 + i % 28)
        ws = WORKSTATIONS[i % len(WORKSTATIONS)]
        designations = "高新技术企业、专精特新中小企业" if i % 5 == 0 else ""
        cells = [
            uscc(i),
            f"北京基准测试科技有限公司{i:06d}",
            "海淀区",
            "中关村软件园",
            ws,
            "I65",
            stage[0],
            size[0],
            designations,
            founded,
            f"北京市海淀区中关村软件园{i % 100}号楼",
            "张伟",
            f"138{i:08d}",
            f"contact{i}@example.org",
            "2026" if i % 50 == 0 else "",
        ]
        stored = {
            "uscc": cells[0],
            "name": cells[1],
            "workstation": ws,
            "stage": stage[1],
            "size": size[1],
            "designations": ["high_tech", "specialised_sme"] if designations else [],
            "founded_on": founded,
            "address": cells[10],
            "contact_phone": cells[12],
            "contact_email": cells[13],
        }
        yield cells, stored


def write_files(directory: Path, n: int) -> tuple[Path, Path]:
    import csv

    from openpyxl import Workbook

    xlsx_path = directory / f"enterprises-{n}.xlsx"
    csv_path = directory / f"enterprises-{n}.csv"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名单")
    sheet.append(["2026年企业名单（基准测试）"])
    sheet.append(HEADER)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for cells, _stored in source_rows(n):
            sheet.append(cells)
            writer.writerow([c.isoformat() if isinstance(c, datetime.date) else c for c in cells])
    workbook.save(xlsx_path)
    return xlsx_path, csv_path


def setup_django(data_dir: Path) -> None:
    os.environ["IPPS_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ipps.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build_network() -> None:
    from django.contrib.auth import get_user_model

    from ipps.network.models import ServiceUnit

    city = ServiceUnit.objects.create(kind="municipal_centre", code="BJ", name_zh="北京市中心")
    haidian = ServiceUnit.objects.create(
        kind="district_centre", code="DC-110108", parent=city, district="110108", name_zh="海淀中心"
    )
    for n, code in enumerate(WORKSTATIONS, start=1):
        ServiceUnit.objects.create(
            kind="workstation", code=code, parent=haidian, district="110108", name_zh=f"工作站{n}"
        )
    get_user_model().objects.create_superuser("bench", "bench@example.org", "Bench-pass-2026!")


def peak_rss_kb() -> int:
    """This process's peak resident memory in KiB.

    On Linux VmHWM belongs to the process's own address space; ru_maxrss is carried over fork and
    exec from the parent, which would charge the parent's memory to the child.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_import(path: Path, trace: bool) -> None:
    """Runs in a fresh process: import one file, print the figures as JSON."""
    import tracemalloc

    from django.contrib.auth import get_user_model

    from ipps.enterprises.importing import enterprises_import

    user = get_user_model().objects.get(username="bench")
    rss_before = peak_rss_kb()
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open("rb") as handle:
        report = enterprises_import(file=handle, file_name=path.name, acting_user=user)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "status": report.status,
        "rows": report.rows,
        "created": report.created,
        "errors": report.error_count,
        "first_errors": [e.as_dict() for e in report.errors[:3]],
        "rss_before_kb": rss_before,
        "rss_peak_kb": peak_rss_kb(),
        "traced_peak_bytes": traced,
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def run_child(path: Path, data_dir: Path, trace: bool) -> dict:
    cmd = [sys.executable, __file__, "--child-import", str(path), "--data-dir", str(data_dir)]
    if trace:
        cmd.append("--tracemalloc")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enterprises_prioritylisting")
        cursor.execute("DELETE FROM enterprises_enterprise")


def baseline_insert(n: int) -> tuple[float, float]:
    """A raw executemany INSERT of the same rows, in one transaction."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from ipps.network.models import ServiceUnit

    units = dict(ServiceUnit.objects.values_list("code", "id"))
    user_id = get_user_model().objects.get(username="bench").pk
    now = timezone.now().isoformat()
    rows = [
        (
            s["uscc"],
            s["name"],
            "",
            "110108",
            "中关村软件园",
            units[s["workstation"]],
            "I",
            "65",
            s["stage"],
            s["size"],
            json.dumps(s["designations"]),
            s["founded_on"].isoformat(),
            s["address"],
            "张伟",
            s["contact_phone"],
            s["contact_email"],
            now,
            now,
            None,
            user_id,
        )
        for _cells, s in source_rows(n)
    ]
    sql = (
        "INSERT INTO enterprises_enterprise (uscc, name, name_en, district, park, workstation_id, "
        "industry_section, industry_division, stage, size, designations, founded_on, address, "
        "contact_name, contact_phone, contact_email, created_at, updated_at, archived_at, "
        "created_by_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
        "%s, %s, %s, %s)"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the files")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_import:
        setup_django(Path(args.data_dir))
        child_import(Path(args.child_import), args.tracemalloc)
        return

    data_dir = Path(tempfile.mkdtemp(prefix="ipps-bench-import-"))
    try:
        setup_django(data_dir)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        build_network()
        connection.close()  # the children open their own connections
        started = time.perf_counter()
        xlsx_path, csv_path = write_files(data_dir, args.rows)
        print(
            f"Generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s: "
            f"{xlsx_path.stat().st_size / 1e6:.1f} MB .xlsx, {csv_path.stat().st_size / 1e6:.1f} MB "
            f".csv (data dir {data_dir})"
        )
        results = {}
        for label, path in (("xlsx", xlsx_path), ("csv", csv_path)):
            result = run_child(path, data_dir, args.tracemalloc)
            if result["status"] != "imported" or result["created"] != args.rows:
                print(f"{label}: import did not create every row: {result}")
                sys.exit(1)
            results[label] = result
            empty_tables()
            connection.close()
        base, base_cpu = baseline_insert(args.rows)
        print()
        print(
            f"{'what':<34}{'rows':>9}{'seconds':>9}{'rows/s':>9}{'CPU s':>8}{'peak RSS':>10}"
            f"{'ratio':>7}{'CPU ratio':>10}"
        )
        for label, r in results.items():
            print(
                f"{'import ' + label + ' (check + write)':<34}{r['rows']:>9,}{r['seconds']:>9.1f}"
                f"{r['rows'] / r['seconds']:>9,.0f}{r['cpu_seconds']:>8.1f}"
                f"{r['rss_peak_kb'] / 1024:>7.0f} MB{r['seconds'] / base:>6.0f}x"
                f"{r['cpu_seconds'] / base_cpu:>9.0f}x"
            )
        print(
            f"{'baseline: raw executemany INSERT':<34}{args.rows:>9,}{base:>9.2f}"
            f"{args.rows / base:>9,.0f}{base_cpu:>8.2f}{'':>10}{1:>6}x{1:>9}x"
        )
        print()
        for label, r in results.items():
            line = (
                f"{label}: RSS before the import {r['rss_before_kb'] / 1024:.0f} MB "
                f"(Python + Django), peak {r['rss_peak_kb'] / 1024:.0f} MB"
            )
            if r["traced_peak_bytes"] is not None:
                line += f"; tracemalloc peak {r['traced_peak_bytes'] / 1e6:.1f} MB"
            print(line)
    finally:
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
