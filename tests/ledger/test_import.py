"""`ipps ledger import FILE`: whole files or nothing, named row errors, no double import."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ipps.core.choices import IPType
from ipps.core.models import AuditEvent
from ipps.ledger import rollups
from ipps.ledger.choices import RecordKind
from ipps.ledger.importing import file_sha256, ledger_import, write_rows
from ipps.ledger.models import (
    EnterpriseMonth,
    LedgerMonthly,
    LedgerRollup,
    ServiceRecord,
    SubtreeEnterpriseMonth,
    SubtreeEnterpriseYear,
    SubtreeRollup,
)
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


def cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_an_import_writes_with_the_bulk_page_cache_and_gives_it_back(
    tmp_path, good_rows, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("the page cache setting is SQLite's")
    seen = []
    add_sums = rollups.add_sums

    def spy(*args, **kwargs):
        seen.append(cache_size())
        return add_sums(*args, **kwargs)

    monkeypatch.setattr(rollups, "add_sums", spy)
    before = cache_size()
    with override_settings(IPPS_BULK_CACHE_MB=256):
        report = ledger_import(path=write_csv(tmp_path / "good.csv", good_rows))
        assert report.created == 5 and seen == [-256 * 1024]
        assert cache_size() == before
        bad = write_csv(
            tmp_path / "bad.csv",
            [*good_rows[:1], ["NOPE", "2026-01-01", "x", "", "", "", 1, "", ""]],
        )
        assert ledger_import(path=bad).status == "rejected"
        assert cache_size() == before
    assert before != -256 * 1024


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


@pytest.mark.parametrize("preload", [True, False], ids=["usccs-read-at-start", "usccs-by-batch"])
def test_large_and_small_files_find_enterprises_alike(
    tmp_path, network, enterprise, monkeypatch, preload
):
    """A large file reads every USCC at its start (so its batches need not wait for each other's
    writes); a small one, or a very large register, looks them up batch by batch."""
    from ipps.ledger import importing

    monkeypatch.setattr(importing, "PRELOAD_FILE_BYTES", 0 if preload else 10**12)
    other = EnterpriseFactory(district="110105", workstation=network.ws_wangjing)
    rows = [
        ["WS-110108-001", f"2026-01-{day:02d}", "visit", "", "", "", 1, uscc, ""]
        for day, uscc in enumerate([enterprise.uscc, other.uscc.lower(), "", enterprise.uscc], 1)
    ]
    report = ledger_import(path=write_csv(tmp_path / "good.csv", rows), batch_size=2)
    assert report.created == 4
    assert sorted(ServiceRecord.objects.values_list("date__day", "enterprise_id")) == [
        (1, enterprise.pk),
        (2, other.pk),
        (3, None),
        (4, enterprise.pk),
    ]
    assert rollups.verify() == []
    unknown = [[*rows[0][:7], "91110000600037341L", ""], *rows]
    report = ledger_import(path=write_csv(tmp_path / "bad.csv", unknown), batch_size=2)
    assert report.status == "rejected"
    assert [(e.row, e.column) for e in report.errors] == [(2, "enterprise")]
    assert ServiceRecord.objects.count() == 4


def test_a_register_too_large_to_read_whole_is_looked_up_by_batch(
    tmp_path, network, enterprise, monkeypatch
):
    from ipps.ledger import importing

    monkeypatch.setattr(importing, "PRELOAD_FILE_BYTES", 0)
    monkeypatch.setattr(importing, "PRELOAD_ENTERPRISES", 0)
    rows = [["WS-110108-001", "2026-01-05", "visit", "", "", "", 1, enterprise.uscc, ""]] * 3
    report = ledger_import(path=write_csv(tmp_path / "good.csv", rows), batch_size=2)
    assert report.created == 3
    assert set(ServiceRecord.objects.values_list("enterprise_id", flat=True)) == {enterprise.pk}


def test_a_write_that_fails_takes_the_whole_file_back(tmp_path, network, good_rows, monkeypatch):
    """The rows are written by a second thread while the next batch is checked (on SQLite): an
    error there reaches the caller, and nothing of the file stays, rows or sums."""
    import threading

    from ipps.ledger import importing

    calls = []

    def failing(original):
        def write(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise OSError("disk full")
            return original(*args, **kwargs)

        return write

    if connection.vendor == "sqlite":
        monkeypatch.setattr(rollups, "sqlite_write", failing(rollups.sqlite_write))
    else:
        monkeypatch.setattr(
            importing, "_insert_ledger_rows", failing(importing._insert_ledger_rows)
        )
    with pytest.raises(OSError, match="disk full"):
        ledger_import(path=write_csv(tmp_path / "good.csv", good_rows), batch_size=2)
    assert len(calls) == 2
    assert ServiceRecord.objects.count() == 0
    assert not LedgerRollup.objects.exists() and not SubtreeRollup.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ledger.import").exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("ipps-ledger-write")]
    monkeypatch.undo()
    assert ledger_import(path=write_csv(tmp_path / "good.csv", good_rows)).created == 5
    assert rollups.verify() == []


def test_sqlite_bulk_writes_add_to_existing_cells(network, monkeypatch):
    """`sqlite_write` splits its rows into statements and adds a row's sums to its cell."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's bulk writer")
    monkeypatch.setattr(rollups, "SQLITE_ROWS_PER_STATEMENT", 3)
    columns = ("unit_id", "month", "kind", "quantity", "record_count")
    rows = [(network.ws_zgc.pk, f"2026-{month:02d}-01", "visit", month, 1) for month in range(1, 8)]
    connection.ensure_connection()
    raw = connection.connection
    rollups.sqlite_write(raw, "ledger_ledgermonthly", columns, rows)
    rollups.sqlite_write(
        raw, "ledger_ledgermonthly", columns, rows[2:], conflict=("unit_id", "month", "kind")
    )
    got = sorted(LedgerMonthly.objects.values_list("month__month", "quantity", "record_count"))
    assert got == [(m, m * (2 if m >= 3 else 1), 2 if m >= 3 else 1) for m in range(1, 8)]


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


