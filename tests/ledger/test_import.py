"""`ipps ledger import FILE`: whole files or nothing, named row errors, no double import."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from openpyxl import Workbook

from ipps.core.models import AuditEvent
from ipps.ledger import rollups
from ipps.ledger.importing import ledger_import, write_rows
from ipps.ledger.models import EnterpriseMonth, LedgerRollup, ServiceRecord
from tests.factories import EnterpriseFactory

HEADER = [
    "unit",
    "date",
    "kind",
    "ip_type",
    "chain_stage",
    "channel",
    "quantity",
    "enterprise",
    "source",
]


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def enterprise(network):
    return EnterpriseFactory(district="110108", workstation=network.ws_zgc)


@pytest.fixture
def good_rows(enterprise):
    return [
        ["WS-110108-001", "2026-01-31", "query_answered", "patent", "creation", "phone", 3, "", ""],
        ["WS-110108-001", "2026-02-01", "query_answered", "patent", "creation", "phone", 2, "", ""],
        [
            "WS-110108-002",
            "2026-02-01",
            "visit",
            "trademark",
            "protection",
            "visit",
            1,
            enterprise.uscc,
            "",
        ],
        ["ws-110105-001", "2024-02-29", "Policy pushed", "", "", "", 1, enterprise.uscc, "X-1"],
        ["DC-110108", "2026-03-01", "training_delivered", "", "", "portal", 1, "", ""],
    ]


def run(*args) -> str:
    out = StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def test_csv_import_writes_rows_and_rollups(tmp_path, good_rows, enterprise):
    path = write_csv(tmp_path / "ledger.csv", good_rows)
    out = run("import", str(path), "--batch", "2")
    assert "Imported 5 ledger rows" in out and "rows/s" in out
    assert ServiceRecord.objects.count() == 5
    assert ServiceRecord.objects.aggregate(q=Sum("quantity"))["q"] == 8
    policy = ServiceRecord.objects.get(kind="policy_pushed")
    assert policy.source_type == "ledger.import" and policy.source_id == "X-1"
    assert policy.date == dt.date(2024, 2, 29) and policy.enterprise == enterprise
    assert policy.unit.code == "WS-110105-001"
    generated = ServiceRecord.objects.get(kind="training_delivered").source_id
    assert generated.endswith(":6")  # the file's sha256 prefix and its row number
    january = LedgerRollup.objects.get(kind="query_answered", month=dt.date(2026, 1, 1))
    assert (january.quantity, january.record_count) == (3, 1)
    assert EnterpriseMonth.objects.filter(enterprise=enterprise).count() == 2
    assert rollups.verify() == []
    assert AuditEvent.objects.filter(object_type="ledger.import", action="import").count() == 1


def test_batches_add_to_existing_rollup_cells(tmp_path, network):
    rows = [
        [
            "WS-110108-001",
            f"2026-05-{1 + i % 28:02d}",
            "query_answered",
            "patent",
            "",
            "",
            1,
            "",
            "",
        ]
        for i in range(50)
    ]
    path = write_csv(tmp_path / "many.csv", rows)
    run("import", str(path), "--batch", "7")
    cell = LedgerRollup.objects.get()
    assert (cell.quantity, cell.record_count) == (50, 50)
    assert rollups.verify() == []


def test_xlsx_import(tmp_path, good_rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ledger")
    sheet.append(HEADER)
    for row in good_rows:
        row = list(row)
        row[1] = dt.date.fromisoformat(row[1])
        sheet.append(row)
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)
    report = ledger_import(path=path)
    assert report.status == "imported" and report.created == 5
    assert rollups.verify() == []


def test_reimport_of_the_same_file_writes_nothing(tmp_path, good_rows):
    path = write_csv(tmp_path / "ledger.csv", good_rows)
    run("import", str(path))
    out = run("import", str(path))
    assert "imported before" in out
    assert ServiceRecord.objects.count() == 5
    copy = write_csv(tmp_path / "copy.csv", good_rows[3:4])  # another file, same external id
    with pytest.raises(CommandError, match="nothing was written"):
        run("import", str(copy))
    assert ServiceRecord.objects.count() == 5
    assert rollups.verify() == []


def test_bad_rows_are_named_and_nothing_is_written(tmp_path, good_rows):
    bad = [
        *good_rows,
        ["WS-NOPE", "2026-02-30", "gossip", "patent", "creation", "fax", "2.5", "", ""],
        ["BJ", "2026-01-01", "visit", "", "", "", 0, "91110000600037341L", ""],
        ["BJ", "2026-01-01", "policy_pushed", "", "", "", 1, "", "X-1"],
    ]
    path = write_csv(tmp_path / "bad.csv", bad)
    err = StringIO()
    with pytest.raises(CommandError, match="7 error"):
        call_command("ledger", "import", str(path), "--batch", "3", stdout=StringIO(), stderr=err)
    messages = err.getvalue()
    for expected in (
        "Row 7, column unit",
        "Row 7, column date",
        "Row 7, column kind",
        "Row 7, column channel",
        "Row 7, column quantity",
        "Row 8, column quantity",
        "Row 9, column source",
    ):
        assert expected in messages
    assert ServiceRecord.objects.count() == 0
    assert LedgerRollup.objects.count() == 0 and EnterpriseMonth.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="ledger.import").exists()


def test_unknown_enterprise_is_a_row_error(tmp_path, network):
    rows = [["BJ", "2026-01-01", "visit", "", "", "", 1, "91110000600037341L", ""]]
    report = ledger_import(path=write_csv(tmp_path / "e.csv", rows))
    assert report.status == "rejected"
    assert [(e.row, e.column) for e in report.errors] == [(2, "enterprise")]
    assert ServiceRecord.objects.count() == 0


def test_file_level_errors(tmp_path, network):
    missing = tmp_path / "missing.csv"
    missing.write_text("unit,date,kind\nBJ,2026-01-01,visit\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing: quantity"):
        run("import", str(missing))
    text = tmp_path / "x.txt"
    text.write_text("x")
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        run("import", str(text))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="readable"):
        run("import", str(broken))
    with pytest.raises(CommandError, match="No such file"):
        run("import", str(tmp_path / "absent.csv"))
    assert ServiceRecord.objects.count() == 0


def test_bulk_rows_and_per_record_rows_share_the_rollups(network, enterprise):
    from ipps.ledger.services import ledger_record

    ledger_record(
        source=enterprise,
        kind="visit",
        unit=network.ws_zgc,
        date=dt.date(2026, 4, 2),
        enterprise=enterprise,
        channel="visit",
    )
    rows = [
        (
            network.ws_zgc.pk,
            enterprise.pk,
            dt.date(2026, 4, 9),
            "visit",
            "",
            "",
            "visit",
            1,
            "t",
            str(i),
        )
        for i in range(3)
    ]
    assert write_rows(rows, batch_size=2) == 3
    cell = LedgerRollup.objects.get(unit=network.ws_zgc, kind="visit")
    assert (cell.quantity, cell.record_count) == (4, 4)
    assert EnterpriseMonth.objects.get(enterprise=enterprise).quantity == 4
    assert rollups.verify() == []
