"""Benchmark: service requests created and resolved per second, and due-time computation.

    .venv/bin/python bench/requests.py [--seconds 10] [--clients 4] [--workers 2] [--cycles 300]
    .venv/bin/python bench/requests.py --database-url postgres://postgres@127.0.0.1:5432/ipps_bench
    .venv/bin/python bench/requests.py --profile      # also cProfile the service and HTTP paths
    .venv/bin/python bench/requests.py --repeat 5     # (b) five times in a row, and the spread

Sets up a throw-away data dir (tempfile; SQLite unless --database-url, whose database is created
and dropped by the script), migrates, creates a small network (1 municipal centre, 1 district
centre, 4 workstations, an enterprise and a liaison with an API token per workstation) and
measures, each against a baseline taken in the same run:

(a) create + resolve cycles per second through the services (`request_create`,
    `request_resolve`: routing, SLA due times, timeline, audit, ledger), one process.
    Baseline: a raw ORM insert + update of the same row.
(b) the same cycle over HTTP (`POST /api/v1/requests` then `POST …/{id}/resolve`, bearer
    tokens) by N concurrent client processes against the web server `ipps serve` runs (uWSGI,
    W workers of one request at a time), with its options. Every non-2xx answer is counted and
    any "database is locked" in an answer or in the server's log is reported; the run fails if
    there is one.
    Baseline: an authenticated `GET /api/v1/me` by the same clients. With `--repeat N`, N such
    runs in a row on one server, then their spread (min, median, max) and how many met 300
    cycles/s: the machine's speed drifts, and a single run says little about reliability.
(c) due-time computation per call: `WorkingCalendar.add_working_days` / `add_working_hours`.
    Baseline: a plain `datetime + timedelta`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import multiprocessing
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import create_database, drop_database  # noqa: E402 - bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
WORKSTATIONS = ["WS-110108-001", "WS-110108-002", "WS-110108-003", "WS-110108-004"]
REQUEST = {
    "subject": "发明专利申请需要哪些材料",
    "description": "我们公司研发了一种新型传感器，想申请发明专利，请问需要准备哪些材料？",
    "ip_type": "patent",
    "chain_stage": "creation",
    "category": "consultation",
    "channel": "api",
}


# Set-up ------------------------------------------------------------------------------------------


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["IPPS_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "ipps.settings"
    env.pop("REDIS_URL", None)
    env.pop("IPPS_DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ.clear()
    os.environ.update(environment(data_dir, database_url))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build_network() -> list[dict]:
    """The network, and per workstation: its enterprise, liaison and the liaison's raw token."""
    from stdnum.cn import uscc as stdnum_uscc

    from ipps.accounts.models import User
    from ipps.accounts.services import token_create
    from ipps.enterprises.models import Enterprise
    from ipps.network.models import Membership, ServiceUnit

    city = ServiceUnit.objects.create(kind="municipal_centre", code="BJ", name_zh="北京市中心")
    haidian = ServiceUnit.objects.create(
        kind="district_centre", code="DC-110108", parent=city, district="110108", name_zh="海淀中心"
    )
    clients = []
    for n, code in enumerate(WORKSTATIONS, start=1):
        unit = ServiceUnit.objects.create(
            kind="workstation", code=code, parent=haidian, district="110108", name_zh=f"工作站{n}"
        )
        body = f"91110108MA000000{n}"
        enterprise = Enterprise.objects.create(
            uscc=body + stdnum_uscc.calc_check_digit(body),
            name=f"北京基准测试科技有限公司{n}",
            district="110108",
            workstation=unit,
            industry_section="I",
            industry_division="65",
        )
        liaison = User.objects.create_user(f"liaison-{n}", password="Bench-pass-2026!")  # noqa: S106
        Membership.objects.create(user=liaison, unit=unit, role="liaison")
        _token, raw = token_create(user=liaison, name="bench")
        clients.append(
            {"enterprise": enterprise.pk, "token": raw, "user": liaison.pk, "unit": unit.pk}
        )
    User.objects.create_superuser("bench", "bench@example.org", "Bench-pass-2026!")
    return clients


# (a) services ------------------------------------------------------------------------------------


def service_cycles(n: int, client: dict) -> float:
    from ipps.accounts.models import User
    from ipps.casework import services
    from ipps.enterprises.models import Enterprise

    user = User.objects.get(pk=client["user"])
    enterprise = Enterprise.objects.get(pk=client["enterprise"])
    started = time.perf_counter()
    for _ in range(n):
        request = services.request_create(
            **REQUEST, enterprise=enterprise, acting_user=user, auto_assign=True
        )
        services.request_resolve(request=request, acting_user=user, answer="需要请求书、说明书等")
    return time.perf_counter() - started