def _imported(path: Path) -> list[tuple]:
    """The file's rows, in the order written."""
    return list(
        ServiceRecord.objects.filter(source_id__startswith=file_sha256(path)[:16])
        .order_by("id")
        .values_list(
            "unit__code",
            "date",
            "kind",
            "ip_type",
            "chain_stage",
            "channel",
            "quantity",
            "enterprise__uscc",
            "source_id",
        )
    )


def test_every_spelling_of_a_cell_is_read_alike(tmp_path, network):
    # Stored values, labels in English and Chinese in any case, padded cells: the fast path takes
    # the spellings it knows, the full check the rest; both must make the same rows.
    with translation.override("zh-hans"):
        visit_zh = str(RecordKind.VISIT.label)
        patent_zh = str(IPType.PATENT.label)
    uscc = network.ent_zgc.uscc
    spellings = [
        ["WS-110108-001", "2026-03-02", "visit", "patent", "creation", "phone", "2", uscc, ""],
        ["ws-110108-001", "2026-03-02", "Visit", "Patent", "Creation", "Phone", "2", uscc, ""],
        [" WS-110108-001", "2026-03-02 ", " VISIT", "PATENT ", "creation", "PHONE", " 2", "", ""],
        ["Ws-110108-001", "2026-03-02", visit_zh, patent_zh, "CREATION", "phone", "2", "", ""],
        ["WS-110108-001", "2026-03-02", "vIsIt", "pAtent", "creation", "phone", "+2", "", ""],
    ]
    rows = [
        [*row[:7], uscc.lower() if i == 4 else row[7], row[8]] for i, row in enumerate(spellings)
    ]
    path = write_csv(tmp_path / "spellings.csv", rows)
    report = ledger_import(path=path)
    assert report.status == "imported" and report.created == 5, report.errors
    prefix = file_sha256(path)[:16]
    got = [row[:8] for row in _imported(path)]
    want = ("WS-110108-001", dt.date(2026, 3, 2), "visit", "patent", "creation", "phone", 2)
    assert got == [(*want, uscc), (*want, uscc), (*want, None), (*want, None), (*want, uscc)]
    assert [r[8] for r in _imported(path)] == [f"{prefix}:{n}" for n in range(2, 7)]
    assert rollups.verify() == []


def test_a_file_with_only_the_required_columns(tmp_path, network):
    path = tmp_path / "minimal.csv"
    path.write_text(
        "Quantity,Kind,Date,Unit\n3,query_answered,2026-01-05,WS-110105-001\n"
        "1,Policy pushed,2026-01-06,dc-110105\n",
        encoding="utf-8",
    )
    report = ledger_import(path=path)
    assert report.status == "imported" and report.created == 2, report.errors
    assert [r[:8] for r in _imported(path)] == [
        ("WS-110105-001", dt.date(2026, 1, 5), "query_answered", "", "", "", 3, None),
        ("DC-110105", dt.date(2026, 1, 6), "policy_pushed", "", "", "", 1, None),
    ]
    cell = LedgerRollup.objects.get(unit=network.ws_wangjing)
    assert (cell.quantity, cell.record_count, cell.ip_type) == (3, 1, "")
    assert rollups.verify() == []


