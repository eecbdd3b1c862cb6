"""`ipps serve` runs the web server (uWSGI) and the huey consumer together and stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "IPPS_SECRET_KEY"}
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update({"IPPS_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ipps.settings"})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """Direct children of `pid` with their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local test server
            return response.status
    except (urllib.error.URLError, OSError):
        return None


@pytest.fixture
def migrated_data_dir(tmp_path):
    env = _env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "ipps", "migrate", "--no-input", "-v0"],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tmp_path


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc to find child processes")
def test_serve_runs_web_and_worker_and_stops_both_on_sigint(migrated_data_dir):
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "ipps", "serve", "--port", str(port), "--workers", "1"],
        env=_env(migrated_data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    children: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            status = _get(f"http://127.0.0.1:{port}/accounts/login/")
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, f"server did not answer; exit code {proc.poll()}"
        children = _children(proc.pid)
        assert any(
            "ipps.core.webserver" in cmd and f"127.0.0.1:{port}" in cmd for cmd in children.values()
        ), children
        # Static files come from the installed packages, through the same server.
        assert _get(f"http://127.0.0.1:{port}/static/django_htmx/htmx-2.min.js") == 200
        huey = [pid for pid, cmd in children.items() if "run_huey" in cmd]
        assert huey and _alive(huey[0]), children

        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)], "a child outlived ipps serve"
    assert _get(f"http://127.0.0.1:{port}/accounts/login/") is None


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc to find child processes")
def test_serve_stops_and_fails_when_a_child_dies(migrated_data_dir):
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "ipps", "serve", "--port", str(port), "--workers", "1"],
        env=_env(migrated_data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        huey: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None and not huey:
            huey = [pid for pid, cmd in _children(proc.pid).items() if "run_huey" in cmd]
            time.sleep(0.2)
        assert huey, "no huey consumer started"
        os.kill(huey[0], signal.SIGKILL)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, output
    assert "background worker (huey) exited" in output


def test_web_server_command():
    from ipps.core import webserver

    cmd = webserver.command(host="::1", port=8000, workers=3, timeout=60, access_log=False)
    assert cmd[cmd.index("--http-socket") + 1] == "[::1]:8000"
    assert cmd[cmd.index("--processes") + 1] == "3"
    assert cmd[cmd.index("--harakiri") + 1] == "60"
    # Without it uWSGI would not run the SQLite backend's checkpoint thread between requests.
    assert "--enable-threads" in cmd
    assert "--disable-logging" in cmd
    assert "--master-fifo" not in cmd
