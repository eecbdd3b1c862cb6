"""The product shell: settings from the environment, SQLite tuning, the ipps command, languages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

PROBE = (
    "from django.db import connection as c; cur = c.cursor();"
    "print(cur.execute('PRAGMA journal_mode').fetchone()[0],"
    " cur.execute('PRAGMA synchronous').fetchone()[0],"
    " cur.execute('PRAGMA foreign_keys').fetchone()[0],"
    " cur.execute('PRAGMA busy_timeout').fetchone()[0],"
    " c.settings_dict['OPTIONS']['transaction_mode'])"
)


def run_ipps(*args: str, data_dir, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "IPPS_SECRET_KEY"}}
    env.update({"IPPS_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ipps.settings"})
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(extra_env or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "ipps", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_sqlite_file_database_is_tuned_for_concurrent_use(tmp_path):
    result = run_ipps("shell", "-c", PROBE, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    journal, synchronous, foreign_keys, busy, mode = result.stdout.split()[-5:]
    assert journal == "wal"
    assert synchronous == "1"  # NORMAL
    assert foreign_keys == "1"
    assert int(busy) >= 5000
    assert mode == "IMMEDIATE"
    assert (tmp_path / "ipps.sqlite3").exists()


def test_secret_key_is_generated_once_and_kept_in_the_data_dir(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_ipps("shell", "-c", code, data_dir=tmp_path)
    second = run_ipps("shell", "-c", code, data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert first.stdout.split()[-1] == second.stdout.split()[-1] == key_file.read_text().strip()
    given = run_ipps(
        "shell", "-c", code, data_dir=tmp_path, extra_env={"IPPS_SECRET_KEY": "k" * 60}
    )
    assert given.stdout.split()[-1] == "k" * 60


def test_ipps_command_is_django_management(tmp_path):
    result = run_ipps("help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "migrate" in result.stdout


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["en", "zh-hans"]


@pytest.mark.django_db
def test_language_follows_the_browser_and_the_switcher(client):
    english = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert b'<html lang="en"' in english.content
    chinese = client.get("/accounts/login/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert b'<html lang="zh-hans"' in chinese.content
    assert "登录" in chinese.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    switched = client.get("/accounts/login/", headers={"accept-language": "zh-CN"})
    assert b'<html lang="en"' in switched.content


@pytest.mark.django_db
def test_static_assets_come_from_installed_packages(client):
    page = client.get("/accounts/login/").content.decode()
    assert "//cdn" not in page and "https://" not in page
    for path in ("/static/bootstrap/css/bootstrap.min.css", "/static/django_htmx/htmx-2.min.js"):
        assert client.get(path).status_code == 200, path


def test_database_is_the_configured_one():
    assert connection.vendor in {"sqlite", "postgresql"}