def test_short_rows_and_external_ids_take_the_full_check(tmp_path, network):
    path = tmp_path / "short.csv"
    path.write_text(
        ",".join(HEADER)
        + "\nBJ,2026-02-01,visit\n"  # too short: no quantity
        + "BJ,2026-02-01,visit,,,,1,,EXT-1\n"
        + "BJ,2026-02-02,visit,,,,1,, EXT-1 \n"  # the same external id and kind, padded
        + "BJ,2026-02-02,visit,,,,1,,"
        + "X" * 65
        + "\n",
        encoding="utf-8",
    )
    report = ledger_import(path=path)
    assert report.status == "rejected"
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "quantity"),
        (4, "source"),
        (5, "source"),
    ]
    assert ServiceRecord.objects.count() == 0 and LedgerRollup.objects.count() == 0


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.just("import"),
                st.lists(
                    st.tuples(
                        st.integers(0, 5),  # unit
                        st.dates(dt.date(2024, 12, 1), dt.date(2026, 2, 28)),
                        st.sampled_from(["query_answered", "visit", "Policy pushed"]),
                        st.sampled_from(["", "patent", "Trademark"]),
                        st.integers(1, 4),  # quantity
                        st.integers(-1, 2),  # enterprise, or none
                    ),
                    min_size=1,
                    max_size=12,
                ),
                st.booleans(),  # add a bad row: the file is refused whole
            ),
            st.tuples(st.just("record"), st.integers(0, 2), st.integers(0, 5)),
            st.tuples(st.just("reverse"), st.integers(0, 2), st.integers(0, 5)),
        ),
        max_size=6,
    )
)
def test_rollups_equal_the_rows_after_imports_and_records(tmp_path_factory, network, steps):
    """Imports (small batches, sums written several times per file) among single records and
    reversals: every rollup table equals the rows after each step."""
    from ipps.ledger import importing
    from ipps.ledger.services import ledger_record, ledger_reverse

    for model in (ServiceRecord, LedgerRollup, EnterpriseMonth):
        model.objects.all()._raw_delete(model.objects.db)
    for model in (LedgerMonthly, SubtreeRollup, SubtreeEnterpriseMonth, SubtreeEnterpriseYear):
        model.objects.all().delete()
    n = network
    units = [n.city, n.haidian, n.chaoyang, n.ws_zgc, n.ws_shangdi, n.ws_wangjing]
    enterprises = [n.ent_zgc, n.ent_shangdi, n.ent_wangjing]
    folder = tmp_path_factory.mktemp("imports")
    old_flush = importing.SUMS_PER_FLUSH
    importing.SUMS_PER_FLUSH = 3
    try:
        for step in steps:
            before = ServiceRecord.objects.count()
            if step[0] == "import":
                _action, rows, bad = step
                lines = [
                    [units[u].code, d.isoformat(), kind, ip, "", "", q,
                     enterprises[e].uscc if e >= 0 else "", ""]
                    for u, d, kind, ip, q, e in rows
                ]  # fmt: skip
                if bad:
                    lines.append(["BJ", "2026-01-01", "visit", "", "", "", 0, "", ""])
                path = folder / f"{uuid.uuid4().hex}.csv"
                with path.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle)  # a column of its own makes every file new
                    writer.writerow([*HEADER, "note"])
                    writer.writerows([*line, path.stem] for line in lines)
                report = ledger_import(path=path, batch_size=2)
                assert report.status == ("rejected" if bad else "imported")
                assert ServiceRecord.objects.count() == before + (0 if bad else len(rows))
            elif step[0] == "record":
                ledger_record(
                    source=units[step[2]],
                    kind="case_assisted",
                    unit=units[3 + step[1]],
                    date=dt.date(2025, 6, 1 + step[2]),
                    enterprise=enterprises[step[1]],
                    ip_type="patent",
                )
            else:
                ledger_reverse(source=units[step[2]], kind="case_assisted")
            assert rollups.verify() == []
    finally:
        importing.SUMS_PER_FLUSH = old_flush