def baseline_orm(n: int, client: dict) -> float:
    """Insert a request row and update it to resolved: the ORM with nothing around it."""
    from django.db import transaction
    from django.utils import timezone

    from ipps.casework.models import ServiceRequest

    started = time.perf_counter()
    for i in range(n):
        now = timezone.now()
        with transaction.atomic():
            row = ServiceRequest(
                reference=f"BASE-{i:08d}",
                enterprise_id=client["enterprise"],
                handling_unit_id=client["unit"],
                originating_unit_id=client["unit"],
                channel="api",
                ip_type="patent",
                chain_stage="creation",
                category="consultation",
                subject=REQUEST["subject"],
                description=REQUEST["description"],
                received_at=now,
            )
            row.save()
        with transaction.atomic():
            row.status = "resolved"
            row.resolved_at = timezone.now()
            row.save(update_fields=["status", "resolved_at", "updated_at"])
    return time.perf_counter() - started


def profile(fn, *args, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn(*args)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def http_cycles_in_process(n: int, client: dict) -> None:
    """The HTTP path without the web server: Django's test client through the whole stack."""
    from django.test import Client

    browser = Client(HTTP_AUTHORIZATION=f"Bearer {client['token']}", HTTP_HOST="localhost")
    for _ in range(n):
        created = browser.post(
            "/api/v1/requests",
            {**REQUEST, "enterprise": client["enterprise"]},
            content_type="application/json",
        ).json()
        browser.post(
            f"/api/v1/requests/{created['id']}/resolve",
            {"answer": "需要请求书、说明书等"},
            content_type="application/json",
        )


# (c) calendar ------------------------------------------------------------------------------------


def calendar_figures(n: int) -> dict[str, float]:
    from django.utils import timezone

    from ipps.core.calendar import WorkingCalendar

    cal = WorkingCalendar.load(allow_fallback=True)
    start = dt.datetime(2026, 9, 25, 15, 30, tzinfo=timezone.get_current_timezone())
    figures = {}
    for label, fn in (
        ("add_working_days(start, 3)", lambda i: cal.add_working_days(start, 3)),
        ("add_working_days(start, 20)", lambda i: cal.add_working_days(start, 20)),
        ("add_working_hours(start, 7)", lambda i: cal.add_working_hours(start, 7)),
        ("add_working_hours(start, 0.5)", lambda i: cal.add_working_hours(start, 0.5)),
        ("baseline: start + timedelta", lambda i: start + dt.timedelta(days=3)),
    ):
        fn(0)
        began = time.perf_counter()
        for i in range(n):
            fn(i)
        figures[label] = (time.perf_counter() - began) / n * 1e6
    return figures


# (b) HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on port {port}")


def _call(port: int, method: str, path: str, token: str, body: dict | None = None):
    """One HTTP/1.1 request on a new connection, as a load generator (wrk, ab) makes it: the
    request written in one piece, the answer read until the server closes the connection (sync
    workers close it after each answer). http.client cost the clients, which share the machine's
    two cores with the server, about 0.5 ms of CPU a request."""
    data = b""
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {token}",
        "Connection: close",
    ]
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + data
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    header, _, content = answer.partition(b"\r\n\r\n")
    status_line = header.split(b"\r\n", 1)[0]
    if not status_line.startswith(b"HTTP/1."):
        raise OSError(f"not an HTTP answer: {answer[:80]!r}")
    if b"transfer-encoding: chunked" in header.lower():
        raise OSError("chunked answers are not expected from the API")
    return int(status_line.split()[1]), content


def client_worker(port, client, mode, seconds, start_at, results):
    """One client process: loop until time is up; report cycles, answers by status, errors."""
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    cycles, statuses, locked, failures = 0, {}, 0, []
    latencies = []
    while time.time() < deadline:
        began = time.perf_counter()
        try:
            if mode == "me":
                calls = [_call(port, "GET", "/api/v1/me", client["token"])]
            else:
                status, body = _call(
                    port,
                    "POST",
                    "/api/v1/requests",
                    client["token"],
                    {**REQUEST, "enterprise": client["enterprise"]},
                )
                calls = [(status, body)]
                if status == 201:
                    pk = json.loads(body)["id"]
                    calls.append(
                        _call(
                            port,
                            "POST",
                            f"/api/v1/requests/{pk}/resolve",
                            client["token"],
                            {"answer": "需要请求书、说明书等"},
                        )
                    )
        except OSError as exc:
            failures.append(repr(exc))
            continue
        ok = True
        for status, body in calls:
            statuses[status] = statuses.get(status, 0) + 1
            if b"database is locked" in body:
                locked += 1
            if status >= 300:
                ok = False
                if len(failures) < 5:
                    failures.append(f"{status} {body[:200]!r}")
        if ok:
            cycles += 1
            latencies.append(time.perf_counter() - began)
    results.put(
        {
            "cpu": time.process_time(),
            "cycles": cycles,
            "statuses": statuses,
            "locked": locked,
            "failures": failures,
            "latencies": latencies,
        }
    )


