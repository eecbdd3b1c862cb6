"""`ipps serve`: the web server (uWSGI, `ipps.core.webserver`) and the background worker (huey) in
one command."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ipps.core import webserver

STOP_TIMEOUT = 15  # seconds each child gets to finish before it is killed


class Command(BaseCommand):
    help = (
        "Run ipps: uWSGI serving the web app and the API (static files included) and the huey "
        "consumer running background jobs. Ctrl-C or SIGTERM stops both."
    )
    requires_system_checks = []
    requires_migrations_checks = True

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Number of web server workers.")
        parser.add_argument(
            "--timeout",
            type=int,
            default=120,
            help="Seconds before the web server replaces a worker stuck on one request.",
        )

    def handle(self, *args, host, port, workers, timeout, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        self._stop_signal: int | None = None
        # The web server stops gracefully when told so on its control pipe (see _stop).
        self._control_dir = tempfile.mkdtemp(prefix="ipps-serve-")
        self._control = os.path.join(self._control_dir, "master-fifo")
        web_cmd = webserver.command(
            host=host, port=port, workers=workers, timeout=timeout, master_fifo=self._control
        )
        jobs_cmd = [sys.executable, "-m", "ipps", "run_huey"]
        # Static files are served from the installed packages; an empty STATIC_ROOT keeps WhiteNoise quiet.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        # Own process groups: a Ctrl-C in the terminal reaches only us, and we stop the children in order.
        web = subprocess.Popen(web_cmd, process_group=0)  # noqa: S603
        jobs = subprocess.Popen(jobs_cmd, process_group=0)  # noqa: S603
        children = {"web server (uWSGI)": web, "background worker (huey)": jobs}
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        self.stdout.write(f"Starting ipps on {url} with {workers} web workers and a huey consumer.")
        announced = False
        failed: str | None = None
        try:
            while self._stop_signal is None:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        failed = f"The {name} exited with code {proc.returncode}; stopping ipps."
                        break
                if failed:
                    break
                if not announced and _port_open(host, port):
                    self.stdout.write(
                        self.style.SUCCESS(f"ipps is running at {url}  (Ctrl-C to stop)")
                    )
                    self.stdout.flush()
                    announced = True
                time.sleep(0.2)
        finally:
            self._stop(web, jobs)
            shutil.rmtree(self._control_dir, ignore_errors=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError(failed, returncode=1)
        self.stdout.write("ipps stopped.")

    def _on_signal(self, signum, frame):
        self._stop_signal = signum

    def _stop(self, web: subprocess.Popen, jobs: subprocess.Popen) -> None:
        # uWSGI stops gracefully on `q` written to its control pipe (on SIGTERM it would drop the
        # requests in progress); huey on SIGINT (SIGTERM would abandon running jobs).
        if web.poll() is None and not self._tell_web_server("q"):
            web.send_signal(signal.SIGTERM)
        if jobs.poll() is None:
            jobs.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in (web, jobs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _tell_web_server(self, command: str) -> bool:
        try:
            fd = os.open(self._control, os.O_WRONLY | os.O_NONBLOCK)  # no reader: ENXIO, at once
        except OSError:
            return False
        try:
            os.write(fd, command.encode())
        finally:
            os.close(fd)
        return True


def _port_open(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)  # noqa: S104
    try:
        with socket.create_connection((target, port), timeout=0.2):
            return True
    except OSError:
        return False
