"""`ipps import enterprises FILE [--partial] [--user USERNAME] [--report PATH]`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ipps.core.models import AuditEvent
from ipps.enterprises.models import Enterprise
from tests.enterprises.import_files import csv_bytes, read_xlsx, row, uscc, xlsx_bytes

pytestmark = pytest.mark.django_db


def ipps_import(*args: str) -> tuple[int, str]:
    """Run the command as `ipps` would; (exit code, output)."""
    out = io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_good_file_exit_0(network, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([row(1), row(2)]))
    code, out = ipps_import("enterprises", str(path))
    assert code == 0, out
    assert "2 rows read, 2 created" in out
    assert Enterprise.objects.filter(uscc__in=[uscc(1), uscc(2)]).count() == 2
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "import" and event.actor is None
    assert event.actor_name == "ipps import (command line)"


def test_refused_exit_1_with_errors_and_report(network, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([row(1), row(2, uscc="123"), row(3, stage="?")]))
    report = tmp_path / "report.xlsx"
    code, out = ipps_import("enterprises", str(path), "--report", str(report))
    assert code == 1
    assert "Row 3, 统一社会信用代码 “123”" in out
    assert "Row 4, 发展阶段 “?”" in out
    assert "nothing was written" in out
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()
    rows = read_xlsx(report.read_bytes())["Errors"]
    assert [r[0] for r in rows[1:]] == [3, 4]


def test_partial_and_json_report(network, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([row(1), row(2, uscc="123")]))
    report = tmp_path / "report.json"
    code, out = ipps_import("enterprises", str(path), "--partial", "--report", str(report))
    assert code == 0, out
    body = json.loads(report.read_text(encoding="utf-8"))
    assert (body["status"], body["created"], body["error_count"]) == ("imported", 1, 1)
    assert body["errors"][0]["row"] == 3


def test_user_scope(network, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([row(1, workstation="WS-110105-001", district="")]))
    code, out = ipps_import("enterprises", str(path), "--user", network.liaison_zgc.username)
    assert code == 1
    assert "outside your area" in out
    code, out = ipps_import("enterprises", str(path), "--user", network.liaison_wangjing.username)
    assert code == 0, out
    assert Enterprise.objects.get(uscc=uscc(1)).workstation == network.ws_wangjing


def test_file_level_error_exit_1(network, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([["x"]], header=["企业名称", "地址"]))
    report = tmp_path / "report.csv"
    code, out = ipps_import("enterprises", str(path), "--report", str(report))
    assert code == 1
    assert "Required columns are missing" in out
    assert "missing_columns" in report.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    "args",
    [
        ("enterprises", "/nonexistent/file.xlsx"),
        ("enterprises", "{path}", "--user", "nobody"),
        ("enterprises", "{path}", "--report", "report.txt"),
    ],
)
def test_bad_arguments(network, tmp_path, args):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([row(1)]))
    code, _out = ipps_import(*(a.format(path=path) for a in args))
    assert code == 1
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()


def test_unknown_kind_is_refused(network, tmp_path):
    with pytest.raises(CommandError):
        call_command("import", "patents", str(tmp_path / "x.xlsx"))
