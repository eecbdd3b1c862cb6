"""The web server: uWSGI (from the `pyuwsgi` wheel), run as `python -m ipps.core.webserver <options>`.

`ipps serve` and the request benchmark build its command line here, so that what is measured is
what is served. uWSGI rather than gunicorn: its workers parse HTTP in C and take turns to accept
connections (`--thunder-lock`), where gunicorn's sync workers parse in Python and all wake for each
new connection. On create+resolve over HTTP (SQLite, 2 workers, 2 cores) that is about 7% fewer
instructions in the server a cycle and about a tenth more cycles a second (docs/performance.md).

Each worker serves one request at a time, as gunicorn's sync workers did. Options, for an
operator who runs the server alone (`python -m ipps.core.webserver --help` lists uWSGI's own):

- `--http-socket`: the workers speak HTTP themselves; put nginx in front for TLS.
- `--lazy-apps`: each worker loads the application after the fork (no database connection or
  thread is shared across processes).
- `--enable-threads`: the SQLite backend checkpoints on a thread of each process.
- `--harakiri`: a worker stuck on one request for that many seconds is replaced.
- `--master-fifo`: writing `q` to it stops the server gracefully (requests in progress finish,
  within `--worker-reload-mercy` seconds).
"""

from __future__ import annotations

import sys


def command(
    *,
    host: str,
    port: int,
    workers: int,
    timeout: int,
    master_fifo: str | None = None,
    access_log: bool = True,
    graceful_timeout: int = 10,
) -> list[str]:
    """The command line that serves ipps with `workers` processes on host:port."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    cmd = [
        sys.executable, "-m", "ipps.core.webserver",
        "--strict",  # an unknown option is an error, not a warning
        "--http-socket", address,
        "--module", "ipps.wsgi:application",
        "--need-app",  # exit if the application cannot be loaded
        "--master",
        "--processes", str(workers),
        "--lazy-apps",
        "--enable-threads",
        "--single-interpreter",
        "--thunder-lock",
        "--harakiri", str(timeout),
        "--worker-reload-mercy", str(graceful_timeout),
        "--buffer-size", "32768",  # request headers up to 32 KB (uWSGI's default is 4 KB)
        "--die-on-term",  # SIGTERM stops the server instead of reloading it
        "--vacuum",
    ]  # fmt: skip
    if master_fifo:
        cmd += ["--master-fifo", master_fifo]
    if not access_log:
        cmd += ["--disable-logging"]
    return cmd


def main() -> int:
    import pyuwsgi

    sys.argv[0] = "ipps-webserver"
    return pyuwsgi.run()


if __name__ == "__main__":
    sys.exit(main())