def run_clients(port, clients, mode, seconds) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(target=client_worker, args=(port, c, mode, seconds, start_at, results))
        for c in clients
    ]
    for p in procs:
        p.start()
    collected = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    total = {"cycles": 0, "statuses": {}, "locked": 0, "failures": [], "latencies": []}
    for r in collected:
        total["cycles"] += r["cycles"]
        total["locked"] += r["locked"]
        total["failures"] += r["failures"]
        total["latencies"] += r["latencies"]
        for k, v in r["statuses"].items():
            total["statuses"][k] = total["statuses"].get(k, 0) + v
    lat = sorted(total["latencies"]) or [0.0]
    total["p50_ms"] = lat[len(lat) // 2] * 1000
    total["p95_ms"] = lat[int(len(lat) * 0.95)] * 1000
    total["rate"] = total["cycles"] / seconds
    total["client_cpu"] = sum(r["cpu"] for r in collected)
    del total["latencies"]
    return total


def start_server(env, port, workers, log_path: Path) -> subprocess.Popen:
    sys.path.insert(0, str(ROOT / "src"))
    from ipps.core.webserver import command

    # The server `ipps serve` runs, with the same options, without its access log.
    cmd = command(host="127.0.0.1", port=port, workers=workers, timeout=120, access_log=False)
    log = log_path.open("wb")
    proc = subprocess.Popen(  # noqa: S603
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0
    )
    wait_for_port(port)
    return proc


def server_cpu(proc: subprocess.Popen) -> float | None:
    """CPU seconds used so far by the server's processes (Linux: /proc), None where unknown."""
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        total = 0.0
        for pid in [proc.pid, *map(int, children)]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
    except (OSError, ValueError, IndexError):
        return None


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http_round(server, port, clients, seconds) -> dict:
    """One measured round: the baseline (`GET /me`), then create+resolve cycles, with the
    server's CPU over the cycles."""
    me = run_clients(port, clients, "me", seconds)
    cpu_before = server_cpu(server)
    cycles = run_clients(port, clients, "cycle", seconds)
    cpu_after = server_cpu(server)
    server_ms = client_ms = None
    if cycles["cycles"] and cpu_before is not None and cpu_after is not None:
        server_ms = (cpu_after - cpu_before) / cycles["cycles"] * 1000
        client_ms = cycles["client_cpu"] / cycles["cycles"] * 1000
    non_2xx = sum(v for k, v in (*cycles["statuses"].items(), *me["statuses"].items()) if k >= 300)
    return {"me": me, "cycles": cycles, "server_ms": server_ms, "client_ms": client_ms,
            "non_2xx": non_2xx}  # fmt: skip


def print_round(r: dict) -> None:
    me, cycles = r["me"], r["cycles"]
    print(
        f"    create+resolve: {cycles['rate']:8.1f} cycles/s = "
        f"{cycles['rate'] * 2:.1f} requests/s; cycle p50 {cycles['p50_ms']:.0f} ms, "
        f"p95 {cycles['p95_ms']:.0f} ms"
    )
    print(
        f"    baseline GET /api/v1/me: {me['rate']:8.1f} requests/s; p50 {me['p50_ms']:.1f} ms, "
        f"p95 {me['p95_ms']:.1f} ms"
    )
    print(
        f"    ratio: a cycle costs {me['rate'] / cycles['rate']:.1f}x an authenticated GET"
        if cycles["rate"]
        else "    ratio: no cycle completed"
    )
    if r["server_ms"] is not None:
        print(
            f"    CPU a cycle: server {r['server_ms']:.2f} ms, clients {r['client_ms']:.2f} ms "
            f"(at 300 cycles/s, {os.cpu_count()} CPUs allow "
            f"{(os.cpu_count() or 1) * 1000 / 300:.2f} ms in all)"
        )
    print(f"    target ≥300 cycles/s: {'met' if cycles['rate'] >= 300 else 'NOT met'}")
    print(f"    answers by status: cycles {cycles['statuses']}, baseline {me['statuses']}")
    print(f"    non-2xx: {r['non_2xx']}")
    for failure in (cycles["failures"] + me["failures"])[:5]:
        print(f"    failure: {failure}")


def print_rounds(rounds: list[dict]) -> None:
    """The spread over the rounds: the machine's speed drifts, and the clients' CPU a cycle (their
    work does not change) shows by how much."""
    rates = sorted(r["cycles"]["rate"] for r in rounds)
    met = sum(rate >= 300 for rate in rates)
    clients = [r["client_ms"] for r in rounds if r["client_ms"] is not None]
    print(
        f"  {len(rounds)} runs: create+resolve min {rates[0]:.1f}, median "
        f"{statistics.median(rates):.1f}, max {rates[-1]:.1f} cycles/s; target ≥300 met in "
        f"{met} of {len(rounds)}"
    )
    if clients:
        print(
            f"  the clients' CPU a cycle (the machine's speed): {min(clients):.2f}–"
            f"{max(clients):.2f} ms"
        )


# Main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each HTTP run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (≤ 4)")
    parser.add_argument("--workers", type=int, default=2, help="web server workers")
    parser.add_argument("--cycles", type=int, default=300, help="service cycles for (a)")
    parser.add_argument("--calendar-calls", type=int, default=5000)
    parser.add_argument(
        "--database-url", help="PostgreSQL URL; the database is created and dropped"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the service/HTTP paths")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="IPPS_CONN_MAX_AGE for the server (default: as configured, 0 = a connection a request)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="HTTP runs (b) in a row, on one server (≥ 1)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    db_label = "PostgreSQL" if args.database_url else "SQLite"
    data_dir = Path(tempfile.mkdtemp(prefix="ipps-bench-requests-"))
    server = None
    try:
        if args.database_url:
            create_database(args.database_url)
        setup_django(data_dir, args.database_url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        clients = build_network()[: max(1, min(args.clients, len(WORKSTATIONS)))]
        print(f"ipps request benchmark on {db_label}, {os.cpu_count()} CPUs, data dir {data_dir}")
        print()

        # (c)
        cal = calendar_figures(args.calendar_calls)
        base_cal = cal["baseline: start + timedelta"]
        print("(c) due-time computation per call")
        for label, micro in cal.items():
            print(f"    {label:<32}{micro:>9.1f} µs{micro / base_cal:>9.0f}x")
        print()

        # (a)
        service_cycles(10, clients[0])  # warm-up: imports, caches
        seconds = service_cycles(args.cycles, clients[0])
        base = baseline_orm(args.cycles, clients[0])
        rate, base_rate = args.cycles / seconds, args.cycles / base
        print("(a) create + resolve through the services, one process")
        print(f"    services: {rate:8.1f} cycles/s ({seconds / args.cycles * 1000:.2f} ms a cycle)")
        print(f"    baseline: {base_rate:8.1f} cycles/s (raw ORM insert + update of the same row)")
        print(f"    ratio   : {base_rate / rate:8.1f}x slower than the baseline")
        print()
        connection.close()

        # (b)
        port = free_port()
        log_path = data_dir / "server.log"
        server_env = os.environ.copy()
        if args.conn_max_age is not None:
            server_env["IPPS_CONN_MAX_AGE"] = str(args.conn_max_age)
        conn_age = server_env.get("IPPS_CONN_MAX_AGE", "600 (default)")
        server = start_server(server_env, port, args.workers, log_path)
        _call(port, "GET", "/api/v1/me", clients[0]["token"])  # warm-up
        print(
            f"(b) over HTTP: {len(clients)} client processes, uWSGI {args.workers} "
            f"workers, {db_label}, IPPS_CONN_MAX_AGE={conn_age}, {args.seconds:g} s each"
        )
        rounds = []
        for n in range(1, args.repeat + 1):
            if args.repeat > 1:
                print(f"  run {n} of {args.repeat}")
            rounds.append(http_round(server, port, clients, args.seconds))
            print_round(rounds[-1])
        stop_server(server)
        server = None
        log_locked = log_path.read_text(errors="replace").count("database is locked")
        if args.repeat > 1:
            print_rounds(rounds)
        locked = sum(r["cycles"]["locked"] + r["me"]["locked"] for r in rounds)
        bad = sum(r["non_2xx"] for r in rounds)
        print(f"    'database is locked': {locked} in answers, {log_locked} in the server log")
        print()

        if args.profile:
            print("cProfile of 100 service cycles (cumulative, then own time):")
            print(profile(service_cycles, 100, clients[0]))
            print("cProfile of 100 HTTP cycles through Django's test client (no web server):")
            print(profile(http_cycles_in_process, 100, clients[0]))

        if locked or log_locked or bad:
            sys.exit(1)
    finally:
        if server is not None:
            stop_server(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - cleaning up after a failed set-up
            pass
        if args.database_url:
            drop_database(args.database_url)
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
