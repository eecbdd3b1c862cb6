"""Migrations of the rollup tables keep every sum, both ways: ledger/0009 keys the tables by their
cells; ledger/0010 gives workstations and partners rows in the yearly table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ipps.ledger import rollups
from ipps.ledger.models import LedgerRollup, SubtreeEnterpriseYear, SubtreeRollup
from ipps.ledger.services import ledger_record

BEFORE = [("ledger", "0008_no_subtree_rows_for_leaf_units")]
AFTER = [("ledger", "0009_rollups_keyed_by_their_cells")]
YEARLY = [("ledger", "0010_yearly_rows_for_every_unit")]
TABLES = (
    "ledger_ledgerrollup",
    "ledger_ledgermonthly",
    "ledger_enterprisemonth",
    "ledger_subtreerollup",
    "ledger_subtreeenterprisemonth",
    "ledger_subtreeenterpriseyear",
)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def contents() -> dict[str, list[tuple]]:
    """Every rollup table's rows (without the old id column), sorted."""
    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, table)
                if c.name != "id"
            ]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            result[table] = sorted(map(tuple, cursor.fetchall()), key=repr)
    return result


@pytest.mark.django_db(transaction=True)
def test_the_sums_survive_the_migration_both_ways(network):
    for day, source in (
        (dt.date(2026, 3, 2), network.ws_zgc),
        (dt.date(2026, 4, 1), network.haidian),
    ):
        ledger_record(
            source=source, kind="query_answered", unit=source, date=day,
            enterprise=network.ent_zgc, ip_type="patent", channel="phone", quantity=3,
        )  # fmt: skip
    try:
        migrate(AFTER)
        written = contents()
        assert all(written[t] for t in TABLES)
        migrate(BEFORE)
        assert contents() == written
        with connection.cursor() as cursor:  # the old tables have their ids back
            cursor.execute("SELECT COUNT(id) FROM ledger_ledgerrollup")
            assert cursor.fetchone()[0] == len(written["ledger_ledgerrollup"])
        migrate(AFTER)
        assert contents() == written
    finally:
        call_command("migrate", verbosity=0)
    assert rollups.verify() == []
    cell = LedgerRollup.objects.get(unit=network.ws_zgc, month=dt.date(2026, 3, 1))
    assert cell.pk == (
        network.ws_zgc.pk,
        dt.date(2026, 3, 1),
        "query_answered",
        "patent",
        "",
        "phone",
    )
    assert SubtreeRollup.objects.filter(root=network.city).count() == 2
    assert SubtreeEnterpriseYear.objects.get(root=network.city).quantity == 6
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
                assert cursor.fetchone()[0].endswith("WITHOUT ROWID"), table


@pytest.mark.django_db(transaction=True)
def test_workstations_get_their_yearly_rows_and_give_them_back(network):
    for day, unit, kind, quantity in (
        (dt.date(2025, 12, 31), network.ws_zgc, "visit", 2),
        (dt.date(2026, 1, 5), network.ws_zgc, "query_answered", 3),
        (dt.date(2026, 2, 1), network.ws_shangdi, "visit", 4),
        (dt.date(2026, 2, 2), network.haidian, "visit", 5),
    ):  # one act per source and kind
        ledger_record(
            source=unit, kind=kind, unit=unit, date=day, enterprise=network.ent_zgc,
            quantity=quantity,
        )  # fmt: skip
    full = contents()

    def yearly(root) -> dict[int, int]:
        return dict(SubtreeEnterpriseYear.objects.filter(root=root).values_list("year", "quantity"))

    assert yearly(network.ws_zgc) == {2025: 2, 2026: 3}
    try:
        migrate(AFTER)
        assert not yearly(network.ws_zgc) and not yearly(network.ws_shangdi)
        assert yearly(network.haidian) == {2025: 2, 2026: 12}
        without = contents()
        assert {t: rows for t, rows in without.items() if t != TABLES[-1]} == {
            t: rows for t, rows in full.items() if t != TABLES[-1]
        }
        migrate(YEARLY)
        assert contents() == full
    finally:
        call_command("migrate", verbosity=0)
    assert rollups.verify() == []
